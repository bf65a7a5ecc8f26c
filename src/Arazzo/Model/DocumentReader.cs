using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Yaml;

namespace Daytona.Arazzo.Model
{
    /// <summary>
    /// Turns a parsed YAML/JSON tree into the object model, reporting missing required fields, wrong types and
    /// unknown fields as diagnostics instead of failing. Whatever can be read is read, so validation can go on.
    /// </summary>
    internal sealed class DocumentReader
    {
        private static readonly string[] s_rootFields = { "arazzo", "info", "sourceDescriptions", "workflows", "components" };
        private static readonly string[] s_infoFields = { "title", "summary", "description", "version" };
        private static readonly string[] s_sourceFields = { "name", "url", "type" };
        private static readonly string[] s_workflowFields = { "workflowId", "summary", "description", "inputs", "dependsOn", "steps", "successActions", "failureActions", "outputs", "parameters" };
        private static readonly string[] s_stepFields = { "description", "stepId", "operationId", "operationPath", "workflowId", "parameters", "requestBody", "successCriteria", "onSuccess", "onFailure", "outputs" };
        private static readonly string[] s_parameterFields = { "name", "in", "value" };
        private static readonly string[] s_reusableFields = { "reference", "value" };
        private static readonly string[] s_bodyFields = { "contentType", "payload", "replacements" };
        private static readonly string[] s_replacementFields = { "target", "value" };
        private static readonly string[] s_criterionFields = { "context", "condition", "type" };
        private static readonly string[] s_successActionFields = { "name", "type", "workflowId", "stepId", "criteria" };
        private static readonly string[] s_failureActionFields = { "name", "type", "workflowId", "stepId", "retryAfter", "retryLimit", "criteria" };
        private static readonly string[] s_componentFields = { "inputs", "parameters", "successActions", "failureActions" };

        private readonly DiagnosticBag _diagnostics;

        public DocumentReader(DiagnosticBag diagnostics) => _diagnostics = diagnostics;

        public ArazzoDocument Read(JsonNode? root)
        {
            var document = new ArazzoDocument { Path = JsonPaths.Root };
            if (!(root is JsonObject obj))
            {
                _diagnostics.Error("NotAnObject", JsonPaths.Root, "An Arazzo description must be an object (a YAML mapping or JSON object) at its root.");
                return document;
            }

            CheckFields(obj, JsonPaths.Root, s_rootFields, document);
            if (obj.TryGetPropertyValue("arazzo", out var version) && version != null)
            {
                document.Arazzo = AsString(version, JsonPaths.Property(JsonPaths.Root, "arazzo"), "arazzo");
            }
            else
            {
                _diagnostics.Error("MissingVersion", JsonPaths.Root, "The required field 'arazzo' is missing: it names the Arazzo version the document is written for (e.g. 'arazzo: 1.0.1').");
            }

            if (document.Arazzo != null && !System.Text.RegularExpressions.Regex.IsMatch(document.Arazzo, @"^1\.0\.\d+(-.+)?$"))
            {
                _diagnostics.Error("UnsupportedVersion", JsonPaths.Property(JsonPaths.Root, "arazzo"),
                    $"The arazzo version '{document.Arazzo}' is not supported; this engine reads Arazzo 1.0.x (e.g. 'arazzo: 1.0.1').");
            }

            var infoPath = JsonPaths.Property(JsonPaths.Root, "info");
            if (Required(obj, JsonPaths.Root, "info") is JsonNode infoNode)
            {
                if (AsObject(infoNode, infoPath, "info") is JsonObject info)
                {
                    CheckFields(info, infoPath, s_infoFields, document.Info);
                    document.Info.Path = infoPath;
                    document.Info.Title = RequiredString(info, infoPath, "title");
                    document.Info.Summary = OptionalString(info, infoPath, "summary");
                    document.Info.Description = OptionalString(info, infoPath, "description");
                    document.Info.Version = RequiredString(info, infoPath, "version");
                }
            }

            var sourcesPath = JsonPaths.Property(JsonPaths.Root, "sourceDescriptions");
            if (Required(obj, JsonPaths.Root, "sourceDescriptions") is JsonNode sourcesNode && AsArray(sourcesNode, sourcesPath, "sourceDescriptions") is JsonArray sources)
            {
                if (sources.Count == 0)
                {
                    _diagnostics.Error("EmptyList", sourcesPath, "sourceDescriptions must list at least one source description.");
                }

                for (var i = 0; i < sources.Count; i++)
                {
                    var path = JsonPaths.Index(sourcesPath, i);
                    if (AsObject(sources[i], path, "a source description") is JsonObject source)
                    {
                        var description = new SourceDescription { Path = path };
                        CheckFields(source, path, s_sourceFields, description);
                        description.Name = RequiredString(source, path, "name") ?? string.Empty;
                        description.Url = RequiredString(source, path, "url") ?? string.Empty;
                        var type = OptionalString(source, path, "type");
                        if (type != null)
                        {
                            if (type != "openapi" && type != "arazzo")
                            {
                                _diagnostics.Error("InvalidSourceType", JsonPaths.Property(path, "type"), $"Source description type '{type}' is neither 'openapi' nor 'arazzo'.");
                            }

                            description.Type = type;
                        }

                        document.SourceDescriptions.Add(description);
                    }
                }
            }

            var workflowsPath = JsonPaths.Property(JsonPaths.Root, "workflows");
            if (Required(obj, JsonPaths.Root, "workflows") is JsonNode workflowsNode && AsArray(workflowsNode, workflowsPath, "workflows") is JsonArray workflows)
            {
                if (workflows.Count == 0)
                {
                    _diagnostics.Error("EmptyList", workflowsPath, "workflows must list at least one workflow.");
                }

                for (var i = 0; i < workflows.Count; i++)
                {
                    var path = JsonPaths.Index(workflowsPath, i);
                    if (AsObject(workflows[i], path, "a workflow") is JsonObject workflow)
                    {
                        document.Workflows.Add(ReadWorkflow(workflow, path, document));
                    }
                }
            }

            var componentsPath = JsonPaths.Property(JsonPaths.Root, "components");
            if (obj.TryGetPropertyValue("components", out var componentsNode) && AsObject(componentsNode, componentsPath, "components") is JsonObject components)
            {
                document.Components = ReadComponents(components, componentsPath);
            }

            return document;
        }

