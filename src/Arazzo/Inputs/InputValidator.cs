// JsonSchema.Net validates: Arazzo inputs are JSON Schema 2020-12 (boolean subschemas, $ref/$defs, unevaluated*), which
// it implements in full on netstandard2.0 over System.Text.Json; NJsonSchema reads draft-4/6 and rejects boolean schemas.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;
using Json.Schema;

namespace Daytona.Arazzo.Inputs
{
    /// <summary>
    /// Prepares workflow inputs before any request: applies schema defaults, converts values where the conversion is
    /// lossless (PowerShell hands many values over as text, or typed where the schema wants text), then validates them
    /// against the inputs schema as JSON Schema 2020-12 (<c>#/components/inputs/…</c> references resolve in the
    /// document). Each finding names the input and the rule it breaks.
    /// </summary>
    public static class InputValidator
    {
        private const int MaxDepth = 256;
        private static readonly Uri s_base = new Uri("https://arazzo.invalid/inputs.schema.json");

        public static (JsonObject Inputs, IReadOnlyList<string> Findings) Prepare(Workflow workflow, JsonObject? given)
        {
            var inputs = (JsonObject?)given?.DeepClone() ?? new JsonObject();
            var schema = InputSchema.For(workflow);
            if (schema == null)
            {
                return (inputs, workflow.Inputs == null ? Array.Empty<string>() : new[] { "The inputs schema could not be read: it is neither an object nor a boolean." });
            }

            if (schema.Boolean is bool allowed)
            {
                return (inputs, allowed ? Array.Empty<string>() : new[] { "The inputs schema is 'false': no inputs are valid." });
            }

            ApplyDefaultsAndConvert(schema, schema.Root, inputs, 0);
            var findings = new List<string>();
            try
            {
                var compiled = JsonSchema.Build(ToElement(schema.Root!), new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 }, s_base);
                var results = compiled.Evaluate(ToElement(inputs), new EvaluationOptions { OutputFormat = OutputFormat.List });
                if (!results.IsValid)
                {
                    foreach (var detail in Flatten(results))
                    {
                        foreach (var error in detail.Errors!)
                        {
                            foreach (var finding in Describe(schema, inputs, detail, error.Key, error.Value))
                            {
                                if (!findings.Contains(finding))
                                {
                                    findings.Add(finding);
                                }
                            }
                        }
                    }
                }
            }
            catch (Exception e) when (e is JsonSchemaException || e is JsonException || e is InvalidOperationException || e is ArgumentException || e is FormatException || e is NotSupportedException)
            {
                findings.Add($"The inputs schema could not be read: {e.Message}");
            }

            return (inputs, findings);
        }

        /// <summary>True for the finding "the required input 'x' is missing".</summary>
        public static bool IsMissingRequired(string finding) => finding.StartsWith("the required input '", StringComparison.Ordinal);

        private static IEnumerable<EvaluationResults> Flatten(EvaluationResults results)
        {
            if (results.Errors?.Count > 0)
            {
                yield return results;
            }

            foreach (var detail in results.Details ?? Enumerable.Empty<EvaluationResults>())
            {
                if (detail.Errors?.Count > 0)
                {
                    yield return detail;
                }
            }
        }

        private static IEnumerable<string> Describe(InputSchema schema, JsonObject inputs, EvaluationResults detail, string keyword, string message)
        {
            var location = detail.InstanceLocation.ToString();
            var name = NameOf(location);
            var rule = Lower(message.TrimEnd('.'));
            if (keyword == "required")
            {
                var missing = MissingRequired(schema, inputs, detail, location).ToList();
                if (missing.Count > 0)
                {
                    return missing.Select(m => $"the required input '{(name == null ? m : name + "." + m)}' is missing");
                }
            }

            if (keyword.Length == 0 && name != null)
            {
                var evaluated = detail.EvaluationPath.ToString();
                return evaluated.EndsWith("/additionalProperties", StringComparison.Ordinal) || evaluated.EndsWith("/unevaluatedProperties", StringComparison.Ordinal)
                    ? new[] { $"'{name}' is not an input of this workflow (its schema allows no other inputs)" }
                    : new[] { $"'{name}' is not allowed (its schema is 'false')" };
            }

            if (keyword.Length == 0)
            {
                return new[] { "The inputs schema is 'false': no inputs are valid." };
            }

            return new[] { name == null ? $"the inputs break the rule '{keyword}': {rule}" : $"'{name}' breaks the rule '{keyword}': {rule}" };
        }

