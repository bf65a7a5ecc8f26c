using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Inputs;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;
using Daytona.Common;

namespace Daytona.Arazzo.Execution
{
    /// <summary>
    /// Runs Arazzo workflows: resolves dependsOn, prepares inputs, then executes steps in order and follows what
    /// each step's outcome selects (next, end, goto, retry, fail) until the workflow ends. Step execution
    /// (<see cref="StepExecutor"/>), the choice of action (<see cref="ActionSelector"/>), pacing (<see cref="Pacer"/>)
    /// and outputs (<see cref="OutputEvaluator"/>) live in their own classes. Guards: a cap on step executions, an
    /// overall timeout, cancellation.
    /// </summary>
    public sealed class WorkflowRunner
    {
        private const int MaxNesting = 16;

        /// <summary>Findings that are not leniencies but change what the run does, so a user sees them as warnings.</summary>
        private static readonly HashSet<string> s_shownAtRun = new HashSet<string>(StringComparer.Ordinal) { "DuplicateOperationId", "MissingPathParameter" };

        private readonly ArazzoDocument _document;
        private readonly RunState _state;
        private readonly StepExecutor _executor;
        private readonly ActionSelector _actions;
        private readonly OutputEvaluator _outputs;

        public WorkflowRunner(ArazzoDocument document, RunOptions options, SourceResolver? resolver = null)
        {
            _document = document ?? throw new ArgumentNullException(nameof(document));
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            resolver ??= new SourceResolver(options.HttpClient ?? StepTransport.SharedClient) { AllowRemote = options.AllowRemoteSources };
            _state = new RunState(options, resolver, new Redactor(), options.Listener ?? NullListener.Instance, tracing: options.Listener != null);
            var criteria = new CriteriaChecker(_state);
            _executor = new StepExecutor(_state, criteria, (workflow, inputs, depth, records) => RunAsync(workflow, inputs, depth, records, topLevel: false));
            _actions = new ActionSelector(criteria);
            _outputs = new OutputEvaluator(_state);
        }

        /// <summary>The redactor of this run (secret inputs are registered as the run starts).</summary>
        public Redactor Redactor => _state.Redactor;

        /// <summary>
        /// Loads and validates a document for a run (see <see cref="RunPreparation"/>): only a document that is not
        /// Arazzo 1.0.x at all is refused (ArazzoDocumentInvalid); a workflow with errors of its own is refused when it
        /// is asked to run, and the others run.
        /// </summary>
        public static Task<(ArazzoDocument Document, IReadOnlyList<Diagnostic> Diagnostics)> PrepareAsync(string path, RunOptions options, SourceResolver resolver, CancellationToken cancellationToken) =>
            RunPreparation.PrepareAsync(path, options, resolver, cancellationToken);

        /// <summary>Runs one workflow (by id) or, when <paramref name="workflowId"/> is null, every workflow in order.</summary>
        public async Task<IReadOnlyList<WorkflowResult>> RunAsync(string? workflowId, CancellationToken cancellationToken)
        {
            var results = new List<WorkflowResult>();
            foreach (var id in workflowId != null ? new[] { workflowId } : _document.Workflows.Select(w => w.WorkflowId))
            {
                results.Add(await RunWorkflowAsync(id, cancellationToken).ConfigureAwait(false));
            }

            return results;
        }

        public async Task<WorkflowResult> RunWorkflowAsync(string workflowId, CancellationToken cancellationToken)
        {
            var workflow = _document.FindWorkflow(workflowId)
                ?? throw ErrorCatalog.ArazzoWorkflowNotFound.Create(
                    $"The document has no workflow '{workflowId}'. Its workflows: {string.Join(", ", _document.Workflows.Select(w => w.WorkflowId))}.", workflowId);

            var readiness = _document.Validation?.For(workflow);
            if (readiness != null)
            {
                if (!readiness.CanRun)
                {
                    throw readiness.Errors.Count > 0
                        ? RunPreparation.Invalid(_document.Location ?? "document", readiness.Errors, strictOnly: readiness.Errors.All(e => e.IsLeniency), workflow.WorkflowId)
                        : ErrorCatalog.ArazzoWorkflowInvalid.Create($"Workflow '{workflow.WorkflowId}' cannot run: {readiness.Reason}", workflow.WorkflowId);
                }

                ShowFindings(readiness);
            }

            var options = _state.Options;
            using var timeout = options.Timeout.HasValue ? new CancellationTokenSource(options.Timeout.Value) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            _state.Token = linked.Token;
            var records = new List<StepRecord>();
            var stopwatch = Stopwatch.StartNew();
            try
            {
                var result = await RunAsync(workflow, options.Inputs, 0, records, topLevel: true).ConfigureAwait(false);
                result.Duration = stopwatch.Elapsed;
                return result;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return new WorkflowResult
                {
                    WorkflowId = workflow.WorkflowId,
                    Status = WorkflowStatus.TimedOut,
                    Steps = records,
                    Duration = stopwatch.Elapsed,
                    Error = $"The workflow did not finish within {options.Timeout}.",
                    ErrorId = ErrorCatalog.ArazzoTimeout.Id,
                    FailedStep = records.LastOrDefault()?.StepId,
                };
            }
        }

