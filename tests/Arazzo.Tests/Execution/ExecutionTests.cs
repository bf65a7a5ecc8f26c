using System.Text.Json.Nodes;
using Arazzo.Tests.Conformance;
using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.OpenApi;

namespace Arazzo.Tests.Execution;

/// <summary>The runner's control flow over real HTTP on a loopback mock: retry, goto, dependsOn, nested documents, parameters.</summary>
public sealed class ExecutionTests : IDisposable
{
    private const string OpenApi = """
        openapi: 3.1.0
        info: {title: pets, version: '1'}
        servers: [{url: 'https://pets.example/v1'}]
        paths:
          /pets:
            get:
              operationId: listPets
              parameters:
              - {name: tags, in: query, schema: {type: array}, style: form, explode: false}
              - {name: filter, in: query, schema: {type: object}, style: deepObject}
              - {name: X-Trace, in: header, schema: {type: string}}
              responses: {'200': {description: ok}}
            post:
              operationId: addPet
              requestBody: {content: {application/json: {schema: {type: object}}}}
              responses: {'201': {description: created}}
          /pets/{petId}:
            get:
              operationId: getPet
              parameters:
              - {name: petId, in: path, required: true, schema: {type: array}, style: label}
              responses: {'200': {description: ok}}
          /flaky:
            get:
              operationId: flaky
              responses: {'200': {description: ok}}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("arazzo-exec-").FullName;
    private readonly LoopbackMock _mock = new();

    public void Dispose()
    {
        _mock.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<(WorkflowResult Result, List<string> Warnings)> Run(string arazzo, string workflowId, JsonObject? inputs = null, string name = "main.arazzo.yaml", TimeSpan? poll = null, int maxSteps = 1000, bool allowRemote = false, string? alsoServe = null, TimeSpan? maxPoll = null, bool strict = false)
    {
        File.WriteAllText(Path.Combine(_folder, "pets.openapi.yaml"), OpenApi);
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, arazzo);
        var resolver = new SourceResolver { AllowRemote = allowRemote };
        var description = new OpenApiDescription("pets", Daytona.Arazzo.Yaml.YamlJson.Parse(OpenApi), Path.Combine(_folder, "pets.openapi.yaml"));
        var listener = new Listener();
        var options = new RunOptions
        {
            Inputs = inputs ?? new JsonObject(),
            ServerUrls = new Dictionary<string, string> { ["pets"] = _mock.AddSource("pets", "https://pets.example/v1", description) },
            PollInterval = poll ?? TimeSpan.Zero,
            Listener = listener,
            Timeout = TimeSpan.FromSeconds(20),
            MaxSteps = maxSteps,
            MaxPollInterval = maxPoll,
            Strict = strict,
        };
        if (alsoServe != null)
        {
            options.ServerUrls[alsoServe] = _mock.AddSource(alsoServe, "https://pets.example/v1", description);
        }

        var (document, _) = await WorkflowRunner.PrepareAsync(path, options, resolver, CancellationToken.None);
        var result = await new WorkflowRunner(document, options, resolver).RunWorkflowAsync(workflowId, CancellationToken.None);
        return (result, listener.Warnings);
    }

    private sealed class Listener : IRunListener
    {
        public List<string> Warnings { get; } = new();

        public void StepStarting(string workflowId, string stepId, int attempt, int stepIndex, int stepCount)
        {
        }

        public void Trace(string message)
        {
        }

        public void Warning(string message) => Warnings.Add(message);

        public void StepFailed(StepFailure failure)
        {
        }
    }

    private static string Document(string workflows, string components = "") =>
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n- {name: pets, url: ./pets.openapi.yaml, type: openapi}\nworkflows:\n" + workflows + "\n" + components + "\n";

    [Fact]
    public async Task RetryHonoursRetryAfterAndItsLimitThenTakesTheNextAction()
    {
        _mock.Add(new MockRoute { Method = "GET", Path = "/flaky", Status = 503, Body = new JsonObject { ["error"] = "busy" }, Headers = { ["Retry-After"] = "1" } });
        var started = DateTime.UtcNow;
        var (result, _) = await Run(Document("""
            - workflowId: w
              steps:
              - stepId: call
                operationId: flaky
                successCriteria: [{condition: $statusCode == 200}]
                onFailure:
                - {name: again, type: retry, retryAfter: 0, retryLimit: 2, criteria: [{condition: $statusCode == 503}]}
                - {name: giveUp, type: end}
            """), "w");
        var elapsed = DateTime.UtcNow - started;
        Assert.Equal(new[] { "retry", "retry", "end" }, result.Steps.Select(s => s.Action));
        Assert.Equal(new[] { 1, 2, 3 }, result.Steps.Select(s => s.Attempt));
        Assert.Equal("giveUp", result.EndedBy);
        Assert.Equal(WorkflowStatus.Failed, result.Status);
        Assert.True(elapsed >= TimeSpan.FromSeconds(1.9), $"Retry-After: 1 was not honoured ({elapsed.TotalMilliseconds} ms)");
        Assert.Equal(3, _mock.Requests.Count);
    }

    [Fact]
    public async Task ParametersAreSerializedByStyleAndComponentsAreReused()
    {
        _mock.Add(new MockRoute { Method = "GET", Path = "/pets", Body = JsonNode.Parse("[{\"id\":7,\"name\":\"Rex\"}]") });
        _mock.Add(new MockRoute { Method = "GET", Path = "/pets/{id}", Body = JsonNode.Parse("{\"id\":7,\"status\":\"available\"}") });
        var (result, _) = await Run(Document("""
            - workflowId: w
              parameters:
              - reference: $components.parameters.trace
              steps:
              - stepId: list
                operationId: $sourceDescriptions.pets.listPets
                parameters:
                - {name: tags, in: query, value: [dog, small]}
                - {name: filter, in: query, value: {color: brown}}
                successCriteria:
                - {context: $response.body, type: jsonpath, condition: '$[?@.name == ''Rex'']'}
                outputs: {id: $response.body#/0/id}
              - stepId: one
                operationPath: '{$sourceDescriptions.pets.url}#/paths/~1pets~1{petId}/get'
                parameters:
                - {name: petId, in: path, value: [$steps.list.outputs.id, 8]}
                - reference: $components.parameters.trace
                  value: overridden
                successCriteria:
                - {context: $response.body, type: regex, condition: '"status":"available"'}
                outputs: {status: $response.body#/status, url: $url}
                onSuccess:
                - reference: $components.successActions.done
              outputs:
                status: $steps.one.outputs.status
                url: $steps.one.outputs.url
            """, """
            components:
              parameters:
                trace: {name: X-Trace, in: header, value: abc}
              successActions:
                done: {name: done, type: end}
            """), "w");
        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        Assert.Equal("done", result.EndedBy);
        var requests = _mock.Requests;
        Assert.Equal("https://pets.example/v1/pets?tags=dog,small&filter%5Bcolor%5D=brown", requests[0].OriginalUrl);
        Assert.Equal("https://pets.example/v1/pets/.7,8", requests[1].OriginalUrl);
        Assert.Equal("available", result.Outputs["status"]);
        Assert.EndsWith("/pets/.7,8", (string)result.Outputs["url"]!);
    }

    [Fact]
    public async Task DependsOnGotoWorkflowAndNestedDocumentsRun()
    {
        _mock.Add(new MockRoute { Method = "POST", Path = "/pets", Status = 201, Body = JsonNode.Parse("{\"id\":42}") });
        _mock.Add(new MockRoute { Method = "GET", Path = "/pets/{id}", Body = JsonNode.Parse("{\"id\":42,\"status\":\"sold\"}") });
        File.WriteAllText(Path.Combine(_folder, "shared.arazzo.yaml"), Document("""
            - workflowId: create
              inputs: {type: object, properties: {name: {type: string, default: Fido}}}
              steps:
              - stepId: add
                operationId: addPet
                requestBody:
                  contentType: application/json
                  payload: {name: $inputs.name, tag: 'made-{$inputs.name}'}
                  replacements: [{target: /tag, value: replaced}]
                successCriteria: [{condition: $statusCode == 201}]
                outputs: {id: $response.body#/id, sent: $request.body#/tag}
              outputs: {id: $steps.add.outputs.id, sent: $steps.add.outputs.sent}
            """));
        var (result, _) = await Run("""
            arazzo: 1.0.1
            info: {title: t, version: '1'}
            sourceDescriptions:
            - {name: pets, url: ./pets.openapi.yaml, type: openapi}
            - {name: shared, url: ./shared.arazzo.yaml, type: arazzo}
            workflows:
            - workflowId: setup
              steps:
              - stepId: make
                workflowId: $sourceDescriptions.shared.create
                parameters: [{name: name, value: Rex}]
                outputs: {id: $outputs.id, sent: $outputs.sent}
              outputs: {id: $steps.make.outputs.id, sent: $steps.make.outputs.sent}
            - workflowId: check
              dependsOn: [setup]
              steps:
              - stepId: read
                operationId: getPet
                parameters: [{name: petId, in: path, value: $workflows.setup.outputs.id}]
                successCriteria: [{condition: $response.body#/status == 'available'}]
                onFailure:
                - {name: elsewhere, type: goto, workflowId: report}
            - workflowId: report
              steps:
              - stepId: again
                operationId: getPet
                parameters: [{name: petId, in: path, value: 1}]
                outputs: {status: $response.body#/status}
              outputs: {status: $steps.again.outputs.status}
            """, "check");
        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        Assert.Equal("elsewhere", result.EndedBy);
        Assert.Equal(new[] { "add", "make", "read", "again" }, result.Steps.Select(s => s.StepId));
        Assert.Equal("{\"name\":\"Rex\",\"tag\":\"replaced\"}", _mock.Requests[0].Body);
        Assert.Equal("https://pets.example/v1/pets/.42", _mock.Requests[1].OriginalUrl);
    }

    [Fact]
    public async Task ARepeatingStepWaitsLongerEachTimeUpToTheCeiling()
    {
        _mock.Add(new MockRoute { Method = "GET", Path = "/flaky", Body = JsonNode.Parse("{\"state\":\"building\"}") });
        var (result, _) = await Run(Document("""
            - workflowId: w
              steps:
              - stepId: poll
                operationId: flaky
                onSuccess:
                - {name: loop, type: goto, stepId: poll}
            """), "w", poll: TimeSpan.FromMilliseconds(100), maxSteps: 8, maxPoll: TimeSpan.FromMilliseconds(200));
        Assert.Equal(8, result.Steps.Count);
        var starts = _mock.Requests.Count;
        Assert.Equal(8, starts);

        // Waits 100, 120, 144, 172.8, then 200 (the ceiling) three times: 1136.8 ms in all (a fixed interval: 700 ms).
        var total = result.Duration;
        Assert.True(total >= TimeSpan.FromMilliseconds(1130), $"8 polls in {total.TotalMilliseconds} ms: the interval did not grow");
        Assert.True(total < TimeSpan.FromMilliseconds(5000), $"8 polls in {total.TotalMilliseconds} ms: the interval grew past its ceiling");
    }

    [Fact]
    public async Task SourceDescriptionsAreFetchedByUrlAndInputsGetDefaultsAndTypes()
    {
        _mock.Add(new MockRoute { Method = "GET", Path = "/docs/pets.yaml", Text = OpenApi });
        _mock.Add(new MockRoute { Method = "POST", Path = "/pets", Status = 201, Body = JsonNode.Parse("{\"id\":1}") });
        var documentUrl = $"http://127.0.0.1:{_mock.Port}/docs/docs/pets.yaml";
        var (result, _) = await Run($$$"""
            arazzo: 1.0.1
            info: {title: t, version: '1'}
            sourceDescriptions:
            - {name: remote, url: '{{{documentUrl}}}', type: openapi}
            - {name: pets, url: ./pets.openapi.yaml, type: openapi}
            workflows:
            - workflowId: w
              inputs:
                type: object
                required: [count]
                properties:
                  count: {type: integer}
                  ok: {type: boolean}
                  kind: {type: string, default: cat}
              steps:
              - stepId: add
                operationId: $sourceDescriptions.remote.addPet
                requestBody: {payload: {count: $inputs.count, ok: $inputs.ok, kind: $inputs.kind}}
                successCriteria: [{condition: $statusCode == 201}]
            """, "w", new JsonObject { ["count"] = "3", ["ok"] = "true" }, allowRemote: true, alsoServe: "remote");
        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        Assert.Contains(_mock.Requests, r => r.OriginalUrl.EndsWith("/docs/pets.yaml"));
        Assert.Equal("{\"count\":3,\"ok\":true,\"kind\":\"cat\"}", _mock.Requests.Last().Body);
    }

    [Fact]
    public async Task InputsBreakingA2020SchemaWarnAndRunButStrictAndMissingRequiredRefuse()
    {
        _mock.Add(new MockRoute { Method = "POST", Path = "/pets", Status = 201, Body = JsonNode.Parse("{\"id\":1}") });
        var arazzo = Document("""
            - workflowId: w
              inputs: {$ref: '#/components/inputs/pet'}
              steps:
              - stepId: add
                operationId: addPet
                requestBody: {payload: {name: $inputs.name, age: $inputs.age}}
                successCriteria: [{condition: $statusCode == 201}]
            """, """
            components:
              inputs:
                pet:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string, maxLength: 3}
                    age: {type: integer, default: 2}
                    legacy: false
            """);

        var (result, warnings) = await Run(arazzo, "w", new JsonObject { ["name"] = "Rexford", ["legacy"] = 1 });
        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        Assert.Equal("{\"name\":\"Rexford\",\"age\":2}", _mock.Requests.Last().Body);
        Assert.Contains(warnings, w => w.Contains("'name' breaks the rule 'maxLength'") && w.Contains("the run goes on"));
        Assert.Contains(warnings, w => w.Contains("'legacy' is not allowed (its schema is 'false')"));

        var sent = _mock.Requests.Count;
        var strict = await Assert.ThrowsAsync<Daytona.Common.DaytonaException>(() => Run(arazzo, "w", new JsonObject { ["name"] = "Rexford" }, strict: true));
        Assert.Equal("ArazzoInputsInvalid", strict.ErrorId);
        Assert.Contains("'name' breaks the rule 'maxLength'", strict.Message);

        var missing = await Assert.ThrowsAsync<Daytona.Common.DaytonaException>(() => Run(arazzo, "w", new JsonObject { ["age"] = "4" }));
        Assert.Equal("ArazzoInputsInvalid", missing.ErrorId);
        Assert.Contains("the required input 'name' is missing", missing.Message);
        Assert.Equal(sent, _mock.Requests.Count);
    }

    [Fact]
    public async Task ASelfLoopIsPacedByThePollIntervalAndCappedByMaxSteps()
    {
        _mock.Add(new MockRoute { Method = "GET", Path = "/flaky", Body = JsonNode.Parse("{\"state\":\"building\"}") });
        var started = DateTime.UtcNow;
        var (result, _) = await Run(Document("""
            - workflowId: w
              steps:
              - stepId: poll
                operationId: flaky
                onSuccess:
                - {name: loop, type: goto, stepId: poll, criteria: [{condition: $response.body#/state == 'building'}]}
            """), "w", poll: TimeSpan.FromMilliseconds(100), maxSteps: 6);
        var elapsed = DateTime.UtcNow - started;
        Assert.Equal("ArazzoMaxStepsExceeded", result.ErrorId);
        Assert.Equal(6, result.Steps.Count);
        Assert.Equal(6, _mock.Requests.Count);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(500), $"6 polls in {elapsed.TotalMilliseconds} ms: faster than one request per poll interval");
    }
}
