using System.Diagnostics;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Examples;

/// <summary>
/// The demo a newcomer runs first (dotnet run --project examples/Demo): every example script, statement by statement,
/// in the real engine against the bundled emulator, with no error and the tables a pwsh user would see.
/// </summary>
public sealed class DemoTests
{
    [Fact]
    public void EveryExampleRunsAndShowsTheSnapshotTables()
    {
        var demo = Path.Combine(RepoPaths.RepoRoot, "examples", "Demo", "bin", "Release", "net10.0", "Daytona.Demo.dll");
        Assert.True(File.Exists(demo), demo + " is missing: build Module.sln -c Release");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(demo);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(180_000), "the demo did not finish within 3 minutes");

        Assert.True(process.ExitCode == 0, $"the demo exited {process.ExitCode}:\n{output}\n{errors.Result}");
        foreach (var example in Directory.GetFiles(Path.Combine(RepoPaths.RepoRoot, "examples"), "*.ps1"))
        {
            Assert.Contains("### examples/" + Path.GetFileName(example), output);
        }

        // The snapshot table view, the user's pipeline ending active, the failed build's reason, the workflow's branch.
        Assert.Matches(@"Name\s+State\s+ImageName\s+Size\s+Cpu\s+Mem\s+Disk\s+CreatedAt", output);
        Assert.Matches(@"demo-python\s+active\s+python:3\.12-slim", output);
        Assert.Matches(@"demo-node\s+active", output);
        Assert.Contains("Wait-DaytonaSnapshot: Snapshot 'demo-broken' failed", output);
        Assert.Matches(@"build-and-activate-snapshot\s+Succeeded", output);
        Assert.Contains("Reused the existing build: True", output);
        Assert.Matches(@"WorkflowId\s+: build-demo-pair\s+Steps\s+: createWeb, createApi, pollWeb, activateWeb, pollApi, activateApi", output);
        Assert.Matches(@"build-demo-pair\s+Succeeded", output);
        Assert.Matches(@"demo-ci-web\s+active\s+python:3\.12-slim", output);
        Assert.DoesNotContain("\u001b[", output, StringComparison.Ordinal);
    }
}
