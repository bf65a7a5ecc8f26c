using System.Diagnostics;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Emulator;

/// <summary>A Fact that needs a real pwsh (PATH, or the one tools/find-pwsh.sh unpacked); skipped with the reason otherwise.</summary>
public sealed class PwshFactAttribute : FactAttribute
{
    public PwshFactAttribute()
    {
        if (RealPwsh.Path == null)
        {
            Skip = "no pwsh: not on PATH and tools/find-pwsh.sh found none";
        }
    }
}

internal static class RealPwsh
{
    private static readonly Lazy<string?> s_path = new(Find);

    public static string? Path => s_path.Value;

    private static string? Find()
    {
        var name = OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh";
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var script = System.IO.Path.Combine(RepoPaths.RepoRoot, "tools", "find-pwsh.sh");
        if (OperatingSystem.IsWindows() || !File.Exists(script))
        {
            return null;
        }

        try
        {
            using var find = Process.Start(new ProcessStartInfo("bash", $"\"{script}\"") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            var output = find.StandardOutput.ReadToEndAsync();
            _ = find.StandardError.ReadToEndAsync();
            if (!find.WaitForExit(120_000))
            {
                find.Kill(true);
                return null;
            }

            var last = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim();
            return find.ExitCode == 0 && last != null && File.Exists(last) ? last : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

/// <summary>The emulator dies with the PowerShell process that started it, however that process ends.</summary>
public sealed class EmulatorLifetimeTests
{
    [PwshFact]
    public void KillingThePowerShellProcessEndsItsEmulator()
    {
        var script = $$"""
            Import-Module '{{RepoPaths.ModuleManifest}}' -ErrorAction Stop
            $emulator = Start-DaytonaEmulator -TimeScale 0.05
            [Console]::Out.WriteLine($emulator.ProcessId)
            [Console]::Out.Flush()
            Start-Sleep -Seconds 120
            """;
        var start = new ProcessStartInfo(RealPwsh.Path!) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-NoProfile", "-NonInteractive", "-Command", script })
        {
            start.ArgumentList.Add(argument);
        }

        using var pwsh = Process.Start(start)!;
        int emulatorPid;
        try
        {
            var line = pwsh.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(90)).GetAwaiter().GetResult();
            Assert.True(int.TryParse(line, out emulatorPid), $"pwsh printed '{line}'");
            using (var emulator = Process.GetProcessById(emulatorPid))
            {
                Assert.False(emulator.HasExited);
            }
        }
        finally
        {
            pwsh.Kill(entireProcessTree: false); // SIGKILL: no cleanup code of ours runs in pwsh
        }

        pwsh.WaitForExit(10_000);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var emulator = Process.GetProcessById(emulatorPid);
                if (emulator.HasExited)
                {
                    break;
                }
            }
            catch (ArgumentException)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the emulator {emulatorPid} outlived the pwsh that started it");
            Thread.Sleep(50);
        }
    }
}