        private async Task<WorkflowResult> RunAsync(Workflow workflow, JsonObject? givenInputs, int depth, List<StepRecord> records, bool topLevel)
        {
            var result = new WorkflowResult { WorkflowId = workflow.WorkflowId, Steps = records };
            if (depth > MaxNesting)
            {
                return Fail(result, ErrorCatalog.ArazzoNestingTooDeep.Id, $"Workflows call each other more than {MaxNesting} levels deep.", null);
            }

            if (_document.Validation?.For(workflow) is { CanRun: false } invalid)
            {
                return Fail(result, ErrorCatalog.ArazzoWorkflowInvalid.Id, $"Workflow '{workflow.WorkflowId}' cannot run: {invalid.Reason}", null);
            }

            var dependencyFailure = await RunDependenciesAsync(workflow, givenInputs, depth, records).ConfigureAwait(false);
            if (dependencyFailure != null)
            {
                return Fail(result, ErrorCatalog.ArazzoDependencyFailed.Id, dependencyFailure.Value.Message, dependencyFailure.Value.Step);
            }

            var (inputs, found) = InputValidator.Prepare(workflow, givenInputs);
            _state.Redactor.AddInputs(inputs);

            // A required input that is missing refuses the run; a value that breaks another rule of the schema (or a
            // schema that cannot be checked) is a warning naming the input and the rule, and the run goes on, as in
            // Respect — except under strict mode.
            var errors = _state.Options.Strict ? found : found.Where(InputValidator.IsMissingRequired).ToList();
            foreach (var warning in found.Except(errors))
            {
                _state.WarnOnce(_state.Redactor.Redact($"Workflow '{workflow.WorkflowId}': input {warning}; the run goes on (-Strict refuses it)."));
            }

            if (errors.Count > 0)
            {
                var message = _state.Redactor.Redact($"The inputs of workflow '{workflow.WorkflowId}' are not valid: {string.Join("; ", errors)}.");
                if (topLevel)
                {
                    throw ErrorCatalog.ArazzoInputsInvalid.Create(message, workflow.WorkflowId,
                        recommendation: $"Pass the inputs the workflow declares ({string.Join(", ", workflow.InputNames)}) with -Inputs.");
                }

                return Fail(result, ErrorCatalog.ArazzoInputsInvalid.Id, message, null);
            }

            _state.WorkflowInputs[workflow.WorkflowId] = inputs;
            var run = new WorkflowRun(_state, workflow, inputs);
            var index = 0;
            while (index < workflow.Steps.Count)
            {
                _state.Token.ThrowIfCancellationRequested();
                var step = workflow.Steps[index];
                if (!_state.TryCountExecution())
                {
                    return _outputs.Finish(Fail(result, ErrorCatalog.ArazzoMaxStepsExceeded.Id,
                        $"The run stopped after {_state.Options.MaxSteps} step executions (step '{step.StepId}' was next); raise -MaxSteps if the workflow legitimately needs more.", step.StepId), run);
                }

                var (record, outcome) = await ExecuteAsync(run, step, index, depth, records, "next").ConfigureAwait(false);
                var move = outcome.Success ? _actions.AfterSuccess(run, step, outcome.Context) : _actions.AfterFailure(run, step, outcome.Context);
                record.ActionName = move.Action?.Name;
                switch (move.Kind)
                {
                    case MoveKind.Next:
                        record.Action = "next";
                        index++;
                        break;
                    case MoveKind.End:
                        record.Action = "end";
                        result.EndedBy = move.Action!.Name;
                        if (!outcome.Success)
                        {
                            Fail(result, ErrorCatalog.ArazzoStepFailed.Id, $"Step '{step.StepId}' failed and failure action '{move.Action.Name}' ended the workflow.", step.StepId);
                        }

                        return _outputs.Finish(result, run);
                    case MoveKind.Retry:
                        record.Action = "retry";
                        run.Pacer.NotBefore(step.StepId, outcome.RetryAfter ?? Pacer.Seconds(move.Action!.RetryAfter ?? 0));
                        if (move.Action.WorkflowId != null || move.Action.StepId != null)
                        {
                            await RunRetryDetourAsync(run, move.Action, depth, records).ConfigureAwait(false);
                        }

                        break;
                    case MoveKind.GotoStep:
                        {
                            var target = workflow.IndexOfStep(move.Action!.StepId!);
                            if (target < 0)
                            {
                                Fail(result, ErrorCatalog.ArazzoGotoTargetMissing.Id, $"Action '{move.Action.Name}' goes to step '{move.Action.StepId}', which does not exist.", step.StepId);
                                return _outputs.Finish(result, run);
                            }

                            record.Action = "goto " + move.Action.StepId;
                            index = target;
                            break;
                        }

                    case MoveKind.GotoWorkflow:
                        record.Action = "goto " + move.Action!.WorkflowId;
                        await TransferAsync(run, move.Action, step, depth, records, result).ConfigureAwait(false);
                        return _outputs.Finish(result, run);
                    default:
                        record.Action = "fail";
                        return _outputs.Finish(StepFailed(result, workflow, step, record, outcome), run);
                }
            }

            return _outputs.Finish(result, run);
        }

