using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Threading;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;

namespace Daytona.Arazzo.Execution
{
    /// <summary>
    /// What every workflow of one run shares: the options, the source resolver, the redactor and listener, the
    /// inputs, outputs and outcome of each workflow that ran (for <c>$workflows.…</c> and <c>dependsOn</c>), the
    /// step-execution budget and the run's cancellation.
    /// </summary>
    internal sealed class RunState
    {
        private readonly HashSet<string> _warned = new HashSet<string>(StringComparer.Ordinal);
        private int _executions;

        public RunState(RunOptions options, SourceResolver resolver, Redactor redactor, IRunListener listener, bool tracing)
        {
            Options = options;
            Resolver = resolver;
            Redactor = redactor;
            Listener = listener;
            Tracing = tracing;
        }

        public RunOptions Options { get; }

        public SourceResolver Resolver { get; }

        public Redactor Redactor { get; }

        public IRunListener Listener { get; }

        /// <summary>True when someone listens to traces (request lines are only built then).</summary>
        public bool Tracing { get; }

        /// <summary>The cancellation of the current top-level run (the caller's, the timeout's).</summary>
        public CancellationToken Token { get; set; }

        public Dictionary<string, JsonObject> WorkflowInputs { get; } = new Dictionary<string, JsonObject>(StringComparer.Ordinal);

        public Dictionary<string, JsonObject> WorkflowOutputs { get; } = new Dictionary<string, JsonObject>(StringComparer.Ordinal);

        /// <summary>How each workflow that ran in this run ended (a <see cref="WorkflowStatus"/> value).</summary>
        public Dictionary<string, string> WorkflowStatus { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Counts one step execution; false once the run has used up <see cref="RunOptions.MaxSteps"/>.</summary>
        public bool TryCountExecution() => ++_executions <= Options.MaxSteps;

        /// <summary>Shows a warning once per run, however often the condition that causes it recurs.</summary>
        public void WarnOnce(string message)
        {
            if (_warned.Add(message))
            {
                Listener.Warning(message);
            }
        }
    }

    /// <summary>One run of one workflow: its inputs, the outputs of its steps, its pacing and its retry counts.</summary>
    internal sealed class WorkflowRun
    {
        private readonly RunState _state;
        private ExpressionContext? _template;

        public WorkflowRun(RunState state, Workflow workflow, JsonObject inputs)
        {
            _state = state;
            Workflow = workflow;
            Inputs = inputs;
            Pacer = new Pacer(state.Options);
        }

        public Workflow Workflow { get; }

        public JsonObject Inputs { get; }

        /// <summary>The outputs of each step's last execution, by step id.</summary>
        public Dictionary<string, JsonObject> StepOutputs { get; } = new Dictionary<string, JsonObject>(StringComparer.Ordinal);

        public Pacer Pacer { get; }

        /// <summary>Outputs (workflow outputs by name, step outputs as step.name) whose expression resolved to nothing, with why, in the order found.</summary>
        public Dictionary<string, string> Unresolved { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>How many times each retry action of each step has run (reset when the step succeeds).</summary>
        public RetryCounts Retries { get; } = new RetryCounts();

        /// <summary>A fresh expression context over this run's state (inputs, step outputs, other workflows, components).</summary>
        public ExpressionContext NewContext() => (_template ??= CreateTemplate()).With(_ => { });

        private ExpressionContext CreateTemplate()
        {
            var document = Workflow.Document;
            var state = _state;
            return new ExpressionContext
            {
                Inputs = Inputs,
                StepOutputs = id => StepOutputs.TryGetValue(id, out var outputs) ? outputs : null,
                Workflows = (id, field) => field == "inputs"
                    ? (state.WorkflowInputs.TryGetValue(id, out var i) ? i : null)
                    : (state.WorkflowOutputs.TryGetValue(id, out var o) ? o : null),
                SourceDescriptions = (name, reference) =>
                {
                    var source = document.FindSource(name);
                    if (source == null)
                    {
                        return null;
                    }

                    return reference == "url" ? JsonValue.Create(source.Url) : JsonValue.Create(reference);
                },
                Components = (type, name) =>
                {
                    if (document.Source?.Root is JsonObject root && root["components"] is JsonObject components && components[type] is JsonObject map && map.TryGetPropertyValue(name, out var component))
                    {
                        if (type == "parameters" && component is JsonObject parameter && parameter.TryGetPropertyValue("value", out var value))
                        {
                            return value?.DeepClone();
                        }

                        return component?.DeepClone();
                    }

                    return null;
                },
                Self = document.Location,
                Strict = state.Options.Strict,
                OnLeniency = state.WarnOnce,
            };
        }
    }
}
