using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace Daytona.Arazzo.Expressions
{
    /// <summary>One side of an HTTP exchange as runtime expressions see it.</summary>
    public sealed class HttpMessageData
    {
        private JsonNode? _body;
        private bool _bodyParsed;

        public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        public IDictionary<string, string> Query { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        public IDictionary<string, string> Path { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        public string? BodyText { get; set; }

        public string? ContentType { get; set; }

        /// <summary>The body as JSON when it parses as JSON, else as a string, else null.</summary>
        public JsonNode? Body
        {
            get
            {
                if (!_bodyParsed)
                {
                    _bodyParsed = true;
                    if (BodyText != null)
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
                    return Named(context.Inputs, expression.Name!, expression.Pointer, "input");
                case ExpressionSource.Outputs:
                    return context.Outputs == null ? new EvaluationResult(null, false, "there are no outputs here") : Named(context.Outputs, expression.Name!, expression.Pointer, "output");
                case ExpressionSource.Steps:
                    {
                        var outputs = context.StepOutputs(expression.Owner!);
                        if (outputs == null)
                        {
                            return new EvaluationResult(null, false, $"step '{expression.Owner}' has not run", expression.Owner);
                        }

                        return Named(outputs, expression.Name!, expression.Pointer, $"output of step '{expression.Owner}'");
                    }

                case ExpressionSource.Workflows:
                    {
                        var data = context.Workflows(expression.Owner!, expression.Field!);
                        if (data == null)
                        {
                            return new EvaluationResult(null, false, $"workflow '{expression.Owner}' has not run");
                        }

                        return Named(data, expression.Name!, expression.Pointer, $"{expression.Field!.TrimEnd('s')} of workflow '{expression.Owner}'");
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

        private static EvaluationResult Named(JsonObject data, string name, string? pointer, string what)
        {
            if (data.TryGetPropertyValue(name, out var value))
            {
                return Pointer(value, pointer, $"{what} '{name}'");
            }

            // Names may contain dots: "$inputs.customer.name" reads inputs.customer.name when no input is named so.
            var parts = name.Split('.');
            if (parts.Length > 1 && data.TryGetPropertyValue(parts[0], out var head))
            {
                var current = head;
                for (var i = 1; i < parts.Length; i++)
                {
                    if (current is JsonObject obj && obj.TryGetPropertyValue(parts[i], out var next))
                    {
                        current = next;
                    }
                    else
                    {
                        return new EvaluationResult(null, false, $"{what} '{name}' does not exist");
                    }
                }

                return Pointer(current, pointer, $"{what} '{name}'");
            }

            return new EvaluationResult(null, false, $"{what} '{name}' does not exist");
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