        /// <summary>Shows the warnings about a workflow as it starts: leniencies as warnings, other findings as traces.</summary>
        private void ShowFindings(Validation.WorkflowReadiness readiness)
        {
            var file = System.IO.Path.GetFileName(_document.Location ?? string.Empty);
            foreach (var warning in readiness.Warnings)
            {
                var text = $"{file}:{warning.Line}:{warning.Column}: {warning.Message}";
                if (warning.IsLeniency || s_shownAtRun.Contains(warning.Code))
                {
                    _state.WarnOnce(text);
                }
                else
                {
                    _state.Listener.Trace(text);
                }
            }
        }

        /// <summary>Runs the workflows this one depends on (once per run each); the first that fails, with why, or null.</summary>
        private async Task<(string Message, string? Step)?> RunDependenciesAsync(Workflow workflow, JsonObject? givenInputs, int depth, List<StepRecord> records)
        {
            foreach (var dependency in workflow.DependsOn)
            {
                var target = await StepBinder.BindWorkflowAsync(workflow.Document, dependency, _state.Resolver, _state.Token).ConfigureAwait(false);
                if (target.Workflow == null)
                {
                    return (target.Error ?? $"Dependency '{dependency}' does not resolve.", null);
                }

                // A dependency that already succeeded in this run is not run again; one that failed is retried.
                if (_state.WorkflowStatus.TryGetValue(target.Workflow.WorkflowId, out var previous) && previous == WorkflowStatus.Succeeded)
                {
                    continue;
                }

                var dependencyResult = await RunAsync(target.Workflow, givenInputs, depth + 1, records, topLevel: false).ConfigureAwait(false);
                if (dependencyResult.Status != WorkflowStatus.Succeeded)
                {
                    return ($"Workflow '{workflow.WorkflowId}' depends on '{dependency}', which ended {dependencyResult.Status}: {dependencyResult.Error}", dependencyResult.FailedStep);
                }
            }

            return null;
        }

        /// <summary>Paces, executes and records one step execution; computes its outputs.</summary>
        private async Task<(StepRecord Record, StepOutcome Outcome)> ExecuteAsync(WorkflowRun run, Step step, int index, int depth, List<StepRecord> records, string action)
        {
            await run.Pacer.WaitAsync(step.StepId, _state.Token).ConfigureAwait(false);
            var attempt = run.Pacer.Start(step.StepId);
            if (action == "next")
            {
                _state.Listener.StepStarting(run.Workflow.WorkflowId, step.StepId, attempt, index, run.Workflow.Steps.Count);
            }

            var record = new StepRecord { WorkflowId = run.Workflow.WorkflowId, StepId = step.StepId, Attempt = attempt, Action = action };
            var stopwatch = Stopwatch.StartNew();
            var outcome = await _executor.ExecuteAsync(run, step, record, depth, records).ConfigureAwait(false);
            record.Duration = stopwatch.Elapsed;
            record.Succeeded = outcome.Success;
            record.Error = outcome.Error;
            records.Add(record);
            if (outcome.RetryAfter.HasValue)
            {
                run.Pacer.NotBefore(step.StepId, outcome.RetryAfter.Value);
            }

            run.StepOutputs[step.StepId] = OutputEvaluator.StepOutputs(run, step, outcome.Context, outcome.RequestSent);
            return (record, outcome);
        }

