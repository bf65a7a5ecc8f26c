using System.Management.Automation;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Arazzo;

/// <summary>
/// Invoke-, Test- and Get-ArazzoWorkflow in the real PowerShell engine: the seed workflow from examples/, verbatim,
/// against the emulator over real HTTP through every branch, with the streams a user sees.
/// </summary>
public sealed class ArazzoCmdletTests : IClassFixture<EmulatorFixture>
{
    private const string Invoke = "Invoke-ArazzoWorkflow -Path $args[0] -Inputs @{ apiToken = $args[1]; name = $args[2]; imageName = $args[3]; cpu = 1 } -ServerUrl @{ snapshotsApi = $args[4] } -PollInterval 0.1";

    private readonly HostedEmulator _emulator;

    public ArazzoCmdletTests(EmulatorFixture fixture) => _emulator = fixture.Emulator;

    private static string Seed => Path.Combine(RepoPaths.RepoRoot, "examples", "workflows", "daytona-io-build-and-activate-snapshot-workflow.yml");

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static object? Prop(PSObject o, string name) => o.Properties[name]?.Value is PSObject p ? p.BaseObject : o.Properties[name]?.Value;

    private static object? Output(PSObject result, string name) => ((System.Collections.IDictionary)Prop(result, "Outputs")!)[name];

    private static IReadOnlyList<PSObject> Steps(PSObject result) => ((System.Collections.IEnumerable)Prop(result, "Steps")!).Cast<object>().Select(PSObject.AsPSObject).ToList();

    [Fact]
    public void GetListsTheWorkflowWithItsInputsAndSteps()
    {
        using var s = ModuleSession.Create();
        var run = s.Run("Get-ArazzoWorkflow -Path $args[0]", Seed).ShouldSucceed();
        var workflow = Assert.Single(run.Output);
        Assert.Contains("Daytona.Arazzo.WorkflowInfo", workflow.TypeNames);
        Assert.Equal("build-and-activate-snapshot", Prop(workflow, "WorkflowId"));
        var steps = ((System.Collections.IEnumerable)Prop(workflow, "Steps")!).Cast<object>().Select(PSObject.AsPSObject).ToList();
        Assert.Equal(new[] { "createSnapshot", "pollBuild", "activateSnapshot" }, steps.Select(x => Prop(x, "StepId")));
        Assert.Equal("getSnapshot", Prop(steps[1], "Target"));
        var inputs = ((System.Collections.IEnumerable)Prop(workflow, "Inputs")!).Cast<object>().Select(PSObject.AsPSObject).ToList();
        Assert.Equal(new[] { "apiToken", "name", "imageName", "cpu", "memory", "disk" }, inputs.Select(x => Prop(x, "Name")));
        Assert.Equal(new object[] { true, true, true, false, false, false }, inputs.Select(x => Prop(x, "Required")));

        var byPipeline = s.Run("[System.IO.FileInfo]::new($args[0]) | Get-ArazzoWorkflow -WorkflowId 'build-*'", Seed).ShouldSucceed();
        Assert.Single(byPipeline.Output);
        var missing = s.Run("Get-ArazzoWorkflow -Path $args[0] -WorkflowId nope", Seed);
        Assert.Contains(missing.ErrorIds, e => e.StartsWith("ArazzoWorkflowNotFound,"));
    }

