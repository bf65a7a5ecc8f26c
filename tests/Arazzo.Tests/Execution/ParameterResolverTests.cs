using System.Text.Json.Nodes;
using Arazzo.Tests.Conformance;
using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.OpenApi;

namespace Arazzo.Tests.Execution;

/// <summary>Nothing is sent that cannot be right: path parameters that resolve to nothing, required parameters the step leaves out.</summary>
public sealed class ParameterResolverTests : IDisposable
{
    private const string OpenApi = """
        openapi: 3.1.0
        info: {title: school, version: '1'}
        servers: [{url: 'https://school.example/v1'}]
        paths:
          /teachers:
            get:
              operationId: listTeachers
              parameters:
              - {name: limit, in: query, required: true, schema: {type: integer, default: 25}}
              - {name: X-Api-Version, in: header, required: true, example: '2024-01'}
              - {name: sort, in: query, required: true, schema: {type: string}}
              responses: {'200': {description: ok}}
          /teachers/{teacherId}/school:
            get:
              operationId: getSchool
              parameters: [{name: teacherId, in: path, required: true, schema: {type: string}}]
              responses: {'200': {description: ok}}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("arazzo-params-").FullName;
    private readonly LoopbackMock _mock = new();

    public void Dispose()
    {
        _mock.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<(WorkflowResult Result, List<string> Warnings)> Run(string steps, bool strict = false)
    {
        File.WriteAllText(Path.Combine(_folder, "school.yaml"), OpenApi);
        var path = Path.Combine(_folder, "doc.arazzo.yaml");
        File.WriteAllText(path, "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: school, url: ./school.yaml}]\nworkflows:\n- workflowId: w\n  steps:\n" + steps);
        var resolver = new SourceResolver { AllowRemote = false };
        var description = new OpenApiDescription("school", Daytona.Arazzo.Yaml.YamlJson.Parse(OpenApi), Path.Combine(_folder, "school.yaml"));
        var warnings = new List<string>();
        var options = new RunOptions
        {
            ServerUrls = new Dictionary<string, string> { ["school"] = _mock.AddSource("school", "https://school.example/v1", description) },
            PollInterval = TimeSpan.Zero,
            Timeout = TimeSpan.FromSeconds(20),
            Strict = strict,
            Listener = new WarningListener(warnings),
        };
        var (document, _) = await WorkflowRunner.PrepareAsync(path, options, resolver, CancellationToken.None);
        return (await new WorkflowRunner(document, options, resolver).RunWorkflowAsync("w", CancellationToken.None), warnings);
    }

    [Fact]
    public async Task APathParameterThatResolvesToNothingFailsTheStepBeforeAnyRequest()
    {
        _mock.Add(new MockRoute { Method = "GET", Path = "/teachers", Body = JsonNode.Parse("{\"teachers\": []}") });
        var (result, _) = await Run("""
              - stepId: list
                operationId: listTeachers
                parameters: [{name: sort, in: query, value: name}]
                outputs: {first: $response.body#/teachers/0/id}
              - stepId: school
                operationId: getSchool
                parameters: [{name: teacherId, in: path, value: $steps.list.outputs.first}]
            """);

        Assert.Equal(WorkflowStatus.Failed, result.Status);
        Assert.Equal("school", result.FailedStep);
        Assert.Contains("path parameter 'teacherId'", result.Error);
        Assert.Contains("$steps.list.outputs.first", result.Error);
        Assert.Contains("no request was sent", result.Error);
        Assert.Single(_mock.Requests);
        Assert.DoesNotContain(_mock.Requests, r => r.OriginalUrl.Contains("teachers//school"));
        Assert.Equal("$response.body#/teachers/0/id: the body has nothing at '/teachers/0/id'", result.Unresolved["list.first"]);
    }

    [Fact]
    public async Task RequiredParametersTheStepLeavesOutComeFromTheDescriptionWithAWarning()
    {
        _mock.Add(new MockRoute { Method = "GET", Path = "/teachers", Body = new JsonObject() });
        var (result, warnings) = await Run("""
              - stepId: list
                operationId: listTeachers
            """);

        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        var request = Assert.Single(_mock.Requests);
        Assert.Contains("limit=25", request.OriginalUrl);
        Assert.DoesNotContain("sort=", request.OriginalUrl);
        Assert.Contains(warnings, w => w.Contains("'limit'") && w.Contains("default '25'"));
        Assert.Contains(warnings, w => w.Contains("'X-Api-Version'") && w.Contains("example '2024-01'"));
        Assert.Contains(warnings, w => w.Contains("'sort'") && w.Contains("no default or example"));

        var (strict, _) = await Run("""
              - stepId: list
                operationId: listTeachers
            """, strict: true);
        Assert.Equal(WorkflowStatus.Failed, strict.Status);
        Assert.Contains("under -Strict", strict.Error);
        Assert.Single(_mock.Requests);
    }

    [Fact]
    public async Task AParameterNamedLooselyIsSentUnderItsDeclaredName()
    {
        _mock.Add(new MockRoute { Method = "GET", Path = "/teachers/{teacherId}/school", Body = new JsonObject { ["name"] = "North" } });
        var (result, warnings) = await Run("""
              - stepId: school
                operationId: getSchool
                parameters: [{name: teacher_id, in: path, value: t-1}]
                successCriteria: [{condition: $statusCode == 200}]
            """);

        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        Assert.EndsWith("/teachers/t-1/school", Assert.Single(_mock.Requests).OriginalUrl);
        Assert.Contains(warnings, w => w.Contains("'teacher_id'") && w.Contains("Write 'teacherId'"));
    }

    private sealed class WarningListener(List<string> warnings) : IRunListener
    {
        public void StepStarting(string workflowId, string stepId, int attempt, int stepIndex, int stepCount)
        {
        }

        public void Trace(string message)
        {
        }

        public void Warning(string message) => warnings.Add(message);

        public void StepFailed(StepFailure failure)
        {
        }
    }
}
