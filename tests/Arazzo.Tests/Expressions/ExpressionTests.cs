using System.Text.Json.Nodes;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Yaml;

namespace Arazzo.Tests.Expressions;

public class ExpressionTests
{
    [Theory]
    [InlineData("$statusCode", ExpressionSource.StatusCode, null, null, null)]
    [InlineData("$response.body#/id", ExpressionSource.Response, "body", null, "/id")]
    [InlineData("$response.header.Retry-After", ExpressionSource.Response, "header", "Retry-After", null)]
    [InlineData("$inputs.customer#/address/city", ExpressionSource.Inputs, null, "customer", "/address/city")]
    [InlineData("$steps.create-snapshot.outputs.snapshotId", ExpressionSource.Steps, null, "snapshotId", null)]
    [InlineData("$workflows.login.outputs.token#/value", ExpressionSource.Workflows, null, "token", "/value")]
    [InlineData("$sourceDescriptions.snapshotsApi.createSnapshot", ExpressionSource.SourceDescriptions, null, "createSnapshot", null)]
    [InlineData("$components.parameters.page", ExpressionSource.Components, null, "page", null)]
    public void ParsesEachSource(string text, ExpressionSource source, string? part, string? name, string? pointer)
    {
        var expression = RuntimeExpression.Parse(text);
        Assert.Equal(source, expression.Source);
        Assert.Equal(part, expression.Part);
        Assert.Equal(name, expression.Name);
        Assert.Equal(pointer, expression.Pointer);
    }

    [Theory]
    [InlineData("$steps.a.outputs")]
    [InlineData("$response.bodyx")]
    [InlineData("$response.body#id")]
    [InlineData("$response.body#/a~2")]
    [InlineData("$workflows.x.params.y")]
    [InlineData("$components.schemas.x")]
    [InlineData("$unknown.thing")]
    [InlineData("$inputs.")]
    public void RefusesMalformedExpressions(string text) => Assert.False(RuntimeExpression.TryParse(text, out _, out var error) && error == null);

    [Fact]
    public void EvaluatesAgainstAContextKeepingTypes()
    {
        var context = new ExpressionContext
        {
            StatusCode = 201,
            Inputs = new JsonObject { ["name"] = "demo", ["cpu"] = 2 },
            Response = new HttpMessageData { BodyText = "{\"id\":\"abc\",\"items\":[{\"n\":1}]}" },
            StepOutputs = id => id == "create" ? new JsonObject { ["id"] = "abc" } : null,
        };
        context.Response.Headers["X-Rate"] = "10";

        Assert.Equal(201, ExpressionEvaluator.Evaluate(RuntimeExpression.Parse("$statusCode"), context).Value!.GetValue<int>());
        Assert.Equal(1, ExpressionEvaluator.Evaluate(RuntimeExpression.Parse("$response.body#/items/0/n"), context).Value!.GetValue<int>());
        Assert.Equal("10", ExpressionEvaluator.Evaluate(RuntimeExpression.Parse("$response.header.x-rate"), context).Value!.GetValue<string>());
        var missing = ExpressionEvaluator.Evaluate(RuntimeExpression.Parse("$steps.activate.outputs.state"), context);
        Assert.False(missing.Found);
        Assert.Equal("activate", missing.MissingStep);

        var payload = YamlJson.Parse("name: $inputs.name\ncpu: $inputs.cpu\nlabel: 'snap-{$inputs.name}-{$statusCode}'\nauth: Bearer $inputs.name\nplain: $5 off");
        var evaluated = ExpressionEvaluator.EvaluateValue(payload, context, bare: true)!;
        Assert.Equal("{\"name\":\"demo\",\"cpu\":2,\"label\":\"snap-demo-201\",\"auth\":\"Bearer demo\",\"plain\":\"$5 off\"}", evaluated.ToJsonString());
        var strict = ExpressionEvaluator.EvaluateValue(JsonValue.Create("Bearer $inputs.name"), context, bare: false)!;
        Assert.Equal("Bearer $inputs.name", strict.GetValue<string>());
    }

    [Fact]
    public void FindsBareExpressionsOnlyOutsideBraces()
    {
        Assert.Equal(new[] { "$inputs.apiToken" }, ExpressionTemplate.Bare("Bearer $inputs.apiToken").Select(s => s.Text));
        Assert.Empty(ExpressionTemplate.Bare("Bearer {$inputs.apiToken}"));
        Assert.Empty(ExpressionTemplate.Bare("$inputs.apiToken"));
        Assert.Empty(ExpressionTemplate.Bare("costs US$5"));
        Assert.Equal(new[] { "$inputs.scope" }, ExpressionTemplate.Bare("a={$inputs.a}&scope=$inputs.scope}").Select(s => s.Text));
    }
}
