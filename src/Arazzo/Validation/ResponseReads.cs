using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;

namespace Daytona.Arazzo.Validation
{
    /// <summary>
    /// Finds step outputs that read from the response body what the operation's documented success response cannot
    /// contain (a property its schema does not list, a name read from a list, any value of a response documented
    /// without a body) and warns at load time, naming the step, the expression and what the description documents:
    /// such a value is empty at run time, and a step that puts it in a URL fails there. Reads the workflow's later
    /// expressions make below such an output (<c>$steps.s.outputs.list.id</c>) are checked the same way. A place the
    /// description leaves undescribed (no schema, <c>{}</c>, <c>{type: object}</c> without members) is named too: what is
    /// read there is not documented. A schema that declares the place open (additionalProperties, patternProperties) is
    /// taken at its word: anything may be there.
    /// </summary>
    internal static class ResponseReads
    {
        private const int MaxDepth = 32;
        private static readonly Regex s_wantedStatus = new Regex(@"\$statusCode\s*==\s*(\d{3})\b|\b(\d{3})\s*==\s*\$statusCode", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));

        public static void Check(DiagnosticBag bag, Workflow workflow, Step step, OperationInfo operation)
        {
            var bodyOutputs = new Dictionary<string, (OutputDefinition Output, IReadOnlyList<string> Tokens)>(StringComparer.Ordinal);
            foreach (var output in step.Outputs)
            {
                if (!(output.Value is JsonValue value) || !value.TryGetValue<string>(out var text)
                    || !RuntimeExpression.TryParseLenient(text.Trim(), out var expression, out _) || expression == null
                    || expression.Source != ExpressionSource.Response || expression.Part != "body")
                {
                    continue;
                }

                var tokens = RuntimeExpression.PointerTokens(expression.Pointer ?? string.Empty);
                bodyOutputs[output.Name] = (output, tokens);
                if (Explain(step, operation, tokens) is string finding)
                {
                    bag.Warning("ResponseValueNotDocumented", output.Path,
                        $"Step '{step.StepId}' output '{output.Name}' reads {text.Trim()}, but {finding}: a server that answers as its description says does not send it, so the output is empty and a step that puts it in a URL fails. Read a value the response documents (or correct the description).");
                    bodyOutputs.Remove(output.Name);
                }
            }

            // What the workflow's later expressions read below such an output ($steps.s.outputs.list.id) is read from the body too.
            var warned = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, below, text) in ReadsBelow(workflow, step, bodyOutputs.Keys))
            {
                var (output, tokens) = bodyOutputs[name];
                var pointer = tokens.Concat(below).ToList();
                if (!warned.Contains(name) && Explain(step, operation, pointer) is string finding)
                {
                    warned.Add(name);
                    bag.Warning("ResponseValueNotDocumented", output.Path,
                        $"Step '{step.StepId}' output '{name}' is read as {text}, which reads the body at '/{string.Join("/", pointer)}', but {finding}: a server that answers as its description says does not send it, so the value is empty and a step that puts it in a URL fails. Read a value the response documents (or correct the description).");
                }
            }
        }

        /// <summary>Each later expression of the workflow that reads below one of the step's outputs: the output, the tokens below it, the expression.</summary>
        private static IEnumerable<(string Output, List<string> Below, string Text)> ReadsBelow(Workflow workflow, Step step, ICollection<string> outputs)
        {
            if (outputs.Count == 0 || !(workflow.Document?.Source?.Root?["workflows"] is JsonArray all))
            {
                yield break;
            }

            var node = all.FirstOrDefault(w => w is JsonObject o && o["workflowId"] is JsonValue id && id.TryGetValue<string>(out var text) && text == workflow.WorkflowId);
            var pattern = new Regex(@"\$steps\." + Regex.Escape(step.StepId) + @"\.(?:outputs\.)?[^\s{}'""(),]+", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
            foreach (var text in JsonUtil.Strings(node, 64))
            {
                MatchCollection matches;
                try
                {
                    matches = pattern.Matches(text);
                    _ = matches.Count;
                }
                catch (RegexMatchTimeoutException)
                {
                    continue;
                }

                foreach (Match match in matches)
                {
                    var read = match.Value.TrimEnd('.', ';');
                    if (!RuntimeExpression.TryParseLenient(read, out var expression, out _) || expression == null || expression.Source != ExpressionSource.Steps)
                    {
                        continue;
                    }

                    var segments = expression.Segments;
                    for (var take = segments.Count; take >= 1; take--)
                    {
                        if (segments.Take(take).All(s => s.Kind == NameSegmentKind.Name) && string.Join(".", segments.Take(take).Select(s => s.Text)) is var name && outputs.Contains(name))
                        {
                            var below = segments.Skip(take).Select(s => s.Kind == NameSegmentKind.Wildcard ? "*" : s.Pointer.Replace("~1", "/").Replace("~0", "~"))
                                .Concat(RuntimeExpression.PointerTokens(expression.Pointer ?? string.Empty)).ToList();
                            if (below.Count > 0)
                            {
                                yield return (name, below, read);
                            }

                            break;
                        }
                    }
                }
            }
        }

        /// <summary>Why no documented success response can hold the value at the pointer, or null when one can (or the description does not say).</summary>
        private static string? Explain(Step step, OperationInfo operation, IReadOnlyList<string> tokens)
        {
            var responses = Considered(step, operation);
            if (responses.Count == 0)
            {
                return null;
            }

            string? first = null;
            foreach (var (status, response) in responses)
            {
                var schemas = BodySchemas(operation.Description, response);
                var where = $"the documented {status} response of {operation}";
                if (schemas == null)
                {
                    first ??= where + " has no body";
                    continue;
                }

                foreach (var schema in schemas)
                {
                    var problem = Walk(operation.Description, schema, tokens, 0, 0);
                    if (problem == null)
                    {
                        return null;
                    }

                    first ??= where + " " + problem;
                }
            }

            return first;
        }

        /// <summary>The documented response the criteria ask for, or every documented success.</summary>
        private static List<(string Status, JsonObject Response)> Considered(Step step, OperationInfo operation)
        {
            foreach (var criterion in step.SuccessCriteria)
            {
                var match = s_wantedStatus.Match(criterion.Condition ?? string.Empty);
                if (match.Success)
                {
                    var wanted = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
                    if (operation.Responses.TryGetValue(wanted, out var exact) && operation.Description.Resolve(exact) is JsonObject resolved)
                    {
                        return new List<(string, JsonObject)> { (wanted, resolved) };
                    }
                }
            }

            return operation.Responses
                .Where(r => r.Key.StartsWith("2", StringComparison.Ordinal))
                .Select(r => (r.Key, operation.Description.Resolve(r.Value) as JsonObject))
                .Where(r => r.Item2 != null)
                .Select(r => (r.Key, r.Item2!))
                .ToList();
        }

        /// <summary>The schemas of the response's JSON (or only) media types; empty when a body is documented without a schema; null when no body is documented.</summary>
        private static List<JsonNode?>? BodySchemas(OpenApiDescription description, JsonObject response)
        {
            if (response["content"] is JsonObject content && content.Count > 0)
            {
                var json = content.Where(c => c.Key.IndexOf("json", StringComparison.OrdinalIgnoreCase) >= 0 || c.Key == "*/*").ToList();
                var chosen = json.Count > 0 ? json : content.ToList();
                var schemas = chosen.Select(c => (c.Value as JsonObject)?["schema"]).ToList();
                return schemas.Any(s => s == null) ? new List<JsonNode?> { null } : schemas;
            }

            if (response.ContainsKey("schema"))
            {
                return new List<JsonNode?> { response["schema"] };
            }

            return null;
        }

        /// <summary>Null when the schema can hold a value at tokens[index..]; otherwise what it documents there instead.</summary>
        private static string? Walk(OpenApiDescription description, JsonNode? node, IReadOnlyList<string> tokens, int index, int depth)
        {
            if (index >= tokens.Count || depth > MaxDepth)
            {
                return null;
            }

            var at = index == 0 ? "/" : "/" + string.Join("/", tokens.Take(index));
            if (!(description.Resolve(node) is JsonObject schema))
            {
                return node == null ? $"does not describe what is at '{at}' (no schema), so '{tokens[index]}' is not documented there" : null;
            }

            foreach (var choice in new[] { "oneOf", "anyOf" })
            {
                if (schema[choice] is JsonArray options && options.Count > 0)
                {
                    string? first = null;
                    foreach (var option in options)
                    {
                        var problem = Walk(description, option, tokens, index, depth + 1);
                        if (problem == null)
                        {
                            return null;
                        }

                        first ??= problem;
                    }

                    return first;
                }
            }

            var token = tokens[index];
            var type = Type(description, schema, depth);
            if (type == "array" || schema["items"] != null)
            {
                return token == "*" || int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out _)
                    ? Walk(description, schema["items"], tokens, index + 1, depth + 1)
                    : $"documents a list at '{at}', from which '{token}' is read as a name";
            }

            var properties = Properties(description, schema, depth);
            if (properties.TryGetValue(token, out var property))
            {
                return Walk(description, property, tokens, index + 1, depth + 1);
            }

            if (type != null && type != "object")
            {
                return $"documents a {type} at '{at}', which has no '{token}'";
            }

            if (IsOpen(description, schema, depth) || token == "*")
            {
                return null;
            }

            if (properties.Count == 0)
            {
                return schema.All(p => p.Key == "type" || p.Key == "description" || p.Key == "title" || p.Key == "nullable" || p.Key == "example" || p.Key.StartsWith("x-", StringComparison.Ordinal))
                    ? $"does not describe the members of the object at '{at}', so '{token}' is not documented there"
                    : null;
            }

            var listed = string.Join(", ", properties.Keys.Take(8)) + (properties.Count > 8 ? $", … ({properties.Count} in all)" : string.Empty);
            return $"has no '{token}' at '{at}' (it documents {listed})";
        }

        /// <summary>True when the object schema (or a part of its allOf) admits properties it does not list.</summary>
        private static bool IsOpen(OpenApiDescription description, JsonObject schema, int depth)
        {
            if ((schema["additionalProperties"] is JsonNode additional && !(additional is JsonValue flag && flag.TryGetValue<bool>(out var allowed) && !allowed))
                || schema["patternProperties"] != null)
            {
                return true;
            }

            return schema["allOf"] is JsonArray all && depth < MaxDepth
                && all.Select(p => description.Resolve(p) as JsonObject).Any(p => p != null && (IsOpen(description, p, depth + 1) || (p["properties"] == null && p["allOf"] == null && Type(description, p, depth + 1) is null or "object")));
        }

        private static string? Type(OpenApiDescription description, JsonObject schema, int depth)
        {
            switch (schema["type"])
            {
                case JsonValue one when one.TryGetValue<string>(out var type):
                    return type;
                case JsonArray many:
                    var types = many.Select(JsonUtil.Render).Where(t => t != "null").ToList();
                    return types.Count == 1 ? types[0] : null;
            }

            return schema["allOf"] is JsonArray all && depth < MaxDepth
                ? all.Select(p => description.Resolve(p) as JsonObject).Where(p => p != null).Select(p => Type(description, p!, depth + 1)).FirstOrDefault(t => t != null)
                : null;
        }

        private static Dictionary<string, JsonNode?> Properties(OpenApiDescription description, JsonObject schema, int depth)
        {
            var found = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            if (schema["properties"] is JsonObject own)
            {
                foreach (var pair in own)
                {
                    found[pair.Key] = pair.Value;
                }
            }

            if (schema["allOf"] is JsonArray all && depth < MaxDepth)
            {
                foreach (var part in all)
                {
                    if (description.Resolve(part) is JsonObject resolved)
                    {
                        foreach (var pair in Properties(description, resolved, depth + 1))
                        {
                            if (!found.ContainsKey(pair.Key))
                            {
                                found[pair.Key] = pair.Value;
                            }
                        }
                    }
                }
            }

            return found;
        }
    }
}
