using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;
using NJsonSchema;

namespace Daytona.Arazzo.Inputs
{
    /// <summary>
    /// Prepares workflow inputs before any request: resolves <c>#/components/inputs/…</c> references, applies schema
    /// defaults, converts strings to the declared scalar types (PowerShell hands many values over as text), and
    /// validates against the JSON Schema with NJsonSchema.
    /// </summary>
    public static class InputValidator
    {
        public static async Task<(JsonObject Inputs, IReadOnlyList<string> Errors)> PrepareAsync(Workflow workflow, JsonObject? given)
        {
            var inputs = (JsonObject?)given?.DeepClone() ?? new JsonObject();
            if (workflow.Inputs == null)
            {
                return (inputs, Array.Empty<string>());
            }

            var schema = Inline(workflow.Inputs.DeepClone(), workflow.Document.Components, 0);
            ApplyDefaultsAndCoerce(schema, inputs, 0);
            if (schema is JsonValue boolean && boolean.TryGetValue<bool>(out var allowed))
            {
                return (inputs, allowed ? Array.Empty<string>() : new[] { "The inputs schema is 'false': no inputs are valid." });
            }

            var errors = new List<string>();
            try
            {
                var compiled = await JsonSchema.FromJsonAsync(schema!.ToJsonString()).ConfigureAwait(false);
                foreach (var error in compiled.Validate(inputs.ToJsonString()))
                {
                    errors.Add(Describe(error));
                }
            }
            catch (Exception e) when (e is Newtonsoft.Json.JsonException || e is InvalidOperationException || e is NotSupportedException || e is ArgumentException)
            {
                errors.Add($"The inputs schema could not be read: {e.Message}");
            }

            return (inputs, errors);
        }

        /// <summary>True for the finding "the required input 'x' is missing".</summary>
        public static bool IsMissingRequired(string finding) => finding.StartsWith("the required input '", StringComparison.Ordinal);

        private static string Describe(NJsonSchema.Validation.ValidationError error)
        {
            var where = string.IsNullOrEmpty(error.Property) ? (string.IsNullOrEmpty(error.Path) || error.Path == "#" ? "inputs" : error.Path!.TrimStart('#', '/').Replace('/', '.')) : error.Property;
            var text = error.Kind switch
            {
                NJsonSchema.Validation.ValidationErrorKind.PropertyRequired => $"the required input '{error.Property}' is missing",
                NJsonSchema.Validation.ValidationErrorKind.NoAdditionalPropertiesAllowed => $"'{error.Property}' is not an input of this workflow",
                _ => $"'{where}': {SplitWords(error.Kind.ToString())}",
            };
            if (error is NJsonSchema.Validation.ChildSchemaValidationError child)
            {
                var inner = child.Errors.SelectMany(e => e.Value).Select(Describe).FirstOrDefault();
                if (inner != null)
                {
                    text += $" ({inner})";
                }
            }

            return text;
        }

        private static string SplitWords(string kind)
        {
            var builder = new System.Text.StringBuilder();
            foreach (var c in kind)
            {
                if (char.IsUpper(c) && builder.Length > 0)
                {
                    builder.Append(' ');
                }

                builder.Append(char.ToLowerInvariant(c));
            }

            return builder.ToString();
        }

        /// <summary>Replaces <c>$ref: '#/components/inputs/x'</c> by the component schema.</summary>
        private static JsonNode? Inline(JsonNode? schema, Components components, int depth)
        {
            if (depth > 32)
            {
                return schema;
            }

            switch (schema)
            {
                case JsonObject obj:
                    if (obj["$ref"] is JsonValue reference && reference.TryGetValue<string>(out var target) && target.StartsWith("#/components/inputs/", StringComparison.Ordinal))
                    {
                        var tokens = RuntimeExpression.PointerTokens(target.Substring("#/components/inputs".Length));
                        if (tokens.Count > 0 && components.Inputs.TryGetValue(tokens[0], out var component))
                        {
                            var rest = tokens.Count > 1 ? "/" + string.Join("/", tokens.Skip(1).Select(t => t.Replace("~", "~0").Replace("/", "~1"))) : string.Empty;
                            if (JsonUtil.TryResolvePointer(component, rest, out var resolved))
                            {
                                var inlined = Inline(resolved?.DeepClone(), components, depth + 1);
                                if (inlined is JsonObject inlinedObject)
                                {
                                    foreach (var pair in obj.ToList())
                                    {
                                        if (pair.Key != "$ref" && !inlinedObject.ContainsKey(pair.Key))
                                        {
                                            inlinedObject[pair.Key] = pair.Value?.DeepClone();
                                        }
                                    }
                                }

                                return inlined;
                            }
                        }
                    }

                    foreach (var pair in obj.ToList())
                    {
                        obj[pair.Key] = Inline(pair.Value?.DeepClone(), components, depth + 1);
                    }

                    return obj;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        array[i] = Inline(array[i]?.DeepClone(), components, depth + 1);
                    }

                    return array;
                default:
                    return schema;
            }
        }

        private static void ApplyDefaultsAndCoerce(JsonNode? schema, JsonObject inputs, int depth)
        {
            if (depth > 16 || !(schema is JsonObject obj) || !(obj["properties"] is JsonObject properties))
            {
                return;
            }

            foreach (var property in properties)
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
                var type = propertySchema["type"] is JsonValue t ? JsonUtil.Render(t) : null;
                if (value is JsonValue scalar && scalar.TryGetValue<string>(out var text))
                {
                    switch (type)
                    {
                        case "integer" when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer):
                            inputs[property.Key] = JsonValue.Create(integer);
                            break;
                        case "number" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                            inputs[property.Key] = JsonValue.Create(number);
                            break;
                        case "boolean" when bool.TryParse(text, out var flag):
                            inputs[property.Key] = JsonValue.Create(flag);
                            break;
                    }
                }
                else if (value is JsonValue scalarValue && type == "string" && (JsonUtil.TryGetNumber(scalarValue, out _) || scalarValue.TryGetValue<bool>(out _)))
                {
                    // Lossless: 5 → "5", $true → "true" (PowerShell hands many values over typed).
                    inputs[property.Key] = JsonValue.Create(scalarValue.ToJsonString());
                }
                else if (value is JsonObject nested)
                {
                    ApplyDefaultsAndCoerce(propertySchema, nested, depth + 1);
                }
            }
        }
    }
}
