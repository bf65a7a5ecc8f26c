using System.Text.Json.Nodes;
using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;

namespace Arazzo.Tests.Expressions;

/// <summary>
/// Names the spec does not define — brackets, wildcards, names starting with '$', pointers without '/' — are read
/// best-effort, each with advice on how to write it; names that are already spec forms stay as they were.
/// </summary>
public class LenientFormsTests
{
    private static readonly JsonObject s_outputs = JsonNode.Parse("""
        {"items": [{"id": "a", "tags": ["x"]}, {"id": "b", "tags": ["y"]}],
         "page": {"size": 20},
         "collections": {"data": [{"id": "c1"}]},
         "one.two": {"three": 3},
         "text": "{\"inner\": [1, 2]}"}
        """)!.AsObject();

    private static ExpressionContext Context(List<string>? leniencies = null, bool strict = false) => new()
    {
        Inputs = new JsonObject { ["$expand"] = "all", ["$.xgafv"] = "2", ["page"] = new JsonObject { ["size"] = 5 } },
        StepOutputs = id => id == "s" ? s_outputs : null,
        Strict = strict,
        OnLeniency = leniencies == null ? null : leniencies.Add,
    };

    [Theory]
    [InlineData("$steps.s.outputs.items[0].id", "\"a\"")]
    [InlineData("$steps.s.outputs.items[-1].id", "\"b\"")]
    [InlineData("$steps.s.outputs.items[*].id", "[\"a\",\"b\"]")]
    [InlineData("$steps.s.outputs.items[].id", "[\"a\",\"b\"]")]
    [InlineData("$steps.s.outputs.items[*].tags[0]", "[\"x\",\"y\"]")]
    [InlineData("$steps.s.outputs.collections.data[0].id", "\"c1\"")]
    [InlineData("$steps.s.outputs.page[size]", "20")]
    [InlineData("$steps.s.outputs.page['size']", "20")]
    [InlineData("$steps.s.outputs.text.inner[1]", "2")]
    [InlineData("$inputs.$expand", "\"all\"")]
    [InlineData("$inputs.$.xgafv", "\"2\"")]
    [InlineData("$inputs.page[size]", "5")]
    public void BracketsWildcardsAndDollarNamesAreReadWithAdvice(string text, string expected)
    {
        Assert.False(RuntimeExpression.TryParse(text, out _, out _));
        Assert.True(RuntimeExpression.TryParseLenient(text, out var expression, out _));
        Assert.True(expression!.IsLenient);
        Assert.False(string.IsNullOrEmpty(expression.Advice));
        var result = ExpressionEvaluator.Evaluate(expression, Context());
        Assert.True(result.Found, result.Missing);
        Assert.Equal(expected, result.Value!.ToJsonString());
    }

    [Fact]
    public void TheAdviceGivesTheSpecFormWhenThereIsOne()
    {
        RuntimeExpression.TryParseLenient("$steps.s.outputs.items[0].id", out var indexed, out var rewritten);
        Assert.Equal("$steps.s.outputs.items#/0/id", rewritten);
        Assert.Contains("Write '$steps.s.outputs.items#/0/id'", indexed!.Advice);
        RuntimeExpression.TryParseLenient("$steps.s.outputs.items[*].id", out var wildcard, out _);
        Assert.Contains("'$steps.s.outputs.items#/0/id'", wildcard!.Advice);
        RuntimeExpression.TryParseLenient("$inputs.$expand", out var dollar, out _);
        Assert.Contains("starts with '$'", dollar!.Advice);

        Assert.True(RuntimeExpression.TryParseLenient("$response.body#id", out var pointer, out var fixedPointer));
        Assert.Equal("$response.body#/id", fixedPointer);
        Assert.Equal("/id", pointer!.Pointer);
    }

    [Fact]
    public void ANameReadFromAListIsReadFromEveryItemWithAWarningButNotUnderStrict()
    {
        var leniencies = new List<string>();
        var mapped = ExpressionEvaluator.Evaluate(RuntimeExpression.Parse("$steps.s.outputs.items.id"), Context(leniencies));
        Assert.Equal("[\"a\",\"b\"]", mapped.Value!.ToJsonString());
        Assert.Contains(leniencies, l => l.Contains("from every item"));

        var strict = ExpressionEvaluator.Evaluate(RuntimeExpression.Parse("$steps.s.outputs.items.id"), Context(strict: true));
        Assert.False(strict.Found);
    }

