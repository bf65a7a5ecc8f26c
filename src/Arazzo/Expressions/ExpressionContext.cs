using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace Daytona.Arazzo.Expressions
{
    /// <summary>One side of an HTTP exchange as runtime expressions see it.</summary>
    public sealed class HttpMessageData
    {
        private JsonNode? _body;
        private bool _bodyParsed;
        private string? _bodyText;
        private byte[]? _bodyBytes;
        private Encoding? _bodyEncoding;

        public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        public IDictionary<string, string> Query { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        public IDictionary<string, string> Path { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The body as text (decoded on first use when the body was received as bytes).</summary>
        public string? BodyText
        {
            get
            {
                if (_bodyText == null && _bodyBytes != null)
                {
                    _bodyText = BodyBytes.Decode(_bodyBytes, _bodyEncoding);
                }

                return _bodyText;
            }

            set
            {
                _bodyText = value;
                _bodyBytes = null;
            }
        }

        public string? ContentType { get; set; }

        /// <summary>
        /// Sets the body as received: <paramref name="bytes"/> in <paramref name="encoding"/> (null: UTF-8 unless a
        /// byte order mark says otherwise). JSON is parsed from the bytes themselves; the text is decoded only if asked for.
        /// </summary>
        internal void SetBodyBytes(byte[] bytes, Encoding? encoding)
        {
            _bodyBytes = bytes;
            _bodyEncoding = encoding;
            _bodyText = null;
        }

        /// <summary>The body as JSON when it parses as JSON, else as a string, else null.</summary>
        public JsonNode? Body
        {
            get
            {
                if (!_bodyParsed)
                {
                    _bodyParsed = true;
                    if (_bodyBytes != null && BodyBytes.IsUtf8(_bodyEncoding) && BodyBytes.TryParseJson(_bodyBytes, out var fromBytes))
                    {
                        _body = fromBytes;
                    }
                    else if (BodyText != null)
                    {
                        _body = JsonUtil.TryParseJson(BodyText, out var parsed) ? parsed : JsonValue.Create(BodyText);
                    }
                }

                return _body;
            }

            set
            {
                _body = value;
                _bodyParsed = true;
            }
        }
    }

    /// <summary>What runtime expressions evaluate against: the current exchange and the run's state.</summary>
    public sealed class ExpressionContext
    {
        public string? Url { get; set; }

        public string? Method { get; set; }

        public int? StatusCode { get; set; }

        public HttpMessageData? Request { get; set; }

        public HttpMessageData? Response { get; set; }

        public JsonObject Inputs { get; set; } = new JsonObject();

        /// <summary>The current workflow's outputs (or, for a workflow step, the called workflow's outputs).</summary>
        public JsonObject? Outputs { get; set; }

        /// <summary>Outputs of the steps that ran, by step id.</summary>
        public Func<string, JsonObject?> StepOutputs { get; set; } = _ => null;

        /// <summary>A workflow's inputs or outputs (field is "inputs" or "outputs"), by workflow id.</summary>
        public Func<string, string, JsonObject?> Workflows { get; set; } = (_, __) => null;

        /// <summary>A value under a source description: its url, or an operation/workflow as an object.</summary>
        public Func<string, string, JsonNode?> SourceDescriptions { get; set; } = (_, __) => null;

        /// <summary>A component by type and name, as JSON.</summary>
        public Func<string, string, JsonNode?> Components { get; set; } = (_, __) => null;

        public string? Self { get; set; }

        /// <summary>Under strict mode lenient readings (an item name applied to every item of a list) are not made.</summary>
        public bool Strict { get; set; }

        /// <summary>Told, with advice, when a value was read through a form the spec does not define.</summary>
        public Action<string>? OnLeniency { get; set; }

        public ExpressionContext With(Action<ExpressionContext> change)
        {
            var copy = (ExpressionContext)MemberwiseClone();
            change(copy);
            return copy;
        }
    }

    /// <summary>The outcome of evaluating one expression: the value, or why there is none.</summary>
    public readonly struct EvaluationResult
    {
        public EvaluationResult(JsonNode? value, bool found, string? missing, string? missingStep = null)
        {
            Value = value;
            Found = found;
            Missing = missing;
            MissingStep = missingStep;
        }

        public JsonNode? Value { get; }

        public bool Found { get; }

        /// <summary>Why the value is missing, when it is.</summary>
        public string? Missing { get; }

        /// <summary>The step id when the value is missing because that step never ran.</summary>
        public string? MissingStep { get; }
    }

    /// <summary>Evaluates runtime expressions and string templates against an <see cref="ExpressionContext"/>.</summary>
    public static class ExpressionEvaluator
    {
        public static EvaluationResult Evaluate(RuntimeExpression expression, ExpressionContext context)
        {
            switch (expression.Source)
            {
                case ExpressionSource.Url:
                    return Found(context.Url == null ? null : JsonValue.Create(context.Url), context.Url != null, "no request was made yet");
                case ExpressionSource.Method:
                    return Found(context.Method == null ? null : JsonValue.Create(context.Method), context.Method != null, "no request was made yet");
                case ExpressionSource.StatusCode:
                    return Found(context.StatusCode == null ? null : JsonValue.Create(context.StatusCode.Value), context.StatusCode != null, "no response was received yet");
                case ExpressionSource.Self:
                    return Found(context.Self == null ? null : JsonValue.Create(context.Self), context.Self != null, "the document has no location");
                case ExpressionSource.Request:
                case ExpressionSource.Response:
                case ExpressionSource.Message:
                    {
                        var message = expression.Source == ExpressionSource.Request ? context.Request : context.Response;
                        if (message == null)
                        {
                            return new EvaluationResult(null, false, expression.Source == ExpressionSource.Request ? "no request was made yet" : "no response was received yet");
                        }

                        switch (expression.Part)
                        {
                            case "header":
                                return message.Headers.TryGetValue(expression.Name!, out var header)
                                    ? new EvaluationResult(JsonValue.Create(header), true, null)
                                    : new EvaluationResult(null, false, $"the header '{expression.Name}' is absent");
                            case "query":
                                return message.Query.TryGetValue(expression.Name!, out var query)
                                    ? new EvaluationResult(JsonValue.Create(query), true, null)
                                    : new EvaluationResult(null, false, $"the query parameter '{expression.Name}' is absent");
                            case "path":
                                return message.Path.TryGetValue(expression.Name!, out var path)
                                    ? new EvaluationResult(JsonValue.Create(path), true, null)
                                    : new EvaluationResult(null, false, $"the path parameter '{expression.Name}' is absent");
                            default:
                                return Pointer(message.Body, expression.Pointer, "the body");
                        }
                    }

                case ExpressionSource.Inputs:
                    return Named(expression, context.Inputs, "input", context);
                case ExpressionSource.Outputs:
                    return context.Outputs == null ? new EvaluationResult(null, false, "there are no outputs here") : Named(expression, context.Outputs, "output", context);
                case ExpressionSource.Steps:
                    {
                        var outputs = context.StepOutputs(expression.Owner!);
                        if (outputs == null)
                        {
                            return new EvaluationResult(null, false, $"step '{expression.Owner}' has not run", expression.Owner);
                        }

                        return Named(expression, outputs, $"output of step '{expression.Owner}'", context);
                    }

                case ExpressionSource.Workflows:
                    {
                        var data = context.Workflows(expression.Owner!, expression.Field!);
                        if (data == null)
                        {
                            return new EvaluationResult(null, false, $"workflow '{expression.Owner}' has not run");
                        }

                        return Named(expression, data, $"{expression.Field!.TrimEnd('s')} of workflow '{expression.Owner}'", context);
                    }

                case ExpressionSource.SourceDescriptions:
                    {
                        var value = context.SourceDescriptions(expression.Owner!, expression.Name!);
                        return Found(value, value != null, $"'{expression.Name}' is not known in source description '{expression.Owner}'");
                    }

                case ExpressionSource.Components:
                    {
                        var value = context.Components(expression.Owner!, expression.Name!);
                        return Found(value, value != null, $"component {expression.Owner}.{expression.Name} does not exist");
                    }
            }

            return new EvaluationResult(null, false, "unsupported expression");
        }

        private static EvaluationResult Found(JsonNode? value, bool found, string missing) => new EvaluationResult(value, found, found ? null : missing);

        /// <summary>
        /// Reads a name along its segments. At an object, the longest run of names that is one key wins (so an input
        /// named <c>customer.name</c> is found before <c>customer</c> → <c>name</c>); at a list, an index takes one item,
        /// a wildcard every item, and — leniently, as other runners do — a name is read from every item.
        /// </summary>
        private static EvaluationResult Named(RuntimeExpression expression, JsonObject data, string what, ExpressionContext context)
        {
            var segments = expression.Segments;
            if (segments.Count == 0)
            {
                return data.TryGetPropertyValue(expression.Name!, out var direct)
                    ? Pointer(direct, expression.Pointer, $"{what} '{expression.Name}'")
                    : new EvaluationResult(null, false, $"{what} '{expression.Name}' does not exist");
            }

            var mapped = false;
            if (!Walk(data, segments, 0, context, ref mapped, 0, out var value))
            {
                // Generated documents often set an output named after a member to the whole body
                // (jobReference: $response.body) and then read jobReference.projectId: read it from that member.
                var head = segments[0].Kind == NameSegmentKind.Name ? segments[0].Text! : null;
                if (head == null || segments.Count < 2 || context.Strict
                    || !(data[head] is JsonObject whole) || !whole.TryGetPropertyValue(head, out var member)
                    || !Walk(member, segments, 1, context, ref mapped, 0, out value))
                {
                    return new EvaluationResult(null, false, $"{what} '{expression.Name}' does not exist" + (segments.Count > 1 ? $" (read as {string.Join(".", segments)})" : string.Empty));
                }

                context.OnLeniency?.Invoke($"'{expression.Text}': '{head}' holds an object whose member '{head}' has what the expression reads, so it was read from there. If '{head}' should be that member, write its value as '…#/{head}' (e.g. '$response.body#/{head}').");
            }

            if (mapped)
            {
                context.OnLeniency?.Invoke($"'{expression.Text}' reads a name from a list; it is read from every item of the list, giving a list. To read one item, index it ('#/0/…').");
            }

            return Pointer(value, expression.Pointer, $"{what} '{expression.Name}'");
        }

        private static bool Walk(JsonNode? node, IReadOnlyList<NameSegment> segments, int index, ExpressionContext context, ref bool mapped, int depth, out JsonNode? value)
        {
            value = null;
            if (index == segments.Count)
            {
                value = node;
                return true;
            }

            if (depth > 64)
            {
                return false;
            }

            if (node is JsonValue text && text.TryGetValue<string>(out var s) && s.Length > 1 && (s[0] == '{' || s[0] == '[') && JsonUtil.TryParseJson(s, out var parsed))
            {
                node = parsed;
            }

            var segment = segments[index];
            switch (node)
            {
                case JsonObject obj:
                    switch (segment.Kind)
                    {
                        case NameSegmentKind.Name:
                            {
                                var run = 1;
                                while (index + run < segments.Count && segments[index + run].Kind == NameSegmentKind.Name)
                                {
                                    run++;
                                }

                                for (var take = run; take >= 1; take--)
                                {
                                    var key = take == 1 ? segment.Text! : Join(segments, index, take);
                                    if (obj.TryGetPropertyValue(key, out var child) && Walk(child, segments, index + take, context, ref mapped, depth + 1, out value))
                                    {
                                        return true;
                                    }
                                }

                                return false;
                            }

                        case NameSegmentKind.Key:
                            return obj.TryGetPropertyValue(segment.Text!, out var keyed) && Walk(keyed, segments, index + 1, context, ref mapped, depth + 1, out value);
                        case NameSegmentKind.Index:
                            return obj.TryGetPropertyValue(segment.Pointer, out var numbered) && Walk(numbered, segments, index + 1, context, ref mapped, depth + 1, out value);
                        default:
                            return Map(obj.Select(p => p.Value), segments, index + 1, context, ref mapped, depth, out value);
                    }

                case JsonArray array:
                    switch (segment.Kind)
                    {
                        case NameSegmentKind.Index:
                            {
                                var at = segment.Index < 0 ? array.Count + segment.Index : segment.Index;
                                return at >= 0 && at < array.Count && Walk(array[at], segments, index + 1, context, ref mapped, depth + 1, out value);
                            }

                        case NameSegmentKind.Wildcard:
                            return Map(array, segments, index + 1, context, ref mapped, depth, out value);
                        default:
                            if (context.Strict)
                            {
                                return false;
                            }

                            mapped = true;
                            return Map(array, segments, index, context, ref mapped, depth, out value);
                    }

                default:
                    return false;
            }
        }

        /// <summary>The rest of the path read from every item; the items where it finds nothing are left out.</summary>
        private static bool Map(IEnumerable<JsonNode?> items, IReadOnlyList<NameSegment> segments, int index, ExpressionContext context, ref bool mapped, int depth, out JsonNode? value)
        {
            var result = new JsonArray();
            foreach (var item in items)
            {
                if (Walk(item, segments, index, context, ref mapped, depth + 1, out var found))
                {
                    result.Add(found?.DeepClone());
                }
            }

            value = result;
            return true;
        }

        private static string Join(IReadOnlyList<NameSegment> segments, int index, int count)
        {
            var builder = new System.Text.StringBuilder();
            for (var i = index; i < index + count; i++)
            {
                if (i > index)
                {
                    builder.Append('.');
                }

                builder.Append(segments[i].Text);
            }

            return builder.ToString();
        }

        private static EvaluationResult Pointer(JsonNode? value, string? pointer, string what)
        {
            if (string.IsNullOrEmpty(pointer))
            {
                return new EvaluationResult(value, true, null);
            }

            if (value is JsonValue text && text.TryGetValue<string>(out var s) && JsonUtil.TryParseJson(s, out var parsed))
            {
                value = parsed;
            }

            return JsonUtil.TryResolvePointer(value, pointer, out var resolved)
                ? new EvaluationResult(resolved, true, null)
                : new EvaluationResult(null, false, $"{what} has nothing at '{pointer}'");
        }

        /// <summary>
        /// Evaluates a value as written in a document: a whole-string expression keeps its type, strings with
        /// <c>{$…}</c> (and bare expressions when <paramref name="bare"/>) are interpolated, objects and arrays are
        /// evaluated member by member, other literals stay as they are.
        /// </summary>
        public static JsonNode? EvaluateValue(JsonNode? template, ExpressionContext context, bool bare, Action<RuntimeExpression, EvaluationResult>? onMissing = null, int depth = 0)
        {
            if (depth > 128)
            {
                return null;
            }

            switch (template)
            {
                case null:
                    return null;
                case JsonObject obj:
                    {
                        var result = new JsonObject();
                        foreach (var pair in obj)
                        {
                            result[pair.Key] = EvaluateValue(pair.Value, context, bare, onMissing, depth + 1);
                        }

                        return result;
                    }

                case JsonArray array:
                    {
                        var result = new JsonArray();
                        foreach (var item in array)
                        {
                            result.Add(EvaluateValue(item, context, bare, onMissing, depth + 1));
                        }

                        return result;
                    }

                case JsonValue value when value.TryGetValue<string>(out var text):
                    {
                        if (text.Length > 0 && text[0] == '$' && (bare ? RuntimeExpression.TryParseLenient(text, out var whole, out _) : RuntimeExpression.TryParse(text, out whole, out _)))
                        {
                            var result = Evaluate(whole!, context);
                            if (!result.Found)
                            {
                                onMissing?.Invoke(whole!, result);
                            }

                            return result.Value?.DeepClone();
                        }

                        if (text.IndexOf('$') < 0)
                        {
                            return JsonValue.Create(text);
                        }

                        return JsonValue.Create(ExpressionTemplate.Interpolate(text, e =>
                        {
                            var result = Evaluate(e, context);
                            if (!result.Found)
                            {
                                onMissing?.Invoke(e, result);
                            }

                            return JsonUtil.Render(result.Value);
                        }, bare));
                    }

                default:
                    return template.DeepClone();
            }
        }
    }
}
