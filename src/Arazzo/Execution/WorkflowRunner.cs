using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Arazzo.Criteria;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Inputs;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;
using Daytona.Arazzo;
using Daytona.Common;

namespace Daytona.Arazzo.Execution
{
    /// <summary>
    /// Runs Arazzo workflows: binds each step to its operation or workflow, builds and sends the request, checks the
    /// success criteria, follows onSuccess/onFailure (end, goto, retry), and computes step and workflow outputs.
    /// Guards: a cap on step executions, an overall timeout, cancellation, and pacing — a step that runs again waits
    /// at least <see cref="RunOptions.PollInterval"/> after its previous start and honours Retry-After.
    /// </summary>
    public sealed class WorkflowRunner
    {
        private const int MaxNesting = 16;
        private static readonly Lazy<HttpClient> s_sharedClient = new Lazy<HttpClient>(() =>
            new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = true }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan });

        private readonly ArazzoDocument _document;
        private readonly RunOptions _options;
        private readonly SourceResolver _resolver;
        private readonly HttpClient _client;
        private readonly Redactor _redactor = new Redactor();
        private readonly Dictionary<string, JsonObject> _workflowInputs = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        private readonly Dictionary<string, JsonObject> _workflowOutputs = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _workflowStatus = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<Step, StepTarget> _targets = new Dictionary<Step, StepTarget>();
        private readonly IRunListener _listener;
        private readonly bool _tracing;
        private int _executions;
        private CancellationToken _token;

        public WorkflowRunner(ArazzoDocument document, RunOptions options, SourceResolver? resolver = null)
        {
            _document = document ?? throw new ArgumentNullException(nameof(document));
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _client = options.HttpClient ?? s_sharedClient.Value;
            _resolver = resolver ?? new SourceResolver(_client) { AllowRemote = options.AllowRemoteSources };
            _listener = options.Listener ?? NullListener.Instance;
            _tracing = options.Listener != null;
        }

        /// <summary>The redactor of this run (secret inputs are registered as the run starts).</summary>
        public Redactor Redactor => _redactor;

        /// <summary>
        /// Loads, validates and returns a document ready to run: errors (and, under strict mode, leniencies) end in
        /// an ArazzoDocumentInvalid exception; remaining warnings go to the listener.
        /// </summary>
        public static async Task<(ArazzoDocument Document, IReadOnlyList<Diagnostic> Diagnostics)> PrepareAsync(string path, RunOptions options, SourceResolver resolver, CancellationToken cancellationToken)
        {
            var loaded = ArazzoLoader.LoadFile(path);
            // The OpenAPI descriptions' own problems are Test-ArazzoWorkflow's business; a run only needs its bindings.
            var diagnostics = await ArazzoValidator.ValidateAsync(loaded, resolver, cancellationToken, checkOpenApi: false).ConfigureAwait(false);
            var blocking = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error || (options.Strict && d.IsLeniency)).ToList();
            if (blocking.Count > 0 || loaded.Document == null)
            {
                var lines = string.Join(Environment.NewLine, blocking.Take(10).Select(d => $"  {d.Line}:{d.Column} {d.Location}: {d.Message}"));
                var more = blocking.Count > 10 ? $"{Environment.NewLine}  … and {blocking.Count - 10} more" : string.Empty;
                var why = options.Strict && blocking.All(d => d.IsLeniency) ? " under -Strict" : string.Empty;
                throw new DaytonaException("ArazzoDocumentInvalid", ErrorKind.InvalidData,
                    $"The Arazzo document '{path}' is not valid{why}:{Environment.NewLine}{lines}{more}", path)
                {
                    RecommendedAction = "Run Test-ArazzoWorkflow -Path <file> to list every diagnostic with its line and column.",
                };
            }

            foreach (var warning in diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning))
            {
                var text = $"{System.IO.Path.GetFileName(path)}:{warning.Line}:{warning.Column}: {warning.Message}";
                if (warning.IsLeniency)
                {
                    options.Listener?.Warning(text);
                }
                else
                {
                    // Other findings (unknown fields, unchecked references) do not stop a run; they are traced.
                    options.Listener?.Trace(text);
                }
            }

            return (loaded.Document, diagnostics);
        }

        /// <summary>Runs one workflow (by id) or, when <paramref name="workflowId"/> is null, every workflow in order.</summary>
        public async Task<IReadOnlyList<WorkflowResult>> RunAsync(string? workflowId, CancellationToken cancellationToken)
        {
            var results = new List<WorkflowResult>();
            if (workflowId != null)
            {
                results.Add(await RunWorkflowAsync(workflowId, cancellationToken).ConfigureAwait(false));
                return results;
            }

            foreach (var workflow in _document.Workflows)
            {
                results.Add(await RunWorkflowAsync(workflow.WorkflowId, cancellationToken).ConfigureAwait(false));
            }

            return results;
        }

        public async Task<WorkflowResult> RunWorkflowAsync(string workflowId, CancellationToken cancellationToken)
        {
            var workflow = _document.FindWorkflow(workflowId)
                ?? throw new DaytonaException("ArazzoWorkflowNotFound", ErrorKind.ObjectNotFound,
                    $"The document has no workflow '{workflowId}'. Its workflows: {string.Join(", ", _document.Workflows.Select(w => w.WorkflowId))}.", workflowId)
                {
                    RecommendedAction = "Run Get-ArazzoWorkflow -Path <file> to list the workflows.",
                };

            using var timeout = _options.Timeout.HasValue ? new CancellationTokenSource(_options.Timeout.Value) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            _token = linked.Token;
            var records = new List<StepRecord>();
            var stopwatch = Stopwatch.StartNew();
            try
            {
                var result = await RunAsync(workflow, _options.Inputs, 0, records, topLevel: true).ConfigureAwait(false);
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
                    Error = $"The workflow did not finish within {_options.Timeout}.",
                    ErrorId = "ArazzoTimeout",
                    FailedStep = records.LastOrDefault()?.StepId,
                };
            }
        }

        private sealed class WorkflowState
        {
            public WorkflowState(Workflow workflow, JsonObject inputs)
            {
                Workflow = workflow;
                Inputs = inputs;
            }

            public Workflow Workflow { get; }

            public JsonObject Inputs { get; }

            public Dictionary<string, JsonObject> StepOutputs { get; } = new Dictionary<string, JsonObject>(StringComparer.Ordinal);

            public Dictionary<string, int> Attempts { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

            public Dictionary<string, DateTime> LastStart { get; } = new Dictionary<string, DateTime>(StringComparer.Ordinal);

            public Dictionary<string, DateTime> NotBefore { get; } = new Dictionary<string, DateTime>(StringComparer.Ordinal);

            public Dictionary<string, int> Retries { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

            /// <summary>The context every step starts from (its delegates read this state).</summary>
            public ExpressionContext? Context { get; set; }
        }

        private sealed class Execution
        {
            public ExpressionContext Context { get; set; } = null!;

            public bool Success { get; set; }

            public string? Error { get; set; }

            public string? BodyText { get; set; }

            public TimeSpan? RetryAfter { get; set; }
        }

        private async Task<WorkflowResult> RunAsync(Workflow workflow, JsonObject? givenInputs, int depth, List<StepRecord> records, bool topLevel)
        {
            var result = new WorkflowResult { WorkflowId = workflow.WorkflowId, Steps = records };
            if (depth > MaxNesting)
            {
                return Fail(result, "ArazzoNestingTooDeep", $"Workflows call each other more than {MaxNesting} levels deep.", null);
            }

            foreach (var dependency in workflow.DependsOn)
            {
                var target = await StepBinder.BindWorkflowAsync(workflow.Document, dependency, _resolver, _token).ConfigureAwait(false);
                if (target.Workflow == null)
                {
                    return Fail(result, "ArazzoDependencyFailed", target.Error ?? $"Dependency '{dependency}' does not resolve.", null);
                }

                // A dependency that already succeeded in this run is not run again; one that failed is retried.
                if (_workflowStatus.TryGetValue(target.Workflow.WorkflowId, out var previous) && previous == WorkflowStatus.Succeeded)
                {
                    continue;
                }

                var dependencyResult = await RunAsync(target.Workflow, givenInputs, depth + 1, records, topLevel: false).ConfigureAwait(false);
                if (dependencyResult.Status != WorkflowStatus.Succeeded)
                {
                    return Fail(result, "ArazzoDependencyFailed", $"Workflow '{workflow.WorkflowId}' depends on '{dependency}', which ended {dependencyResult.Status}: {dependencyResult.Error}", dependencyResult.FailedStep);
                }
            }

            var (inputs, errors) = await InputValidator.PrepareAsync(workflow, givenInputs).ConfigureAwait(false);
            _redactor.AddInputs(inputs);
            if (errors.Count > 0)
            {
                var message = $"The inputs of workflow '{workflow.WorkflowId}' are not valid: {string.Join("; ", errors)}.";
                if (topLevel)
                {
                    throw new DaytonaException("ArazzoInputsInvalid", ErrorKind.InvalidArgument, _redactor.Redact(message), workflow.WorkflowId)
                    {
                        RecommendedAction = $"Pass the inputs the workflow declares ({string.Join(", ", workflow.InputNames)}) with -Inputs.",
                    };
                }

                return Fail(result, "ArazzoInputsInvalid", _redactor.Redact(message), null);
            }

            _workflowInputs[workflow.WorkflowId] = inputs;
            var state = new WorkflowState(workflow, inputs);
            var index = 0;
            while (index < workflow.Steps.Count)
            {
                _token.ThrowIfCancellationRequested();
                var step = workflow.Steps[index];
                if (++_executions > _options.MaxSteps)
                {
                    return Finish(Fail(result, "ArazzoMaxStepsExceeded",
                        $"The run stopped after {_options.MaxSteps} step executions (step '{step.StepId}' was next); raise -MaxSteps if the workflow legitimately needs more.", step.StepId), state);
                }

                await PaceAsync(state, step).ConfigureAwait(false);
                state.Attempts.TryGetValue(step.StepId, out var attempt);
                state.Attempts[step.StepId] = ++attempt;
                state.LastStart[step.StepId] = DateTime.UtcNow;
                _listener.StepStarting(workflow.WorkflowId, step.StepId, attempt, index, workflow.Steps.Count);
                var record = new StepRecord { WorkflowId = workflow.WorkflowId, StepId = step.StepId, Attempt = attempt };
                var stopwatch = Stopwatch.StartNew();
                var execution = await ExecuteStepAsync(state, step, record, depth, records).ConfigureAwait(false);
                record.Duration = stopwatch.Elapsed;
                record.Succeeded = execution.Success;
                record.Error = execution.Error;
                records.Add(record);
                if (execution.RetryAfter.HasValue)
                {
                    state.NotBefore[step.StepId] = DateTime.UtcNow + execution.RetryAfter.Value;
                }

                state.StepOutputs[step.StepId] = EvaluateOutputs(step.Outputs, execution.Context);
                if (execution.Success)
                {
                    if (state.Retries.Count > 0)
                    {
                        foreach (var key in state.Retries.Keys.Where(k => k.StartsWith(step.StepId + "|", StringComparison.Ordinal)).ToList())
                        {
                            state.Retries.Remove(key);
                        }
                    }

                    var action = Choose(Actions(workflow, step, failure: false), execution.Context);
                    if (action == null)
                    {
                        record.Action = "next";
                        index++;
                        continue;
                    }

                    record.ActionName = action.Name;
                    if (action.Type == "end")
                    {
                        record.Action = "end";
                        result.EndedBy = action.Name;
                        return Finish(result, state);
                    }

                    var jump = await GotoAsync(state, action, record, depth, records, result).ConfigureAwait(false);
                    if (jump == null)
                    {
                        return Finish(result, state);
                    }

                    index = jump.Value;
                    continue;
                }

                // Failure: the first failure action whose criteria hold; a retry counts until its limit, then the
                // next matching action is considered.
                ActionDefinition? chosen = null;
                foreach (var candidate in Actions(workflow, step, failure: true))
                {
                    if (!CriteriaHold(candidate.Criteria, execution.Context))
                    {
                        continue;
                    }

                    if (candidate.Type == "retry")
                    {
                        var key = step.StepId + "|" + candidate.Name;
                        state.Retries.TryGetValue(key, out var used);
                        if (used >= (candidate.RetryLimit ?? 1))
                        {
                            continue;
                        }

                        state.Retries[key] = used + 1;
                    }

                    chosen = candidate;
                    break;
                }

                if (chosen == null)
                {
                    record.Action = "fail";
                    var excerpt = Excerpt(execution.BodyText);
                    var message = $"Step '{step.StepId}' of workflow '{workflow.WorkflowId}' failed" +
                        (record.StatusCode.HasValue ? $" with HTTP {record.StatusCode}" : string.Empty) +
                        (execution.Error != null ? $": {execution.Error}" : string.Empty) +
                        (excerpt.Length > 0 ? $" Response: {excerpt}" : string.Empty);
                    _listener.StepFailed(new StepFailure { WorkflowId = workflow.WorkflowId, StepId = step.StepId, StatusCode = record.StatusCode, BodyExcerpt = excerpt, Message = message });
                    return Finish(Fail(result, "ArazzoStepFailed", message, step.StepId), state);
                }

                record.ActionName = chosen.Name;
                switch (chosen.Type)
                {
                    case "end":
                        record.Action = "end";
                        result.EndedBy = chosen.Name;
                        result.Status = WorkflowStatus.Failed;
                        result.FailedStep = step.StepId;
                        result.ErrorId = "ArazzoStepFailed";
                        result.Error = $"Step '{step.StepId}' failed and failure action '{chosen.Name}' ended the workflow.";
                        return Finish(result, state, keepStatus: true);
                    case "retry":
                        {
                            record.Action = "retry";
                            var delay = execution.RetryAfter ?? TimeSpan.FromSeconds(chosen.RetryAfter ?? 0);
                            var notBefore = DateTime.UtcNow + delay;
                            if (!state.NotBefore.TryGetValue(step.StepId, out var existing) || existing < notBefore)
                            {
                                state.NotBefore[step.StepId] = notBefore;
                            }

                            if (chosen.WorkflowId != null || chosen.StepId != null)
                            {
                                await RunRetryDetourAsync(state, chosen, depth, records).ConfigureAwait(false);
                            }

                            continue;
                        }

                    default:
                        {
                            var jump = await GotoAsync(state, chosen, record, depth, records, result).ConfigureAwait(false);
                            if (jump == null)
                            {
                                return Finish(result, state);
                            }

                            index = jump.Value;
                            continue;
                        }
                }
            }

            return Finish(result, state);
        }

        private async Task<int?> GotoAsync(WorkflowState state, ActionDefinition action, StepRecord record, int depth, List<StepRecord> records, WorkflowResult result)
        {
            if (action.StepId != null)
            {
                var target = state.Workflow.IndexOfStep(action.StepId);
                if (target < 0)
                {
                    Fail(result, "ArazzoGotoTargetMissing", $"Action '{action.Name}' goes to step '{action.StepId}', which does not exist.", record.StepId);
                    return null;
                }

                record.Action = "goto " + action.StepId;
                return target;
            }

            record.Action = "goto " + action.WorkflowId;
            var bound = await StepBinder.BindWorkflowAsync(state.Workflow.Document, action.WorkflowId!, _resolver, _token).ConfigureAwait(false);
            if (bound.Workflow == null)
            {
                Fail(result, "ArazzoGotoTargetMissing", bound.Error ?? $"Workflow '{action.WorkflowId}' does not exist.", record.StepId);
                return null;
            }

            var transferred = await RunAsync(bound.Workflow, state.Inputs, depth + 1, records, topLevel: false).ConfigureAwait(false);
            result.EndedBy = action.Name;
            if (transferred.Status != WorkflowStatus.Succeeded)
            {
                result.Status = transferred.Status;
                result.Error = transferred.Error;
                result.ErrorId = transferred.ErrorId;
                result.FailedStep = transferred.FailedStep;
            }

            return null;
        }

        private async Task RunRetryDetourAsync(WorkflowState state, ActionDefinition action, int depth, List<StepRecord> records)
        {
            if (action.WorkflowId != null)
            {
                var bound = await StepBinder.BindWorkflowAsync(state.Workflow.Document, action.WorkflowId, _resolver, _token).ConfigureAwait(false);
                if (bound.Workflow != null)
                {
                    await RunAsync(bound.Workflow, state.Inputs, depth + 1, records, topLevel: false).ConfigureAwait(false);
                }

                return;
            }

            var step = state.Workflow.FindStep(action.StepId!);
            if (step == null)
            {
                return;
            }

            if (++_executions > _options.MaxSteps)
            {
                return;
            }

            await PaceAsync(state, step).ConfigureAwait(false);
            state.Attempts.TryGetValue(step.StepId, out var attempt);
            state.Attempts[step.StepId] = ++attempt;
            state.LastStart[step.StepId] = DateTime.UtcNow;
            var record = new StepRecord { WorkflowId = state.Workflow.WorkflowId, StepId = step.StepId, Attempt = attempt, Action = "return" };
            var stopwatch = Stopwatch.StartNew();
            var execution = await ExecuteStepAsync(state, step, record, depth, records).ConfigureAwait(false);
            record.Duration = stopwatch.Elapsed;
            record.Succeeded = execution.Success;
            record.Error = execution.Error;
            records.Add(record);
            state.StepOutputs[step.StepId] = EvaluateOutputs(step.Outputs, execution.Context);
        }

        private WorkflowResult Finish(WorkflowResult result, WorkflowState state, bool keepStatus = false)
        {
            var context = BaseContext(state);
            var outputs = new JsonObject();
            context.Outputs = outputs;
            foreach (var output in state.Workflow.Outputs)
            {
                string? unresolvedStep = null;
                var value = ExpressionEvaluator.EvaluateValue(output.Value, context, bare: true, (expression, evaluation) =>
                {
                    if (evaluation.MissingStep != null)
                    {
                        unresolvedStep = evaluation.MissingStep;
                    }
                });
                outputs[output.Name] = value;
                if (unresolvedStep != null)
                {
                    var text = $"Workflow output '{output.Name}' of '{state.Workflow.WorkflowId}' reads {JsonUtil.Render(output.Value)}, but step '{unresolvedStep}' did not run, so the output is null. " +
                        "Give the output a value that exists on every path (e.g. read a step that always runs), or end the workflow through the step.";
                    if (_options.Strict)
                    {
                        if (result.Status == WorkflowStatus.Succeeded)
                        {
                            result.Status = WorkflowStatus.Failed;
                            result.ErrorId = "ArazzoOutputUnresolved";
                            result.Error = text;
                        }
                    }
                    else
                    {
                        _listener.Warning(text);
                    }
                }
            }

            _workflowOutputs[state.Workflow.WorkflowId] = outputs;
            _workflowStatus[state.Workflow.WorkflowId] = result.Status;
            result.OutputsJson = outputs;
            result.StepOutputsJson = new Dictionary<string, JsonObject>(state.StepOutputs, StringComparer.Ordinal);
            var plain = new System.Collections.Specialized.OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in outputs)
            {
                plain[pair.Key] = JsonUtil.ToPlain(pair.Value);
            }

            result.Outputs = plain;
            return result;
        }

        private static WorkflowResult Fail(WorkflowResult result, string errorId, string message, string? stepId)
        {
            result.Status = WorkflowStatus.Failed;
            result.ErrorId = errorId;
            result.Error = message;
            result.FailedStep = stepId;
            return result;
        }

        private async Task PaceAsync(WorkflowState state, Step step)
        {
            var due = DateTime.MinValue;
            if (state.LastStart.TryGetValue(step.StepId, out var last))
            {
                var interval = _options.PollInterval;
                if (_options.MaxPollInterval is TimeSpan ceiling && ceiling > interval && state.Attempts.TryGetValue(step.StepId, out var runs) && runs > 1)
                {
                    var grown = interval.TotalMilliseconds * Math.Pow(1.2, Math.Min(runs - 1, 60));
                    interval = TimeSpan.FromMilliseconds(Math.Min(grown, ceiling.TotalMilliseconds));
                }

                due = last + interval;
            }

            if (state.NotBefore.TryGetValue(step.StepId, out var notBefore) && notBefore > due)
            {
                due = notBefore;
            }

            var wait = due - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _token).ConfigureAwait(false);
            }
        }

        private ExpressionContext BaseContext(WorkflowState state)
        {
            var template = state.Context ??= CreateBaseContext(state);
            return template.With(_ => { });
        }

        private ExpressionContext CreateBaseContext(WorkflowState state)
        {
            var document = state.Workflow.Document;
            return new ExpressionContext
            {
                Inputs = state.Inputs,
                StepOutputs = id => state.StepOutputs.TryGetValue(id, out var outputs) ? outputs : null,
                Workflows = (id, field) => field == "inputs"
                    ? (_workflowInputs.TryGetValue(id, out var i) ? i : null)
                    : (_workflowOutputs.TryGetValue(id, out var o) ? o : null),
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
            };
        }

        private async Task<Execution> ExecuteStepAsync(WorkflowState state, Step step, StepRecord record, int depth, List<StepRecord> records)
        {
            var context = BaseContext(state);
            var execution = new Execution { Context = context };
            if (!_targets.TryGetValue(step, out var target))
            {
                target = await StepBinder.BindAsync(state.Workflow.Document, step, _resolver, _token).ConfigureAwait(false);
                _targets[step] = target;
            }

            if (target.Workflow == null && target.Operation == null)
            {
                execution.Error = target.Error;
                return execution;
            }

            var parameters = Parameters(state.Workflow, step);
            if (target.Workflow != null)
            {
                var inputs = new JsonObject();
                foreach (var parameter in parameters)
                {
                    inputs[parameter.Name] = ExpressionEvaluator.EvaluateValue(parameter.Value, context, bare: true);
                }

                record.Method = "WORKFLOW";
                record.Url = target.Workflow.WorkflowId;
                var first = records.Count;
                var sub = await RunAsync(target.Workflow, inputs, depth + 1, records, topLevel: false).ConfigureAwait(false);
                context.Outputs = sub.OutputsJson;

                // $statusCode of a workflow step is the status of the last request the called workflow made.
                context.StatusCode = records.Skip(first).LastOrDefault(r => r.StatusCode.HasValue)?.StatusCode;
                execution.Success = step.SuccessCriteria.Count == 0 ? sub.Status == WorkflowStatus.Succeeded : CriteriaHold(step.SuccessCriteria, context);
                if (!execution.Success)
                {
                    execution.Error = sub.Error ?? "the success criteria were not met";
                }

                return execution;
            }

            var operation = target.Operation!;
            var serverUrl = ServerFor(operation);
            if (serverUrl == null)
            {
                execution.Error = $"Source description '{operation.SourceName}' declares no absolute server URL; pass one with -ServerUrl @{{ {operation.SourceName} = 'https://…' }}.";
                return execution;
            }

            var values = parameters.Select(p => (p, ExpressionEvaluator.EvaluateValue(p.Value, context, bare: true))).ToList();
            JsonNode? payload = null;
            if (step.RequestBody != null && step.RequestBody.HasPayload)
            {
                payload = ExpressionEvaluator.EvaluateValue(step.RequestBody.Payload, context, bare: true);
                if (step.RequestBody.Replacements.Count > 0)
                {
                    var replacements = step.RequestBody.Replacements.Select(r => (r.Target, ExpressionEvaluator.EvaluateValue(r.Value, context, bare: true)));
                    payload = RequestBuilder.ApplyReplacements(payload, replacements, out var problems);
                    foreach (var problem in problems)
                    {
                        _listener.Warning($"Step '{step.StepId}': {problem}.");
                    }
                }
            }

            var request = RequestBuilder.Build(operation, serverUrl, values, step.RequestBody, payload);
            record.Method = request.Method;
            record.Url = _redactor.RedactUrl(request.Url);
            context.Url = request.Url;
            context.Method = request.Method;
            context.Request = request.Data;
            if (_tracing)
            {
                _listener.Trace($"{step.StepId}: {request.Method} {record.Url}" + Headers(request.Message));
            }
            using (request.Message)
            using (var perRequest = CancellationTokenSource.CreateLinkedTokenSource(_token))
            {
                perRequest.CancelAfter(_options.RequestTimeout);
                var started = Stopwatch.StartNew();
                try
                {
                    using var response = await _client.SendAsync(request.Message, HttpCompletionOption.ResponseContentRead, perRequest.Token).ConfigureAwait(false);
                    var body = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    var data = new HttpMessageData { BodyText = body, ContentType = response.Content?.Headers.ContentType?.ToString() };
                    foreach (var header in response.Headers)
                    {
                        data.Headers[header.Key] = string.Join(", ", header.Value);
                    }

                    if (response.Content != null)
                    {
                        foreach (var header in response.Content.Headers)
                        {
                            data.Headers[header.Key] = string.Join(", ", header.Value);
                        }
                    }

                    if (body.Length > 0 && data.ContentType != null && !IsJson(data.ContentType))
                    {
                        data.Body = JsonValue.Create(body);
                    }

                    record.StatusCode = (int)response.StatusCode;
                    context.StatusCode = (int)response.StatusCode;
                    context.Response = data;
                    execution.BodyText = body;
                    execution.RetryAfter = RetryAfter(response);
                    if (_tracing)
                    {
                        _listener.Trace($"{step.StepId}: {(int)response.StatusCode} {response.ReasonPhrase} in {started.ElapsedMilliseconds} ms, {body.Length} characters");
                    }
                }
                catch (OperationCanceledException) when (!_token.IsCancellationRequested)
                {
                    execution.Error = $"the request did not complete within {_options.RequestTimeout}";
                    return execution;
                }
                catch (HttpRequestException e)
                {
                    execution.Error = _redactor.Redact("the request failed: " + (e.InnerException?.Message ?? e.Message));
                    return execution;
                }
            }

            if (step.SuccessCriteria.Count == 0)
            {
                execution.Success = context.StatusCode >= 200 && context.StatusCode < 400;
                if (!execution.Success)
                {
                    execution.Error = $"HTTP {context.StatusCode} is not a success status and the step declares no successCriteria";
                }
            }
            else
            {
                execution.Success = true;
                foreach (var criterion in step.SuccessCriteria)
                {
                    var outcome = CriterionEvaluator.Evaluate(criterion, context, _options.Strict);
                    NoteLeniency(outcome);
                    if (!outcome.Satisfied)
                    {
                        execution.Success = false;
                        execution.Error = outcome.Error != null
                            ? $"criterion '{criterion.Condition}' could not be evaluated: {outcome.Error}"
                            : $"criterion '{criterion.Condition}' was not met";
                        break;
                    }
                }
            }

            return execution;
        }

        private string? ServerFor(OperationInfo operation)
        {
            if (_options.ServerUrls.TryGetValue(operation.SourceName, out var overridden) && !string.IsNullOrWhiteSpace(overridden))
            {
                return overridden;
            }

            return operation.Servers.FirstOrDefault(s => s.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        }

        private string Headers(HttpRequestMessage message)
        {
            var parts = new List<string>();
            foreach (var header in message.Headers)
            {
                parts.Add($"{header.Key}: {_redactor.RedactHeader(header.Key, string.Join(", ", header.Value))}");
            }

            if (message.Content != null)
            {
                foreach (var header in message.Content.Headers)
                {
                    parts.Add($"{header.Key}: {string.Join(", ", header.Value)}");
                }
            }

            return parts.Count == 0 ? string.Empty : " [" + string.Join("; ", parts) + "]";
        }

        private TimeSpan? RetryAfter(HttpResponseMessage response)
        {
            var header = response.Headers.RetryAfter;
            if (header == null)
            {
                return null;
            }

            TimeSpan? wait = header.Delta ?? (header.Date.HasValue ? header.Date.Value - DateTimeOffset.UtcNow : (TimeSpan?)null);
            if (wait == null)
            {
                return null;
            }

            if (wait < TimeSpan.Zero)
            {
                wait = TimeSpan.Zero;
            }

            return wait > _options.MaxRetryAfter ? _options.MaxRetryAfter : wait;
        }

        private static bool IsJson(string contentType)
        {
            var media = contentType.Split(';')[0].Trim();
            return media.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        }

        private ActionDefinition? Choose(IEnumerable<ActionDefinition> actions, ExpressionContext context) => actions.FirstOrDefault(a => CriteriaHold(a.Criteria, context));

        private bool CriteriaHold(IEnumerable<Criterion> criteria, ExpressionContext context)
        {
            foreach (var criterion in criteria)
            {
                var outcome = CriterionEvaluator.Evaluate(criterion, context, _options.Strict);
                NoteLeniency(outcome);
                if (outcome.Error != null)
                {
                    _listener.Trace($"criterion '{criterion.Condition}' could not be evaluated: {outcome.Error}");
                }

                if (!outcome.Satisfied)
                {
                    return false;
                }
            }

            return true;
        }

        private readonly HashSet<string> _leniencies = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<Step, List<Parameter>> _parameters = new Dictionary<Step, List<Parameter>>();
        private readonly Dictionary<Step, List<ActionDefinition>> _successActions = new Dictionary<Step, List<ActionDefinition>>();
        private readonly Dictionary<Step, List<ActionDefinition>> _failureActions = new Dictionary<Step, List<ActionDefinition>>();

        /// <summary>The step's parameters merged with its workflow's (resolved once per run).</summary>
        private List<Parameter> Parameters(Workflow workflow, Step step)
        {
            if (!_parameters.TryGetValue(step, out var parameters))
            {
                parameters = References.EffectiveParameters(workflow, step);
                _parameters[step] = parameters;
            }

            return parameters;
        }

        /// <summary>The step's success or failure actions merged with its workflow's (resolved once per run).</summary>
        private List<ActionDefinition> Actions(Workflow workflow, Step step, bool failure)
        {
            var cache = failure ? _failureActions : _successActions;
            if (!cache.TryGetValue(step, out var actions))
            {
                actions = References.EffectiveActions(workflow, step, failure);
                cache[step] = actions;
            }

            return actions;
        }

        private void NoteLeniency(CriterionOutcome outcome)
        {
            if (outcome.Leniency != null && _leniencies.Add(outcome.Leniency))
            {
                _listener.Warning(outcome.Leniency);
            }
        }

        private static JsonObject EvaluateOutputs(IList<OutputDefinition> outputs, ExpressionContext context)
        {
            var result = new JsonObject();
            foreach (var output in outputs)
            {
                result[output.Name] = ExpressionEvaluator.EvaluateValue(output.Value, context, bare: true);
            }

            return result;
        }

        private string Excerpt(string? body)
        {
            if (string.IsNullOrEmpty(body))
            {
                return string.Empty;
            }

            var text = body!.Replace("\r", " ").Replace("\n", " ").Trim();
            if (text.Length > 300)
            {
                text = text.Substring(0, 300) + "…";
            }

            return _redactor.Redact(text);
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