        private Workflow ReadWorkflow(JsonObject obj, string path, ArazzoDocument document)
        {
            var workflow = new Workflow { Path = path, Document = document };
            CheckFields(obj, path, s_workflowFields, workflow);
            workflow.WorkflowId = RequiredString(obj, path, "workflowId") ?? string.Empty;
            workflow.Summary = OptionalString(obj, path, "summary");
            workflow.Description = OptionalString(obj, path, "description");
            if (obj.TryGetPropertyValue("inputs", out var inputs))
            {
                var inputsPath = JsonPaths.Property(path, "inputs");
                if (inputs is JsonObject || (inputs is JsonValue v && v.TryGetValue<bool>(out _)))
                {
                    workflow.Inputs = inputs;
                }
                else
                {
                    _diagnostics.Error("InvalidType", inputsPath, "inputs must be a JSON Schema object.");
                }
            }

            foreach (var (item, itemPath) in Items(obj, path, "dependsOn"))
            {
                if (AsString(item, itemPath, "a workflowId") is string id)
                {
                    workflow.DependsOn.Add(id);
                }
            }

            var stepsPath = JsonPaths.Property(path, "steps");
            if (Required(obj, path, "steps") is JsonNode stepsNode && AsArray(stepsNode, stepsPath, "steps") is JsonArray steps)
            {
                if (steps.Count == 0)
                {
                    _diagnostics.Error("EmptyList", stepsPath, $"Workflow '{workflow.WorkflowId}' has no steps; steps must list at least one step.");
                }

                for (var i = 0; i < steps.Count; i++)
                {
                    var stepPath = JsonPaths.Index(stepsPath, i);
                    if (AsObject(steps[i], stepPath, "a step") is JsonObject step)
                    {
                        workflow.Steps.Add(ReadStep(step, stepPath));
                    }
                }
            }

            ReadActions(obj, path, "successActions", workflow.SuccessActions, failure: false);
            ReadActions(obj, path, "failureActions", workflow.FailureActions, failure: true);
            ReadOutputs(obj, path, workflow.Outputs);
            ReadParameters(obj, path, workflow.Parameters);
            return workflow;
        }

