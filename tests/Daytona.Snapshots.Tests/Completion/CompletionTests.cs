using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Daytona.Snapshots.Tests.Harness;
using Daytona.Snapshots.Tests.Snapshots;

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
        _emulator.Create(prefix + "-alpha");
        _emulator.Create(prefix + "-beta");
        _emulator.Create("other" + prefix);
        using var session = _emulator.Session();

        Assert.Equal(new[] { prefix + "-alpha", prefix + "-beta" }, Complete(session, "Get-DaytonaSnapshot -Name " + prefix));
        Assert.Equal(new[] { prefix + "-beta" }, Complete(session, "Wait-DaytonaSnapshot -Name " + prefix + "-b"));
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
}
