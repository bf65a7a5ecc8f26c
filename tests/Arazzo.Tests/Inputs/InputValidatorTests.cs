using System.Text.Json.Nodes;
using Daytona.Arazzo;
using Daytona.Arazzo.Inputs;
using Daytona.Arazzo.Model;

namespace Arazzo.Tests.Inputs;

/// <summary>Workflow inputs as JSON Schema 2020-12: references, boolean schemas, defaults, lossless conversions, findings.</summary>
public sealed class InputValidatorTests
{
    private static Workflow Load(string inputs, string components = "", string workflowId = "w")
    {
        var text = "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows:\n"
            + "- workflowId: w\n  inputs:\n" + Indent(inputs, 4) + "\n  steps: [{stepId: s, operationId: op}]\n"
            + (components.Length == 0 ? string.Empty : "components:\n" + Indent(components, 2) + "\n");
        var loaded = ArazzoLoader.Parse(text);
        Assert.NotNull(loaded.Document);
        return loaded.Document!.FindWorkflow(workflowId)!;
    }

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Trim('\n').Split('\n').Select(l => new string(' ', spaces) + l));

    private static (JsonObject Inputs, IReadOnlyList<string> Findings) Prepare(Workflow workflow, string given) =>
        InputValidator.Prepare(workflow, (JsonObject)JsonNode.Parse(given)!);

    [Fact]
    public void ABooleanSubschemaForbidsItsPropertyAndNamesIt()
    {
        var workflow = Load("""
            type: object
            properties:
              name: {type: string}
              legacy: false
              anything: true
            """);
        var (_, findings) = Prepare(workflow, """{"name":"x","anything":[1,{"a":2}]}""");
        Assert.Empty(findings);

        (_, findings) = Prepare(workflow, """{"name":"x","legacy":1}""");
        var finding = Assert.Single(findings);
        Assert.Equal("'legacy' is not allowed (its schema is 'false')", finding);
        Assert.False(InputValidator.IsMissingRequired(finding));
    }

    [Fact]
    public void ABooleanInputsSchemaAcceptsEverythingOrNothing()
    {
        Assert.Empty(Prepare(Load("true"), """{"a":1}""").Findings);
        Assert.Equal("The inputs schema is 'false': no inputs are valid.", Assert.Single(Prepare(Load("false"), "{}").Findings));
    }

    [Fact]
    public void ComponentInputsResolveThroughRefsAtAnyDepthWithDefaultsAndRequired()
    {
        var workflow = Load("""
            $ref: '#/components/inputs/order'
            """, """
            inputs:
              order:
                type: object
                required: [petId, quantity]
                properties:
                  petId: {$ref: '#/components/inputs/id'}
                  quantity: {type: integer, minimum: 1, default: 1}
                  store: {$ref: '#/components/inputs/store'}
              id: {type: integer}
              store: {type: string, default: main}
            """);
        Assert.Equal(new[] { "petId", "quantity", "store" }, workflow.InputNames);

        var (inputs, findings) = Prepare(workflow, """{"petId":"12"}""");
        Assert.Empty(findings);
        Assert.Equal("""{"petId":12,"quantity":1,"store":"main"}""", inputs.ToJsonString());

        (_, findings) = Prepare(workflow, """{"quantity":0}""");
        Assert.Contains("the required input 'petId' is missing", findings);
        Assert.Contains(findings, f => f.StartsWith("'quantity' breaks the rule 'minimum'", StringComparison.Ordinal));
        Assert.True(InputValidator.IsMissingRequired(findings.First(f => f.Contains("petId"))));
    }

    [Fact]
    public void DefsOfTheInputsSchemaResolveAgainstTheSchemaItself()
    {
        var workflow = Load("""
            type: object
            properties:
              size: {$ref: '#/$defs/size'}
            $defs:
              size: {enum: [small, large]}
            """);
        Assert.Empty(Prepare(workflow, """{"size":"small"}""").Findings);
        var finding = Assert.Single(Prepare(workflow, """{"size":"huge"}""").Findings);
        Assert.StartsWith("'size' breaks the rule 'enum'", finding);
    }

    [Fact]
    public void DefsOfAComponentResolveInsideTheComponent()
    {
        var workflow = Load("""
            $ref: '#/components/inputs/listing'
            """, """
            inputs:
              listing:
                type: object
                properties:
                  limit: {$ref: '#/$defs/page'}
                $defs:
                  page: {type: integer, maximum: 50}
            """);
        var (inputs, findings) = Prepare(workflow, """{"limit":"7"}""");
        Assert.Empty(findings);
        Assert.Equal(7, inputs["limit"]!.GetValue<long>());
        Assert.StartsWith("'limit' breaks the rule 'maximum'", Assert.Single(Prepare(workflow, """{"limit":70}""").Findings));
    }

    [Fact]
    public void ValuesAreConvertedOnlyWhereTheConversionIsLossless()
    {
        var workflow = Load("""
            type: object
            properties:
              count: {type: integer}
              ratio: {type: number}
              flag: {type: boolean}
              label: {type: string}
              either: {type: [integer, string]}
              nested:
                type: object
                properties:
                  depth: {type: integer}
                  note: {type: string, default: none}
            """);
        var (inputs, findings) = Prepare(workflow, """{"count":"5","ratio":"0.5","flag":"true","label":5,"either":"7","nested":{"depth":"2"}}""");
        Assert.Empty(findings);
        Assert.Equal("""{"count":5,"ratio":0.5,"flag":true,"label":"5","either":"7","nested":{"depth":2,"note":"none"}}""", inputs.ToJsonString());

        (inputs, findings) = Prepare(workflow, """{"count":"5.5","label":true}""");
        Assert.Equal("5.5", inputs["count"]!.GetValue<string>());
        Assert.Equal("true", inputs["label"]!.GetValue<string>());
        Assert.StartsWith("'count' breaks the rule 'type'", Assert.Single(findings));
    }

    [Fact]
    public void ANonObjectInputsSchemaIsValidatedAsWritten()
    {
        var workflow = Load("""
            type: array
            """);
        var finding = Assert.Single(Prepare(workflow, "{}").Findings);
        Assert.StartsWith("the inputs break the rule 'type'", finding);

        var anyOf = Load("""
            anyOf:
            - {required: [id]}
            - {required: [name]}
            """);
        Assert.Empty(Prepare(anyOf, """{"name":"x"}""").Findings);
        Assert.NotEmpty(Prepare(anyOf, """{"other":"x"}""").Findings);
    }

    [Fact]
    public void AdditionalAndUnevaluatedPropertiesNameTheInputThatIsNotDeclared()
    {
        var workflow = Load("""
            type: object
            allOf: [{properties: {a: {type: string}}}]
            properties: {b: {type: string}}
            unevaluatedProperties: false
            """);
        Assert.Empty(Prepare(workflow, """{"a":"x","b":"y"}""").Findings);
        Assert.Equal("'c' is not an input of this workflow (its schema allows no other inputs)", Assert.Single(Prepare(workflow, """{"a":"x","c":1}""").Findings));
    }

    [Fact]
    public void ASchemaThatCannotBeReadIsAFindingNotACrash()
    {
        var unresolved = Load("""
            $ref: 'https://schemas.example/inputs.json'
            """);
        Assert.StartsWith("The inputs schema could not be read", Assert.Single(Prepare(unresolved, "{}").Findings));

        var mistyped = Load("""
            type: object
            properties: {n: {minimum: many}}
            """);
        Assert.StartsWith("The inputs schema could not be read", Assert.Single(Prepare(mistyped, """{"n":1}""").Findings));
    }
}
