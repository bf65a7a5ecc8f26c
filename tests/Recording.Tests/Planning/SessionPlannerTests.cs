using System.Text.Json.Nodes;
using Daytona.Api;
using Daytona.Api.Images;
using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Emulator;
using Daytona.Images;
using Daytona.Recording;
using Daytona.Recording.Planning;

namespace Recording.Tests.Planning;

/// <summary>
/// Sessions made by the real client against the in-process emulator, as the cmdlets make them (one recording unit per
/// command's work), planned into workflows and checked for the shape a good author writes; each is validated strictly
/// and replayed against a fresh emulator where the replay's conditions allow.
/// </summary>
public sealed class SessionPlannerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static Task<Snapshot> Create(SessionHarness h, string name, string image = "python:3.12-slim", int? cpu = null, int? memory = null, int? disk = null) =>
        h.As("New-DaytonaSnapshot", c => c.CreateSnapshotAsync(new CreateSnapshotRequest(name) { ImageName = image, Cpu = cpu, Memory = memory, Disk = disk }, None), name);

    /// <summary>Enable-DaytonaSnapshot: read the state now, activate when it is not active.</summary>
    private static Task<Snapshot> Enable(SessionHarness h, Snapshot snapshot) =>
        h.As("Enable-DaytonaSnapshot", async c =>
        {
            var now = await c.GetSnapshotAsync(snapshot.Id, None);
            return now.State == SnapshotState.Active ? now : await c.ActivateSnapshotAsync(now.Id, None);
        }, snapshot.Id);

    private static string[] Ids(PlannedWorkflow plan) => plan.Steps.Select(s => s.StepId).ToArray();

    private static string[] Actions(PlannedStep step) => step.OnSuccess.Concat(step.OnFailure).Select(a => $"{a.Name}:{a.Type}:{a.StepId}").ToArray();

    [Fact]
    public async Task TheSeedsJobBecomesTheSeedsThreeSteps()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Start();
        var created = await Create(h, "web", cpu: 1, memory: 2, disk: 5);
        var settled = (await h.Wait(created.Id)).Single().Snapshot!;
        await Enable(h, settled);
        var result = WorkflowRecorder.Save(h.Recording!);
        var plan = result.Plan;

        Assert.Equal(new[] { "createSnapshot", "pollBuild", "activateSnapshot" }, Ids(plan));
        Assert.Equal(new[] { "createSnapshot", "getSnapshot", "activateSnapshot" }, plan.Steps.Select(s => s.OperationId));
        var poll = plan.Steps.ElementAt(1);
        Assert.Equal(new[] { "inactive:goto:activateSnapshot", "alreadyActive:end:", "buildFailed:end:", "stillBuilding:goto:pollBuild" }, Actions(poll));
        Assert.All(poll.OnSuccess, a => Assert.Equal(("$response.body", "jsonpath"), (a.Criteria[0].Context, a.Criteria[0].Type)));
        Assert.Contains(("id", "path", "$steps.createSnapshot.outputs.snapshotId"), poll.Parameters);
        Assert.Equal(new[] { "apiToken", "name", "imageName", "cpu", "memory", "disk" }, plan.Inputs.Select(i => i.Name));
        Assert.Equal(2, (int)plan.Inputs.Single(i => i.Name == "memory").Schema["default"]!);
        Assert.Equal("integer", (string)plan.Inputs.Single(i => i.Name == "memory").Schema["type"]!);
        Assert.Equal(new[] { "snapshotId=$steps.createSnapshot.outputs.snapshotId", "state=$steps.pollBuild.outputs.state" }, plan.Outputs.Select(o => o.Key + "=" + o.Value));
        Assert.Empty(plan.Warnings);

        Assert.Empty(await Replay.ValidateAsync(result.DocumentPath));
        await using var fresh = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.02 });
        var (run, warnings) = await Replay.RunAsync(result.DocumentPath, "recorded-session", fresh);
        Assert.Equal(WorkflowStatus.Succeeded, run.Status);
        Assert.Equal("alreadyActive", run.EndedBy);
        Assert.Empty(warnings);
        Assert.Equal("active", fresh.Control.GetState("web"));
        Assert.Equal("active", run.OutputsJson["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task RepeatedIdenticalReadsCollapseAndAReadThatSawSomethingNewStays()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Start();
        var created = await Create(h, "same");
        await h.Wait(created.Id);
        for (var i = 0; i < 3; i++)
        {
            await h.As("Get-DaytonaSnapshot", c => c.GetSnapshotAsync("same", None));
        }

        h.Emulator.Control.DeactivateUnused("same");
        await h.As("Get-DaytonaSnapshot", c => c.GetSnapshotAsync("same", None));
        await h.As("Get-DaytonaSnapshot", c => c.GetSnapshotAsync("same", None));
        var plan = WorkflowRecorder.Save(h.Recording!).Plan;

        Assert.Equal(new[] { "createSnapshot", "pollBuild", "getSnapshot" }, Ids(plan));
        Assert.Equal(new[] { "inactive" }, plan.Steps.Last().States);
        Assert.Equal("$steps.getSnapshot.outputs.state", plan.Outputs.Single(o => o.Key == "state").Value);
    }

    [Fact]
    public async Task AnActivationThatRanFollowsTheReadThatDecidedIt()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Start();
        var created = await Create(h, "sleepy");
        var settled = (await h.Wait(created.Id)).Single().Snapshot!;
        h.Emulator.Control.DeactivateUnused("sleepy");
        var activated = await Enable(h, settled);
        Assert.Equal(SnapshotState.Pending, activated.State);
        var result = WorkflowRecorder.Save(h.Recording!);
        var plan = result.Plan;

        Assert.Equal(new[] { "createSnapshot", "pollBuild", "checkSnapshot", "activateSnapshot" }, Ids(plan));
        var check = plan.Steps.ElementAt(2);
        Assert.Equal(new[] { "inactive:goto:activateSnapshot", "alreadyActive:end:" }, Actions(check));
        Assert.Equal("$steps.activateSnapshot.outputs.state", plan.Outputs.Single(o => o.Key == "state").Value);
        Assert.Empty(await Replay.ValidateAsync(result.DocumentPath));
    }

    [Fact]
    public async Task TwoSnapshotsWaitedForTogetherAreNamedByWhatTellsThemApartAndPolledOneAfterTheOther()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Emulator.Control.SetBuild("team-a1-api", TimeSpan.FromMilliseconds(200));
        h.Start();
        var web = await Create(h, "team-a1-web", cpu: 2);
        var api = await Create(h, "team-a1-api", image: "node:22-slim");
        foreach (var settled in await h.Wait(web.Id, api.Id))
        {
            await Enable(h, settled.Snapshot!);
        }

        var result = WorkflowRecorder.Save(h.Recording!);
        var plan = result.Plan;

        Assert.Equal(new[] { "createWeb", "createApi", "pollWeb", "activateWeb", "pollApi", "activateApi" }, Ids(plan));
        Assert.Equal(new[] { "inactive:goto:activateWeb", "alreadyActive:goto:pollApi", "buildFailed:goto:pollApi", "stillBuilding:goto:pollWeb" }, Actions(plan.Steps.ElementAt(2)));
        Assert.Equal(new[] { "inactive:goto:activateApi", "alreadyActive:end:", "buildFailed:end:", "stillBuilding:goto:pollApi" }, Actions(plan.Steps.ElementAt(4)));
        Assert.Equal(new[] { "apiToken", "webName", "webImageName", "webCpu", "apiName", "apiImageName" }, plan.Inputs.Select(i => i.Name));
        Assert.Equal(new[] { "webSnapshotId", "webState", "apiSnapshotId", "apiState" }, plan.Outputs.Select(o => o.Key));

        Assert.Empty(await Replay.ValidateAsync(result.DocumentPath));
        await using var fresh = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.02 });
        var (run, warnings) = await Replay.RunAsync(result.DocumentPath, "recorded-session", fresh);
        Assert.Equal(WorkflowStatus.Succeeded, run.Status);
        Assert.Empty(warnings);
        Assert.Equal("active", fresh.Control.GetState("team-a1-web"));
        Assert.Equal("active", fresh.Control.GetState("team-a1-api"));
    }

    [Fact]
    public async Task ARemoveAndReCreateLooksUpWaitsForTheRemovalAndSkipsItWhenAlreadyGone()
    {
        await using var h = await SessionHarness.StartAsync();
        var before = await h.Client.CreateSnapshotAsync(new CreateSnapshotRequest("app") { ImageName = "python:3.12-slim" }, None);
        h.Start();
        await h.As("Remove-DaytonaSnapshot", async c =>
        {
            var found = await c.GetSnapshotAsync("app", None);
            await c.DeleteSnapshotAsync(found.Id, None);
        }, "app");
        while (true)
        {
            // The user's loop: read until it is gone (the last read's 404 became an error: not recorded).
            var gone = false;
            await h.As("Get-DaytonaSnapshot", async c => gone = await c.FindSnapshotAsync("app", None) == null);
            if (gone) break;
            await Task.Delay(10);
        }

        var again = await Create(h, "app", image: "node:22-slim", memory: 4);
        await Enable(h, (await h.Wait(again.Id)).Single().Snapshot!);
        var result = WorkflowRecorder.Save(h.Recording!);
        var plan = result.Plan;

        Assert.Equal(new[] { "findSnapshot", "removeSnapshot", "awaitRemoval", "createSnapshot", "pollBuild", "activateSnapshot" }, Ids(plan));
        Assert.Equal(new[] { "alreadyGone:goto:createSnapshot" }, Actions(plan.Steps.First()));
        Assert.Equal(new[] { "stillRemoving:retry:" }, Actions(plan.Steps.ElementAt(2)));
        Assert.Equal(404, plan.Steps.ElementAt(2).SuccessStatus);
        Assert.Contains(("id", "path", "$inputs.name"), plan.Steps.First().Parameters);
        Assert.Contains(("id", "path", "$steps.findSnapshot.outputs.snapshotId"), plan.Steps.ElementAt(1).Parameters);
        Assert.Equal(new[] { "apiToken", "name", "imageName", "memory" }, plan.Inputs.Select(i => i.Name));
        Assert.Empty(await Replay.ValidateAsync(result.DocumentPath));

        // On a fresh server there is nothing to remove: the lookup skips to the create.
        await using var fresh = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.02 });
        var (run, warnings) = await Replay.RunAsync(result.DocumentPath, "recorded-session", fresh);
        Assert.Equal(WorkflowStatus.Succeeded, run.Status);
        Assert.Empty(warnings);
        Assert.Equal("alreadyGone", run.Steps[0].ActionName);
        Assert.Equal("active", fresh.Control.GetState("app"));

        // Where it exists, it is removed, waited for, and made again.
        var replaced = await new DaytonaClient(new DaytonaConnection(fresh.ApiUrl, fresh.ApiKey, null, "test")).GetSnapshotAsync("app", None);
        var (second, secondWarnings) = await Replay.RunAsync(result.DocumentPath, "recorded-session", fresh);
        Assert.Equal(WorkflowStatus.Succeeded, second.Status);
        Assert.Empty(secondWarnings);
        Assert.Contains(second.Steps, s => s.StepId == "removeSnapshot" && s.StatusCode == 200);
        Assert.NotEqual(replaced.Id, second.OutputsJson["snapshotId"]!.GetValue<string>());
        Assert.Equal("active", fresh.Control.GetState("app"));
        Assert.NotEqual(before.Id, replaced.Id);
    }

    [Fact]
    public async Task ServerFailuresRetriesAndLookupsTheCreateMadeAreNotSteps()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Start();
        h.Emulator.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 1, Status = 503 } });
        await Create(h, "flaky");
        var calls = h.Recording!.End();
        Assert.Contains(calls, c => c.StatusCode == 503);
        Assert.Contains(calls, c => c.StatusCode == 404);

        var plan = SessionPlanner.Plan(calls, "recorded-session");
        Assert.Equal(new[] { "createSnapshot" }, Ids(plan));
    }

    [Fact]
    public async Task ASnapshotFoundByAPatternIsLookedUpByNameBeforeItIsActedOn()
    {
        await using var h = await SessionHarness.StartAsync();
        await h.Client.CreateSnapshotAsync(new CreateSnapshotRequest("listed-one") { ImageName = "python:3.12-slim" }, None);
        h.Emulator.Control.SetBuild("listed-one", TimeSpan.Zero);
        h.Start();
        var page = await h.As("Get-DaytonaSnapshot", c => c.ListSnapshotsAsync(new SnapshotListQuery { Name = "listed" }, None));
        var listed = page.Items.Single();
        await h.Wait(listed.Id);
        await h.As("Disable-DaytonaSnapshot", c => c.DeactivateSnapshotAsync(listed.Id, None), listed.Id);
        var result = WorkflowRecorder.Save(h.Recording!);
        var plan = result.Plan;

        Assert.Equal(new[] { "pollBuild", "deactivateSnapshot" }, Ids(plan));
        Assert.Contains(("id", "path", "$inputs.name"), plan.Steps.First().Parameters);
        Assert.Contains(("id", "path", "$steps.pollBuild.outputs.snapshotId"), plan.Steps.Last().Parameters);
        Assert.Contains(plan.Warnings, w => w.Contains("'listed-one'") && w.Contains("cannot loop over a listing"));
        Assert.Equal(204, plan.Steps.Last().SuccessStatus);
        Assert.Empty(await Replay.ValidateAsync(result.DocumentPath));
    }

    [Fact]
    public async Task ADeclarativeImageIsRecordedAsFarAsTheApiGoesWithAWarningNamingTheContext()
    {
        await using var h = await SessionHarness.StartAsync();
        File.WriteAllText(Path.Combine(h.Folder, "app.py"), "print('hi')\n");
        var image = DaytonaImage.DebianSlim("3.12").PipInstall(new[] { "numpy" }).AddLocalFile("app.py", "/app/app.py", h.Folder);
        var hash = DeclarativeSnapshots.ComputeContextHashes(image).Single();
        h.Start("numpy.arazzo.yaml");
        var made = await h.As("New-DaytonaSnapshot", c => DeclarativeSnapshots.CreateAsync(c, "numpy-env", image, null, null, None), "numpy-env");
        Assert.False(made.Reused);

        // Push access answers with object-storage credentials: a recording keeps no body of it.
        var pushAccess = Assert.Single(h.Recording!.End(), c => c.Path.StartsWith("object-storage", StringComparison.Ordinal));
        Assert.Equal(200, pushAccess.StatusCode);
        Assert.Null(pushAccess.ResponseBody);
        var result = WorkflowRecorder.Save(h.Recording!);
        var plan = result.Plan;

        Assert.Equal(new[] { "createSnapshot" }, Ids(plan));
        var payload = plan.Steps.Single().Payload!;
        Assert.Equal("$inputs.dockerfileContent", (string)payload["buildInfo"]!["dockerfileContent"]!);
        Assert.Equal("$inputs.contextHashes", (string)payload["buildInfo"]!["contextHashes"]!);
        Assert.Equal(hash, (string)plan.Inputs.Single(i => i.Name == "contextHashes").Schema["default"]![0]!);
        Assert.Equal(image.Dockerfile, (string)plan.Inputs.Single(i => i.Name == "dockerfileContent").Schema["default"]!);
        var warning = Assert.Single(plan.Warnings);
        Assert.Contains(hash, warning);
        Assert.Contains("already uploaded", warning);
        Assert.Contains(hash, plan.Steps.Single().Description);
        var text = File.ReadAllText(result.DocumentPath);
        Assert.Contains("dockerfileContent:", text);
        Assert.Contains("default: |", text);
        Assert.Empty(await Replay.ValidateAsync(result.DocumentPath));

        // The context is in this server's storage: with the snapshot removed, the replay builds it again from there.
        await h.Client.DeleteSnapshotAsync(made.Snapshot.Id, None);
        while (await h.Client.FindSnapshotAsync("numpy-env", None) != null) await Task.Delay(10);
        var (run, warnings) = await Replay.RunAsync(result.DocumentPath, "recorded-session", h.Emulator);
        Assert.Equal(WorkflowStatus.Succeeded, run.Status);
        Assert.Empty(warnings);
        var rebuilt = await h.Client.GetSnapshotAsync("numpy-env", None);
        Assert.Equal(image.Dockerfile, rebuilt.BuildInfo!.DockerfileContent);
        Assert.Equal(new[] { hash }, rebuilt.BuildInfo.ContextHashes);
    }
}

