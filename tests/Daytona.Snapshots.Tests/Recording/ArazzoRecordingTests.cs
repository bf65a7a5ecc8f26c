using System.Management.Automation;
using System.Text.Json.Nodes;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Recording;

/// <summary>
/// Start-/Stop-ArazzoRecording in the real PowerShell engine against the emulator: sessions typed as a user types them,
/// each recorded document validated with Test-ArazzoWorkflow -Strict, searched for the key, and replayed with
/// Invoke-ArazzoWorkflow against a fresh emulator, which must end with the same snapshots, states and fields.
/// </summary>
public sealed class ArazzoRecordingTests : IClassFixture<EmulatorFixture>, IDisposable
{
    /// <summary>What the seed session's recording differs from the seed workflow in (each explained in Stop-ArazzoRecording's help).</summary>
    internal static readonly string[] SeedDifferences =
    {
        "inputs.default",
        "inputs.required",
        "onSuccess.alreadyActive.condition",
        "onSuccess.buildFailed.condition",
        "onSuccess.inactive.condition",
        "onSuccess.stillBuilding.condition",
        "outputs.state",
        "parameters.Authorization.value",
        "sourceDescriptions.url",
    };

    private static readonly string[] Fields = { "name", "state", "imageName", "cpu", "gpu", "mem", "disk", "entrypoint", "size", "sandboxClass", "errorReason", "buildInfo" };