        private Step ReadStep(JsonObject obj, string path)
        {
            var step = new Step { Path = path };
            CheckFields(obj, path, s_stepFields, step);
            step.StepId = RequiredString(obj, path, "stepId") ?? string.Empty;
            step.Description = OptionalString(obj, path, "description");
            step.OperationId = OptionalString(obj, path, "operationId");
            step.OperationPath = OptionalString(obj, path, "operationPath");
            step.WorkflowId = OptionalString(obj, path, "workflowId");
            var targets = new[] { step.OperationId, step.OperationPath, step.WorkflowId }.Count(t => t != null);
            if (targets == 0)
            {
                _diagnostics.Error("MissingStepTarget", path, $"Step '{step.StepId}' needs exactly one of operationId, operationPath or workflowId.");
            }
            else if (targets > 1)
            {
                _diagnostics.Error("AmbiguousStepTarget", path, $"Step '{step.StepId}' sets more than one of operationId, operationPath and workflowId; they are mutually exclusive.");
            }

            ReadParameters(obj, path, step.Parameters);
            if (obj.TryGetPropertyValue("requestBody", out var bodyNode))
            {
                var bodyPath = JsonPaths.Property(path, "requestBody");
                if (AsObject(bodyNode, bodyPath, "requestBody") is JsonObject body)
                {
                    var requestBody = new RequestBody { Path = bodyPath };
                    CheckFields(body, bodyPath, s_bodyFields, requestBody);
                    requestBody.ContentType = OptionalString(body, bodyPath, "contentType");
                    if (body.TryGetPropertyValue("payload", out var payload))
                    {
                        requestBody.Payload = payload;
                        requestBody.HasPayload = true;
                    }

                    foreach (var (item, itemPath) in Items(body, bodyPath, "replacements"))
                    {
                        if (AsObject(item, itemPath, "a payload replacement") is JsonObject replacement)
                        {
                            var r = new PayloadReplacement { Path = itemPath };
                            CheckFields(replacement, itemPath, s_replacementFields, r);
                            r.Target = RequiredString(replacement, itemPath, "target") ?? string.Empty;
                            if (replacement.TryGetPropertyValue("value", out var value))
                            {
                                r.Value = value;
                            }
                            else
                            {
                                _diagnostics.Error("MissingField", itemPath, "A payload replacement needs 'value'.");
                            }

                            requestBody.Replacements.Add(r);
                        }
                    }

                    step.RequestBody = requestBody;
                }
            }

            foreach (var (item, itemPath) in Items(obj, path, "successCriteria"))
            {
                if (ReadCriterion(item, itemPath) is Criterion criterion)
                {
                    step.SuccessCriteria.Add(criterion);
                }
            }

            ReadActions(obj, path, "onSuccess", step.OnSuccess, failure: false);
            ReadActions(obj, path, "onFailure", step.OnFailure, failure: true);
            ReadOutputs(obj, path, step.Outputs);
            return step;
        }

        private void ReadParameters(JsonObject obj, string path, IList<Parameter> into)
        {
            foreach (var (item, itemPath) in Items(obj, path, "parameters"))
            {
                if (AsObject(item, itemPath, "a parameter") is JsonObject parameter)
                {
                    into.Add(ReadParameter(parameter, itemPath, allowReference: true));
                }
            }
        }

        private Parameter ReadParameter(JsonObject obj, string path, bool allowReference)
        {
            var parameter = new Parameter { Path = path };
            if (allowReference && obj.ContainsKey("reference"))
            {
                CheckReusable(obj, path);
                parameter.Reference = RequiredString(obj, path, "reference");
                if (obj.TryGetPropertyValue("value", out var overriding))
                {
                    parameter.Value = overriding;
                    parameter.HasValue = true;
                }

                return parameter;
            }

            CheckFields(obj, path, s_parameterFields, parameter);
            parameter.Name = RequiredString(obj, path, "name") ?? string.Empty;
            parameter.In = OptionalString(obj, path, "in");
            if (parameter.In != null && parameter.In != "path" && parameter.In != "query" && parameter.In != "header" && parameter.In != "cookie")
            {
                _diagnostics.Error("InvalidParameterLocation", JsonPaths.Property(path, "in"), $"Parameter '{parameter.Name}' has in: '{parameter.In}'; use path, query, header or cookie.");
            }

            if (obj.TryGetPropertyValue("value", out var value))
            {
                parameter.Value = value;
                parameter.HasValue = true;
            }
            else
            {
                _diagnostics.Error("MissingField", path, $"Parameter '{parameter.Name}' needs 'value'.");
            }

            return parameter;
        }

