using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;

namespace Arazzo.Tests.Conformance;

/// <summary>
/// The mock stands for the live server a workflow was written against. A JSON Schema object that does not say
/// <c>additionalProperties: false</c> allows properties it does not list, and live APIs send fields their descriptions
/// omit; so when the workflow reads a field from a step's response body that the documented answer lacks, the mock adds
/// it — only where the documented schema at that place permits it (an object not closed by <c>additionalProperties:
/// false</c> / <c>unevaluatedProperties: false</c>, or a place the description leaves undescribed), never as a property
/// named by an index (<c>/0/</c> of an object), never below a documented scalar or a null the schema does not describe, never in a
/// response documented without a body, never changing a documented type. Everything else of the answer stays as the
/// description documents it. Each addition is named, so the corpus report counts the successes that relied on one.
/// </summary>
internal static class ResponseCompletion
{
    private const int MaxDepth = 16;

    /// <summary>Marks an addition the schema lists (only the documented example left it out): not a field the description omits.</summary>
    public const string ListedMark = " (listed by the schema, absent from its example)";

    /// <summary>Marks a value the schema documents where its example holds null: not a field the description omits.</summary>
    public const string NullMark = " (documented by the schema, null in its example)";

    /// <summary>
    /// What the workflow reads from the step's response body, as pointer tokens: each step output read from the body
    /// (<c>$response.body#/a/b</c>, <c>$response.body.a.b</c>), extended by what the workflow's later expressions read
    /// into that output (<c>$steps.s.outputs.list[0].id</c> reads <c>…/0/id</c> below it).
    /// </summary>
    public static List<IReadOnlyList<string>> BodyReads(Workflow? workflow, Step step, JsonNode? documentRoot)
    {
        var reads = new List<IReadOnlyList<string>>();
        var outputs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var output in step.Outputs)
        {
            if (output.Value is JsonValue value && value.TryGetValue<string>(out var text)
                && RuntimeExpression.TryParseLenient(text.Trim(), out var expression, out _) && expression is { Source: ExpressionSource.Response, Part: "body" })
            {
                var tokens = RuntimeExpression.PointerTokens(expression.Pointer ?? string.Empty);
                outputs[output.Name] = tokens;
                if (tokens.Count > 0)
                {
                    reads.Add(tokens);
                }
            }
        }

        if (outputs.Count == 0 || workflow == null || documentRoot == null)
        {
            return reads;
        }

        var pattern = new Regex(@"\$steps\." + Regex.Escape(step.StepId) + @"\.(?:outputs\.)?[^\s{}'""(),]+", RegexOptions.CultureInvariant);
        var node = (documentRoot["workflows"] as JsonArray)?.FirstOrDefault(w => w is JsonObject o && o["workflowId"] is JsonValue id && id.TryGetValue<string>(out var name) && name == workflow.WorkflowId);
        foreach (var text in Strings(node, 0))
        {
            foreach (Match match in pattern.Matches(text))
            {
                if (!RuntimeExpression.TryParseLenient(match.Value.TrimEnd('.', ']', ';'), out var expression, out _) || expression is not { Source: ExpressionSource.Steps } || expression.Segments.Count == 0)
                {
                    if (expression?.Source == ExpressionSource.Steps && expression.Name != null && outputs.TryGetValue(expression.Name, out var whole) && !string.IsNullOrEmpty(expression.Pointer))
                    {
                        reads.Add(whole.Concat(RuntimeExpression.PointerTokens(expression.Pointer!)).ToList());
                    }

                    continue;
                }

                // The output is the longest run of leading names that is an output's name (names may hold dots).
                var segments = expression.Segments;
                for (var take = segments.Count; take >= 1; take--)
                {
                    if (segments.Take(take).All(s => s.Kind == NameSegmentKind.Name) && outputs.TryGetValue(string.Join(".", segments.Take(take).Select(s => s.Text)), out var read))
                    {
                        var below = segments.Skip(take).Select(s => s.Kind == NameSegmentKind.Wildcard ? "*" : s.Kind == NameSegmentKind.Index ? s.Index.ToString(CultureInfo.InvariantCulture) : s.Text!)
                            .Concat(RuntimeExpression.PointerTokens(expression.Pointer ?? string.Empty)).ToList();
                        if (below.Count > 0)
                        {
                            reads.Add(read.Concat(below).ToList());
                        }

                        break;
                    }
                }
            }
        }