    [Fact]
    public void AWholeBodyOutputNamedAfterAMemberIsReadThroughThatMemberWithAdvice()
    {
        var leniencies = new List<string>();
        var context = Context(leniencies);
        context.StepOutputs = id => new JsonObject { ["jobReference"] = JsonNode.Parse("{\"jobReference\": {\"projectId\": \"p1\"}, \"status\": {}}") };
        var result = ExpressionEvaluator.Evaluate(RuntimeExpression.Parse("$steps.s.outputs.jobReference.projectId"), context);
        Assert.Equal("\"p1\"", result.Value!.ToJsonString());
        Assert.Contains(leniencies, l => l.Contains("'$response.body#/jobReference'"));

        context.Strict = true;
        Assert.False(ExpressionEvaluator.Evaluate(RuntimeExpression.Parse("$steps.s.outputs.jobReference.projectId"), context).Found);
    }

    [Fact]
    public void ADottedNameIsFirstReadAsOneKey()
    {
        Assert.Equal("3", ExpressionEvaluator.Evaluate(RuntimeExpression.Parse("$steps.s.outputs.one.two.three"), Context()).Value!.ToJsonString());
        var missing = ExpressionEvaluator.Evaluate(RuntimeExpression.Parse("$steps.s.outputs.items.nothing"), Context());
        Assert.Equal("[]", missing.Value!.ToJsonString());
        Assert.False(ExpressionEvaluator.Evaluate(RuntimeExpression.Parse("$steps.s.outputs.none"), Context()).Found);
    }

    [Fact]
    public void InTemplatesAndBareTextTheWholeLenientNameIsRead()
    {
        var context = Context();
        Assert.Equal("id=a", ExpressionEvaluator.EvaluateValue(JsonValue.Create("id={$steps.s.outputs.items[0].id}"), context, bare: true)!.GetValue<string>());
        Assert.Equal("id a", ExpressionEvaluator.EvaluateValue(JsonValue.Create("id $steps.s.outputs.items[0].id"), context, bare: true)!.GetValue<string>());
    }

    [Fact]
    public async Task TheValidatorWarnsWithTheAdviceAndStrictFailsOnlyThatWorkflow()
    {
        var folder = Directory.CreateTempSubdirectory("arazzo-lenient-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "api.yaml"), "openapi: 3.1.0\ninfo: {title: a, version: '1'}\npaths:\n  /a:\n    get: {operationId: getA, responses: {'200': {description: ok}}}\n");
            var path = Path.Combine(folder, "doc.arazzo.yaml");
            File.WriteAllText(path, """
                arazzo: 1.0.1
                info: {title: t, version: '1'}
                sourceDescriptions: [{name: api, url: ./api.yaml}]
                workflows:
                - workflowId: bends
                  steps:
                  - stepId: list
                    operationId: getA
                    outputs: {items: $response.body#/items, 'Items (all of them)': $response.body}
                  - stepId: one
                    operationId: getA
                    parameters: [{name: q, in: query, value: '$steps.list.outputs.items[0].id'}, {name: r, in: query, value: $steps.gone.outputs.x}]
                - workflowId: clean
                  steps: [{stepId: a, operationId: getA}]
                """);
            var report = await ArazzoValidator.AssessAsync(ArazzoLoader.LoadFile(path), new SourceResolver { AllowRemote = false });
            Assert.All(report.Workflows, w => Assert.True(w.CanRun, w.Reason));
            var warnings = report.For("bends")!.Warnings;
            Assert.Contains(warnings, d => d.Code == "NonStandardExpression" && d.IsLeniency && d.Message.Contains("Write '$steps.list.outputs.items#/0/id'"));
            Assert.Contains(warnings, d => d.Code == "InvalidOutputName" && d.IsLeniency && d.Message.Contains("'Items_all_of_them'"));
            Assert.Contains(warnings, d => d.Code == "UnknownStepReference" && d.IsLeniency && d.Message.Contains("resolves to nothing"));

            var strict = await ArazzoValidator.AssessAsync(ArazzoLoader.LoadFile(path), new SourceResolver { AllowRemote = false }, strict: true);
            Assert.False(strict.For("bends")!.CanRun);
            Assert.True(strict.For("clean")!.CanRun);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
