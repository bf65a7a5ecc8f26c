using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Arazzo.Criteria;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Yaml;

namespace Daytona.Arazzo.Validation
{
    /// <summary>
    /// Checks a loaded document beyond its shape: unique ids, goto and dependsOn targets, references into
    /// components, operations that resolve in their source descriptions, runtime expressions and criteria that parse.
    /// Spec deviations that real documents make are reported as leniency warnings.
    /// </summary>
    public static class ArazzoValidator
    {
        private static readonly Regex s_idPattern = new Regex("^[A-Za-z0-9_\\-]+$", RegexOptions.CultureInvariant);

        /// <summary>
        /// Validates the document and says, per workflow, whether it can run (see <see cref="ValidationReport"/>):
        /// a finding fails only the workflow, component or source it is about and what relies on it.
        /// Under <paramref name="strict"/>, leniencies count as errors.
        /// </summary>
        public static async Task<ValidationReport> AssessAsync(LoadResult loaded, SourceResolver? resolver, bool strict = false, CancellationToken cancellationToken = default, bool checkOpenApi = true)
        {
            var diagnostics = await ValidateAsync(loaded, resolver, cancellationToken, checkOpenApi).ConfigureAwait(false);
            return DiagnosticScopes.Build(loaded.Document, diagnostics, strict);
        }

        /// <summary>
        /// Validates the document; <paramref name="resolver"/> null skips loading source descriptions, and
        /// <paramref name="checkOpenApi"/> false skips reading OpenAPI 2.0/3.0 descriptions with Microsoft.OpenApi.
        /// </summary>
        public static async Task<IReadOnlyList<Diagnostic>> ValidateAsync(LoadResult loaded, SourceResolver? resolver, CancellationToken cancellationToken = default, bool checkOpenApi = true)
        {
            var document = loaded.Document;
            var bag = new DiagnosticBag(document?.Source, document?.Location);
            bag.AddRange(loaded.Diagnostics);
            if (document == null)
            {
                return bag.Items;
            }

            CheckUnique(bag, document.SourceDescriptions.Select(s => (s.Name, s.Path)), "DuplicateSourceName", "source description name");
            CheckUnique(bag, document.Workflows.Select(w => (w.WorkflowId, w.Path)), "DuplicateWorkflowId", "workflowId");
            foreach (var source in document.SourceDescriptions)
            {
                CheckIdentifier(bag, source.Name, JsonPaths.Property(source.Path, "name"), "source description name");
            }

            foreach (var workflow in document.Workflows)
            {
                await ValidateWorkflowAsync(bag, document, workflow, resolver, cancellationToken).ConfigureAwait(false);
            }

            CheckDependencyCycles(bag, document);
            if (resolver != null && checkOpenApi)
            {
                foreach (var source in document.SourceDescriptions.Where(s => !s.IsArazzo))
                {
                    var loadedSource = await resolver.LoadAsync(document, source, cancellationToken).ConfigureAwait(false);
                    if (loadedSource.OpenApi != null && loadedSource.Text != null && OpenApiReaderCheck.CanRead(loadedSource.OpenApi.Version))
                    {
                        foreach (var problem in OpenApiReaderCheck.Problems(loadedSource.Text).Take(20))
                        {
                            bag.Warning("OpenApiDescriptionProblem", JsonPaths.Property(source.Path, "url"), $"Source description '{source.Name}' ({System.IO.Path.GetFileName(loadedSource.Location)}): {problem}");
                        }
                    }
                    else if (loadedSource.OpenApi == null && loadedSource.Error != null)
                    {
                        bag.Warning("SourceUnavailable", JsonPaths.Property(source.Path, "url"), loadedSource.Error);
                    }
                }
            }
            foreach (var pair in document.Components.Parameters)
            {
                if (pair.Value.HasValue)
                {
                    CheckValueExpressions(bag, pair.Value.Value, JsonPaths.Property(pair.Value.Path, "value"), null, null);
                }
            }

            return bag.Items;
        }