        return reads;
    }

    /// <summary>
    /// Adds to <paramref name="body"/> what <paramref name="tokens"/> reads, where the schema permits it; returns the
    /// pointers of the fields added (empty when nothing was added or nothing could be), each marked when the schema
    /// lists the property and only the documented example left it out.
    /// </summary>
    public static List<string> Complete(OpenApiDescription description, JsonNode? body, JsonNode? schema, IReadOnlyList<string> tokens)
    {
        var added = new List<string>();
        Walk(description, body, schema, tokens, 0, string.Empty, added, 0);
        return added;
    }

    private static void Walk(OpenApiDescription description, JsonNode? node, JsonNode? schemaNode, IReadOnlyList<string> tokens, int index, string at, List<string> added, int depth)
    {
        if (index >= tokens.Count || depth > MaxDepth)
        {
            return;
        }

        var schema = description.Resolve(schemaNode) as JsonObject;
        var token = tokens[index];
        var isIndex = int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var position);
        switch (node)
        {
            case JsonArray list:
                {
                    var items = Option(description, schema, "items", depth);
                    if (isIndex)
                    {
                        if (position < list.Count)
                        {
                            Walk(description, list[position], items, tokens, index + 1, at + "/" + token, added, depth + 1);
                        }

                        return;
                    }

                    // A name read from a list is read from every item (the engine's lenient mapping): complete each.
                    var from = token == "*" ? index + 1 : index;
                    for (var i = 0; i < list.Count; i++)
                    {
                        Walk(description, list[i], items, tokens, from, at + "/" + i.ToString(CultureInfo.InvariantCulture), added, depth + 1);
                    }

                    return;
                }

            case JsonObject obj:
                {
                    if (token == "*")
                    {
                        foreach (var pair in obj.ToList())
                        {
                            Walk(description, pair.Value, PropertySchema(description, schema, pair.Key, depth), tokens, index + 1, at + "/" + pair.Key, added, depth + 1);
                        }

                        return;
                    }

                    if (obj.TryGetPropertyValue(token, out var child))
                    {
                        var childSchema = PropertySchema(description, schema, token, depth);
                        if (child == null && !isIndex && Documented(description, childSchema, index == tokens.Count - 1 ? null : tokens[index + 1], token, at, depth) is JsonNode documented)
                        {
                            // A null the example holds where the schema documents a value (a nullable id not set yet)
                            // is a server before that value exists, as an empty list is one with nothing in it.
                            obj[token] = documented;
                            added.Add(at + "/" + token + NullMark);
                            child = documented;
                        }

                        Walk(description, child, childSchema, tokens, index + 1, at + "/" + token, added, depth + 1);
                        return;
                    }

                    // An index read from an object is a defect of the document, not a field the description omits.
                    if (isIndex || !Permits(description, schema, token, depth))
                    {
                        return;
                    }

                    var propertySchema = PropertySchema(description, schema, token, depth);
                    var listed = Listed(description, schema, token, depth);
                    var value = index == tokens.Count - 1 ? Leaf(description, propertySchema, token, at) : Container(description, propertySchema, tokens[index + 1], depth);
                    if (value == null)
                    {
                        return;
                    }

                    obj[token] = value;
                    added.Add(at + "/" + token + (listed ? ListedMark : string.Empty));
                    Walk(description, value, propertySchema, tokens, index + 1, at + "/" + token, added, depth + 1);
                    return;
                }

            default:
                // A documented scalar, or a null the documented example holds: nothing below it can be read.
                return;
        }
    }

    /// <summary>True when an object schema at this place admits a property named <paramref name="token"/>.</summary>
    private static bool Permits(OpenApiDescription description, JsonObject? schema, string token, int depth)
    {
        if (schema == null || depth > MaxDepth)
        {
            return true;
        }

        if (HasProperty(schema, token))
        {
            return true;
        }

        var type = schema["type"];
        if (type is JsonValue one && one.TryGetValue<string>(out var name) && name != "object")
        {
            return false;
        }

        if (type is JsonArray many && !many.Any(t => JsonUtil.Render(t) == "object"))
        {
            return false;
        }

        if (IsFalse(schema["additionalProperties"]) || IsFalse(schema["unevaluatedProperties"]))
        {
            return false;
        }

        foreach (var part in (schema["allOf"] as JsonArray ?? new JsonArray()).Select(p => description.Resolve(p) as JsonObject).OfType<JsonObject>())
        {
            if (!HasProperty(part, token) && !Permits(description, part, token, depth + 1))
            {
                return false;
            }
        }

        foreach (var choice in new[] { "oneOf", "anyOf" })
        {
            if (schema[choice] is JsonArray options && options.Count > 0 && !options.Select(o => description.Resolve(o) as JsonObject).Any(o => Permits(description, o, token, depth + 1)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the schema lists the property (the example just left it out).</summary>
    private static bool Listed(OpenApiDescription description, JsonObject? schema, string token, int depth) =>
        schema != null && depth <= MaxDepth && (HasProperty(schema, token)
            || new[] { "allOf", "oneOf", "anyOf" }.Any(k => (schema[k] as JsonArray ?? new JsonArray()).Select(p => description.Resolve(p) as JsonObject).Any(p => Listed(description, p, token, depth + 1))));

    /// <summary>
    /// What the schema documents at a place the example holds null, when the schema documents a value there (a type
    /// other than null); null when it documents nothing else (no schema, or only null).
    /// </summary>
    private static JsonNode? Documented(OpenApiDescription description, JsonNode? propertySchema, string? next, string token, string at, int depth)
    {
        if (description.Resolve(propertySchema) is not JsonObject schema || !DocumentsAValue(description, schema, depth))
        {
            return null;
        }

        return next == null ? Leaf(description, propertySchema, token, at) : Container(description, propertySchema, next, depth);
    }

    private static bool DocumentsAValue(OpenApiDescription description, JsonObject schema, int depth) =>
        depth <= MaxDepth && (schema["type"] switch
        {
            JsonValue one => JsonUtil.Render(one) != "null",
            JsonArray many => many.Any(t => JsonUtil.Render(t) != "null"),
            _ => schema["properties"] != null || new[] { "allOf", "oneOf", "anyOf" }.Any(k => (schema[k] as JsonArray ?? new JsonArray()).Select(p => description.Resolve(p) as JsonObject).OfType<JsonObject>().Any(p => DocumentsAValue(description, p, depth + 1))),
        });

    /// <summary>True for an addition the description documents (a listed property its example omits, or a value where the example holds null).</summary>
    public static bool IsDocumented(string addition) => addition.EndsWith(ListedMark, StringComparison.Ordinal) || addition.EndsWith(NullMark, StringComparison.Ordinal);

    private static bool HasProperty(JsonObject schema, string token) => schema["properties"] is JsonObject properties && properties.ContainsKey(token);

    private static bool IsFalse(JsonNode? node) => node is JsonValue flag && flag.TryGetValue<bool>(out var allowed) && !allowed;

    /// <summary>The schema of a property: listed (also in allOf/oneOf/anyOf parts), else additionalProperties' schema, else undescribed.</summary>
    private static JsonNode? PropertySchema(OpenApiDescription description, JsonObject? schema, string token, int depth)
    {
        if (schema == null || depth > MaxDepth)
        {
            return null;
        }

        if (schema["properties"] is JsonObject properties && properties.TryGetPropertyValue(token, out var listed))
        {
            return listed;
        }

        foreach (var key in new[] { "allOf", "oneOf", "anyOf" })
        {
            foreach (var part in (schema[key] as JsonArray ?? new JsonArray()).Select(p => description.Resolve(p) as JsonObject).OfType<JsonObject>())
            {
                if (PropertySchema(description, part, token, depth + 1) is JsonNode found)
                {
                    return found;
                }
            }
        }

        return schema["additionalProperties"] is JsonObject additional ? additional : null;
    }

    private static JsonNode? Option(OpenApiDescription description, JsonObject? schema, string key, int depth)
    {
        if (schema == null || depth > MaxDepth)
        {
            return null;
        }

        if (schema[key] != null)
        {
            return schema[key];
        }

        foreach (var choice in new[] { "allOf", "oneOf", "anyOf" })
        {
            foreach (var part in (schema[choice] as JsonArray ?? new JsonArray()).Select(p => description.Resolve(p) as JsonObject).OfType<JsonObject>())
            {
                if (Option(description, part, key, depth + 1) is JsonNode found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The value of the field the workflow reads last: the documented property's sample when it is listed, else a
    /// non-empty string id — what a workflow reading a field to put in the next request's URL expects.
    /// </summary>
    private static JsonNode? Leaf(OpenApiDescription description, JsonNode? propertySchema, string token, string at)
    {
        var sample = propertySchema == null ? null : SchemaSample.Create(description, propertySchema, 0);
        if (sample is JsonValue value && !(value.TryGetValue<string>(out var text) && text.Length == 0))
        {
            return sample;
        }

        if (sample is JsonObject or JsonArray)
        {
            // A documented container is what it is; the workflow reads the whole of it.
            return sample;
        }

        var hash = (at + "/" + token).Aggregate(17, (h, c) => unchecked((h * 31) + c));
        return JsonValue.Create(token + "-" + ((hash & 0x7fffffff) % 10000).ToString("0000", CultureInfo.InvariantCulture));
    }

    /// <summary>A field the workflow reads below: the documented container's sample, else an object (or a one-item list when an index is read next).</summary>
    private static JsonNode? Container(OpenApiDescription description, JsonNode? propertySchema, string next, int depth)
    {
        var sample = propertySchema == null ? null : SchemaSample.Create(description, propertySchema, 0);
        if (sample is JsonObject or JsonArray)
        {
            return sample;
        }

        if (sample != null)
        {
            // A documented scalar: nothing below it can be read.
            return null;
        }

        return int.TryParse(next, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < 8
            ? new JsonArray(Enumerable.Range(0, index + 1).Select(_ => (JsonNode?)new JsonObject()).ToArray())
            : new JsonObject();
    }

    private static IEnumerable<string> Strings(JsonNode? node, int depth)
    {
        if (depth > 64)
        {
            yield break;
        }

        switch (node)
        {
            case JsonValue value when value.TryGetValue<string>(out var text):
                yield return text;
                break;
            case JsonObject obj:
                foreach (var pair in obj)
                {
                    foreach (var text in Strings(pair.Value, depth + 1))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    foreach (var text in Strings(item, depth + 1))
                    {
                        yield return text;
                    }
                }

                break;
        }
    }
}
