using System.Text.Json.Nodes;
using Daytona.Arazzo.OpenApi;

namespace Arazzo.Tests.Conformance;

/// <summary>The mock adds a field a workflow reads only where the documented schema permits it, and changes nothing else.</summary>
public sealed class ResponseCompletionTests
{
    private static readonly OpenApiDescription s_description = new("api", JsonNode.Parse("""
        {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
         "components": {"schemas": {
           "Open": {"type": "object", "properties": {"name": {"type": "string"}}},
           "Closed": {"type": "object", "additionalProperties": false, "properties": {"name": {"type": "string"}}},
           "Sealed": {"allOf": [{"$ref": "#/components/schemas/Open"}], "unevaluatedProperties": false},
           "Names": {"type": "array", "items": {"type": "string"}},
           "Order": {"type": "object", "properties": {"sid": {"type": "string", "nullable": true}, "note": {"type": "null"}, "any": {}}}}}}
        """)!, "api.json");

    private static (List<string> Added, string Body) Complete(string body, string schema, params string[] tokens)
    {
        var node = JsonNode.Parse(body);
        var added = ResponseCompletion.Complete(s_description, node, JsonNode.Parse(schema), tokens);
        return (added, node!.ToJsonString());
    }

    [Fact]
    public void AnObjectThatDoesNotCloseItsPropertiesGetsTheFieldAsANonEmptyString()
    {
        var (added, body) = Complete("""{"name":"a"}""", """{"$ref": "#/components/schemas/Open"}""", "game_id");
        Assert.Equal("/game_id", Assert.Single(added));
        var value = JsonNode.Parse(body)!["game_id"]!.GetValue<string>();
        Assert.StartsWith("game_id-", value);
        Assert.Equal("a", JsonNode.Parse(body)!["name"]!.GetValue<string>());
    }

    [Fact]
    public void AClosedSchemaADocumentedScalarAnIndexIntoAnObjectAndANullAreLeftAlone()
    {
        Assert.Empty(Complete("""{"name":"a"}""", """{"$ref": "#/components/schemas/Closed"}""", "id").Added);
        Assert.Empty(Complete("""{"name":"a"}""", """{"$ref": "#/components/schemas/Sealed"}""", "id").Added);
        Assert.Empty(Complete("""{"name":"a"}""", """{"$ref": "#/components/schemas/Open"}""", "name", "first").Added);
        Assert.Empty(Complete("""["x"]""", """{"$ref": "#/components/schemas/Names"}""", "0", "id").Added);
        Assert.Empty(Complete("""{"name":"a"}""", """{"$ref": "#/components/schemas/Open"}""", "0", "id").Added);
        Assert.Empty(Complete("""{"sid":null}""", """{"type": "object"}""", "sid", "id").Added);
        var (none, body) = Complete("""{"name":"a"}""", """{"$ref": "#/components/schemas/Closed"}""", "id");
        Assert.Equal("""{"name":"a"}""", body);
    }

    [Fact]
    public void ANameReadFromAListIsAddedToEachItemAndAnUndescribedPlaceHoldsWhatIsReadBelowIt()
    {
        var (added, body) = Complete("""[{"name":"a"},{"name":"b"}]""", """{"type": "array", "items": {"$ref": "#/components/schemas/Open"}}""", "id");
        Assert.Equal(new[] { "/0/id", "/1/id" }, added);
        Assert.NotNull(JsonNode.Parse(body)![1]!["id"]);

        var (deep, nested) = Complete("""{}""", """{"type": "object"}""", "data", "0", "id");
        Assert.Equal(new[] { "/data", "/data/0/id" }, deep);
        Assert.NotNull(JsonNode.Parse(nested)!["data"]![0]!["id"]);
    }

    [Fact]
    public void AListedPropertyTheExampleLeftOutIsMarkedAsDocumented()
    {
        var (added, body) = Complete("""{}""", """{"$ref": "#/components/schemas/Closed"}""", "name");
        Assert.Equal("/name" + ResponseCompletion.ListedMark, Assert.Single(added));
        Assert.Equal("string", JsonNode.Parse(body)!["name"]!.GetValue<string>());
    }

    [Fact]
    public void ANullTheExampleHoldsWhereTheSchemaDocumentsAValueIsAnsweredWithThatValue()
    {
        var (added, body) = Complete("""{"sid":null,"note":null,"any":null}""", """{"$ref": "#/components/schemas/Order"}""", "sid");
        Assert.Equal("/sid" + ResponseCompletion.NullMark, Assert.Single(added));
        Assert.True(ResponseCompletion.IsDocumented(added[0]));
        Assert.Equal("string", JsonNode.Parse(body)!["sid"]!.GetValue<string>());

        // Only null documented, or nothing documented: the null stays.
        Assert.Empty(Complete("""{"sid":"a","note":null,"any":null}""", """{"$ref": "#/components/schemas/Order"}""", "note").Added);
        var (none, kept) = Complete("""{"sid":"a","note":null,"any":null}""", """{"$ref": "#/components/schemas/Order"}""", "any");
        Assert.Empty(none);
        Assert.Null(JsonNode.Parse(kept)!["any"]);
    }
}