    [Fact]
    public void TestReportsDiagnosticsWithLineAndColumn()
    {
        using var s = ModuleSession.Create();
        var seed = s.Run("Test-ArazzoWorkflow -Path $args[0]", Seed).ShouldSucceed();
        Assert.NotEmpty(seed.Output);
        Assert.All(seed.Output, d => Assert.Equal("Warning", Prop(d, "Severity")!.ToString()));
        Assert.Contains(seed.Output, d => (string)Prop(d, "Code")! == "BareExpression" && (int)Prop(d, "Line")! == 56 && (int)Prop(d, "Column")! == 7);
        Assert.Equal(true, s.Run("Test-ArazzoWorkflow -Path $args[0] -Quiet", Seed).ShouldSucceed().Output.Single().BaseObject);
        Assert.Equal(false, s.Run("Test-ArazzoWorkflow -Path $args[0] -Quiet -Strict", Seed).ShouldSucceed().Output.Single().BaseObject);

        var broken = Path.Combine(Path.GetTempPath(), Unique("broken") + ".arazzo.yaml");
        File.WriteAllText(broken, string.Join("\n",
            "arazzo: 1.0.1",
            "info: {title: Broken, version: '1'}",
            "sourceDescriptions:",
            "- name: api",
            "  url: ../nowhere/api.yaml",
            "workflows:",
            "- workflowId: w",
            "  steps:",
            "  - stepId: a",
            "    operationId: op",
            "    successCriteria:",
            "    - condition: $statusCode ==",
            "    onSuccess:",
            "    - name: jump",
            "      type: goto",
            "      stepId: nowhere",
            "  - stepId: a",
            "    operationId: op",
            "    outputs:",
            "      x: $response.bodyy",
            ""));
        try
        {
            var run = s.Run("Test-ArazzoWorkflow -Path $args[0]", broken).ShouldSucceed();
            var codes = run.Output.Select(d => (string)Prop(d, "Code")!).ToList();
            Assert.Contains("InvalidCondition", codes);
            Assert.Contains("UnknownGotoTarget", codes);
            Assert.Contains("DuplicateStepId", codes);
            Assert.Contains("MalformedExpression", codes);
            var jump = run.Output.Single(d => (string)Prop(d, "Code")! == "UnknownGotoTarget");
            Assert.Equal(16, Prop(jump, "Line"));
            Assert.Equal("$.workflows[0].steps[0].onSuccess[0].stepId", Prop(jump, "Location"));
            Assert.Equal(false, s.Run("Test-ArazzoWorkflow -Path $args[0] -Quiet", broken).ShouldSucceed().Output.Single().BaseObject);

            var many = s.Run("$args[0], $args[1], $args[2] | Test-ArazzoWorkflow -Quiet", Seed, Path.Combine(Path.GetTempPath(), "missing.arazzo.yaml"), broken);
            Assert.Equal(new object[] { true, false, false }, many.Output.Select(o => o.BaseObject));
            Assert.Contains(many.ErrorIds, e => e.StartsWith("ArazzoDocumentNotFound,"));

            var refused = s.Run("Invoke-ArazzoWorkflow -Path $args[0]", broken);
            Assert.Contains(refused.ErrorIds, e => e.StartsWith("ArazzoWorkflowInvalid,"));
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void AWorkflowWithErrorsOfItsOwnIsReportedAndTheOthersRun()
    {
        var folder = Directory.CreateTempSubdirectory("arazzo-isolation-").FullName;
        var document = Path.Combine(folder, "two.arazzo.yaml");
        File.Copy(Path.Combine(RepoPaths.RepoRoot, "examples", "openapi", "daytona-snapshots-api-openapi.yml"), Path.Combine(folder, "snapshots.yml"));
        File.WriteAllText(document, string.Join("\n",
            "arazzo: 1.0.1",
            "info: {title: Two, version: '1'}",
            "sourceDescriptions: [{name: snapshotsApi, url: ./snapshots.yml}]",
            "workflows:",
            "- workflowId: list",
            "  inputs: {type: object, properties: {apiToken: {type: string}}}",
            "  steps:",
            "  - stepId: all",
            "    operationId: getAllSnapshots",
            "    parameters: [{name: Authorization, in: header, value: 'Bearer {$inputs.apiToken}'}]",
            "    successCriteria: [{condition: $statusCode == 200}]",
            "- workflowId: twice",
            "  steps:",
            "  - {stepId: same, operationId: getAllSnapshots}",
            "  - {stepId: same, operationId: getAllSnapshots}",
            ""));
        try
        {
            using var s = ModuleSession.Create();
            var run = s.Run("Invoke-ArazzoWorkflow -Path $args[0] -Inputs @{ apiToken = $args[1] } -ServerUrl @{ snapshotsApi = $args[2] }", document, _emulator.ApiKey, _emulator.ApiUrl.ToString());
            var result = Assert.Single(run.Output);
            Assert.Equal("list", Prop(result, "WorkflowId"));
            Assert.Equal("Succeeded", Prop(result, "Status"));
            var error = Assert.Single(run.Errors);
            Assert.StartsWith("ArazzoWorkflowInvalid,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Contains("'same'", error.Exception.Message);

            var summary = s.Run("Test-ArazzoWorkflow -Path $args[0] -Summary", document).ShouldSucceed();
            Assert.Contains("Daytona.Arazzo.Validation.WorkflowReadiness", summary.Output[0].TypeNames);
            Assert.Equal(new object[] { true, false }, summary.Output.Select(o => Prop(o, "CanRun")));
            Assert.Equal(true, s.Run("Test-ArazzoWorkflow -Path $args[0] -WorkflowId list -Quiet", document).ShouldSucceed().Output.Single().BaseObject);
            Assert.Equal(false, s.Run("Test-ArazzoWorkflow -Path $args[0] -WorkflowId twice -Quiet", document).ShouldSucceed().Output.Single().BaseObject);
            var diagnostics = s.Run("Test-ArazzoWorkflow -Path $args[0] -WorkflowId twice", document).ShouldSucceed();
            Assert.Equal("twice", Prop(Assert.Single(diagnostics.Output, d => (string)Prop(d, "Code")! == "DuplicateStepId"), "WorkflowId"));

            var one = s.Run("Invoke-ArazzoWorkflow -Path $args[0] -WorkflowId twice", document);
            Assert.Contains(one.ErrorIds, e => e.StartsWith("ArazzoWorkflowInvalid,"));
            Assert.Empty(one.Output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ANewImageIsBuiltAndEndsAlreadyActiveWithPacedPolls()
    {
        var name = Unique("arazzo-new");
        _emulator.SetBuild(name, 2000);
        _emulator.ResetRequests();
        using var s = ModuleSession.Create();
        var started = DateTime.UtcNow;
        var run = s.Run(Invoke + " -Verbose", Seed, _emulator.ApiKey, name, "alpine:3.20", _emulator.ApiUrl.ToString()).ShouldSucceed();
        var elapsed = DateTime.UtcNow - started;
        var (_, byRoute) = _emulator.Requests();

        var result = Assert.Single(run.Output);
        Assert.Contains("Daytona.Arazzo.WorkflowResult", result.TypeNames);
        Assert.Equal("Succeeded", Prop(result, "Status"));
        Assert.Equal("alreadyActive", Prop(result, "EndedBy"));
        Assert.Equal("active", _emulator.State(name));
        Assert.NotNull(Output(result, "snapshotId"));
        Assert.Null(Output(result, "state"));

        var steps = Steps(result);
        var polls = steps.Where(x => (string)Prop(x, "StepId")! == "pollBuild").ToList();
        Assert.True(polls.Count >= 2, $"{polls.Count} polls");
        Assert.Equal("goto pollBuild", Prop(polls[0], "Action"));
        Assert.Equal("stillBuilding", Prop(polls[0], "ActionName"));
        Assert.Equal(200, Prop(polls[^1], "StatusCode"));
        Assert.Equal(polls.Count, byRoute["GET /api/snapshots/{id}"]);
        Assert.True(polls.Count <= elapsed.TotalSeconds / 0.1 + 1, $"{polls.Count} polls in {elapsed.TotalMilliseconds} ms: faster than one per poll interval");

        // Warnings name each leniency with its fix; progress shows the current step; nothing shows the key.
        Assert.Contains(run.Warnings, w => w.Message.Contains("'Bearer {$inputs.apiToken}'"));
        Assert.Contains(run.Warnings, w => w.Message.Contains("$[?$.state == \"active\"]"));
        Assert.Contains(run.Warnings, w => w.Message.Contains("activateSnapshot") && w.Message.Contains("did not run"));
        Assert.Contains(run.Progress, p => p.CurrentOperation == "pollBuild" && p.StatusDescription.Contains("Step 2 of 3"));
        Assert.Contains(run.Verbose, v => v.Message.Contains("Authorization: ***"));
        Assert.DoesNotContain(_emulator.ApiKey, run.AllText());
        Assert.DoesNotContain(_emulator.ApiKey, string.Join("\n", steps.Select(x => Prop(x, "Url"))));
    }

    [Fact]
    public void AnInactiveSnapshotIsActivated()
    {
        var name = Unique("arazzo-idle");
        _emulator.SetBuild(name, 0);
        using var s = ModuleSession.Create();
        using var shell = s.CreateShell(Invoke, Seed, _emulator.ApiKey, name, "alpine:3.20", _emulator.ApiUrl.ToString());
        var deactivated = false;
        shell.Streams.Progress.DataAdded += (sender, e) =>
        {
            // Daytona's unused-snapshot cron runs just before the workflow looks at the built snapshot.
            var record = ((PSDataCollection<ProgressRecord>)sender!)[e.Index];
            if (!deactivated && record.CurrentOperation == "pollBuild")
            {
                _emulator.WaitForState(name, "active");
                _emulator.DeactivateUnused(name);
                deactivated = true;
            }
        };
        var run = ModuleSession.Collect(shell, () => shell.Invoke()).ShouldSucceed();
        var result = Assert.Single(run.Output);
        Assert.Equal("Succeeded", Prop(result, "Status"));
        Assert.Null(Prop(result, "EndedBy"));
        var steps = Steps(result);
        Assert.Equal(new[] { "createSnapshot", "pollBuild", "activateSnapshot" }, steps.Select(x => Prop(x, "StepId")));
        Assert.Equal("inactive", Prop(steps[1], "ActionName"));
        Assert.Equal(200, Prop(steps[2], "StatusCode"));
        Assert.NotNull(Output(result, "state"));
        Assert.DoesNotContain(run.Warnings, w => w.Message.Contains("did not run"));
        _emulator.WaitForState(name, "active");
    }

    [Fact]
    public void AFailingBuildEndsWithBuildFailed()
    {
        var name = Unique("arazzo-broken");
        using var s = ModuleSession.Create();
        var run = s.Run(Invoke, Seed, _emulator.ApiKey, name, "registry.example/fail-image:1.0", _emulator.ApiUrl.ToString()).ShouldSucceed();
        var result = Assert.Single(run.Output);
        Assert.Equal("buildFailed", Prop(result, "EndedBy"));
        Assert.Equal("error", _emulator.State(name));
    }

    [Fact]
    public void AFailedStepWritesArazzoStepFailedAndTheResultStillComesOut()
    {
        var name = Unique("arazzo-latest");
        using var s = ModuleSession.Create();
        var run = s.Run(Invoke, Seed, _emulator.ApiKey, name, "alpine:latest", _emulator.ApiUrl.ToString());
        var error = Assert.Single(run.Errors);
        Assert.StartsWith("ArazzoStepFailed,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("createSnapshot", error.Exception.Message);
        Assert.Contains("400", error.Exception.Message);
        Assert.Contains("latest", error.Exception.Message);
        var result = Assert.Single(run.Output);
        Assert.Equal("Failed", Prop(result, "Status"));
        Assert.Equal("createSnapshot", Prop(result, "FailedStep"));
        Assert.DoesNotContain(_emulator.ApiKey, run.AllText());
    }

    [Fact]
    public void InputsComeFromThePipelineByPropertyNameAndSecretsStayHidden()
    {
        var first = Unique("arazzo-piped");
        var second = Unique("arazzo-piped");
        using var s = ModuleSession.Create();
        var run = s.Run(
            "$rows = @([pscustomobject]@{ Path = $args[0]; name = $args[2]; imageName = 'alpine:3.20'; unrelated = 1 }, [pscustomobject]@{ Path = $args[0]; name = $args[3]; imageName = 'alpine:3.21' });" +
            "$rows | Invoke-ArazzoWorkflow -Inputs ([pscustomobject]@{ apiToken = $args[1] }) -ServerUrl @{ snapshotsApi = $args[4] } -PollInterval 0.1 -Verbose",
            Seed, _emulator.SecureKey, first, second, _emulator.ApiUrl.ToString()).ShouldSucceed();
        Assert.Equal(2, run.Output.Count);
        Assert.All(run.Output, r => Assert.Equal("Succeeded", Prop(r, "Status")));
        Assert.Equal("active", _emulator.State(first));
        Assert.Equal("active", _emulator.State(second));
        Assert.DoesNotContain(_emulator.ApiKey, run.AllText());
    }

    [Fact]
    public void StrictRefusesTheSeedAndMaxStepsStopsALoop()
    {
        using var s = ModuleSession.Create();
        var strict = s.Run(Invoke + " -Strict", Seed, _emulator.ApiKey, Unique("arazzo-strict"), "alpine:3.20", _emulator.ApiUrl.ToString());
        Assert.Contains(strict.ErrorIds, e => e.StartsWith("ArazzoWorkflowInvalid,"));
        Assert.Empty(strict.Output);

        var name = Unique("arazzo-slow");
        _emulator.SetBuild(name, 600_000);
        var capped = s.Run(Invoke + " -MaxSteps 4", Seed, _emulator.ApiKey, name, "alpine:3.20", _emulator.ApiUrl.ToString());
        Assert.Contains(capped.ErrorIds, e => e.StartsWith("ArazzoMaxStepsExceeded,"));
        var result = Assert.Single(capped.Output);
        Assert.Equal("Failed", Prop(result, "Status"));
        Assert.Equal(4, Steps(result).Count);

        var bad = s.Run("Invoke-ArazzoWorkflow -Path $args[0] -ServerUrl @{ snapshotsApi = $args[1] } -Inputs @{ name = 'x' }", Seed, _emulator.ApiUrl.ToString());
        Assert.Contains(bad.ErrorIds, e => e.StartsWith("ArazzoInputsInvalid,"));
    }

    [Fact]
    public void TheSeedRunsAgainstStartDaytonaEmulatorAsAUserWouldRunIt()
    {
        using var s = ModuleSession.Create();
        var run = s.Run(
            "$emulator = Start-DaytonaEmulator -TimeScale 0.05; try {" +
            " Invoke-ArazzoWorkflow -Path $args[0] -Inputs @{ apiToken = $emulator.ApiKey; name = $args[1]; imageName = 'alpine:3.20' } -ServerUrl @{ snapshotsApi = $emulator.ApiUrl } -PollInterval 0.1 -WarningAction SilentlyContinue;" +
            " Get-DaytonaSnapshot -Name $args[1] -Connection $emulator.Connection } finally { $emulator | Stop-DaytonaEmulator }",
            Seed, Unique("arazzo-user")).ShouldSucceed();
        Assert.Equal(2, run.Output.Count);
        Assert.Equal("Succeeded", Prop(run.Output[0], "Status"));
        Assert.Equal("alreadyActive", Prop(run.Output[0], "EndedBy"));
        Assert.Equal(Output(run.Output[0], "snapshotId"), Prop(run.Output[1], "Id")?.ToString());
        Assert.Equal("Active", Prop(run.Output[1], "State")!.ToString());
    }

    [Fact]
    public void InputsAreJsonSchema2020WithComponentsBooleanSubschemasWarningsAndStrict()
    {
        var folder = Directory.CreateTempSubdirectory("arazzo-inputs-").FullName;
        try
        {
            File.Copy(Path.Combine(RepoPaths.RepoRoot, "examples", "openapi", "daytona-snapshots-api-openapi.yml"), Path.Combine(folder, "api.yml"));
            var document = Path.Combine(folder, "list.arazzo.yaml");
            File.WriteAllText(document, string.Join("\n",
                "arazzo: 1.0.1",
                "info: {title: list, version: '1'}",
                "sourceDescriptions: [{name: api, url: ./api.yml, type: openapi}]",
                "workflows:",
                "- workflowId: list",
                "  inputs: {$ref: '#/components/inputs/listing'}",
                "  steps:",
                "  - stepId: find",
                "    operationId: getAllSnapshots",
                "    parameters:",
                "    - {name: Authorization, in: header, value: 'Bearer {$inputs.token}'}",
                "    - {name: limit, in: query, value: $inputs.limit}",
                "    - {name: name, in: query, value: $inputs.filter}",
                "    successCriteria: [{condition: $statusCode == 200}]",
                "    outputs: {count: $response.body#/total, first: $response.body#/snapshotId}",
                "  outputs: {limit: $inputs.limit, filter: $inputs.filter}",
                "components:",
                "  inputs:",
                "    listing:",
                "      type: object",
                "      required: [token]",
                "      properties:",
                "        token: {type: string}",
                "        limit: {$ref: '#/$defs/page'}",
                "        filter: {type: string, default: none-such}",
                "        legacy: false",
                "      $defs:",
                "        page: {type: integer, minimum: 1, maximum: 50}",
                ""));
            using var s = ModuleSession.Create();

            // Load time: the step output that reads what the documented response does not have is a warning with its line.
            var diagnostics = s.Run("Test-ArazzoWorkflow -Path $args[0]", document).ShouldSucceed();
            var undocumented = Assert.Single(diagnostics.Output, d => (string)Prop(d, "Code")! == "ResponseValueNotDocumented");
            Assert.Equal("Warning", Prop(undocumented, "Severity")!.ToString());
            Assert.Equal(15, Convert.ToInt32(Prop(undocumented, "Line")));
            Assert.Contains("output 'first' reads $response.body#/snapshotId", (string)Prop(undocumented, "Message")!);
            Assert.Contains("has no 'snapshotId' at '/' (it documents items, total, page, totalPages)", (string)Prop(undocumented, "Message")!);

            // "7" becomes 7 (lossless), the default fills filter; 'legacy' (schema false) only warns and the run goes on.
            var run = s.Run("Invoke-ArazzoWorkflow -Path $args[0] -Inputs @{ token = $args[1]; limit = '7'; legacy = 1 } -ServerUrl @{ api = $args[2] } -WarningAction Continue",
                document, _emulator.ApiKey, _emulator.ApiUrl.ToString());
            var result = Assert.Single(run.Output);
            Assert.Equal("Succeeded", Prop(result, "Status"));
            Assert.Equal(7L, Convert.ToInt64(Output(result, "limit")));
            Assert.Equal("none-such", Output(result, "filter"));
            Assert.Contains("limit=7", (string)Prop(Steps(result)[0], "Url")!);
            Assert.Contains(run.Warnings, w => w.Message.Contains("'legacy' is not allowed (its schema is 'false')") && w.Message.Contains("-Strict"));

            // Inputs declared through the component bind from piped objects by property name.
            var piped = s.Run("[pscustomobject]@{ limit = 3; filter = 'x' } | Invoke-ArazzoWorkflow -Path $args[0] -Inputs @{ token = $args[1] } -ServerUrl @{ api = $args[2] }",
                document, _emulator.ApiKey, _emulator.ApiUrl.ToString()).ShouldSucceed();
            Assert.Equal(3L, Convert.ToInt64(Output(Assert.Single(piped.Output), "limit")));

            var strict = s.Run("Invoke-ArazzoWorkflow -Path $args[0] -Inputs @{ token = $args[1]; limit = 500 } -ServerUrl @{ api = $args[2] } -Strict",
                document, _emulator.ApiKey, _emulator.ApiUrl.ToString());
            Assert.Empty(strict.Output);
            var refused = Assert.Single(strict.Errors);
            Assert.StartsWith("ArazzoInputsInvalid,", refused.FullyQualifiedErrorId);
            Assert.Contains("'limit' breaks the rule 'maximum'", refused.Exception.Message);

            var missing = s.Run("Invoke-ArazzoWorkflow -Path $args[0] -Inputs @{ limit = 5 } -ServerUrl @{ api = $args[1] }", document, _emulator.ApiUrl.ToString());
            Assert.Contains("the required input 'token' is missing", Assert.Single(missing.Errors).Exception.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ValuesGivenAsSecureStringsAreHiddenWhateverTheInputIsCalled()
    {
        var folder = Directory.CreateTempSubdirectory("arazzo-secret-").FullName;
        try
        {
            File.Copy(Path.Combine(RepoPaths.RepoRoot, "examples", "openapi", "daytona-snapshots-api-openapi.yml"), Path.Combine(folder, "api.yml"));
            var document = Path.Combine(folder, "list.arazzo.yaml");
            File.WriteAllText(document, string.Join("\n",
                "arazzo: 1.0.1",
                "info: {title: list, version: '1'}",
                "sourceDescriptions: [{name: api, url: ./api.yml, type: openapi}]",
                "workflows:",
                "- workflowId: list",
                "  inputs: {type: object, properties: {auth: {type: string}, filter: {type: string}}}",
                "  steps:",
                "  - stepId: find",
                "    operationId: getAllSnapshots",
                "    parameters:",
                "    - {name: Authorization, in: header, value: 'Bearer {$inputs.auth}'}",
                "    - {name: name, in: query, value: $inputs.filter}",
                "    successCriteria: [{condition: $statusCode == 200}]",
                ""));
            var secret = "zz-private-" + Guid.NewGuid().ToString("N")[..8];
            using var s = ModuleSession.Create();
            var run = s.Run("Invoke-ArazzoWorkflow -Path $args[0] -Inputs @{ auth = $args[1]; filter = $args[2] } -ServerUrl @{ api = $args[3] } -Verbose",
                document, _emulator.SecureKey, HostedEmulator.Secure(secret), _emulator.ApiUrl.ToString()).ShouldSucceed();
            var result = Assert.Single(run.Output);
            Assert.Equal("Succeeded", Prop(result, "Status"));
            Assert.Contains("name=***", (string)Prop(Steps(result)[0], "Url")!);
            Assert.DoesNotContain(secret, run.AllText());
            Assert.DoesNotContain(_emulator.ApiKey, run.AllText());

            var misnamed = s.Run("Invoke-ArazzoWorkflow -Path $args[0] -Inputs @{ auth = 'x' } -ServerUrl @{ nope = $args[1] } -WarningAction Continue -ErrorAction SilentlyContinue", document, _emulator.ApiUrl.ToString());
            Assert.Contains(misnamed.Warnings, w => w.Message.Contains("'nope'") && w.Message.Contains("api"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void StoppingThePipelineEndsAPollingRunPromptly()
    {
        var name = Unique("arazzo-stopped");
        _emulator.SetBuild(name, 600_000);
        using var s = ModuleSession.Create();
        using var shell = s.CreateShell(Invoke, Seed, _emulator.ApiKey, name, "alpine:3.20", _emulator.ApiUrl.ToString());
        var started = new ManualResetEventSlim();
        shell.Streams.Progress.DataAdded += (sender, e) =>
        {
            if (((PSDataCollection<ProgressRecord>)sender!)[e.Index].CurrentOperation == "pollBuild")
            {
                started.Set();
            }
        };
        var invocation = shell.BeginInvoke();
        Assert.True(started.Wait(TimeSpan.FromSeconds(20)), "the workflow never reached pollBuild");
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        shell.Stop();
        Assert.True(invocation.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)));
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(3), $"stopping took {stopping.Elapsed.TotalMilliseconds} ms");
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
    }

    [Fact]
    public void TheWorkflowAndThePipelineEndInTheSameState()
    {
        var viaWorkflow = Unique("arazzo-twin");
        var viaPipeline = Unique("pipeline-twin");
        using var s = _emulator.Session();
        var workflow = s.Run("Invoke-ArazzoWorkflow -Path $args[0] -Inputs @{ apiToken = $args[1]; name = $args[2]; imageName = 'python:3.12-slim'; cpu = 2; memory = 4; disk = 10 } -ServerUrl @{ snapshotsApi = $args[3] } -PollInterval 0.1",
            Seed, _emulator.SecureKey, viaWorkflow, _emulator.ApiUrl.ToString()).ShouldSucceed();
        Assert.Equal("Succeeded", Prop(workflow.Output.Single(), "Status"));
        s.Run($"New-DaytonaSnapshot -Name {viaPipeline} -Image python:3.12-slim -Cpu 2 -Memory 4 -Disk 10 | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot").ShouldSucceed();

        var both = s.Run("Get-DaytonaSnapshot -Name $args[0]; Get-DaytonaSnapshot -Name $args[1]", viaWorkflow, viaPipeline).ShouldSucceed();
        Assert.Equal(2, both.Output.Count);
        foreach (var field in new[] { "State", "ImageName", "Cpu", "Mem", "Disk", "Gpu", "Entrypoint", "Size" })
        {
            Assert.Equal(Prop(both.Output[1], field)?.ToString(), Prop(both.Output[0], field)?.ToString());
        }

        Assert.Equal("Active", Prop(both.Output[0], "State")!.ToString());
    }
}
