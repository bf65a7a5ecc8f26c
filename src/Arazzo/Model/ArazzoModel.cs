using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Daytona.Arazzo.Yaml;

namespace Daytona.Arazzo.Model
{
    /// <summary>Anything read from a document, with the JSON path it came from.</summary>
    public abstract class ArazzoElement
    {
        /// <summary>The JSON path of this element in its document, e.g. <c>$.workflows[0].steps[2]</c>.</summary>
        public string Path { get; internal set; } = JsonPaths.Root;

        /// <summary>Specification extensions (<c>x-…</c>) on this element.</summary>
        public IDictionary<string, JsonNode?> Extensions { get; } = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
    }

    /// <summary>An Arazzo description: the root of a document.</summary>
    public sealed class ArazzoDocument : ArazzoElement
    {
        public string? Arazzo { get; internal set; }

        public Info Info { get; internal set; } = new Info();

        public IList<SourceDescription> SourceDescriptions { get; } = new List<SourceDescription>();

        public IList<Workflow> Workflows { get; } = new List<Workflow>();

        public Components Components { get; internal set; } = new Components();

        /// <summary>Where the document was read from (a file path or URL); relative source URLs resolve against it.</summary>
        public string? Location { get; internal set; }

        /// <summary>The parsed text with the position of every node.</summary>
        public YamlJsonDocument? Source { get; internal set; }

        /// <summary>What validation found, per workflow, when the document was prepared for a run; null for a document only loaded.</summary>
        public Validation.ValidationReport? Validation { get; internal set; }

        public Workflow? FindWorkflow(string workflowId) => Workflows.FirstOrDefault(w => string.Equals(w.WorkflowId, workflowId, StringComparison.Ordinal));

        public SourceDescription? FindSource(string name) => SourceDescriptions.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
    }

    public sealed class Info : ArazzoElement
    {
        public string? Title { get; internal set; }

        public string? Summary { get; internal set; }

        public string? Description { get; internal set; }

        public string? Version { get; internal set; }
    }

    public sealed class SourceDescription : ArazzoElement
    {
        public string Name { get; internal set; } = string.Empty;

        public string Url { get; internal set; } = string.Empty;

        /// <summary><c>openapi</c> (the default) or <c>arazzo</c>.</summary>
        public string Type { get; internal set; } = "openapi";

        public bool IsArazzo => string.Equals(Type, "arazzo", StringComparison.OrdinalIgnoreCase);
    }

    public sealed class Workflow : ArazzoElement
    {
        public string WorkflowId { get; internal set; } = string.Empty;

        public string? Summary { get; internal set; }

        public string? Description { get; internal set; }

        /// <summary>The JSON Schema of the inputs, as written.</summary>
        public JsonNode? Inputs { get; internal set; }

        public IList<string> DependsOn { get; } = new List<string>();

        public IList<Step> Steps { get; } = new List<Step>();

        public IList<ActionDefinition> SuccessActions { get; } = new List<ActionDefinition>();

        public IList<ActionDefinition> FailureActions { get; } = new List<ActionDefinition>();

        public IList<OutputDefinition> Outputs { get; } = new List<OutputDefinition>();

        public IList<Parameter> Parameters { get; } = new List<Parameter>();

        /// <summary>The document this workflow belongs to.</summary>
        public ArazzoDocument Document { get; internal set; } = null!;

        public Step? FindStep(string stepId) => Steps.FirstOrDefault(s => string.Equals(s.StepId, stepId, StringComparison.Ordinal));

