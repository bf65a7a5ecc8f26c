using System.Management.Automation;
using System.Text.Json.Nodes;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Snapshots;

/// <summary>
/// The snapshot cmdlets in the real PowerShell engine against the emulator over real HTTP: the user's pipelines as
/// written, many snapshots settling together, binding by value and by property name, failures and faults.
/// </summary>
public sealed class SnapshotPipelineTests : IClassFixture<EmulatorFixture>
{
    private readonly HostedEmulator _emulator;

    public SnapshotPipelineTests(EmulatorFixture fixture) => _emulator = fixture.Emulator;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string Prop(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? string.Empty;

    [Fact]
    public void TheUsersPipelineWaitsForExistingSnapshotsAndActivatesTheInactiveOnes()
    {
        var prefix = Unique("existing");
        var ready = _emulator.Create(prefix + "-ready");
        var sleepy = _emulator.Create(prefix + "-sleepy");
        _emulator.Create(prefix + "-building");
        _emulator.WaitForState((string)ready["id"]!, "active");
        _emulator.WaitForState((string)sleepy["id"]!, "active");
        _emulator.DeactivateUnused(prefix + "-sleepy");
        _emulator.SetBuild(prefix + "-building", 1000);

        using var s = _emulator.Session();
        var run = s.Run($"Get-DaytonaSnapshot -Name '{prefix}-*' | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot -Verbose").ShouldSucceed();

        var byName = run.Output.ToDictionary(o => Prop(o, "Name"));
        Assert.Equal(3, byName.Count);
        Assert.Equal("Active", Prop(byName[prefix + "-ready"], "State"));
        Assert.Equal("Pending", Prop(byName[prefix + "-sleepy"], "State")); // activation started
        Assert.Contains(byName[prefix + "-ready"].TypeNames, t => t == "Daytona.Api.Snapshot");
        Assert.Contains(run.Verbose, v => v.Message.Contains("already active"));
        Assert.NotEqual("inactive", _emulator.State(prefix + "-sleepy"));
    }

    [Fact]
    public void TheUsersPipelineFromNewDaytonaSnapshot()
    {
        var name = Unique("fresh");
        using var s = _emulator.Session();
        var run = s.Run($"New-DaytonaSnapshot -Name {name} -Image python:3.12-slim -Cpu 2 -Memory 4 -Disk 10 | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot").ShouldSucceed();
        var snapshot = Assert.Single(run.Output);
        Assert.Equal(name, Prop(snapshot, "Name"));
        Assert.Equal("Active", Prop(snapshot, "State"));
        Assert.Equal("4", Prop(snapshot, "Mem"));
        Assert.Equal("2", Prop(snapshot, "Cpu"));
        Assert.Equal("active", _emulator.State(name));
    }

    [Fact]
    public void ManyPipedSnapshotsSettleTogetherAndEachComesOutAsItSettles()
    {
        var prefix = Unique("many");
        // Pretend ms, x0.1: created in the order c, a, d, b, they settle 0.45 s apart in the order a, b, c, d.
        var durations = new[] { ("c", 10000), ("a", 1000), ("d", 14500), ("b", 5500) };
        foreach (var (suffix, ms) in durations)
        {
            _emulator.SetBuild($"{prefix}-{suffix}", ms);
        }

        using var s = _emulator.Session();

        // The session's first create pays for loading and compiling the cmdlets; on a busy machine that alone can
        // outlast the spacing above, so it happens before the creates that are compared.
        _emulator.SetBuild($"{prefix}-warm", 0);
        s.Run($"New-DaytonaSnapshot -Name {prefix}-warm -Image python:3.12-slim | Wait-DaytonaSnapshot -PollInterval 0.1").ShouldSucceed();
        var started = DateTime.UtcNow;
        var run = s.Run(
            "$args | ForEach-Object { New-DaytonaSnapshot -Name $_ -Image python:3.12-slim } | Wait-DaytonaSnapshot -PollInterval 0.1 | " +
            "ForEach-Object { [pscustomobject]@{ Name = $_.Name; State = [string]$_.State; At = [DateTime]::UtcNow } }",
            durations.Select(d => $"{prefix}-{d.Item1}").Cast<object?>().ToArray()).ShouldSucceed();

        Assert.Equal(new[] { "a", "b", "c", "d" }.Select(x => $"{prefix}-{x}"), run.Output.Select(o => Prop(o, "Name")));
        Assert.All(run.Output, o => Assert.Equal("Active", Prop(o, "State")));
        var arrivals = run.Output.Select(o => (DateTime)o.Properties["At"].Value).ToList();
        // Emitted as each settled: the first came out well before the last (builds 0.1 s to 1.45 s after creation).
        Assert.True(arrivals[^1] - arrivals[0] > TimeSpan.FromMilliseconds(250), $"{arrivals[0]:O} .. {arrivals[^1]:O}");
        // Waited on together: about as long as the slowest, not the sum of all.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), $"took {DateTime.UtcNow - started}");
        Assert.Contains(run.Progress, p => p.Activity.StartsWith("Snapshot " + prefix, StringComparison.Ordinal) && p.ParentActivityId == 1);
    }

    [Fact]
    public void ObjectsBindByPropertyNameAndStringsByValue()
    {
        var first = _emulator.Create(Unique("bind"));
        var second = _emulator.Create(Unique("bind"));
        var third = _emulator.Create(Unique("bind"));
        using var s = _emulator.Session();
        var run = s.Run(
            "[pscustomobject]@{ Name = $args[0]; Note = 'from a CSV row' }, [pscustomobject]@{ Id = $args[1] }, $args[2] | Wait-DaytonaSnapshot",
            (string)first["name"]!, (string)second["id"]!, (string)third["name"]!).ShouldSucceed();
        Assert.Equal(
            new[] { (string)first["name"]!, (string)second["name"]!, (string)third["name"]! }.OrderBy(n => n),
            run.Output.Select(o => Prop(o, "Name")).OrderBy(n => n));

        var byId = s.Run("[pscustomobject]@{ Id = $args[0] } | Get-DaytonaSnapshot", (string)second["id"]!).ShouldSucceed();
        Assert.Equal((string)second["name"]!, Prop(Assert.Single(byId.Output), "Name"));
    }

    [Fact]
    public void AFailedBuildIsSnapshotBuildFailedWhileTheOthersStillComeOut()
    {
        var prefix = Unique("mixed");
        using var s = _emulator.Session();
        var run = s.Run(
            $"New-DaytonaSnapshot {prefix}-ok1 python:3.12-slim; New-DaytonaSnapshot {prefix}-bad registry.example/fail-image:1.0; New-DaytonaSnapshot {prefix}-ok2 python:3.12-slim",
            Array.Empty<object?>()).ShouldSucceed();
        Assert.Equal(3, run.Output.Count);

        var wait = s.Run($"Get-DaytonaSnapshot -Name '{prefix}-*' | Wait-DaytonaSnapshot");
        Assert.Equal(new[] { $"{prefix}-ok1", $"{prefix}-ok2" }, wait.Output.Select(o => Prop(o, "Name")).OrderBy(n => n));
        var error = Assert.Single(wait.Errors);
        Assert.StartsWith("SnapshotBuildFailed,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains("manifest unknown", error.Exception.Message);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction));
        Assert.Null(wait.Terminating);
    }

    [Fact]
    public void BurstsOf429And503AreSurvived()
    {
        var prefix = Unique("burst");
        _emulator.Create(prefix + "-1");
        _emulator.Create(prefix + "-2");
        using var s = _emulator.Session();
        _emulator.SetFaults(new JsonObject
        {
            ["tooManyRequests"] = new JsonObject { ["count"] = 3, ["retryAfterSeconds"] = 0 },
            ["serverErrors"] = new JsonObject { ["count"] = 3, ["status"] = 503 },
        });
        try
        {
            var run = s.Run($"Get-DaytonaSnapshot -Name '{prefix}-*' | Wait-DaytonaSnapshot").ShouldSucceed();
            Assert.Equal(2, run.Output.Count);

            _emulator.SetFaults(new JsonObject { ["serverErrors"] = new JsonObject { ["count"] = 2, ["status"] = 503 } });
            var created = s.Run($"New-DaytonaSnapshot {prefix}-3 python:3.12-slim").ShouldSucceed();
            Assert.Single(created.Output);
            Assert.Equal(3, s.Run($"Get-DaytonaSnapshot -Name '{prefix}-*'").ShouldSucceed().Output.Count);
        }
        finally
        {
            _emulator.SetFaults(new JsonObject());
        }
    }

    [Fact]
    public void UnknownNamesAreSnapshotNotFound()
    {
        using var s = _emulator.Session();
        var get = s.Run("Get-DaytonaSnapshot -Name no-such-snapshot");
        var error = Assert.Single(get.Errors);
        Assert.StartsWith("SnapshotNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);

        var wildcard = s.Run("Get-DaytonaSnapshot -Name 'no-such-*'").ShouldSucceed();
        Assert.Empty(wildcard.Output);

        var wait = s.Run("Wait-DaytonaSnapshot -Name no-such-snapshot");
        Assert.StartsWith("SnapshotNotFound,", Assert.Single(wait.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void ATimeoutIsWaitTimeout()
    {
        var name = Unique("slow");
        _emulator.SetBuild(name, 600_000);
        _emulator.Create(name);
        using var s = _emulator.Session();
        var run = s.Run($"Wait-DaytonaSnapshot -Name {name} -Timeout 0.5");
        var error = Assert.Single(run.Errors);
        Assert.StartsWith("WaitTimeout,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void BuildLogsAreReadFollowedAndShownWhileWaiting()
    {
        var name = Unique("built");
        _emulator.CreateBuild(name, "FROM python:3.12-slim\nRUN pip install requests\nRUN echo ready\n");
        using var s = _emulator.Session();
        var wait = s.Run($"Wait-DaytonaSnapshot -Name {name} -ShowBuildLog").ShouldSucceed();
        Assert.Equal("Active", Prop(Assert.Single(wait.Output), "State"));
        Assert.Contains(wait.Information, i => i.Tags.Contains("BuildLog") && i.MessageData.ToString()!.Contains("Step 1/"));

        var log = s.Run($"Get-DaytonaSnapshotBuildLog -Name {name}").ShouldSucceed();
        Assert.Contains(log.Output, l => l.BaseObject is string line && line.StartsWith("Step 1/", StringComparison.Ordinal));

        var second = Unique("built");
        _emulator.CreateBuild(second, "FROM python:3.12-slim\nRUN pip install numpy\n");
        var followed = s.Run($"Get-DaytonaSnapshotBuildLog -Name {second} -Follow").ShouldSucceed();
        Assert.Contains(followed.Output, l => ((string)l.BaseObject).StartsWith("Successfully tagged", StringComparison.Ordinal));
        Assert.Equal("active", _emulator.State(second));
    }

    [Fact]
    public void DisableRemoveAndWildcardsWork()
    {
        var prefix = Unique("life");
        var one = _emulator.Create(prefix + "-one");
        _emulator.Create(prefix + "-two");
        _emulator.Create(Unique("other"));
        _emulator.WaitForState((string)one["id"]!, "active");
        using var s = _emulator.Session();

        var matched = s.Run($"Get-DaytonaSnapshot -Name '{prefix}-*'").ShouldSucceed();
        Assert.Equal(new[] { prefix + "-one", prefix + "-two" }, matched.Output.Select(o => Prop(o, "Name")).OrderBy(n => n));

        var disabled = s.Run($"Disable-DaytonaSnapshot -Name {prefix}-one").ShouldSucceed();
        Assert.Equal("Inactive", Prop(Assert.Single(disabled.Output), "State"));

        var waited = s.Run($"Wait-DaytonaSnapshot -Name {prefix}-one, {prefix}-two").ShouldSucceed();
        Assert.Equal(2, waited.Output.Count);

        s.Run($"Remove-DaytonaSnapshot -Name {prefix}-one, {prefix}-two -Force").ShouldSucceed();
        Assert.True(_emulator.State(prefix + "-one") is null or "removing");
        Assert.True(_emulator.State(prefix + "-two") is null or "removing");
    }

    [Fact]
    public void TheTableViewShowsTheSnapshotColumnsWithin120Characters()
    {
        var prefix = Unique("view");
        var created = _emulator.Create(prefix + "-web", "ghcr.io/example-org/a-rather-long-image-name:2024.11.23");
        _emulator.WaitForState((string)created["id"]!, "active");
        var host = new CapturingHost();
        using var s = _emulator.Session(host);
        s.Run($"$PSStyle.OutputRendering = 'PlainText'; Get-DaytonaSnapshot -Name '{prefix}-*' | Out-Default").ShouldSucceed();

        var lines = host.Lines.SelectMany(l => l.Split('\n')).Select(l => System.Text.RegularExpressions.Regex.Replace(l, "\u001b\\[[0-9;]*m", string.Empty).TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        var header = Assert.Single(lines, l => l.TrimStart().StartsWith("Name", StringComparison.Ordinal));
        Assert.Equal(new[] { "Name", "State", "ImageName", "Size", "Cpu", "Mem", "Disk", "CreatedAt" }, header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = Assert.Single(lines, l => l.Contains(prefix + "-web"));
        Assert.Contains("active", row);
        Assert.Contains(" GB", row);
        Assert.All(lines, l => Assert.True(l.Length <= 120, $"{l.Length} characters: {l}"));
    }

    [Fact]
    public void APipedSnapshotKeepsTheConnectionItWasReadThrough()
    {
        var name = Unique("source");
        _emulator.Create(name);
        using var s = _emulator.Session();
        var run = s.Run(
            $"$snapshots = Get-DaytonaSnapshot -Name {name}; " +
            "$null = Connect-Daytona -ApiUrl 'http://127.0.0.1:9/api' -ApiKey $args[0]; " +
            "$snapshots | Wait-DaytonaSnapshot",
            HostedEmulator.Secure("dtn_other_server_key")).ShouldSucceed();
        Assert.Equal(name, Prop(Assert.Single(run.Output), "Name"));
    }

    [Fact]
    public void TheWholeFlowAsAUserTypesItAgainstAStartedEmulator()
    {
        using var s = ModuleSession.Create();
        try
        {
            var run = s.Run(@"
                $null = Start-DaytonaEmulator -TimeScale 0.05 | Connect-Daytona
                New-DaytonaSnapshot -Name web -Image python:3.12-slim | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot
                New-DaytonaSnapshot -Name api -Image node:22-slim | Out-Null
                Get-DaytonaSnapshot | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot").ShouldSucceed();
            Assert.Equal(new[] { "web", "api", "web" }.OrderBy(n => n), run.Output.Select(o => Prop(o, "Name")).OrderBy(n => n));
            Assert.All(run.Output, o => Assert.Equal("Active", Prop(o, "State")));
        }
        finally
        {
            s.Run("Stop-DaytonaEmulator -Confirm:$false");
        }
    }
}
