using System.Text.Json.Nodes;
using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;
using Daytona.Common;
using Daytona.Emulator;

namespace Arazzo.Tests;

/// <summary>The seed workflow, verbatim from examples/, against the emulator through every branch.</summary>
public class SeedWorkflowTests
{
    private const string WorkflowId = "build-and-activate-snapshot";

    private sealed class Listener : IRunListener
    {
        public List<string> Warnings { get; } = new();

        public List<string> Traces { get; } = new();

        public List<StepFailure> Failures { get; } = new();

        public Action<string, int>? OnStep { get; set; }

        public void StepStarting(string workflowId, string stepId, int attempt, int stepIndex, int stepCount) => OnStep?.Invoke(stepId, attempt);

        public void Trace(string message)
        {
            lock (Traces)
            {
                Traces.Add(message);
            }
        }

        public void Warning(string message) => Warnings.Add(message);

        public void StepFailed(StepFailure failure) => Failures.Add(failure);
    }

    private static async Task<(WorkflowResult Result, Listener Listener)> RunSeed(EmulatorServer emulator, string name, string image, TimeSpan? poll = null, Action<string, int>? onStep = null, bool strict = false)
    {
        var listener = new Listener { OnStep = onStep };
        var options = new RunOptions
        {
            Inputs = new JsonObject { ["apiToken"] = emulator.ApiKey, ["name"] = name, ["imageName"] = image, ["cpu"] = 1 },
            ServerUrls = new Dictionary<string, string> { ["snapshotsApi"] = emulator.ApiUrl.ToString() },
            PollInterval = poll ?? TimeSpan.FromMilliseconds(50),
            Listener = listener,
            Strict = strict,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var resolver = new SourceResolver();
        var (document, _) = await WorkflowRunner.PrepareAsync(TestPaths.SeedWorkflow, options, resolver, CancellationToken.None);
        var result = await new WorkflowRunner(document, options, resolver).RunWorkflowAsync(WorkflowId, CancellationToken.None);
        return (result, listener);
    }

    [Fact]
    public void TheSeedIsCopiedByteForByte()
    {
        var seed = Path.Combine(TestPaths.Shared, "seeds", "daytona-io-build-and-activate-snapshot-workflow.yml");
        Assert.Equal(File.ReadAllBytes(seed), File.ReadAllBytes(TestPaths.SeedWorkflow));
        Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, "examples", "openapi", "daytona-snapshots-api-openapi.yml")));
    }

    [Fact]
    public async Task TheSeedValidatesWithLeniencyWarningsOnly()
    {
        var loaded = ArazzoLoader.LoadFile(TestPaths.SeedWorkflow);
        var diagnostics = await ArazzoValidator.ValidateAsync(loaded, new SourceResolver());
        Assert.DoesNotContain(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        var leniencies = diagnostics.Where(d => d.IsLeniency).ToList();
        Assert.Contains(leniencies, d => d.Code == "BareExpression" && d.Message.Contains("'Bearer {$inputs.apiToken}'") && d.Line == 56 && d.Column == 7);
        Assert.Contains(leniencies, d => d.Code == "JsonPathComparison" && d.Message.Contains("$[?$.state == \"inactive\"]"));
        Assert.All(leniencies, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
    }

    [Fact]
    public async Task StrictRefusesTheSeedBeforeAnyRequest()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.05 });
        var error = await Assert.ThrowsAsync<DaytonaException>(() => RunSeed(emulator, "strict-snap", "alpine:3.20", strict: true));
        Assert.Equal("ArazzoWorkflowInvalid", error.ErrorId);
        Assert.Contains("cannot run under -Strict", error.Message);
        Assert.Contains("Bearer {$inputs.apiToken}", error.Message);
        Assert.Equal(0, emulator.Control.GetRequests().Total);
    }

    [Fact]
    public async Task NewImageIsBuiltPolledAtTheIntervalAndEndsActive()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 1 });
        emulator.Control.SetBuild("built-snap", TimeSpan.FromMilliseconds(900));
        var poll = TimeSpan.FromMilliseconds(150);
        var started = DateTime.UtcNow;
        var (result, listener) = await RunSeed(emulator, "built-snap", "alpine:3.20", poll);
        var elapsed = DateTime.UtcNow - started;

        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        Assert.Equal("alreadyActive", result.EndedBy);
        Assert.Equal("active", emulator.Control.GetState("built-snap"));
        Assert.Equal(result.Outputs["snapshotId"], emulator.Control.GetState("built-snap") == null ? null : result.OutputsJson["snapshotId"]!.GetValue<string>());
        Assert.Null(result.Outputs["state"]);
        Assert.Contains(listener.Warnings, w => w.Contains("activateSnapshot") && w.Contains("did not run"));

        var polls = result.Steps.Where(s => s.StepId == "pollBuild").ToList();
        Assert.True(polls.Count >= 3, $"expected several polls, saw {polls.Count}");
        Assert.All(polls.Take(polls.Count - 1), p => Assert.Equal("goto pollBuild", p.Action));
        Assert.Equal("end", polls[^1].Action);
        Assert.Equal("alreadyActive", polls[^1].ActionName);
        // Pacing: never more than one poll per interval.
        var stats = emulator.Control.GetRequests();
        Assert.Equal(polls.Count, stats.ByRoute["GET /api/snapshots/{id}"]);
        Assert.True(polls.Count <= elapsed.TotalMilliseconds / poll.TotalMilliseconds + 1, $"{polls.Count} polls in {elapsed.TotalMilliseconds} ms");
        Assert.Equal(1, stats.ByRoute["POST /api/snapshots"]);
        Assert.False(stats.ByRoute.ContainsKey("POST /api/snapshots/{id}/activate"));

        Assert.Equal("createSnapshot", result.Steps[0].StepId);
        Assert.Equal("POST", result.Steps[0].Method);
        Assert.Equal(200, result.Steps[0].StatusCode);
        Assert.DoesNotContain(emulator.ApiKey, string.Join("\n", listener.Traces));
        Assert.Contains(listener.Traces, t => t.Contains("Authorization: ***"));
    }

    [Fact]
    public async Task AnAlreadyActiveSnapshotEndsAtTheFirstPoll()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.05 });
        emulator.Control.SetBuild("quick-snap", TimeSpan.Zero);
        var (result, _) = await RunSeed(emulator, "quick-snap", "alpine:3.20", onStep: (step, _) =>
        {
            if (step == "pollBuild")
            {
                SpinWait.SpinUntil(() => emulator.Control.GetState("quick-snap") == "active", 5000);
            }
        });
        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        Assert.Equal("alreadyActive", result.EndedBy);
        Assert.Equal(new[] { "createSnapshot", "pollBuild" }, result.Steps.Select(s => s.StepId));
    }

    [Fact]
    public async Task AnInactiveSnapshotIsActivated()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.05 });
        emulator.Control.SetBuild("idle-snap", TimeSpan.Zero);
        var (result, _) = await RunSeed(emulator, "idle-snap", "alpine:3.20", onStep: (step, attempt) =>
        {
            // Daytona's 14-day cron deactivates the built snapshot before the workflow looks at it.
            if (step == "pollBuild" && SpinWait.SpinUntil(() => emulator.Control.GetState("idle-snap") == "active", 5000))
            {
                emulator.Control.DeactivateUnused("idle-snap");
            }
        });
        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        Assert.Null(result.EndedBy);
        Assert.Equal(new[] { "createSnapshot", "pollBuild", "activateSnapshot" }, result.Steps.Select(s => s.StepId));
        Assert.Equal("goto activateSnapshot", result.Steps[1].Action);
        Assert.Equal("inactive", result.Steps[1].ActionName == "inactive" ? "inactive" : null);
        Assert.Equal(200, result.Steps[2].StatusCode);
        Assert.Equal(result.OutputsJson["snapshotId"]!.GetValue<string>(), result.Steps[2].Url!.Split('/')[^2]);
        Assert.NotNull(result.Outputs["state"]);
        Assert.True(SpinWait.SpinUntil(() => emulator.Control.GetState("idle-snap") == "active", 5000));
    }

    [Fact]
    public async Task AFailingBuildEndsWithBuildFailed()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.05 });
        var (result, listener) = await RunSeed(emulator, "broken-snap", "registry.example/fail-image:1.0");
        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        Assert.Equal("buildFailed", result.EndedBy);
        Assert.Equal("error", emulator.Control.GetState("broken-snap"));
        Assert.Empty(listener.Failures);
    }

    [Fact]
    public async Task AStepThatFailsWithoutAnActionFailsTheRunWithItsStatusAndBody()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.05 });
        // ":latest" is refused by Daytona with 400.
        var (result, listener) = await RunSeed(emulator, "latest-snap", "alpine:latest");
        Assert.Equal(WorkflowStatus.Failed, result.Status);
        Assert.Equal("ArazzoStepFailed", result.ErrorId);
        Assert.Equal("createSnapshot", result.FailedStep);
        var failure = Assert.Single(listener.Failures);
        Assert.Equal(400, failure.StatusCode);
        Assert.Contains("latest", failure.BodyExcerpt);
        Assert.Single(result.Steps);
    }

    [Fact]
    public async Task MaxStepsStopsAPollThatNeverSettles()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 1 });
        emulator.Control.SetBuild("slow-snap", TimeSpan.FromMinutes(10));
        var listener = new Listener();
        var options = new RunOptions
        {
            Inputs = new JsonObject { ["apiToken"] = emulator.ApiKey, ["name"] = "slow-snap", ["imageName"] = "alpine:3.20" },
            ServerUrls = new Dictionary<string, string> { ["snapshotsApi"] = emulator.ApiUrl.ToString() },
            PollInterval = TimeSpan.FromMilliseconds(10),
            MaxSteps = 5,
            Listener = listener,
        };
        var resolver = new SourceResolver();
        var (document, _) = await WorkflowRunner.PrepareAsync(TestPaths.SeedWorkflow, options, resolver, CancellationToken.None);
        var result = await new WorkflowRunner(document, options, resolver).RunWorkflowAsync(WorkflowId, CancellationToken.None);
        Assert.Equal(WorkflowStatus.Failed, result.Status);
        Assert.Equal("ArazzoMaxStepsExceeded", result.ErrorId);
        Assert.Equal(5, result.Steps.Count);

        options.MaxSteps = 1000;
        options.Timeout = TimeSpan.FromMilliseconds(300);
        options.Inputs["name"] = "slow-snap-2";
        var timedOut = await new WorkflowRunner(document, options, resolver).RunWorkflowAsync(WorkflowId, CancellationToken.None);
        Assert.Equal(WorkflowStatus.TimedOut, timedOut.Status);
        Assert.Equal("ArazzoTimeout", timedOut.ErrorId);
    }

    [Fact]
    public async Task InputsAreValidatedBeforeAnyRequest()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.05 });
        var options = new RunOptions
        {
            Inputs = new JsonObject { ["apiToken"] = emulator.ApiKey, ["imageName"] = "alpine:3.20", ["cpu"] = "two" },
            ServerUrls = new Dictionary<string, string> { ["snapshotsApi"] = emulator.ApiUrl.ToString() },
        };
        var resolver = new SourceResolver();
        var (document, _) = await WorkflowRunner.PrepareAsync(TestPaths.SeedWorkflow, options, resolver, CancellationToken.None);
        var error = await Assert.ThrowsAsync<DaytonaException>(() => new WorkflowRunner(document, options, resolver).RunWorkflowAsync(WorkflowId, CancellationToken.None));
        Assert.Equal("ArazzoInputsInvalid", error.ErrorId);
        Assert.Contains("'name'", error.Message);

        // A value that breaks another rule ("two" for an integer) is a warning, the run would go on; a missing required input refuses it.
        Assert.DoesNotContain("cpu", error.Message);
        Assert.DoesNotContain(emulator.ApiKey, error.Message);
        Assert.Equal(0, emulator.Control.GetRequests().Total);
    }
}