    private readonly HostedEmulator _emulator;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "recording-" + Guid.NewGuid().ToString("N")[..8]);

    public ArazzoRecordingTests(EmulatorFixture fixture)
    {
        _emulator = fixture.Emulator;
        Directory.CreateDirectory(_folder);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static object? Prop(PSObject o, string name) => o.Properties[name]?.Value is PSObject p ? p.BaseObject : o.Properties[name]?.Value;

    private string In(string file) => Path.Combine(_folder, file);

    /// <summary>Records <paramref name="script"/> (its $args are <paramref name="arguments"/>) and returns what Stop-ArazzoRecording wrote.</summary>
    private (PSObject Recording, PowerShellRun Stop) Record(ModuleSession s, string path, string script, string? workflowId, params object?[] arguments)
    {
        s.Run("Start-ArazzoRecording -Path $args[0] -WorkflowId $args[1]", path, workflowId ?? "recorded").ShouldSucceed();
        s.Run(script, arguments).ShouldSucceed();
        var stop = s.Run("Stop-ArazzoRecording").ShouldSucceed();
        return (Assert.Single(stop.Output), stop);
    }

    /// <summary>Proof: Test-ArazzoWorkflow -Strict finds nothing, and neither file holds the key.</summary>
    private void ValidAndSecretFree(ModuleSession s, string path)
    {
        var strict = s.Run("Test-ArazzoWorkflow -Path $args[0] -Strict", path).ShouldSucceed();
        Assert.Empty(strict.Output);
        Assert.Empty(strict.Warnings);
        Assert.Equal(true, s.Run("Test-ArazzoWorkflow -Path $args[0] -Strict -Quiet", path).ShouldSucceed().Output.Single().BaseObject);
        foreach (var file in new[] { path, Path.ChangeExtension(Path.ChangeExtension(path, null), null) + ".openapi.yml" })
        {
            Assert.True(File.Exists(file), file);
            Assert.DoesNotContain(_emulator.ApiKey, File.ReadAllText(file), StringComparison.Ordinal);
        }
    }

    /// <summary>Proof: the replay on a fresh emulator succeeds under -Strict and leaves the same snapshots with the same states and fields.</summary>
    private PSObject ReplayMatches(ModuleSession s, string path, params string[] names)
    {
        using var fresh = HostedEmulator.Start(timeScale: 0.1);
        var replay = s.Run(
            "Invoke-ArazzoWorkflow -Path $args[0] -ServerUrl @{ snapshotsApi = $args[1] } -Inputs @{ apiToken = $args[2] } -Strict -PollInterval 0.1",
            path, fresh.ApiUrl.ToString(), fresh.SecureKey).ShouldSucceed();
        Assert.Empty(replay.Warnings);
        var result = Assert.Single(replay.Output);
        Assert.Equal("Succeeded", Prop(result, "Status"));
        Assert.DoesNotContain(fresh.ApiKey, replay.AllText(), StringComparison.Ordinal);

        using var check = fresh.Session();
        var there = check.Run("Get-DaytonaSnapshot | ForEach-Object Name").ShouldSucceed().Output.Select(o => (string)o.BaseObject).OrderBy(n => n);
        Assert.Equal(names.OrderBy(n => n), there);
        foreach (var name in names)
        {
            var recorded = _emulator.Get(name)!;
            var replayed = fresh.Get(name)!;
            foreach (var field in Fields)
            {
                Assert.True(JsonNode.DeepEquals(Comparable(recorded[field], field), Comparable(replayed[field], field)), $"{name}.{field}: recorded {recorded[field]?.ToJsonString()}, replayed {replayed[field]?.ToJsonString()}");
            }
        }

        return result;
    }

    private static JsonNode? Comparable(JsonNode? value, string field) =>
        field == "buildInfo" && value is JsonObject build ? new JsonObject { ["dockerfileContent"] = build["dockerfileContent"]?.DeepClone(), ["contextHashes"] = build["contextHashes"]?.DeepClone() } : value?.DeepClone();

    [Fact]
    public void TheSeedsJobRecordedFromThePipelineCmdletsIsTheSeedsWorkflow()
    {
        var name = Unique("seed");
        var path = In("build-and-activate.arazzo.yaml");
        using var s = _emulator.Session();
        var (recording, _) = Record(s, path,
            "New-DaytonaSnapshot -Name $args[0] -Image python:3.12-slim -Cpu 1 -Memory 2 -Disk 5 | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot",
            "build-and-activate-snapshot", name);

        // What Stop-ArazzoRecording returns: the document's file, with the workflow as Get-ArazzoWorkflow shows it.
        Assert.IsType<FileInfo>(recording.BaseObject);
        Assert.Equal(path, ((FileInfo)recording.BaseObject).FullName);
        Assert.Contains("Daytona.Snapshots.ArazzoRecording", recording.TypeNames);
        var workflow = PSObject.AsPSObject(Prop(recording, "Workflow")!);
        Assert.Contains("Daytona.Arazzo.WorkflowInfo", workflow.TypeNames);
        var steps = ((System.Collections.IEnumerable)Prop(workflow, "Steps")!).Cast<object>().Select(PSObject.AsPSObject).ToList();
        Assert.Equal(new[] { "createSnapshot", "pollBuild", "activateSnapshot" }, steps.Select(x => Prop(x, "StepId")));
        Assert.Equal(new[] { "createSnapshot", "getSnapshot", "activateSnapshot" }, steps.Select(x => Prop(x, "Target")));
        Assert.Equal(s.Run("Get-ArazzoWorkflow -Path $args[0] | ForEach-Object { $_.Steps.StepId }", path).ShouldSucceed().Output.Select(o => o.BaseObject), steps.Select(x => Prop(x, "StepId")));
        Assert.Equal("build-and-activate-snapshot", Prop(recording, "WorkflowId"));

        ValidAndSecretFree(s, path);

        // Compared with the seed, step by step: every difference is one the help page lists and explains.
        var seed = DocumentShape.Read(s, Path.Combine(RepoPaths.RepoRoot, "examples", "workflows", "daytona-io-build-and-activate-snapshot-workflow.yml"));
        var recorded = DocumentShape.Read(s, path);
        Assert.Equal(SeedDifferences, DocumentShape.Differences(seed, recorded));
        var help = File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "docs", "en-US", "Stop-ArazzoRecording.md"));
        Assert.All(SeedDifferences, d => Assert.Contains("`" + d + "`", help, StringComparison.Ordinal));

        var replay = ReplayMatches(s, path, name);
        Assert.Equal("alreadyActive", Prop(replay, "EndedBy"));
    }

    [Fact]
    public void TwoSnapshotsBuiltWaitedForAndActivatedInOnePipeline()
    {
        var prefix = Unique("pair");
        _emulator.SetBuild(prefix + "-api", 3000);
        var path = In("pair.arazzo.yaml");
        using var s = _emulator.Session();
        var (recording, _) = Record(s, path,
            "$args | ForEach-Object { New-DaytonaSnapshot -Name $_ -Image python:3.12-slim -Cpu 2 } | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot",
            null, prefix + "-web", prefix + "-api");

        var workflow = PSObject.AsPSObject(Prop(recording, "Workflow")!);
        var steps = ((System.Collections.IEnumerable)Prop(workflow, "Steps")!).Cast<object>().Select(PSObject.AsPSObject).ToList();
        Assert.Equal(new[] { "createWeb", "createApi", "pollWeb", "activateWeb", "pollApi", "activateApi" }, steps.Select(x => Prop(x, "StepId")));
        Assert.Equal(new[] { "webSnapshotId", "webState", "apiSnapshotId", "apiState" }, (string[])Prop(workflow, "Outputs")!);
        Assert.Contains("alreadyActive (goto pollApi)", (string[])Prop(steps[2], "OnSuccess")!);

        ValidAndSecretFree(s, path);
        ReplayMatches(s, path, prefix + "-web", prefix + "-api");
    }

    [Fact]
    public void ARemoveAndReCreate()
    {
        var name = Unique("again");
        _emulator.Create(name, "python:3.12-slim");
        _emulator.WaitForState(name, "active");
        var path = In("again.arazzo.yaml");
        using var s = _emulator.Session();
        var (recording, _) = Record(s, path,
            "Remove-DaytonaSnapshot -Name $args[0] -Force; " +
            "while (Get-DaytonaSnapshot -Name $args[0] -ErrorAction SilentlyContinue) { [System.Threading.Thread]::Sleep(50) }; " +
            "New-DaytonaSnapshot -Name $args[0] -Image node:22-bookworm-slim -Memory 4 | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot",
            null, name);

        var workflow = PSObject.AsPSObject(Prop(recording, "Workflow")!);
        var steps = ((System.Collections.IEnumerable)Prop(workflow, "Steps")!).Cast<object>().Select(PSObject.AsPSObject).ToList();
        Assert.Equal(new[] { "findSnapshot", "removeSnapshot", "awaitRemoval", "createSnapshot", "pollBuild", "activateSnapshot" }, steps.Select(x => Prop(x, "StepId")));
        Assert.Equal(new[] { "alreadyGone (goto createSnapshot)" }, (string[])Prop(steps[0], "OnFailure")!);

        ValidAndSecretFree(s, path);

        // A fresh server has nothing to remove: the replay skips to the create and ends with the same snapshot.
        var replay = ReplayMatches(s, path, name);
        var ran = ((System.Collections.IEnumerable)Prop(replay, "Steps")!).Cast<object>().Select(PSObject.AsPSObject).Select(x => (string)Prop(x, "StepId")!).Distinct();
        Assert.Equal(new[] { "findSnapshot", "createSnapshot", "pollBuild" }, ran);
    }

    [Fact]
    public void WhatIfCallsAreNotRecorded()
    {
        var name = Unique("whatif");
        _emulator.Create(name);
        _emulator.WaitForState(name, "active");
        var path = In("whatif.arazzo.yaml");
        using var s = _emulator.Session();
        var (recording, _) = Record(s, path,
            "New-DaytonaSnapshot -Name ($args[0] + '-new') -Image python:3.12-slim -WhatIf; " +
            "Remove-DaytonaSnapshot -Name $args[0] -WhatIf; " +
            "$WhatIfPreference = $true; Disable-DaytonaSnapshot -Name $args[0]; $WhatIfPreference = $false; " +
            "Get-DaytonaSnapshot -Name $args[0] | Out-Null",
            null, name);

        var workflow = PSObject.AsPSObject(Prop(recording, "Workflow")!);
        var steps = ((System.Collections.IEnumerable)Prop(workflow, "Steps")!).Cast<object>().Select(PSObject.AsPSObject).ToList();
        Assert.Equal(new[] { "getSnapshot" }, steps.Select(x => Prop(x, "StepId")));
        Assert.Equal("active", _emulator.State(name));
    }

    [Fact]
    public void ARecordingSeesOnlyItsOwnSessionsCalls()
    {
        var mine = Unique("mine");
        var theirs = Unique("theirs");
        var path = In("mine.arazzo.yaml");
        using var s = _emulator.Session();
        using var other = _emulator.Session();
        s.Run("Start-ArazzoRecording -Path $args[0]", path).ShouldSucceed();
        other.Run("New-DaytonaSnapshot -Name $args[0] -Image python:3.12-slim | Out-Null", theirs).ShouldSucceed();
        s.Run("New-DaytonaSnapshot -Name $args[0] -Image python:3.12-slim | Out-Null", mine).ShouldSucceed();
        s.Run("Stop-ArazzoRecording | Out-Null").ShouldSucceed();

        var text = File.ReadAllText(path);
        Assert.Contains(mine, text);
        Assert.DoesNotContain(theirs, text);
        Assert.Equal("mine", s.Run("Get-ArazzoWorkflow -Path $args[0] | ForEach-Object WorkflowId", path).ShouldSucceed().Output.Single().BaseObject);
    }

    [Fact]
    public void ADeclarativeImageIsRecordedWithAWarningThatSaysWhatTheReplayNeeds()
    {
        var name = Unique("decl");
        File.WriteAllText(In("app.py"), "print('hi')\n");
        var path = In("decl.arazzo.yaml");
        using var s = _emulator.Session();
        s.Run("$null = $ExecutionContext.SessionState.Path.SetLocation($args[0])", _folder).ShouldSucceed();
        var (_, stop) = Record(s, path,
            "New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageFile app.py /app/app.py | New-DaytonaSnapshot -Name $args[0] | Out-Null",
            null, name);

        var warning = Assert.Single(stop.Warnings).Message;
        Assert.Contains(name, warning);
        Assert.Contains("already uploaded", warning);
        ValidAndSecretFree(s, path);
    }

    [Fact]
    public void MistakesAreClearErrorsAndNothingIsHalfWritten()
    {
        var path = In("mistakes.arazzo.yaml");
        using var s = _emulator.Session();
        Assert.Contains("ArazzoRecordingNotStarted,Daytona.Snapshots.Recording.StopArazzoRecordingCommand", s.Run("Stop-ArazzoRecording").ErrorIds);

        s.Run("Start-ArazzoRecording -Path $args[0]", path).ShouldSucceed();
        Assert.Contains(s.Run("Start-ArazzoRecording -Path $args[0]", In("other.arazzo.yaml")).ErrorIds, e => e.StartsWith("ArazzoRecordingInProgress,", StringComparison.Ordinal));

        // Nothing a workflow can replay: an error, and no file.
        var empty = s.Run("Stop-ArazzoRecording");
        Assert.Contains(empty.ErrorIds, e => e.StartsWith("ArazzoRecordingEmpty,", StringComparison.Ordinal));
        Assert.False(File.Exists(path));

        // -Discard writes nothing; an existing file is kept unless -Force.
        s.Run("Start-ArazzoRecording -Path $args[0]; Get-DaytonaSnapshot | Out-Null; Stop-ArazzoRecording -Discard", path).ShouldSucceed();
        Assert.False(File.Exists(path));
        File.WriteAllText(path, "keep me");
        Assert.Contains(s.Run("Start-ArazzoRecording -Path $args[0]", path).ErrorIds, e => e.StartsWith("ArazzoRecordingFileExists,", StringComparison.Ordinal));
        Assert.Equal("keep me", File.ReadAllText(path));
        Assert.Contains(s.Run("Start-ArazzoRecording -Path $args[0]", Path.Combine(_folder, "no-such-folder", "x.yaml")).ErrorIds, e => e.StartsWith("ArazzoRecordingFolderNotFound,", StringComparison.Ordinal));
        s.Run("Start-ArazzoRecording -Path $args[0] -Force; New-DaytonaSnapshot -Name $args[1] -Image python:3.12-slim | Out-Null; Stop-ArazzoRecording | Out-Null", path, Unique("forced")).ShouldSucceed();
        Assert.StartsWith("arazzo: 1.0.1", File.ReadAllText(path));
    }
}
