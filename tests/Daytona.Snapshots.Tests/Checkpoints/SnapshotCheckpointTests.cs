using System.Management.Automation;
using System.Text.Json.Nodes;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Checkpoints;

/// <summary>Snapshot definitions checkpointed from the pipeline and re-created after removal, against the emulator.</summary>
public sealed class SnapshotCheckpointTests : IClassFixture<EmulatorFixture>, IDisposable
{
    private readonly HostedEmulator _emulator;
    private readonly string _repository = Path.Combine(Path.GetTempPath(), "ckpt-snap-" + Guid.NewGuid().ToString("N")[..10]);

    public SnapshotCheckpointTests(EmulatorFixture fixture) => _emulator = fixture.Emulator;

    public void Dispose()
    {
        if (Directory.Exists(_repository))
        {
            Directory.Delete(_repository, recursive: true);
        }
    }

    private void WaitGone(string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_emulator.State(name) != null)
        {
            Assert.True(DateTime.UtcNow < deadline, name + " was never removed");
            Thread.Sleep(20);
        }
    }

    private static string Prop(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? string.Empty;

    [Fact]
    public void ACheckpointOfSnapshotsRecreatesTheRemovedOnes()
    {
        var prefix = "ckpt-" + Guid.NewGuid().ToString("N")[..8];
        var dockerfile = "FROM python:3.12-slim\nRUN pip install requests\n";
        _emulator.CreateBuild(prefix + "-built", dockerfile);
        using var s = _emulator.Session();
        var run = s.Run(@"
            $null = New-DaytonaSnapshot -Name ($args[0] + '-image') -Image python:3.12-slim -Cpu 2 -Memory 4 -Disk 8 -Entrypoint sleep, infinity
            $c = Get-DaytonaSnapshot -Name ($args[0] + '-*') | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot | New-Checkpoint -Repository $args[1] -Name 'org'
            $c", prefix, _repository).ShouldSucceed();

        var checkpoint = Assert.Single(run.Output);
        Assert.Equal("document", Prop(checkpoint, "Kind"));
        Assert.Equal("daytona:" + _emulator.ApiUrl.ToString().TrimEnd('/'), Prop(checkpoint, "Source"));
        Assert.Equal("org", Prop(checkpoint, "Name"));

        // The recorded document: definitions and states, by property name.
        var manifest = Directory.GetFiles(Path.Combine(_repository, "checkpoints"), "*.json").Single();
        Assert.Contains("snapshots.json", File.ReadAllText(manifest));

        // Remove one snapshot; the other stays. Restore re-creates only the missing one, with its definition.
        s.Run("Remove-DaytonaSnapshot -Name $args[0] -Force", prefix + "-image").ShouldSucceed();
        WaitGone(prefix + "-image");
        run = s.Run(@"Get-Checkpoint -Repository $args[0] -Source $args[1] | Restore-Checkpoint -Verbose",
            _repository, "daytona:" + _emulator.ApiUrl.ToString().TrimEnd('/')).ShouldSucceed();

        var created = Assert.Single(run.Output);
        Assert.Equal(prefix + "-image", Prop(created, "Name"));
        Assert.Equal("python:3.12-slim", Prop(created, "ImageName"));
        Assert.Equal("2", Prop(created, "Cpu"));
        Assert.Equal("4", Prop(created, "Mem"));
        Assert.Equal("8", Prop(created, "Disk"));
        Assert.Equal(new[] { "sleep", "infinity" }, (string[])created.Properties["Entrypoint"].Value);
        Assert.Contains(run.Verbose, v => v.Message.Contains(prefix + "-built") && v.Message.Contains("exists"));
        Assert.NotNull(_emulator.State(prefix + "-image"));

        // Both removed: both come back, the built one from its Dockerfile.
        s.Run("Get-DaytonaSnapshot -Name ($args[0] + '-*') | Wait-DaytonaSnapshot | Remove-DaytonaSnapshot -Force", prefix).ShouldSucceed();
        WaitGone(prefix + "-built");
        WaitGone(prefix + "-image");
        run = s.Run("Get-Checkpoint -Repository $args[0] -Name org | Restore-Checkpoint", _repository).ShouldSucceed();
        Assert.Equal(new[] { prefix + "-built", prefix + "-image" }, run.Output.Select(o => Prop(o, "Name")).Order());
        var built = run.Output.Single(o => Prop(o, "Name") == prefix + "-built");
        var buildInfo = PSObject.AsPSObject(built.Properties["BuildInfo"].Value);
        Assert.Equal(dockerfile, buildInfo.Properties["DockerfileContent"].Value);
        s.Run("Get-DaytonaSnapshot -Name ($args[0] + '-*') | Wait-DaytonaSnapshot | Out-Null", prefix).ShouldSucceed();
        Assert.Equal("active", _emulator.State(prefix + "-built"));
    }

    [Fact]
    public void WithTheModulesOwnEmulatorTheUsersPipelineRoundTrips()
    {
        using var s = ModuleSession.Create();
        var run = s.Run(@"
            $emulator = Start-DaytonaEmulator -TimeScale 0.05
            try {
                $emulator | Connect-Daytona | Out-Null
                $c = New-DaytonaSnapshot -Name 'ckpt-own' -Image 'python:3.12-slim' -Cpu 1 -Memory 2 |
                    Wait-DaytonaSnapshot | Enable-DaytonaSnapshot | New-Checkpoint -Repository $args[0]
                Remove-DaytonaSnapshot -Name 'ckpt-own' -Force
                while (@(Get-DaytonaSnapshot | Where-Object Name -EQ 'ckpt-own').Count -gt 0) { [System.Threading.Thread]::Sleep(20) }
                $recreated = $c | Restore-Checkpoint | Wait-DaytonaSnapshot
                $c.Source -eq ('daytona:' + $emulator.ApiUrl.ToString().TrimEnd('/'))
                $recreated.Name
                [string]$recreated.State
                $recreated.Mem
            }
            finally { $emulator | Stop-DaytonaEmulator }", _repository).ShouldSucceed();

        Assert.Equal(new[] { "True", "ckpt-own", "Active", "2" }, run.Output.Select(o => o.BaseObject.ToString()));
    }
}