        private static async Task ValidateWorkflowAsync(DiagnosticBag bag, ArazzoDocument document, Workflow workflow, SourceResolver? resolver, CancellationToken cancellationToken)
        {
            CheckIdentifier(bag, workflow.WorkflowId, JsonPaths.Property(workflow.Path, "workflowId"), "workflowId");
            CheckUnique(bag, workflow.Steps.Select(s => (s.StepId, s.Path)), "DuplicateStepId", $"stepId in workflow '{workflow.WorkflowId}'");
            CheckInputsSchema(bag, document, workflow);
            for (var i = 0; i < workflow.DependsOn.Count; i++)
            {
                var path = JsonPaths.Index(JsonPaths.Property(workflow.Path, "dependsOn"), i);
                var dependency = workflow.DependsOn[i];
                if (resolver != null || !dependency.StartsWith("$", StringComparison.Ordinal))
                {
                    var target = await StepBinder.BindWorkflowAsync(document, dependency, resolver ?? new SourceResolver { AllowRemote = false }, cancellationToken).ConfigureAwait(false);
                    if (target.Workflow == null)
                    {
                        Report(bag, target, path);
                    }
                }
            }

            CheckParameters(bag, document, workflow.Parameters, workflow, null);
            CheckActions(bag, document, workflow, workflow.SuccessActions, null);
            CheckActions(bag, document, workflow, workflow.FailureActions, null);
            CheckDuplicateActions(bag, document, workflow.SuccessActions);
            CheckDuplicateActions(bag, document, workflow.FailureActions);
            foreach (var step in workflow.Steps)
            {
                CheckIdentifier(bag, step.StepId, JsonPaths.Property(step.Path, "stepId"), "stepId");
                if (resolver != null && new[] { step.OperationId, step.OperationPath, step.WorkflowId }.Count(t => t != null) == 1)
                {
                    var target = await StepBinder.BindAsync(document, step, resolver, cancellationToken).ConfigureAwait(false);
                    var field = step.OperationId != null ? "operationId" : step.OperationPath != null ? "operationPath" : "workflowId";
                    if (target.Operation == null && target.Workflow == null)
                    {
                        Report(bag, target, JsonPaths.Property(step.Path, field));
                    }
                    else
                    {
                        if (target.Lenient != null)
                        {
                            bag.Leniency(target.Operation != null ? "QualifiedOperationId" : "QualifiedWorkflowId", JsonPaths.Property(step.Path, field), target.Lenient);
                        }

                        if (target.Warning != null)
                        {
                            bag.Warning("DuplicateOperationId", JsonPaths.Property(step.Path, field), target.Warning);
                        }

                        if (target.Operation != null)
                        {
                            CheckOperationParameters(bag, workflow, step, target.Operation);
                            ResponseReads.Check(bag, workflow, step, target.Operation);
                        }
                    }
                }
                else if (resolver == null && step.WorkflowId != null && !step.WorkflowId.StartsWith("$", StringComparison.Ordinal) && document.FindWorkflow(step.WorkflowId) == null)
                {
                    bag.Error("UnknownWorkflow", JsonPaths.Property(step.Path, "workflowId"), $"Workflow '{step.WorkflowId}' does not exist in this document.");
                }

                if (step.OperationPath != null)
                {
                    var head = step.OperationPath.Split('#')[0].Trim();
                    if (!head.StartsWith("{$sourceDescriptions.", StringComparison.Ordinal) && !head.StartsWith("$sourceDescriptions.", StringComparison.Ordinal))
                    {
                        var source = document.SourceDescriptions.FirstOrDefault(s => s.Name == head || s.Url == head);
                        if (source != null)
                        {
                            var fixedPath = "{$sourceDescriptions." + source.Name + ".url}" + step.OperationPath.Substring(step.OperationPath.IndexOf('#') < 0 ? step.OperationPath.Length : step.OperationPath.IndexOf('#'));
                            bag.Leniency("OperationPathWithoutExpression", JsonPaths.Property(step.Path, "operationPath"),
                                $"operationPath '{step.OperationPath}' names its source description without a runtime expression; write '{fixedPath}'.");
                        }
                    }
                }

                if (step.WorkflowId == null)
                {
                    foreach (var parameter in step.Parameters.Where(p => p.Reference == null && p.In == null))
                    {
                        bag.Error("MissingParameterLocation", parameter.Path, $"Parameter '{parameter.Name}' of step '{step.StepId}' needs 'in' (path, query, header or cookie) because the step calls an operation.");
                    }
                }

                CheckParameters(bag, document, step.Parameters, workflow, step);
                if (step.RequestBody != null)
                {
                    if (step.RequestBody.HasPayload)
                    {
                        CheckValueExpressions(bag, step.RequestBody.Payload, JsonPaths.Property(step.RequestBody.Path, "payload"), workflow, step);
                    }

                    foreach (var replacement in step.RequestBody.Replacements)
                    {
                        CheckValueExpressions(bag, replacement.Value, JsonPaths.Property(replacement.Path, "value"), workflow, step);
                    }
                }

                foreach (var criterion in step.SuccessCriteria)
                {
                    CheckCriterion(bag, criterion, workflow, step);
                }

                CheckActions(bag, document, workflow, step.OnSuccess, step);
                CheckActions(bag, document, workflow, step.OnFailure, step);
                CheckDuplicateActions(bag, document, step.OnSuccess);
                CheckDuplicateActions(bag, document, step.OnFailure);
                foreach (var output in step.Outputs)
                {
                    CheckValueExpressions(bag, output.Value, output.Path, workflow, step);
                }
            }

            foreach (var output in workflow.Outputs)
            {
                CheckValueExpressions(bag, output.Value, output.Path, workflow, null);
            }
        }

