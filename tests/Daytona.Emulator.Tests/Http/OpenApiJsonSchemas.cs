// Hand-written: no library turns an OpenAPI 3.0 schema (nullable, boolean exclusive bounds, components refs) into JSON Schema; the validation is JsonSchema.Net's.
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.OpenApi.Models;
using Microsoft.OpenApi.Writers;

namespace Daytona.Emulator.Tests.Http;

/// <summary>
/// The schemas of an OpenAPI 3.0 description (read by Microsoft.OpenApi) as JSON Schema 2020-12, validated by
/// JsonSchema.Net. OpenAPI 3.0's schema is a dialect: <c>nullable</c> and the boolean <c>exclusiveMinimum</c> /
/// <c>exclusiveMaximum</c> are not JSON Schema, references point into <c>components</c>, and formats such as
/// <c>int32</c> are its own — so each schema Microsoft.OpenApi writes is rewritten into plain JSON Schema (the one job of
/// this class), with every component schema under <c>$defs</c>; the validation is the library's.
/// </summary>
internal sealed class OpenApiJsonSchemas
{
    private const string ComponentPrefix = "#/components/schemas/";

    private static readonly EvaluationOptions Evaluation = new()
    {
        OutputFormat = OutputFormat.List,
        RequireFormatValidation = true,
        FormatRegistry = OpenApiFormats(),
    };

    private readonly JsonObject _definitions = new();
    private readonly ConcurrentDictionary<OpenApiSchema, JsonSchema> _built = new();
    private int _builds;

    public OpenApiJsonSchemas(OpenApiDocument document)
    {
        foreach (var (name, schema) in document.Components?.Schemas ?? new Dictionary<string, OpenApiSchema>())
        {
            _definitions[name] = Convert(Write(schema, inline: true));
        }
    }

    /// <summary>What is wrong with <paramref name="value"/> against <paramref name="schema"/>, one line each ("" prefix: <paramref name="at"/>).</summary>
    public IReadOnlyList<string> Validate(JsonElement value, OpenApiSchema schema, string at)
    {
        var results = For(schema).Evaluate(value, Evaluation);
        return Problems(results, at);
    }

    /// <summary>What is wrong with <paramref name="value"/> against a schema given as JSON Schema text.</summary>
    public static IReadOnlyList<string> Validate(JsonElement value, JsonSchema schema, string at) =>
        Problems(schema.Evaluate(value, Evaluation), at);

    /// <summary>Builds a JSON Schema (2020-12) from its text, in a registry of its own.</summary>
    public static JsonSchema Build(string text, string name) =>
        JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri($"https://daytona.invalid/contract/{name}"));

    /// <summary>The JSON Schema of one OpenAPI schema (a reference or inline), as text: for reading what is checked.</summary>
    public string Text(OpenApiSchema schema) => Document(schema).ToJsonString();

    private JsonSchema For(OpenApiSchema schema) =>
        _built.GetOrAdd(schema, s => Build(Document(s).ToJsonString(), "response-" + Interlocked.Increment(ref _builds).ToString(CultureInfo.InvariantCulture)));

    private JsonObject Document(OpenApiSchema schema)
    {
        var root = Convert(Write(schema, inline: false));
        var document = root is JsonObject o && !o.ContainsKey("$defs") ? o : new JsonObject { ["allOf"] = new JsonArray(root) };
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        document["$defs"] = _definitions.DeepClone();
        return document;
    }

    private static IReadOnlyList<string> Problems(EvaluationResults results, string at)
    {
        if (results.IsValid)
        {
            return Array.Empty<string>();
        }

        var problems = new List<string>();
        foreach (var detail in results.Details ?? new List<EvaluationResults>())
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                problems.Add($"{at}{detail.InstanceLocation}: {keyword}: {message} (schema {detail.EvaluationPath})");
            }
        }

        if (problems.Count == 0)
        {
            problems.Add($"{at}: does not match its schema");
        }

        return problems.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The schema as Microsoft.OpenApi writes it in OpenAPI 3.0 JSON (a reference stays a <c>$ref</c> unless <paramref name="inline"/>).</summary>
    private static JsonNode Write(OpenApiSchema schema, bool inline)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var writer = new OpenApiJsonWriter(text);
        if (inline)
        {
            schema.SerializeAsV3WithoutReference(writer);
        }
        else
        {
            schema.SerializeAsV3(writer);
        }

        writer.Flush();
        return JsonNode.Parse(text.ToString())!;
    }

    /// <summary>Rewrites one OpenAPI 3.0 schema object (and those inside it) into JSON Schema 2020-12.</summary>
    private static JsonNode Convert(JsonNode node)
    {
        if (node is not JsonObject schema)
        {
            return node;
        }

        if (schema["$ref"] is JsonValue reference)
        {
            var target = reference.GetValue<string>();
            return new JsonObject { ["$ref"] = target.StartsWith(ComponentPrefix, StringComparison.Ordinal) ? "#/$defs/" + target[ComponentPrefix.Length..] : target };
        }

        if (schema["properties"] is JsonObject properties)
        {
            foreach (var name in properties.Select(p => p.Key).ToList())
            {
                properties[name] = Convert(properties[name]!.DeepClone());
            }
        }

        foreach (var single in new[] { "items", "additionalProperties", "not" })
        {
            if (schema[single] is JsonObject inner)
            {
                schema[single] = Convert(inner.DeepClone());
            }
        }

        foreach (var list in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (schema[list] is JsonArray parts)
            {
                schema[list] = new JsonArray(parts.Select(p => Convert(p!.DeepClone())).ToArray());
            }
        }

        foreach (var (exclusive, bound) in new[] { ("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum") })
        {
            if (schema[exclusive] is JsonValue flag && flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                schema.Remove(exclusive);
                if (flag.GetValue<bool>() && schema[bound] is { } value)
                {
                    schema.Remove(bound);
                    schema[exclusive] = value.DeepClone();
                }
            }
        }

        foreach (var openApiOnly in new[] { "example", "discriminator", "xml", "externalDocs" })
        {
            schema.Remove(openApiOnly);
        }

        var nullable = schema["nullable"] is JsonValue n && n.GetValueKind() == JsonValueKind.True;
        schema.Remove("nullable");
        if (!nullable)
        {
            return schema;
        }

        if (schema["type"] is JsonValue type)
        {
            schema["type"] = new JsonArray(type.GetValue<string>(), "null");
            if (schema["enum"] is JsonArray values && !values.Any(v => v == null))
            {
                values.Add(null);
            }

            return schema;
        }

        // nullable beside allOf/$ref (as NestJS writes a nullable object): null, or what the rest says.
        return new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "null" }, schema) };
    }

    /// <summary>OpenAPI's own formats: int32/int64 are ranges; float, double, byte, binary and password say nothing checkable here.</summary>
    private static FormatRegistry OpenApiFormats()
    {
        var registry = new FormatRegistry();
        registry.Register(new PredicateFormat("int32", e => e.ValueKind != JsonValueKind.Number || e.TryGetInt32(out _)));
        registry.Register(new PredicateFormat("int64", e => e.ValueKind != JsonValueKind.Number || e.TryGetInt64(out _)));
        foreach (var key in new[] { "float", "double", "byte", "binary", "password" })
        {
            registry.Register(new PredicateFormat(key, _ => true));
        }

        return registry;
    }
}
