using System.Text.Json.Nodes;
using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.OpenApi;
using Daytona.Emulator;

namespace Arazzo.Tests.Execution;

/// <summary>
/// Arazzo steps go through the module's one resilience pipeline at transport level only: a connection dropped before
/// the server processed anything is retried under the step; statuses (429, 503) are the workflow's, for its criteria
/// and retry actions; a non-idempotent request whose answer was lost is not sent again.
/// </summary>
public sealed class StepTransportTests : IAsyncLifetime
{
    private EmulatorServer _emulator = null!;
    private readonly string _folder = Directory.CreateTempSubdirectory("arazzo-transport-").FullName;

    public async Task InitializeAsync() => _emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.01 });

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<WorkflowResult> Run(string steps, string name)
    {
        File.Copy(Path.Combine(TestPaths.RepoRoot, "examples", "openapi", "daytona-snapshots-api-openapi.yml"), Path.Combine(_folder, "snapshots.yml"), overwrite: true);
        var path = Path.Combine(_folder, "doc.arazzo.yaml");
        File.WriteAllText(path, "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: api, url: ./snapshots.yml}]\nworkflows:\n- workflowId: w\n" +
            "  inputs: {type: object, properties: {token: {type: string}, name: {type: string}}}\n" +
            "  parameters: [{name: Authorization, in: header, value: 'Bearer {$inputs.token}'}]\n  steps:\n" + steps);
        var options = new RunOptions
        {
            Inputs = new JsonObject { ["token"] = _emulator.ApiKey, ["name"] = name },
            ServerUrls = new Dictionary<string, string> { ["api"] = _emulator.ApiUrl.ToString() },
            PollInterval = TimeSpan.Zero,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var resolver = new SourceResolver { AllowRemote = false };
        var (document, _) = await WorkflowRunner.PrepareAsync(path, options, resolver, CancellationToken.None);
        return await new WorkflowRunner(document, options, resolver).RunWorkflowAsync("w", CancellationToken.None);
    }

    private const string List = """
          - stepId: list
            operationId: getAllSnapshots
            successCriteria: [{condition: $statusCode == 200}]
            onFailure: [{name: again, type: retry, retryAfter: 0, retryLimit: 3, criteria: [{condition: $statusCode == 503 || $statusCode == 429}]}]

        """;

    [Fact]
    public async Task ADroppedConnectionIsRetriedUnderTheStep()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { DropConnections = 1 });
        var result = await Run(List, "unused");
        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        var step = Assert.Single(result.Steps);
        Assert.Equal(200, step.StatusCode);
    }

    [Fact]
    public async Task A503IsTheWorkflowsToHandleNotTheTransports()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 1, Status = 503 } });
        var result = await Run(List, "unused");
        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        Assert.Equal(new int?[] { 503, 200 }, result.Steps.Select(s => s.StatusCode));
        Assert.Equal(new[] { "retry", "next" }, result.Steps.Select(s => s.Action));
    }

    [Fact]
    public async Task A429WithRetryAfterInAnyFormReachesTheWorkflowWhichWaitsAsItSays()
    {
        foreach (var form in new[] { RetryAfterForm.Seconds, RetryAfterForm.Date, RetryAfterForm.Named })
        {
            _emulator.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 1, RetryAfterSeconds = 1, RetryAfterForm = form } });
            var started = DateTime.UtcNow;
            var result = await Run(List, "unused");
            Assert.Equal(WorkflowStatus.Succeeded, result.Status);
            Assert.Equal(new int?[] { 429, 200 }, result.Steps.Select(s => s.StatusCode));

            // An HTTP date has one-second resolution, so it may say a little less than a second.
            Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(form == RetryAfterForm.Date ? 1 : 900), $"{form}: the Retry-After was not honoured");
        }
    }

    [Fact]
    public async Task ACreateWhoseAnswerWasLostIsNotSentAgain()
    {
        var name = "lost-" + Guid.NewGuid().ToString("N")[..8];
        _emulator.Control.SetFaults(new EmulatorFaults { DropAfterProcessing = 1, Methods = new[] { "POST" } });
        var result = await Run("""
              - stepId: create
                operationId: createSnapshot
                requestBody: {contentType: application/json, payload: {name: $inputs.name, imageName: 'alpine:3.20'}}
                successCriteria: [{condition: $statusCode == 200}]
            """, name);

        Assert.Equal(WorkflowStatus.Failed, result.Status);
        var step = Assert.Single(result.Steps);
        Assert.Null(step.StatusCode);
        Assert.Contains("the request failed", step.Error);
        Assert.Equal(1, _emulator.Control.GetRequests().For("POST /api/snapshots"));
        Assert.NotNull(_emulator.Control.GetState(name));
    }
}
