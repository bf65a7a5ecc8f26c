using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;

namespace Daytona.Arazzo.Execution
{
    /// <summary>
    /// Gives a step's request its parameter values, so nothing is sent that cannot be right: a path parameter whose
    /// expression resolves to nothing fails the step before any request (naming the parameter and the expression);
    /// a required parameter the step does not set is taken from the description's default or example with a warning,
    /// as Respect does, or fails the step under strict mode.
    /// </summary>
    internal sealed class ParameterResolver
    {
        private readonly RunState _state;

        public ParameterResolver(RunState state) => _state = state;

        /// <summary>The parameters with their values, or (with a null list) why the step cannot send its request.</summary>
        public (List<(Parameter Parameter, JsonNode? Value)>? Values, string? Error) Resolve(Step step, OperationInfo operation, IReadOnlyList<Parameter> parameters, ExpressionContext context)
        {
            var values = new List<(Parameter, JsonNode?)>(parameters.Count);
            parameters = Matched(step, operation, parameters);
            foreach (var parameter in parameters)
            {
                string? missing = null;
                var value = ExpressionEvaluator.EvaluateValue(parameter.Value, context, bare: true, (expression, result) => missing ??= $"{expression.Text}: {result.Missing}");
                if (parameter.In == "path" && IsNothing(value))
                {
                    var written = JsonUtil.Render(parameter.Value);
                    return (null, missing != null
                        ? $"the path parameter '{parameter.Name}' is {written}, which resolves to nothing ({missing}); no request was sent"
                        : $"the path parameter '{parameter.Name}' is {(written.Length == 0 ? "empty" : written)}, which is {Describe(value)}, so the request URL would have an empty segment; no request was sent");
                }

                values.Add((parameter, value));
            }

            foreach (var declared in operation.Parameters.Where(p => p.Required || p.In == "path"))
            {
                if (parameters.Any(p => p.Name == declared.Name && (p.In ?? "query") == declared.In) || (declared.In == "header" && IsSetAnotherWay(declared.Name, parameters)))
                {
                    continue;
                }

                var where = $"the required {declared.In} parameter '{declared.Name}' of {operation}";
                if (declared.Sample == null || (declared.In == "path" && IsNothing(declared.Sample.Value.Value)))
                {
                    if (declared.In == "path")
                    {
                        return (null, $"{where} is not set by the step and the description gives no default or example; no request was sent");
                    }

                    _state.WarnOnce($"Step '{step.StepId}': {where} is not set and the description gives no default or example; the request goes without it. Set it in the step's parameters.");
                    continue;
                }

                var (sample, source) = declared.Sample.Value;
                if (_state.Options.Strict)
                {
                    return (null, $"{where} is not set by the step (the description's {source} would be {JsonUtil.Render(sample)}; under -Strict it is not used); no request was sent");
                }

                _state.WarnOnce($"Step '{step.StepId}': {where} is not set; the description's {source} {Show(sample)} is sent. Set it in the step's parameters.");
                values.Add((new Parameter { Name = declared.Name, In = declared.In, Value = sample, HasValue = true, Path = step.Path }, sample?.DeepClone()));
            }

            return (values, null);
        }

        /// <summary>
        /// A parameter whose name is not one the operation declares in that location, but matches one ignoring case,
        /// '_' and '-' (<c>pet_id</c> for <c>petId</c>), is sent under the declared name with a warning (not under strict mode).
        /// </summary>
        private IReadOnlyList<Parameter> Matched(Step step, OperationInfo operation, IReadOnlyList<Parameter> parameters)
        {
            if (_state.Options.Strict || operation.Parameters.Count == 0)
            {
                return parameters;
            }

            List<Parameter>? result = null;
            for (var i = 0; i < parameters.Count; i++)
            {
                var parameter = parameters[i];
                var declared = ParameterNames.Match(operation, parameter);
                if (declared == null)
                {
                    continue;
                }

                result ??= parameters.ToList();
                var renamed = parameter.Clone();
                renamed.Name = declared.Name;
                result[i] = renamed;
                _state.WarnOnce($"Step '{step.StepId}': {ParameterNames.Advice(operation, parameter, declared)}");
            }

            return result ?? parameters;
        }

        /// <summary>A header the HTTP layer or the step's body sets (a content type with a request body) does not need a value here.</summary>
        private static bool IsSetAnotherWay(string name, IReadOnlyList<Parameter> parameters) =>
            string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "Accept", StringComparison.OrdinalIgnoreCase)
            || parameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.In == "header");

        private static bool IsNothing(JsonNode? value) =>
            value == null
            || (value is JsonValue text && text.TryGetValue<string>(out var s) && s.Length == 0)
            || (value is JsonArray array && array.Count == 0)
            || (value is JsonObject obj && obj.Count == 0);

        private static string Describe(JsonNode? value) => value switch
        {
            null => "null",
            JsonArray _ => "an empty list",
            JsonObject _ => "an empty object",
            _ => "an empty string",
        };

        private static string Show(JsonNode? value)
        {
            var text = JsonUtil.Render(value);
            return text.Length > 60 ? "'" + text.Substring(0, 60) + "…'" : "'" + text + "'";
        }
    }
}
