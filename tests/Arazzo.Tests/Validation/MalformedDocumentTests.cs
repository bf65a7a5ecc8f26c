using System.Text;
using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;

namespace Arazzo.Tests.Validation;

/// <summary>Truncated, mistyped, cyclic, oversized and random documents give diagnostics, never an exception or a hang.</summary>
public class MalformedDocumentTests
{
    private static async Task<IReadOnlyList<Diagnostic>> Check(string text)
    {
        var task = Task.Run(async () => await ArazzoValidator.ValidateAsync(ArazzoLoader.Parse(text, Path.Combine(Path.GetTempPath(), "doc.arazzo.yaml")), new SourceResolver { AllowRemote = false }));
        var finished = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(finished == task, "validation did not finish within 10 seconds");
        return await task;
    }

    [Theory]
    [InlineData("", "NotAnObject")]
    [InlineData("- a\n- b", "NotAnObject")]
    [InlineData("arazzo: 1.0.1\ninfo: [1]\nsourceDescriptions: {}\nworkflows: 3", "InvalidType")]
    [InlineData("arazzo: 2.0.0\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: o}]}]", "UnsupportedVersion")]
    [InlineData("arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows: [{workflowId: w, dependsOn: [w], steps: [{stepId: s, operationId: o}]}]", "DependencyCycle")]
    [InlineData("arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: o, workflowId: w}]}]", "AmbiguousStepTarget")]
    [InlineData("arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: o, onFailure: [{name: r, type: retry, retryLimit: -1}]}]}]", "InvalidType")]
    [InlineData("arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: o, parameters: [{reference: $components.parameters.none}]}]}]", "UnresolvedReference")]
    [InlineData("arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: o, successCriteria: [{condition: '$[?', type: jsonpath, context: $response.body}]}]}]", "InvalidCondition")]
    [InlineData("arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: o, successCriteria: [{condition: '[a-', type: regex, context: $statusCode}]}]}]", "InvalidCondition")]
    [InlineData("arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: o, outputs: {x: $steps.nope.outputs.y}}]}]", "UnknownStepReference")]
    [InlineData("arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: o, bogus: 1}]}]", "UnknownField")]
    public async Task MalformedDocumentsGiveDiagnostics(string text, string code)
    {
        var diagnostics = await Check(text);
        Assert.Contains(diagnostics, d => d.Code == code);
    }

    [Fact]
    public async Task OpenApi30DescriptionsAreCheckedByMicrosoftOpenApi()
    {
        var folder = Directory.CreateTempSubdirectory("arazzo-oas-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "api.yaml"), "openapi: 3.0.3\ninfo: {title: a, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses: {}\n");
            var path = Path.Combine(folder, "doc.arazzo.yaml");
            File.WriteAllText(path, "arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: api, url: ./api.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: getA}]}]\n");
            var diagnostics = await ArazzoValidator.ValidateAsync(ArazzoLoader.LoadFile(path), new SourceResolver());
            var problem = Assert.Single(diagnostics, d => d.Code == "OpenApiDescriptionProblem");
            Assert.Equal(DiagnosticSeverity.Warning, problem.Severity);
            Assert.Contains("Responses must contain at least one response", problem.Message);
            Assert.Equal("$.sourceDescriptions[0].url", problem.Location);
            Assert.DoesNotContain(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task TruncatedDocumentsGiveDiagnostics()
    {
        var seed = File.ReadAllText(TestPaths.SeedWorkflow);
        for (var length = 0; length < seed.Length; length += 97)
        {
            var diagnostics = await Check(seed[..length]);
            Assert.NotNull(diagnostics);
            Assert.All(diagnostics, d => Assert.True(d.Line >= 0 && d.Column >= 0));
        }
    }

    [Fact]
    public async Task RandomMutationsNeverThrow()
    {
        var seed = File.ReadAllText(TestPaths.SeedWorkflow);
        var random = new Random(9535);
        const string alphabet = "{}[]:,-'\"\n $#&*!|>?%@`\t";
        for (var i = 0; i < 300; i++)
        {
            var builder = new StringBuilder(seed);
            for (var edits = random.Next(1, 6); edits > 0; edits--)
            {
                var at = random.Next(builder.Length);
                switch (random.Next(3))
                {
                    case 0:
                        builder.Remove(at, Math.Min(builder.Length - at, random.Next(1, 20)));
                        break;
                    case 1:
                        builder.Insert(at, alphabet[random.Next(alphabet.Length)]);
                        break;
                    default:
                        builder[at] = alphabet[random.Next(alphabet.Length)];
                        break;
                }
            }

            await Check(builder.ToString());
        }
    }

    [Fact]
    public async Task HugeAndDeepDocumentsAreRefusedQuickly()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        Assert.Contains(await Check(deep), d => d.Severity == DiagnosticSeverity.Error);
        var wide = "arazzo: 1.0.1\ninfo: {title: t, version: v}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows:\n" +
            string.Concat(Enumerable.Range(0, 2000).Select(i => $"- workflowId: w{i % 1000}\n  steps: [{{stepId: s, operationId: o, onSuccess: [{{name: g, type: goto, stepId: s}}]}}]\n"));
        var diagnostics = await Check(wide);
        Assert.Contains(diagnostics, d => d.Code == "DuplicateWorkflowId");
    }
}
