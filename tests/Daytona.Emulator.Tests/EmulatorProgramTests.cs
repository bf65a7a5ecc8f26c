using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Daytona.Emulator.Tests;

/// <summary>The emulator as Start-DaytonaEmulator runs it: a child process that prints one ready line.</summary>
public sealed class EmulatorProgramTests
{
    internal static string RepoRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Module.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Module.sln not found above " + AppContext.BaseDirectory);
        }
    }

    internal static string EmulatorDll => Path.Combine(RepoRoot, "out", "Daytona.Snapshots", "Emulator", "Daytona.Emulator.dll");

    private static Process Start(string arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(EmulatorDll);
        foreach (var argument in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static async Task<JsonObject> ReadyLineAsync(Process process)
    {
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (string.IsNullOrEmpty(line))
        {
            Assert.Fail("no ready line; stderr: " + await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        }

        var ready = JsonNode.Parse(line!)!.AsObject();
        Assert.Equal(new[] { "url", "apiKey", "organizationId" }, ready.Select(p => p.Key));
        return ready;
    }

    [Fact]
    public async Task ReadyJsonIsOneLineAndTheProcessEndsWhenStdinCloses()
    {
        using var process = Start($"--port 0 --ready-json --time-scale 0.05 --parent-pid {Environment.ProcessId}");
        try
        {
            var ready = await ReadyLineAsync(process);
            var url = (string)ready["url"]!;
            Assert.Matches(@"^http://127\.0\.0\.1:\d+/api$", url);
            Assert.Matches("^dtn_emu_[0-9a-f]{32}$", (string)ready["apiKey"]!);

            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)ready["apiKey"]!);
            var page = JsonNode.Parse(await http.GetStringAsync(url + "/snapshots"))!;
            Assert.Equal(0, (int)page["total"]!);
            process.StandardInput.Close();
            Assert.True(process.WaitForExit(10_000), "the emulator did not exit when its stdin closed");
            Assert.Equal(0, process.ExitCode);
            Assert.Equal(string.Empty, (await process.StandardOutput.ReadToEndAsync()).Trim());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task TheProcessEndsWhenItsParentDies()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the same code path; 'sleep' as a parent is a Unix convenience
        }

        using var parent = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        using var process = Start($"--port 0 --ready-json --parent-pid {parent.Id} --api-key fixed-key");
        try
        {
            var ready = await ReadyLineAsync(process);
            Assert.Equal("fixed-key", (string)ready["apiKey"]!);
            parent.Kill();
            Assert.True(process.WaitForExit(10_000), "the emulator outlived its parent");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            if (!parent.HasExited)
            {
                parent.Kill();
            }
        }
    }

    [Fact]
    public async Task StandalonePrintsTheUrlAndKeyAndBadArgumentsExit2()
    {
        using var standalone = Start("--port 0 --api-key shown-key");
        try
        {
            var first = await standalone.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.StartsWith("Daytona emulator listening on http://127.0.0.1:", first);
            Assert.Contains("shown-key", await standalone.StandardOutput.ReadLineAsync());
        }
        finally
        {
            standalone.Kill();
        }

        using var bad = Start("--port nope");
        Assert.True(bad.WaitForExit(30_000));
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public async Task AChildLeavesItsParentsTerminalSoCtrlCThereDoesNotReachIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc is Linux's; the real-terminal test (tests/Pester/CtrlC.Tests.ps1) covers the behaviour
        }

        using var child = Start($"--port 0 --ready-json --parent-pid {Environment.ProcessId}");
        using var standalone = Start("--port 0");
        try
        {
            await ReadyLineAsync(child);
            await standalone.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));

            // A child leads its own session (so the terminal's process group and its SIGINT are not its own);
            // run standalone, the emulator stays in the session it was started in and Ctrl+C stops it.
            Assert.Equal(child.Id, SessionOf(child.Id));
            Assert.Equal(SessionOf(Environment.ProcessId), SessionOf(standalone.Id));
            Assert.NotEqual(SessionOf(Environment.ProcessId), SessionOf(child.Id));
        }
        finally
        {
            child.Kill();
            standalone.Kill();
        }
    }

    /// <summary>The session id of a process: field 6 of /proc/PID/stat (after the parenthesized command name).</summary>
    private static int SessionOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture);
    }
}