        public int IndexOfStep(string stepId)
        {
            for (var i = 0; i < Steps.Count; i++)
            {
                if (string.Equals(Steps[i].StepId, stepId, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>Names of the inputs the schema declares (its properties, through <c>$ref</c> and <c>allOf</c> too).</summary>
        public IReadOnlyList<string> InputNames => Inputs == null ? Array.Empty<string>() : Daytona.Arazzo.Inputs.InputSchema.NamesOf(this);

        public override string ToString() => WorkflowId;
    }

    public sealed class Step : ArazzoElement
    {
        public string StepId { get; internal set; } = string.Empty;

        public string? Description { get; internal set; }

        public string? OperationId { get; internal set; }

        public string? OperationPath { get; internal set; }

        public string? WorkflowId { get; internal set; }

        public IList<Parameter> Parameters { get; } = new List<Parameter>();

        public RequestBody? RequestBody { get; internal set; }

        public IList<Criterion> SuccessCriteria { get; } = new List<Criterion>();

        public IList<ActionDefinition> OnSuccess { get; } = new List<ActionDefinition>();

        public IList<ActionDefinition> OnFailure { get; } = new List<ActionDefinition>();

        public IList<OutputDefinition> Outputs { get; } = new List<OutputDefinition>();

        /// <summary>What the step calls: the operationId, operationPath or workflowId as written.</summary>
        public string Target => OperationId ?? OperationPath ?? WorkflowId ?? string.Empty;

        public override string ToString() => StepId;
    }

    /// <summary>A named output: a runtime expression (or a literal) evaluated after the step or workflow.</summary>
    public sealed class OutputDefinition : ArazzoElement
    {
        public string Name { get; internal set; } = string.Empty;

        public JsonNode? Value { get; internal set; }
    }

    /// <summary>A parameter, or a Reusable Object pointing at one in components.</summary>
    public sealed class Parameter : ArazzoElement
    {
        public string Name { get; internal set; } = string.Empty;

        /// <summary><c>path</c>, <c>query</c>, <c>header</c>, <c>cookie</c>, or null (workflow inputs).</summary>
        public string? In { get; internal set; }

        public JsonNode? Value { get; internal set; }

        public bool HasValue { get; internal set; }

        /// <summary>Set when this is a Reusable Object (<c>reference: $components.parameters.x</c>).</summary>
        public string? Reference { get; internal set; }

        public Parameter Clone() => (Parameter)MemberwiseClone();
    }

    public sealed class RequestBody : ArazzoElement
    {
        public string? ContentType { get; internal set; }

        public JsonNode? Payload { get; internal set; }

        public bool HasPayload { get; internal set; }

        public IList<PayloadReplacement> Replacements { get; } = new List<PayloadReplacement>();
    }

    public sealed class PayloadReplacement : ArazzoElement
    {
        public string Target { get; internal set; } = string.Empty;

        public JsonNode? Value { get; internal set; }
    }

    public sealed class Criterion : ArazzoElement
    {
        public string? Context { get; internal set; }

        public string Condition { get; internal set; } = string.Empty;

        /// <summary><c>simple</c> (the default), <c>regex</c>, <c>jsonpath</c> or <c>xpath</c>.</summary>
        public string Type { get; internal set; } = "simple";

        /// <summary>The expression version of a Criterion Expression Type Object, when given.</summary>
        public string? Version { get; internal set; }

        /// <summary>The parsed condition, cached by the evaluator.</summary>
        internal object? Compiled { get; set; }

        /// <summary>The parsed context expression, cached by the evaluator.</summary>
        internal object? CompiledContext { get; set; }
    }

    /// <summary>What a success or failure action does.</summary>
    public enum ActionType
    {
        /// <summary>The type is missing or not one the spec defines (a diagnostic says so).</summary>
        Unknown,

        /// <summary>End the workflow.</summary>
        End,

        /// <summary>Go to a step of this workflow, or transfer to another workflow.</summary>
        Goto,

        /// <summary>Run the step again (failure actions only), after retryAfter seconds, up to retryLimit times.</summary>
        Retry,
    }

    /// <summary>A success or failure action, or a Reusable Object pointing at one in components.</summary>
    public sealed class ActionDefinition : ArazzoElement
    {
        public string Name { get; internal set; } = string.Empty;

        /// <summary><c>end</c>, <c>goto</c> or (failure only) <c>retry</c>, as written.</summary>
        public string Type { get; internal set; } = string.Empty;

        /// <summary>What the action does, read from <see cref="Type"/>; <see cref="ActionType.Unknown"/> when the type is not one of the spec's.</summary>
        public ActionType Kind { get; internal set; }

        public string? WorkflowId { get; internal set; }

        public string? StepId { get; internal set; }

        public double? RetryAfter { get; internal set; }

        public int? RetryLimit { get; internal set; }

        public IList<Criterion> Criteria { get; } = new List<Criterion>();

        /// <summary>Set when this is a Reusable Object (<c>reference: $components.successActions.x</c>).</summary>
        public string? Reference { get; internal set; }

        public bool IsFailureAction { get; internal set; }

        public override string ToString() => Name;
    }

    public sealed class Components : ArazzoElement
    {
        public IDictionary<string, JsonNode?> Inputs { get; } = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);

        public IDictionary<string, Parameter> Parameters { get; } = new Dictionary<string, Parameter>(StringComparer.Ordinal);

        public IDictionary<string, ActionDefinition> SuccessActions { get; } = new Dictionary<string, ActionDefinition>(StringComparer.Ordinal);

        public IDictionary<string, ActionDefinition> FailureActions { get; } = new Dictionary<string, ActionDefinition>(StringComparer.Ordinal);
    }
}