        private Criterion? ReadCriterion(JsonNode? node, string path)
        {
            if (!(AsObject(node, path, "a criterion") is JsonObject obj))
            {
                return null;
            }

            var criterion = new Criterion { Path = path };
            CheckFields(obj, path, s_criterionFields, criterion);
            criterion.Context = OptionalString(obj, path, "context");
            criterion.Condition = RequiredString(obj, path, "condition") ?? string.Empty;
            if (obj.TryGetPropertyValue("type", out var typeNode))
            {
                var typePath = JsonPaths.Property(path, "type");
                if (typeNode is JsonObject typeObject)
                {
                    criterion.Type = RequiredString(typeObject, typePath, "type") ?? "simple";
                    criterion.Version = RequiredString(typeObject, typePath, "version");
                    var allowed = criterion.Type == "jsonpath" ? new[] { "draft-goessner-dispatch-jsonpath-00" }
                        : criterion.Type == "xpath" ? new[] { "xpath-30", "xpath-20", "xpath-10" } : null;
                    if (allowed == null)
                    {
                        _diagnostics.Error("InvalidCriterionType", typePath, $"A Criterion Expression Type Object's type must be 'jsonpath' or 'xpath', not '{criterion.Type}'.");
                    }
                    else if (criterion.Version != null && !allowed.Contains(criterion.Version))
                    {
                        _diagnostics.Error("InvalidCriterionVersion", JsonPaths.Property(typePath, "version"), $"'{criterion.Version}' is not a known {criterion.Type} version; use {string.Join(" or ", allowed)}.");
                    }
                }
                else if (AsString(typeNode, typePath, "a criterion type") is string type)
                {
                    if (type != "simple" && type != "regex" && type != "jsonpath" && type != "xpath")
                    {
                        _diagnostics.Error("InvalidCriterionType", typePath, $"Criterion type '{type}' is not one of simple, regex, jsonpath, xpath.");
                    }

                    criterion.Type = type;
                }
            }

            if (criterion.Type != "simple" && criterion.Context == null)
            {
                _diagnostics.Error("MissingCriterionContext", path, $"A {criterion.Type} criterion needs 'context' (e.g. context: $response.body).");
            }

            return criterion;
        }

        private void ReadActions(JsonObject obj, string path, string field, IList<ActionDefinition> into, bool failure)
        {
            foreach (var (item, itemPath) in Items(obj, path, field))
            {
                if (AsObject(item, itemPath, failure ? "a failure action" : "a success action") is JsonObject action)
                {
                    into.Add(ReadAction(action, itemPath, failure, allowReference: true));
                }
            }
        }

        private ActionDefinition ReadAction(JsonObject obj, string path, bool failure, bool allowReference)
        {
            var action = new ActionDefinition { Path = path, IsFailureAction = failure };
            if (allowReference && obj.ContainsKey("reference"))
            {
                CheckReusable(obj, path);
                action.Reference = RequiredString(obj, path, "reference");
                return action;
            }

            CheckFields(obj, path, failure ? s_failureActionFields : s_successActionFields, action);
            action.Name = RequiredString(obj, path, "name") ?? string.Empty;
            action.Type = RequiredString(obj, path, "type") ?? string.Empty;
            var allowed = failure ? new[] { "end", "goto", "retry" } : new[] { "end", "goto" };
            if (action.Type.Length > 0 && !allowed.Contains(action.Type))
            {
                _diagnostics.Error("InvalidActionType", JsonPaths.Property(path, "type"), $"Action '{action.Name}' has type '{action.Type}'; use {string.Join(", ", allowed)}.");
            }
            else
            {
                action.Kind = action.Type switch
                {
                    "end" => ActionType.End,
                    "goto" => ActionType.Goto,
                    "retry" => ActionType.Retry,
                    _ => ActionType.Unknown,
                };
            }

            action.WorkflowId = OptionalString(obj, path, "workflowId");
            action.StepId = OptionalString(obj, path, "stepId");
            if (action.WorkflowId != null && action.StepId != null)
            {
                _diagnostics.Error("AmbiguousActionTarget", path, $"Action '{action.Name}' sets both stepId and workflowId; they are mutually exclusive.");
            }

            if (action.Kind == ActionType.Goto && action.WorkflowId == null && action.StepId == null)
            {
                _diagnostics.Error("MissingGotoTarget", path, $"goto action '{action.Name}' needs a stepId or a workflowId.");
            }

            if (failure)
            {
                if (obj.TryGetPropertyValue("retryAfter", out var after))
                {
                    var afterPath = JsonPaths.Property(path, "retryAfter");
                    if (after is JsonValue av && TryNumber(av, out var seconds) && seconds >= 0 && (double.IsInfinity(seconds) || seconds >= TimeSpan.MaxValue.TotalSeconds))
                    {
                        _diagnostics.Error("NumberOutOfRange", afterPath, $"retryAfter {av.ToJsonString()} is out of range: a wait must be a number of seconds below {TimeSpan.MaxValue.TotalSeconds:0}.");
                    }
                    else if (after is JsonValue av2 && TryNumber(av2, out seconds) && seconds >= 0)
                    {
                        action.RetryAfter = seconds;
                    }
                    else
                    {
                        _diagnostics.Error("InvalidType", afterPath, "retryAfter must be a non-negative number of seconds.");
                    }
                }

                if (obj.TryGetPropertyValue("retryLimit", out var limit))
                {
                    var limitPath = JsonPaths.Property(path, "retryLimit");
                    if (limit is JsonValue lv && TryNumber(lv, out var count) && count >= 0 && Math.Floor(count) == count && count <= int.MaxValue)
                    {
                        action.RetryLimit = (int)count;
                    }
                    else
                    {
                        _diagnostics.Error("InvalidType", limitPath, "retryLimit must be a non-negative integer.");
                    }
                }
            }

            foreach (var (item, itemPath) in Items(obj, path, "criteria"))
            {
                if (ReadCriterion(item, itemPath) is Criterion criterion)
                {
                    action.Criteria.Add(criterion);
                }
            }

            return action;
        }

