using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Completion;

/// <summary>Tab completion as the prompt asks for it: TabExpansion2 in the real engine.</summary>
public sealed class CompletionTests : IClassFixture<EmulatorFixture>
{
    private readonly HostedEmulator _emulator;

    public CompletionTests(EmulatorFixture fixture) => _emulator = fixture.Emulator;

    private static List<string> Complete(ModuleSession session, string input) =>
        session.Run("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText", input)
            .ShouldSucceed().Output.Select(o => (string)o.BaseObject).ToList();

    [Fact]
    public void PythonVersionsCompleteForDebianSlim()
    {
        using var session = ModuleSession.Create();
        Assert.Equal(new[] { "3.10", "3.11", "3.12", "3.13" }, Complete(session, "New-DaytonaImage -DebianSlim 3.1"));
        Assert.Equal(new[] { "3.12", "3.12.10" }, Complete(session, "New-DaytonaImage -DebianSlim 3.12"));
        Assert.Equal(new[] { "3.9", "3.10", "3.11", "3.12", "3.13" }, Complete(session, "New-DaytonaImage -DebianSlim ").OrderBy(v => Version.Parse(v)).Select(v => v));
    }

    [Fact]
    public void SnapshotNamesCompleteFromTheConnection()
    {
        var prefix = "cmpl" + Guid.NewGuid().ToString("N")[..6];
        var alpha = (string)_emulator.Create(prefix + "-alpha")["id"]!;
        _emulator.Create(prefix + "-beta");
        _emulator.Create("other" + prefix);
        using var session = _emulator.Session();

        Assert.Equal(new[] { prefix + "-alpha", prefix + "-beta" }, Complete(session, "Get-DaytonaSnapshot -Name " + prefix));
        Assert.Equal(new[] { prefix + "-beta" }, Complete(session, "Wait-DaytonaSnapshot -Name " + prefix + "-b"));

        // -Id completes ids, with the snapshot's name as the tooltip.
        Assert.Equal(new[] { alpha }, Complete(session, "Remove-DaytonaSnapshot -Id " + alpha[..13]));
        var tooltip = session.Run("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches[0].ToolTip", "Get-DaytonaSnapshot -Id " + alpha[..13]).ShouldSucceed();
        Assert.Equal(prefix + "-alpha", tooltip.Output.Single().BaseObject);
    }

    [Fact]
    public void ASilentApiDoesNotHoldThePrompt()
    {
        // A server that accepts connections and never answers: completion must give up within its budget.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () => { while (true) { try { accepted.Add(await silent.AcceptSocketAsync()); } catch { return; } } });
        var url = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/api";
        using var session = ModuleSession.Create();
        session.Run("$null = Connect-Daytona -ApiUrl $args[0] -ApiKey $args[1]", url, Module.ManifestTests.Secure("k")).ShouldSucceed();

        var watch = Stopwatch.StartNew();
        var matches = Complete(session, "Get-DaytonaSnapshot -Name x");
        watch.Stop();

        Assert.Empty(matches);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"completion held the prompt for {watch.Elapsed}");
        silent.Stop();
    }

    [Fact]
    public void WorkflowIdsCompleteFromTheDocumentNamedByPath()
    {
        using var session = ModuleSession.Create();
        var seed = Path.Combine(RepoPaths.RepoRoot, "examples", "workflows", "daytona-io-build-and-activate-snapshot-workflow.yml");
        Assert.Equal(new[] { "build-and-activate-snapshot" }, Complete(session, $"Invoke-ArazzoWorkflow -Path '{seed}' -WorkflowId b"));
        Assert.Empty(Complete(session, $"Get-ArazzoWorkflow -Path '{seed}' -WorkflowId x"));
        Assert.Empty(Complete(session, "Get-ArazzoWorkflow -Path ./no-such-document.yml -WorkflowId b"));
    }

    [Fact]
    public void CheckpointIdsNamesAndSourcesCompleteFromTheRepository()
    {
        var root = Directory.CreateTempSubdirectory("completion-checkpoints-").FullName;
        try
        {
            var source = Directory.CreateDirectory(Path.Combine(root, "workspace")).FullName;
            File.WriteAllText(Path.Combine(source, "a.txt"), "one");
            var repository = Path.Combine(root, "repo");
            using var session = ModuleSession.Create();
            var ids = session.Run(@"
                (New-Checkpoint -Path $args[0] -Repository $args[1] -Name 'first draft').Id
                [System.IO.File]::WriteAllText([System.IO.Path]::Combine($args[0], 'a.txt'), 'two')
                (New-Checkpoint -Path $args[0] -Repository $args[1] -Name 'final').Id", source, repository)
                .ShouldSucceed().Output.Select(o => (string)o.BaseObject).ToList();

            Assert.Equal(ids.OrderByDescending(i => i, StringComparer.Ordinal), Complete(session, $"Get-Checkpoint -Repository '{repository}' -Id 2"));
            Assert.Equal(ids.OrderByDescending(i => i, StringComparer.Ordinal), Complete(session, $"Restore-Checkpoint -Repository '{repository}' -Id "));
            Assert.Equal(new[] { "final", "'first draft'" }, Complete(session, $"Get-Checkpoint -Repository '{repository}' -Name fi"));
            Assert.Equal(new[] { "'first draft'" }, Complete(session, $"Get-Checkpoint -Repository '{repository}' -Name firs"));
            Assert.Equal(new[] { source }, Complete(session, $"Get-Checkpoint -Repository '{repository}' -Source /"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