        /// <summary>A retry action that names a step or workflow runs it before the failed step runs again.</summary>
        private async Task RunRetryDetourAsync(WorkflowRun run, ActionDefinition action, int depth, List<StepRecord> records)
        {
            if (action.WorkflowId != null)
            {
                var bound = await StepBinder.BindWorkflowAsync(run.Workflow.Document, action.WorkflowId, _state.Resolver, _state.Token).ConfigureAwait(false);
                if (bound.Workflow != null)
                {
                    await RunAsync(bound.Workflow, run.Inputs, depth + 1, records, topLevel: false).ConfigureAwait(false);
                }

                return;
            }

            var step = run.Workflow.FindStep(action.StepId!);
            if (step != null && _state.TryCountExecution())
            {
                await ExecuteAsync(run, step, run.Workflow.IndexOfStep(step.StepId), depth, records, "return").ConfigureAwait(false);
            }
        }

        /// <summary>A goto to another workflow: that workflow runs with this one's inputs, and its outcome is this one's.</summary>
        private async Task TransferAsync(WorkflowRun run, ActionDefinition action, Step step, int depth, List<StepRecord> records, WorkflowResult result)
        {
            var bound = await StepBinder.BindWorkflowAsync(run.Workflow.Document, action.WorkflowId!, _state.Resolver, _state.Token).ConfigureAwait(false);
            if (bound.Workflow == null)
            {
                Fail(result, ErrorCatalog.ArazzoGotoTargetMissing.Id, bound.Error ?? $"Workflow '{action.WorkflowId}' does not exist.", step.StepId);
                return;
            }

            var transferred = await RunAsync(bound.Workflow, run.Inputs, depth + 1, records, topLevel: false).ConfigureAwait(false);
            result.EndedBy = action.Name;
            if (transferred.Status != WorkflowStatus.Succeeded)
            {
                result.Status = transferred.Status;
                result.Error = transferred.Error;
                result.ErrorId = transferred.ErrorId;
                result.FailedStep = transferred.FailedStep;
            }
        }

        private WorkflowResult StepFailed(WorkflowResult result, Workflow workflow, Step step, StepRecord record, StepOutcome outcome)
        {
            var excerpt = Excerpt(outcome.BodyText);
            var message = $"Step '{step.StepId}' of workflow '{workflow.WorkflowId}' failed" +
                (record.StatusCode.HasValue ? $" with HTTP {record.StatusCode}" : string.Empty) +
                (outcome.Error != null ? $": {outcome.Error}" : string.Empty) +
                (excerpt.Length > 0 ? $" Response: {excerpt}" : string.Empty);
            _state.Listener.StepFailed(new StepFailure { WorkflowId = workflow.WorkflowId, StepId = step.StepId, StatusCode = record.StatusCode, RequestSent = outcome.RequestSent, BodyExcerpt = excerpt, Message = message });
            return Fail(result, ErrorCatalog.ArazzoStepFailed.Id, message, step.StepId);
        }

        private static WorkflowResult Fail(WorkflowResult result, string errorId, string message, string? stepId)
        {
            result.Status = WorkflowStatus.Failed;
            result.ErrorId = errorId;
            result.Error = message;
            result.FailedStep = stepId;
            return result;
        }

        private string Excerpt(string? body)
        {
            if (string.IsNullOrEmpty(body))
            {
                return string.Empty;
            }

            // The first 300 characters of the body with line breaks as spaces, trimmed — without copying a large body whole.
            int start = 0, end = body!.Length;
            while (start < end && char.IsWhiteSpace(body[start]))
            {
                start++;
            }

            while (end > start && char.IsWhiteSpace(body[end - 1]))
            {
                end--;
            }

            var text = body.Substring(start, Math.Min(end - start, 300)).Replace("\r", " ").Replace("\n", " ");
            if (end - start > 300)
            {
                text += "…";
            }

            return _state.Redactor.Redact(text);
        }

        private sealed class NullListener : IRunListener
        {
            public static readonly NullListener Instance = new NullListener();

            public void StepStarting(string workflowId, string stepId, int attempt, int stepIndex, int stepCount)
            {
            }

            public void Trace(string message)
            {
            }

            public void Warning(string message)
            {
            }

            public void StepFailed(StepFailure failure)
            {
            }
        }
    }
}
