using System.Text.Json.Nodes;
using Daytona.Arazzo.Criteria;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;

namespace Arazzo.Tests.Criteria;

public class ConditionTests
{
    private static ExpressionContext Context() => new()
    {
        StatusCode = 200,
        Inputs = new JsonObject { ["limit"] = 5, ["name"] = "Demo" },
        Response = new HttpMessageData { BodyText = "{\"state\":\"inactive\",\"items\":[{\"id\":1},{\"id\":2}],\"count\":\"7\",\"ok\":true}", ContentType = "application/json" },
    };

    [Theory]
    [InlineData("$statusCode == 200", true)]
    [InlineData("$statusCode != 200", false)]
    [InlineData("$statusCode >= 200 && $statusCode < 300", true)]
    [InlineData("$statusCode == 404 || $statusCode == 200", true)]
    [InlineData("!($statusCode == 200)", false)]
    [InlineData("$response.body#/state == 'INACTIVE'", true)]
    [InlineData("$response.body#/count > 6", true)]
    [InlineData("$response.body#/count < $inputs.limit", false)]
    [InlineData("$response.body#/items[1].id == 2", false)]
    [InlineData("$response.body.items[1].id == 2", true)]
    [InlineData("$response.body.items.length == 2", true)]
    [InlineData("$response.body#/ok", true)]
    [InlineData("$response.body#/missing == null", true)]
    [InlineData("$inputs.name == 'demo'", true)]
    [InlineData("'it''s' == 'IT''S'", true)]
    [InlineData("(1 < 2) && (2.5 >= 2.5)", true)]
    public void SimpleConditions(string condition, bool expected) =>
        Assert.Equal(expected, SimpleCondition.Parse(condition).Evaluate(Context()));

    [Theory]
    [InlineData("$statusCode ==")]
    [InlineData("$statusCode == 'open")]
    [InlineData("(true")]
    [InlineData("$nothing == 1")]
    [InlineData("200 200")]
    public void MalformedConditionsAreRefused(string condition) => Assert.False(SimpleCondition.TryParse(condition, out _, out _));

    [Fact]
    public void DoubleQuotedStringsAreNoticed()
    {
        Assert.True(SimpleCondition.Parse("$response.body#/state == \"inactive\"").UsesDoubleQuotes);
        Assert.False(SimpleCondition.Parse("$response.body#/state == 'inactive'").UsesDoubleQuotes);
    }

    [Theory]
    [InlineData("jsonpath", "$.items[?@.id == 2]", true)]
    [InlineData("jsonpath", "$.items[?@.id == 3]", false)]
    [InlineData("jsonpath", "$[?@.state == 'inactive']", true)]
    [InlineData("jsonpath", "$[?$.state == 'inactive']", true)]
    [InlineData("jsonpath", "$[?@.state == 'active']", false)]
    [InlineData("jsonpath", "$.state == \"inactive\"", true)]
    [InlineData("jsonpath", "$.state == \"active\"", false)]
    [InlineData("jsonpath", "$.state == \"error\" || $.state == \"inactive\"", true)]
    [InlineData("regex", "^2\\d\\d$", true)]
    public void TypedCriteria(string type, string condition, bool expected)
    {
        var criterion = Make(type, type == "regex" ? "$statusCode" : "$response.body", condition);
        var outcome = CriterionEvaluator.Evaluate(criterion, Context());
        Assert.Null(outcome.Error);
        Assert.Equal(expected, outcome.Satisfied);
    }

    [Fact]
    public void AFilterOverAnObjectContextMatchesTheObjectItselfOnlyLeniently()
    {
        var criterion = Make("jsonpath", "$response.body", "$[?@.state == 'inactive']");
        var lenient = CriterionEvaluator.Evaluate(criterion, Context());
        Assert.True(lenient.Satisfied);
        Assert.Contains("$[?$.state == 'inactive']", lenient.Leniency);
        Assert.False(CriterionEvaluator.Evaluate(criterion, Context(), strict: true).Satisfied);
        Assert.Null(CriterionEvaluator.Evaluate(Make("jsonpath", "$response.body", "$[?$.state == 'inactive']"), Context()).Leniency);
    }

    [Fact]
    public void ComparisonStyleJsonPathIsReadAsAFilterOverTheContext()
    {
        Assert.Equal("$[?$.state == \"inactive\"]", CriterionEvaluator.RewriteAsFilter("$.state == \"inactive\""));
        Assert.Equal("$[?$.a == 'x' && $['b'] != 1]", CriterionEvaluator.RewriteAsFilter("$.a == 'x' && $['b'] != 1"));
        Assert.Null(CriterionEvaluator.RewriteAsFilter("$[?@.a == 1]"));
        Assert.True(CriterionEvaluator.EvaluateJsonPath("$.state != \"x\"", JsonNode.Parse("{}"), out _));
        Assert.False(CriterionEvaluator.EvaluateJsonPath("$.state == \"x\"", JsonNode.Parse("[]"), out _));
        Assert.True(CriterionEvaluator.EvaluateJsonPath("$.state == \"inactive\"", JsonNode.Parse("{\"state\":\"inactive\"}"), out var lenient));
        Assert.True(lenient);
        Assert.True(CriterionEvaluator.EvaluateJsonPath("$.items", JsonNode.Parse("{\"items\":[]}"), out lenient));
        Assert.False(lenient);
    }

    [Fact]
    public void XPathCriteriaReadXmlBodies()
    {
        var context = new ExpressionContext { Response = new HttpMessageData { BodyText = "<pet><status>available</status><tags><t>a</t></tags></pet>", ContentType = "application/xml" } };
        context.Response.Body = JsonValue.Create(context.Response.BodyText);
        Assert.True(CriterionEvaluator.Evaluate(Make("xpath", "$response.body", "/pet/status = 'available'"), context).Satisfied);
        Assert.True(CriterionEvaluator.Evaluate(Make("xpath", "$response.body", "count(//t) = 1"), context).Satisfied);
        Assert.False(CriterionEvaluator.Evaluate(Make("xpath", "$response.body", "/pet/name"), context).Satisfied);
        var broken = CriterionEvaluator.Evaluate(Make("xpath", "$response.body", "/pet/[["), context);
        Assert.False(broken.Satisfied);
        Assert.NotNull(broken.Error);
    }

    private static Criterion Make(string type, string context, string condition)
    {
        var loaded = Daytona.Arazzo.ArazzoLoader.Parse($$"""
            arazzo: 1.0.1
            info: {title: t, version: '1'}
            sourceDescriptions: [{name: a, url: a.yaml}]
            workflows:
            - workflowId: w
              steps:
              - stepId: s
                operationId: op
                successCriteria:
                - context: '{{context}}'
                  type: {{type}}
                  condition: '{{condition.Replace("'", "''")}}'
            """);
        return loaded.Document!.Workflows[0].Steps[0].SuccessCriteria[0];
    }
}