        private static void CheckOperationParameters(DiagnosticBag bag, Workflow workflow, Step step, OperationInfo operation)
        {
            var given = References.EffectiveParameters(workflow, step);
            foreach (var parameter in given)
            {
                if (ParameterNames.Match(operation, parameter) is OperationParameter declared)
                {
                    bag.Leniency("ParameterNameMismatch", parameter.Path, ParameterNames.Advice(operation, parameter, declared));
                }
            }

            foreach (var required in operation.Parameters.Where(p => p.Required && p.In == "path"))
            {
                if (!given.Any(p => (p.Name == required.Name || ParameterNames.Match(operation, p) == required) && p.In == "path"))
                {
                    bag.Warning("MissingPathParameter", step.Path, $"Step '{step.StepId}' calls {operation} but gives no value for its required path parameter '{required.Name}'.");
                }
            }
        }

        private static void Report(DiagnosticBag bag, StepTarget target, string path)
        {
            if (target.SourceUnavailable)
            {
                bag.Warning("SourceUnavailable", path, (target.Error ?? "A source description could not be loaded.") + " The reference could not be checked.");
            }
            else
            {
                bag.Error(target.ErrorCode ?? "UnresolvedOperation", path, target.Error ?? "The reference does not resolve.");
            }
        }

        private static void CheckInputsSchema(DiagnosticBag bag, ArazzoDocument document, Workflow workflow)
        {
            if (workflow.Inputs == null)
            {
                return;
            }

            var path = JsonPaths.Property(workflow.Path, "inputs");
            foreach (var (reference, refPath) in FindRefs(workflow.Inputs, path, 0))
            {
                if (reference.StartsWith("#/components/inputs/", StringComparison.Ordinal))
                {
                    var name = reference.Substring("#/components/inputs/".Length).Split('/')[0];
                    if (!document.Components.Inputs.ContainsKey(name))
                    {
                        bag.Error("UnresolvedReference", refPath, $"'{reference}' points at no schema in components.inputs.");
                    }
                }
            }

            if (workflow.Inputs is JsonObject schema && schema["type"] is JsonValue type && JsonUtil.Render(type) != "object")
            {
                bag.Warning("InputsNotObject", path, $"The inputs schema of workflow '{workflow.WorkflowId}' has type '{JsonUtil.Render(type)}'; inputs are named values, so it should be 'object'.");
            }
        }