        /// <summary>Names a required rule misses, read from the schema it belongs to (the library's message is prose).</summary>
        private static IEnumerable<string> MissingRequired(InputSchema schema, JsonObject inputs, EvaluationResults detail, string location)
        {
            var fragment = detail.SchemaLocation?.Fragment;
            var owner = fragment != null && fragment.Length > 1 ? schema.Follow(fragment) : fragment == "#" || string.IsNullOrEmpty(fragment) ? schema.Root : null;
            if (!(owner is JsonObject ownerSchema && ownerSchema["required"] is JsonArray required)
                || !JsonUtil.TryResolvePointer(inputs, location, out var instance) || !(instance is JsonObject value))
            {
                return Enumerable.Empty<string>();
            }

            return required.OfType<JsonValue>().Select(n => n.TryGetValue<string>(out var text) ? text : null)
                .Where(n => n != null && !value.ContainsKey(n)).Cast<string>();
        }

        private static string? NameOf(string pointer)
        {
            if (string.IsNullOrEmpty(pointer) || pointer == "/")
            {
                return null;
            }

            return string.Join(".", RuntimeExpression.PointerTokens(pointer));
        }

        private static string Lower(string text) => text.Length > 1 && char.IsUpper(text[0]) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text.Substring(1) : text;

        private static JsonElement ToElement(JsonNode node)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = MaxDepth }))
            {
                node.WriteTo(writer);
            }

            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth });
            return document.RootElement.Clone();
        }

        /// <summary>
        /// Fills absent inputs from their schema's <c>default</c> and converts given values losslessly to the declared
        /// type: "5" → 5 for an integer, "true" → true for a boolean, 5 or $true → "5"/"true" for a string.
        /// </summary>
        private static void ApplyDefaultsAndConvert(InputSchema schema, JsonNode? objectSchema, JsonObject inputs, int depth)
        {
            if (depth > 16)
            {
                return;
            }

            foreach (var property in schema.Properties(objectSchema))
            {
                if (!(property.Value is JsonObject propertySchema))
                {
                    continue;
                }

                if (!inputs.ContainsKey(property.Key))
                {
                    if (propertySchema.TryGetPropertyValue("default", out var defaultValue))
                    {
                        inputs[property.Key] = defaultValue?.DeepClone();
                    }

                    continue;
                }

                var value = inputs[property.Key];
                var types = schema.Types(propertySchema);
                if (value is JsonObject nested)
                {
                    ApplyDefaultsAndConvert(schema, propertySchema, nested, depth + 1);
                }
                else if (value is JsonValue scalar && types.Count > 0 && !types.Any(t => Matches(scalar, t)))
                {
                    foreach (var type in types)
                    {
                        if (Convert(scalar, type) is JsonValue converted)
                        {
                            inputs[property.Key] = converted;
                            break;
                        }
                    }
                }
            }
        }

        private static bool Matches(JsonValue value, string type) => type switch
        {
            "string" => value.TryGetValue<string>(out _),
            "boolean" => value.TryGetValue<bool>(out _),
            "integer" => JsonUtil.TryGetNumber(value, out var n) && Math.Floor(n) == n,
            "number" => JsonUtil.TryGetNumber(value, out _),
            _ => false,
        };

        private static JsonValue? Convert(JsonValue value, string type)
        {
            if (value.TryGetValue<string>(out var text))
            {
                switch (type)
                {
                    case "integer" when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer):
                        return JsonValue.Create(integer);
                    case "number" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !double.IsInfinity(number):
                        return JsonValue.Create(number);
                    case "boolean" when bool.TryParse(text, out var flag):
                        return JsonValue.Create(flag);
                }

                return null;
            }

            // Lossless: 5 → "5", $true → "true" (PowerShell hands many values over typed).
            return type == "string" && (JsonUtil.TryGetNumber(value, out _) || value.TryGetValue<bool>(out _)) ? JsonValue.Create(value.ToJsonString()) : null;
        }
    }
}
