using System.Diagnostics;
using System.Management.Automation;
using System.Security;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Emulator;

/// <summary>Start-DaytonaEmulator and Stop-DaytonaEmulator in the real engine, with the real child process.</summary>
public sealed class EmulatorCmdletTests
{
    private static int Pid(PSObject instance) => (int)instance.Properties["ProcessId"].Value;

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void AssertGone(int pid, string when)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (IsRunning(pid))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the emulator process {pid} still runs {when}");
            Thread.Sleep(50);
        }
    }

    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    private static string Plain(SecureString secure) => new System.Net.NetworkCredential(string.Empty, secure).Password;

    [Fact]
    public void StartPipedIntoConnectMakesTheEmulatorTheDefaultConnection()
    {
        using var session = ModuleSession.Create();
        var run = session.Run("""
            $emulator = Start-DaytonaEmulator -TimeScale 0.05 -Verbose
            $connection = $emulator | Connect-Daytona -Verbose
            $snapshot = New-DaytonaSnapshot -Name emu-cmdlet -Image 'python:3.12-slim' | Wait-DaytonaSnapshot
            $emulator, $connection, $snapshot, @(Get-DaytonaSnapshot).Count
            "$emulator"
            """).ShouldSucceed();

        var emulator = run.Output[0];
        Assert.Equal("Daytona.Api.Emulator.EmulatorInstance", emulator.BaseObject.GetType().FullName);
        var url = (Uri)emulator.Properties["ApiUrl"].Value;
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/api$", url.ToString());
        Assert.Equal(url, emulator.Properties["Url"].Value);
        Assert.IsType<SecureString>(emulator.Properties["ApiKey"].Value);
        Assert.Equal("00000000-0000-4000-8000-000000000001", emulator.Properties["OrganizationId"].Value);
        Assert.True(IsRunning(Pid(emulator)));
        Assert.Equal("Daytona.Api.DaytonaConnection", emulator.Properties["Connection"].Value.GetType().FullName);

        var connection = run.Output[1];
        Assert.Equal(url, connection.Properties["ApiUrl"].Value);
        Assert.Equal("active", run.Output[2].Properties["State"].Value.ToString(), ignoreCase: true);
        Assert.Equal(1, (int)run.Output[3].BaseObject);

        // The key is on no stream: not in the object's text, the table, the list, nor the verbose lines.
        var key = Plain((SecureString)emulator.Properties["ApiKey"].Value);
        Assert.StartsWith("dtn_emu_", key);
        Assert.DoesNotContain(key, run.AllText());
        Assert.Equal($"Daytona emulator at {url} (process {Pid(emulator)}, Running)", (string)run.Output[4].BaseObject);

        session.Run("Stop-DaytonaEmulator").ShouldSucceed();
        AssertGone(Pid(emulator), "after Stop-DaytonaEmulator");
    }

    [Fact]
    public void StopFromThePipelineEndsTheProcessAndWhatIfDoesNot()
    {
        using var session = ModuleSession.Create();
        var emulator = session.Run("Start-DaytonaEmulator -TimeScale 0.05").ShouldSucceed().Output.Single();
        var pid = Pid(emulator);

        session.RunWith("$emulator | Stop-DaytonaEmulator -WhatIf", new Dictionary<string, object?> { ["emulator"] = emulator }).ShouldSucceed();
        Thread.Sleep(300);
        Assert.True(IsRunning(pid), "-WhatIf stopped the emulator");

        var stopped = session.RunWith("$emulator | Stop-DaytonaEmulator -PassThru", new Dictionary<string, object?> { ["emulator"] = emulator }).ShouldSucceed();
        AssertGone(pid, "after Stop-DaytonaEmulator");
        Assert.Equal("Exited", stopped.Output.Single().Properties["State"].Value);

        // Stopping it again is harmless.
        session.RunWith("$emulator | Stop-DaytonaEmulator -Verbose", new Dictionary<string, object?> { ["emulator"] = emulator }).ShouldSucceed();
    }

    [Fact]
    public void RemoveModuleStopsWhatItsRunspaceStartedAndNoOtherRunspaces()
    {
        using var other = ModuleSession.Create();
        var otherPid = Pid(other.Run("Start-DaytonaEmulator -TimeScale 0.05").ShouldSucceed().Output.Single());

        using var session = ModuleSession.Create();
        var pids = session.Run("Start-DaytonaEmulator -TimeScale 0.05; Start-DaytonaEmulator -TimeScale 0.05").ShouldSucceed().Output.Select(Pid).ToList();
        Assert.Equal(2, pids.Count);

        session.Run("Remove-Module Daytona.Snapshots -ErrorAction Stop").ShouldSucceed();
        foreach (var pid in pids)
        {
            AssertGone(pid, "after Remove-Module");
        }

        Assert.True(IsRunning(otherPid), "Remove-Module in one runspace stopped another runspace's emulator");
        other.Run("Stop-DaytonaEmulator").ShouldSucceed();
        AssertGone(otherPid, "after Stop-DaytonaEmulator with no argument");
    }

    [Fact]
    public void ParametersReachTheEmulatorAndTheChosenKeyWorks()
    {
        using var session = ModuleSession.Create();
        var run = session.Run("""
            $key = $args[0]
            $emulator = Start-DaytonaEmulator -ApiKey $key -TimeScale 1 -BuildDuration 0.2
            try {
                $emulator | Connect-Daytona | Out-Null
                (New-DaytonaSnapshot -Name quick -Image 'ubuntu:22.04' | Wait-DaytonaSnapshot -PollInterval 00:00:00.1).State.ToString()
                [System.Net.NetworkCredential]::new('', $emulator.ApiKey).Password
                $control = [System.Net.Http.HttpClient]::new()
                $control.DefaultRequestHeaders.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer', [System.Net.NetworkCredential]::new('', $emulator.ApiKey).Password)
                $control.GetStringAsync([uri]::new($emulator.ApiUrl, '/_emulator/builds')).GetAwaiter().GetResult()
            }
            finally { $emulator | Stop-DaytonaEmulator }
            """, Secure("my-emulator-key")).ShouldSucceed();

        Assert.Equal("active", (string)run.Output[0].BaseObject, ignoreCase: true);
        Assert.Equal("my-emulator-key", (string)run.Output[1].BaseObject);
        Assert.Contains("\"durationMs\":200", (string)run.Output[2].BaseObject);
    }

    [Fact]
    public void ANegativeBuildDurationOrAnOutOfRangePortIsRefusedBeforeAnythingStarts()
    {
        using var session = ModuleSession.Create();
        var run = session.Run("Start-DaytonaEmulator -BuildDuration -1");
        Assert.Contains(run.ErrorIds, id => id.StartsWith("InvalidBuildDuration", StringComparison.Ordinal));
        run = session.Run("Start-DaytonaEmulator -Port 70000");
        Assert.Contains(run.ErrorIds, id => id.StartsWith("ParameterArgumentValidationError", StringComparison.Ordinal));
    }
}