        private void ReadOutputs(JsonObject obj, string path, IList<OutputDefinition> into)
        {
            if (!obj.TryGetPropertyValue("outputs", out var node))
            {
                return;
            }

            var outputsPath = JsonPaths.Property(path, "outputs");
            if (!(AsObject(node, outputsPath, "outputs") is JsonObject outputs))
            {
                return;
            }

            foreach (var pair in outputs)
            {
                var outputPath = JsonPaths.Property(outputsPath, pair.Key);
                if (!IsComponentKey(pair.Key))
                {
                    var suggested = System.Text.RegularExpressions.Regex.Replace(pair.Key, "[^a-zA-Z0-9.\\-_]+", "_").Trim('_');
                    _diagnostics.Leniency("InvalidOutputName", outputPath,
                        $"Output name '{pair.Key}' does not match ^[a-zA-Z0-9\\.\\-_]+$, so no runtime expression can read it; the output is kept under that name. Rename it (e.g. '{(suggested.Length == 0 ? "output" : suggested)}').");
                }

                into.Add(new OutputDefinition { Name = pair.Key, Value = pair.Value, Path = outputPath });
            }
        }

        private Components ReadComponents(JsonObject obj, string path)
        {
            var components = new Components { Path = path };
            CheckFields(obj, path, s_componentFields, components);
            foreach (var (key, value, itemPath) in Entries(obj, path, "inputs"))
            {
                components.Inputs[key] = value;
            }

            foreach (var (key, value, itemPath) in Entries(obj, path, "parameters"))
            {
                if (AsObject(value, itemPath, "a parameter") is JsonObject parameter)
                {
                    components.Parameters[key] = ReadParameter(parameter, itemPath, allowReference: false);
                }
            }

            foreach (var (key, value, itemPath) in Entries(obj, path, "successActions"))
            {
                if (AsObject(value, itemPath, "a success action") is JsonObject action)
                {
                    components.SuccessActions[key] = ReadAction(action, itemPath, failure: false, allowReference: false);
                }
            }

            foreach (var (key, value, itemPath) in Entries(obj, path, "failureActions"))
            {
                if (AsObject(value, itemPath, "a failure action") is JsonObject action)
                {
                    components.FailureActions[key] = ReadAction(action, itemPath, failure: true, allowReference: false);
                }
            }

            return components;
        }

        private IEnumerable<(string Key, JsonNode? Value, string Path)> Entries(JsonObject obj, string path, string field)
        {
            if (!obj.TryGetPropertyValue(field, out var node))
            {
                yield break;
            }

            var fieldPath = JsonPaths.Property(path, field);
            if (!(AsObject(node, fieldPath, field) is JsonObject map))
            {
                yield break;
            }

            foreach (var pair in map.ToList())
            {
                var itemPath = JsonPaths.Property(fieldPath, pair.Key);
                if (!IsComponentKey(pair.Key))
                {
                    _diagnostics.Error("InvalidComponentName", itemPath, $"Component name '{pair.Key}' must match ^[a-zA-Z0-9\\.\\-_]+$.");
                }

                yield return (pair.Key, pair.Value, itemPath);
            }
        }