        private static IEnumerable<(string Reference, string Path)> FindRefs(JsonNode? node, string path, int depth)
        {
            if (depth > 64)
            {
                yield break;
            }

            if (node is JsonObject obj)
            {
                foreach (var pair in obj)
                {
                    var childPath = JsonPaths.Property(path, pair.Key);
                    if (pair.Key == "$ref" && pair.Value is JsonValue v && v.TryGetValue<string>(out var reference))
                    {
                        yield return (reference, childPath);
                    }
                    else
                    {
                        foreach (var inner in FindRefs(pair.Value, childPath, depth + 1))
                        {
                            yield return inner;
                        }
                    }
                }
            }
            else if (node is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var inner in FindRefs(array[i], JsonPaths.Index(path, i), depth + 1))
                    {
                        yield return inner;
                    }
                }
            }
        }

        private static void CheckParameters(DiagnosticBag bag, ArazzoDocument document, IList<Parameter> parameters, Workflow workflow, Step? step)
        {
            var seen = new HashSet<string>();
            foreach (var parameter in parameters)
            {
                var resolved = References.Resolve(document, parameter, out var error);
                if (resolved == null)
                {
                    bag.Error("UnresolvedReference", JsonPaths.Property(parameter.Path, "reference"), error!);
                    continue;
                }

                if (!seen.Add(resolved.Name + "|" + resolved.In))
                {
                    bag.Error("DuplicateParameter", parameter.Path, $"Parameter '{resolved.Name}'{(resolved.In == null ? string.Empty : $" in {resolved.In}")} is listed twice.");
                }

                if (parameter.HasValue)
                {
                    CheckValueExpressions(bag, parameter.Value, JsonPaths.Property(parameter.Path, "value"), workflow, step);
                }
            }
        }

        private static void CheckActions(DiagnosticBag bag, ArazzoDocument document, Workflow workflow, IList<ActionDefinition> actions, Step? step)
        {
            foreach (var action in actions)
            {
                var resolved = References.Resolve(document, action, out var error);
                if (resolved == null)
                {
                    bag.Error("UnresolvedReference", JsonPaths.Property(action.Path, "reference"), error!);
                    continue;
                }

                var at = action.Reference == null ? action.Path : resolved.Path;
                if (resolved.StepId != null && workflow.FindStep(resolved.StepId) == null)
                {
                    bag.Error("UnknownGotoTarget", JsonPaths.Property(at, "stepId"),
                        $"Action '{resolved.Name}' goes to step '{resolved.StepId}', which is not a step of workflow '{workflow.WorkflowId}'.");
                }

                if (resolved.WorkflowId != null && !resolved.WorkflowId.StartsWith("$", StringComparison.Ordinal) && document.FindWorkflow(resolved.WorkflowId) == null)
                {
                    bag.Error("UnknownGotoTarget", JsonPaths.Property(at, "workflowId"),
                        $"Action '{resolved.Name}' goes to workflow '{resolved.WorkflowId}', which does not exist in this document.");
                }

                if (action.Reference == null)
                {
                    foreach (var criterion in resolved.Criteria)
                    {
                        CheckCriterion(bag, criterion, workflow, step);
                    }
                }
            }
        }

        private static void CheckDuplicateActions(DiagnosticBag bag, ArazzoDocument document, IList<ActionDefinition> actions)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var action in actions)
            {
                var resolved = References.Resolve(document, action, out _);
                if (resolved != null && resolved.Name.Length > 0 && !seen.Add(resolved.Name))
                {
                    bag.Error("DuplicateAction", action.Path, $"Action '{resolved.Name}' is listed twice.");
                }
            }
        }

        private static void CheckCriterion(DiagnosticBag bag, Criterion criterion, Workflow workflow, Step? step)
        {
            var conditionPath = JsonPaths.Property(criterion.Path, "condition");
            if (criterion.Context != null)
            {
                var contextPath = JsonPaths.Property(criterion.Path, "context");
                if (!RuntimeExpression.TryParse(criterion.Context, out var contextExpression, out var contextError))
                {
                    bag.Error("MalformedExpression", contextPath, $"The criterion context '{criterion.Context}' is not a runtime expression: {contextError}");
                }
                else
                {
                    CheckReference(bag, contextExpression!, contextPath, workflow, step);
                }
            }

            switch (criterion.Type)
            {
                case "simple":
                    if (!SimpleCondition.TryParse(criterion.Condition, out var condition, out var error))
                    {
                        bag.Error("InvalidCondition", conditionPath, error!);
                    }
                    else
                    {
                        if (condition!.UsesDoubleQuotes)
                        {
                            bag.Leniency("DoubleQuotedString", conditionPath,
                                $"The condition '{criterion.Condition}' writes a string in double quotes; the simple condition language uses single quotes (write 'text', doubling a quote inside as '').");
                        }

                        foreach (var expression in condition.Expressions())
                        {
                            CheckReference(bag, expression, conditionPath, workflow, step);
                        }
                    }

                    break;
                case "regex":
                    try
                    {
                        _ = new Regex(criterion.Condition, RegexOptions.None, TimeSpan.FromSeconds(1));
                    }
                    catch (ArgumentException e)
                    {
                        bag.Error("InvalidCondition", conditionPath, $"'{criterion.Condition}' is not a valid regular expression: {e.Message}");
                    }

                    break;
                case "jsonpath":
                    if (!CriterionEvaluator.IsJsonPathQuery(criterion.Condition, out var jsonPathError))
                    {
                        var filter = CriterionEvaluator.RewriteAsFilter(criterion.Condition);
                        if (filter != null && CriterionEvaluator.IsJsonPathQuery(filter, out _))
                        {
                            bag.Leniency("JsonPathComparison", conditionPath,
                                $"The jsonpath condition '{criterion.Condition}' is a comparison, not an RFC 9535 query; it is evaluated as the RFC 9535 filter '{filter}' (the context's members, when the comparison holds). Write it as that filter.");
                        }
                        else
                        {
                            bag.Error("InvalidCondition", conditionPath, $"'{criterion.Condition}' is not a JSONPath query (RFC 9535): {jsonPathError}");
                        }
                    }

                    break;
                case "xpath":
                    if (!CriterionEvaluator.IsXPath(criterion.Condition, out var xpathError))
                    {
                        bag.Error("InvalidCondition", conditionPath, $"'{criterion.Condition}' is not a valid XPath expression: {xpathError}");
                    }

                    break;
            }
        }

        /// <summary>Checks every expression inside a value: whole-string ones, embedded ones and bare ones.</summary>
        private static void CheckValueExpressions(DiagnosticBag bag, JsonNode? value, string path, Workflow? workflow, Step? step, int depth = 0)
        {
            if (depth > 64)
            {
                return;
            }

            switch (value)
            {
                case JsonObject obj:
                    foreach (var pair in obj)
                    {
                        CheckValueExpressions(bag, pair.Value, JsonPaths.Property(path, pair.Key), workflow, step, depth + 1);
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        CheckValueExpressions(bag, array[i], JsonPaths.Index(path, i), workflow, step, depth + 1);
                    }

                    break;
                case JsonValue v when v.TryGetValue<string>(out var text):
                    if (text.Length > 1 && text[0] == '$' && char.IsLetter(text[1]) && text.IndexOf(' ') < 0)
                    {
                        if (RuntimeExpression.TryParse(text, out var expression, out var error))
                        {
                            CheckReference(bag, expression!, path, workflow, step);
                        }
                        else if (RuntimeExpression.TryParseLenient(text, out expression, out var rewritten))
                        {
                            bag.Leniency("NonStandardExpression", path, Advice(expression!, text, rewritten));
                            CheckReference(bag, expression!, path, workflow, step);
                        }
                        else
                        {
                            bag.Error("MalformedExpression", path, $"'{text}' looks like a runtime expression but is not one: {error}");
                        }

                        return;
                    }

                    foreach (var segment in ExpressionTemplate.Embedded(text))
                    {
                        var inner = segment.Text.Substring(1, segment.Text.Length - 2);
                        if (!RuntimeExpression.IsExpression(inner))
                        {
                            RuntimeExpression.TryParseLenient(inner, out _, out var rewrittenInner);
                            bag.Leniency("NonStandardExpression", path, Advice(segment.Expression!, inner, rewrittenInner));
                        }

                        CheckReference(bag, segment.Expression!, path, workflow, step);
                    }

                    foreach (var segment in ExpressionTemplate.Bare(text))
                    {
                        var fixedText = text.Substring(0, segment.Start) + "{" + segment.Text + "}" + text.Substring(segment.Start + segment.Text.Length);
                        bag.Leniency("BareExpression", path,
                            $"'{text}' embeds {segment.Text} without braces; the spec embeds expressions in strings as {{expression}}: write '{fixedText}'.");
                        CheckReference(bag, segment.Expression!, path, workflow, step);
                    }

                    break;
            }
        }

        private static string Advice(RuntimeExpression expression, string text, string? rewritten) =>
            expression.Advice ?? $"'{text}' is not a runtime expression as the spec writes them; it is read as '{rewritten}'. Write '{rewritten}'.";

        private static void CheckReference(DiagnosticBag bag, RuntimeExpression expression, string path, Workflow? workflow, Step? step)
        {
            if (workflow == null)
            {
                return;
            }

            switch (expression.Source)
            {
                case ExpressionSource.Steps:
                    {
                        var target = workflow.FindStep(expression.Owner!);
                        if (target == null)
                        {
                            bag.Leniency("UnknownStepReference", path, $"'{expression.Text}' refers to step '{expression.Owner}', which is not a step of workflow '{workflow.WorkflowId}', so it resolves to nothing when the workflow runs. Refer to a step of this workflow, or pass the value in as an input.");
                        }
                        else if (!target.Outputs.Any(o => o.Name == expression.Name || expression.Name!.StartsWith(o.Name + ".", StringComparison.Ordinal)))
                        {
                            bag.Warning("UnknownOutputReference", path, $"'{expression.Text}' reads output '{expression.Name}', which step '{expression.Owner}' does not declare.");
                        }

                        break;
                    }

                case ExpressionSource.Inputs:
                    {
                        var names = workflow.InputNames;
                        var head = expression.Name!.Split('.')[0];
                        if (workflow.Inputs is JsonObject schema && schema["properties"] is JsonObject && !names.Contains(expression.Name!) && !names.Contains(head))
                        {
                            bag.Warning("UnknownInputReference", path, $"'{expression.Text}' reads input '{expression.Name}', which the inputs schema of workflow '{workflow.WorkflowId}' does not declare.");
                        }

                        break;
                    }

                case ExpressionSource.Workflows:
                    if (workflow.Document.FindWorkflow(expression.Owner!) == null)
                    {
                        bag.Leniency("UnknownWorkflowReference", path, $"'{expression.Text}' refers to workflow '{expression.Owner}', which does not exist in this document, so it resolves to nothing when the workflow runs.");
                    }

                    break;
                case ExpressionSource.SourceDescriptions:
                    if (workflow.Document.FindSource(expression.Owner!) == null)
                    {
                        bag.Error("UnknownSourceDescription", path, $"'{expression.Text}' refers to source description '{expression.Owner}', which is not declared.");
                    }

                    break;
                case ExpressionSource.Components:
                    {
                        var components = workflow.Document.Components;
                        var exists = expression.Owner switch
                        {
                            "parameters" => components.Parameters.ContainsKey(expression.Name!),
                            "successActions" => components.SuccessActions.ContainsKey(expression.Name!),
                            "failureActions" => components.FailureActions.ContainsKey(expression.Name!),
                            _ => components.Inputs.ContainsKey(expression.Name!),
                        };
                        if (!exists)
                        {
                            bag.Error("UnresolvedReference", path, $"'{expression.Text}' points at no component.");
                        }

                        break;
                    }
            }
        }

        private static void CheckDependencyCycles(DiagnosticBag bag, ArazzoDocument document)
        {
            foreach (var workflow in document.Workflows)
            {
                if (HasCycle(document, workflow.WorkflowId, new HashSet<string>(), 0))
                {
                    bag.Error("DependencyCycle", JsonPaths.Property(workflow.Path, "dependsOn"), $"Workflow '{workflow.WorkflowId}' depends on itself through dependsOn.");
                }
            }
        }

        private static bool HasCycle(ArazzoDocument document, string workflowId, HashSet<string> visiting, int depth)
        {
            if (depth > 256 || !visiting.Add(workflowId))
            {
                return true;
            }

            var workflow = document.FindWorkflow(workflowId);
            if (workflow != null)
            {
                foreach (var dependency in workflow.DependsOn)
                {
                    if (HasCycle(document, dependency, visiting, depth + 1))
                    {
                        return true;
                    }
                }
            }

            visiting.Remove(workflowId);
            return false;
        }

        private static void CheckUnique(DiagnosticBag bag, IEnumerable<(string Id, string Path)> items, string code, string what)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (id, path) in items)
            {
                if (id.Length > 0 && !seen.Add(id))
                {
                    bag.Error(code, path, $"The {what} '{id}' is used more than once; it must be unique.");
                }
            }
        }

        private static void CheckIdentifier(DiagnosticBag bag, string id, string path, string what)
        {
            if (id.Length > 0 && !s_idPattern.IsMatch(id))
            {
                bag.Warning("IdentifierPattern", path, $"The {what} '{id}' should match [A-Za-z0-9_\\-]+ so runtime expressions can refer to it.");
            }
        }
    }
}
