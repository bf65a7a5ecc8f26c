using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Text.Json.Nodes;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;
using Daytona.Common;

namespace Daytona.Arazzo.Execution
{
    /// <summary>Computes step outputs after each step and a workflow's outputs when it ends, and records the workflow's outcome.</summary>
    internal sealed class OutputEvaluator
    {
        private readonly RunState _state;

        public OutputEvaluator(RunState state) => _state = state;

        /// <summary>Evaluates a step's outputs; each that resolves to nothing is noted in the run's unresolved list (and taken off it when it resolves).</summary>
        public static JsonObject StepOutputs(WorkflowRun run, Step step, ExpressionContext context, bool requestSent = true)
        {
            var result = new JsonObject();
            foreach (var output in step.Outputs)
            {
                string? missing = null;
                result[output.Name] = ExpressionEvaluator.EvaluateValue(output.Value, context, bare: true, (expression, evaluation) => missing ??= $"{expression.Text}: {evaluation.Missing}");
                // A step that sent no request has nothing its outputs could read; its own error says why.
                Note(run, step.StepId + "." + output.Name, requestSent ? missing : null);
            }

            return result;
        }

        private static void Note(WorkflowRun run, string name, string? missing)
        {
            if (missing != null)
            {
                run.Unresolved[name] = missing;
            }
            else
            {
                run.Unresolved.Remove(name);
            }
        }

        /// <summary>
        /// Evaluates the workflow's outputs into <paramref name="result"/> and records the run's outcome for
        /// <c>$workflows.…</c> and <c>dependsOn</c>. An output that reads a step that never ran is null with a warning
        /// (under strict mode it fails a run that had succeeded).
        /// </summary>
        public WorkflowResult Finish(WorkflowResult result, WorkflowRun run)
        {
            var context = run.NewContext();
            var outputs = new JsonObject();
            context.Outputs = outputs;
            foreach (var output in run.Workflow.Outputs)
            {
                string? unresolvedStep = null;
                string? missing = null;
                var value = ExpressionEvaluator.EvaluateValue(output.Value, context, bare: true, (expression, evaluation) =>
                {
                    missing ??= $"{expression.Text}: {evaluation.Missing}";
                    if (evaluation.MissingStep != null)
                    {
                        unresolvedStep = evaluation.MissingStep;
                    }
                });
                outputs[output.Name] = value;
                Note(run, output.Name, missing);
                if (unresolvedStep != null)
                {
                    var text = $"Workflow output '{output.Name}' of '{run.Workflow.WorkflowId}' reads {JsonUtil.Render(output.Value)}, but step '{unresolvedStep}' did not run, so the output is null. " +
                        "Give the output a value that exists on every path (e.g. read a step that always runs), or end the workflow through the step.";
                    if (!_state.Options.Strict)
                    {
                        _state.Listener.Warning(text);
                    }
                    else if (result.Status == WorkflowStatus.Succeeded)
                    {
                        result.Status = WorkflowStatus.Failed;
                        result.ErrorId = ErrorCatalog.ArazzoOutputUnresolved.Id;
                        result.Error = text;
                    }
                }
            }

            _state.WorkflowOutputs[run.Workflow.WorkflowId] = outputs;
            _state.WorkflowStatus[run.Workflow.WorkflowId] = result.Status;
            result.OutputsJson = outputs;
            result.StepOutputsJson = new Dictionary<string, JsonObject>(run.StepOutputs, StringComparer.Ordinal);
            var plain = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in outputs)
            {
                plain[pair.Key] = JsonUtil.ToPlain(pair.Value);
            }

            result.Outputs = plain;
            var unresolved = new OrderedDictionary(StringComparer.Ordinal);
            foreach (var pair in run.Unresolved)
            {
                unresolved[pair.Key] = pair.Value;
            }

            result.Unresolved = unresolved;
            return result;
        }
    }
}