        private IEnumerable<(JsonNode? Item, string Path)> Items(JsonObject obj, string path, string field)
        {
            if (!obj.TryGetPropertyValue(field, out var node))
            {
                yield break;
            }

            var fieldPath = JsonPaths.Property(path, field);
            if (!(AsArray(node, fieldPath, field) is JsonArray array))
            {
                yield break;
            }

            for (var i = 0; i < array.Count; i++)
            {
                yield return (array[i], JsonPaths.Index(fieldPath, i));
            }
        }

        private void CheckReusable(JsonObject obj, string path)
        {
            foreach (var pair in obj)
            {
                if (!s_reusableFields.Contains(pair.Key))
                {
                    _diagnostics.Warning("UnknownField", JsonPaths.Property(path, pair.Key), $"'{pair.Key}' is not a field of a Reusable Object and is ignored.");
                }
            }
        }

        private void CheckFields(JsonObject obj, string path, string[] known, ArazzoElement element)
        {
            foreach (var pair in obj)
            {
                if (pair.Key.StartsWith("x-", StringComparison.Ordinal))
                {
                    element.Extensions[pair.Key] = pair.Value;
                }
                else if (!known.Contains(pair.Key))
                {
                    _diagnostics.Warning("UnknownField", JsonPaths.Property(path, pair.Key), $"'{pair.Key}' is not a field here and is ignored (known fields: {string.Join(", ", known)}; extensions start with 'x-').");
                }
            }
        }

        private JsonNode? Required(JsonObject obj, string path, string field)
        {
            if (obj.TryGetPropertyValue(field, out var node) && node != null)
            {
                return node;
            }

            _diagnostics.Error("MissingField", path, $"The required field '{field}' is missing.");
            return null;
        }

        private string? RequiredString(JsonObject obj, string path, string field)
        {
            var node = Required(obj, path, field);
            return node == null ? null : AsString(node, JsonPaths.Property(path, field), field);
        }

        private string? OptionalString(JsonObject obj, string path, string field)
        {
            if (!obj.TryGetPropertyValue(field, out var node) || node == null)
            {
                return null;
            }

            return AsString(node, JsonPaths.Property(path, field), field);
        }

        private string? AsString(JsonNode? node, string path, string what)
        {
            if (node is JsonValue value)
            {
                if (value.TryGetValue<string>(out var text))
                {
                    return text;
                }

                // YAML reads `version: 1.0` as a number; accept scalars where a string is expected, as text.
                if (value.GetValueKind() == JsonValueKind.Number || value.GetValueKind() == JsonValueKind.True || value.GetValueKind() == JsonValueKind.False)
                {
                    return value.ToJsonString();
                }
            }

            _diagnostics.Error("InvalidType", path, $"{Capitalize(what)} must be a string.");
            return null;
        }

        private JsonObject? AsObject(JsonNode? node, string path, string what)
        {
            if (node is JsonObject obj)
            {
                return obj;
            }

            _diagnostics.Error("InvalidType", path, $"{Capitalize(what)} must be an object, not {Describe(node)}.");
            return null;
        }

        private JsonArray? AsArray(JsonNode? node, string path, string what)
        {
            if (node is JsonArray array)
            {
                return array;
            }

            _diagnostics.Error("InvalidType", path, $"{Capitalize(what)} must be a list, not {Describe(node)}.");
            return null;
        }

        internal static bool TryNumber(JsonValue value, out double number)
        {
            number = 0;
            if (value.GetValueKind() != JsonValueKind.Number)
            {
                return false;
            }

            return double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }

        internal static bool IsComponentKey(string key) => key.Length > 0 && key.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '.' || c == '-' || c == '_'));

        private static string Describe(JsonNode? node) => node switch
        {
            null => "null",
            JsonObject _ => "an object",
            JsonArray _ => "a list",
            JsonValue v => v.GetValueKind() switch
            {
                JsonValueKind.String => "a string",
                JsonValueKind.Number => "a number",
                JsonValueKind.True => "a boolean",
                JsonValueKind.False => "a boolean",
                _ => "a scalar",
            },
            _ => "a value",
        };

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}
