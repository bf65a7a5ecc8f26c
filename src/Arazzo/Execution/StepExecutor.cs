using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;

namespace Daytona.Arazzo.Execution
{
    /// <summary>The outcome of one execution of one step.</summary>
    internal sealed class StepOutcome
    {
        public StepOutcome(ExpressionContext context) => Context = context;

        /// <summary>What the step's outputs, the criteria of its actions and the next steps see.</summary>
        public ExpressionContext Context { get; }

        public bool Success { get; set; }

        /// <summary>Why the step failed.</summary>
        public string? Error { get; set; }

        /// <summary>The response received, if any (its text is decoded only when asked for).</summary>
        public HttpMessageData? ResponseData { get; set; }

        public string? BodyText => ResponseData?.BodyText;

        /// <summary>False when the step failed before a request could be sent.</summary>
        public bool RequestSent { get; set; } = true;

        /// <summary>The server's Retry-After, when it sent one.</summary>
        public TimeSpan? RetryAfter { get; set; }
    }

    /// <summary>Runs a workflow for a workflow step: (workflow, inputs, nesting depth, the run's records) → its result.</summary>
    internal delegate Task<WorkflowResult> SubWorkflowRunner(Workflow workflow, JsonObject inputs, int depth, List<StepRecord> records);

    /// <summary>
    /// Executes one step: binds it to its operation or workflow (once per run), evaluates its parameters and request
    /// body, builds and sends the request (or runs the workflow), and checks its success criteria.
    /// </summary>
    internal sealed class StepExecutor
    {
        private readonly RunState _state;
        private readonly StepTransport _transport;
        private readonly CriteriaChecker _criteria;
        private readonly ParameterResolver _parameterResolver;
        private readonly SubWorkflowRunner _runWorkflow;
        private readonly Dictionary<Step, StepTarget> _targets = new Dictionary<Step, StepTarget>();
        private readonly Dictionary<Step, List<Parameter>> _parameters = new Dictionary<Step, List<Parameter>>();

        public StepExecutor(RunState state, CriteriaChecker criteria, SubWorkflowRunner runWorkflow)
        {
            _state = state;
            _criteria = criteria;
            _runWorkflow = runWorkflow;
            _transport = new StepTransport(state);
            _parameterResolver = new ParameterResolver(state);
        }

        public async Task<StepOutcome> ExecuteAsync(WorkflowRun run, Step step, StepRecord record, int depth, List<StepRecord> records)
        {
            var context = run.NewContext();
            var outcome = new StepOutcome(context);
            if (!_targets.TryGetValue(step, out var target))
            {
                target = await StepBinder.BindAsync(run.Workflow.Document, step, _state.Resolver, _state.Token).ConfigureAwait(false);
                _targets[step] = target;
            }

            if (target.Workflow == null && target.Operation == null)
            {
                outcome.Error = target.Error;
                outcome.RequestSent = false;
                return outcome;
            }

            var parameters = Parameters(run.Workflow, step);
            if (target.Workflow != null)
            {
                return await RunWorkflowStepAsync(step, target.Workflow, parameters, outcome, record, depth, records).ConfigureAwait(false);
            }

            var operation = target.Operation!;
            var serverUrl = ServerFor(operation);
            if (serverUrl == null)
            {
                outcome.Error = $"Source description '{operation.SourceName}' declares no absolute server URL; pass one with -ServerUrl @{{ {operation.SourceName} = 'https://…' }}.";
                outcome.RequestSent = false;
                return outcome;
            }

            var (values, refused) = _parameterResolver.Resolve(step, operation, parameters, context);
            if (values == null)
            {
                outcome.Error = refused;
                outcome.RequestSent = false;
                return outcome;
            }

            var request = RequestBuilder.Build(operation, serverUrl, values, step.RequestBody, Payload(step, context));
            record.Method = request.Method;
            record.Url = _state.Redactor.RedactUrl(request.Url);
            context.Url = request.Url;
            context.Method = request.Method;
            context.Request = request.Data;
            if (_state.Tracing)
            {
                _state.Listener.Trace($"{step.StepId}: {request.Method} {record.Url}" + Headers(request.Message));
            }

            StepResponse response;
            using (request.Message)
            {
                response = await _transport.SendAsync(step.StepId, request.Message).ConfigureAwait(false);
            }

            if (response.Error != null)
            {
                outcome.Error = response.Error;
                return outcome;
            }

            record.StatusCode = response.StatusCode;
            context.StatusCode = response.StatusCode;
            context.Response = response.Data;
            outcome.ResponseData = response.Data;
            outcome.RetryAfter = response.RetryAfter;
            if (step.SuccessCriteria.Count == 0)
            {
                outcome.Success = context.StatusCode >= 200 && context.StatusCode < 400;
                if (!outcome.Success)
                {
                    outcome.Error = $"HTTP {context.StatusCode} is not a success status and the step declares no successCriteria";
                }
            }
            else
            {
                outcome.Error = _criteria.FirstUnmet(step.SuccessCriteria, context);
                outcome.Success = outcome.Error == null;
            }

            return outcome;
        }

        private async Task<StepOutcome> RunWorkflowStepAsync(Step step, Workflow workflow, List<Parameter> parameters, StepOutcome outcome, StepRecord record, int depth, List<StepRecord> records)
        {
            var context = outcome.Context;
            var inputs = new JsonObject();
            foreach (var parameter in parameters)
            {
                inputs[parameter.Name] = ExpressionEvaluator.EvaluateValue(parameter.Value, context, bare: true);
            }

            record.Method = "WORKFLOW";
            record.Url = workflow.WorkflowId;
            var first = records.Count;
            var sub = await _runWorkflow(workflow, inputs, depth + 1, records).ConfigureAwait(false);
            context.Outputs = sub.OutputsJson;

            // $statusCode of a workflow step is the status of the last request the called workflow made.
            context.StatusCode = records.Skip(first).LastOrDefault(r => r.StatusCode.HasValue)?.StatusCode;
            outcome.Success = step.SuccessCriteria.Count == 0 ? sub.Status == WorkflowStatus.Succeeded : _criteria.AllHold(step.SuccessCriteria, context);
            if (!outcome.Success)
            {
                outcome.Error = sub.Error ?? "the success criteria were not met";
            }

            return outcome;
        }

        /// <summary>The request body with its expressions evaluated and its replacements applied, or null for none.</summary>
        private JsonNode? Payload(Step step, ExpressionContext context)
        {
            if (step.RequestBody == null || !step.RequestBody.HasPayload)
            {
                return null;
            }

            var payload = ExpressionEvaluator.EvaluateValue(step.RequestBody.Payload, context, bare: true);
            if (step.RequestBody.Replacements.Count > 0)
            {
                var replacements = step.RequestBody.Replacements.Select(r => (r.Target, ExpressionEvaluator.EvaluateValue(r.Value, context, bare: true)));
                payload = RequestBuilder.ApplyReplacements(payload, replacements, out var problems);
                foreach (var problem in problems)
                {
                    _state.Listener.Warning($"Step '{step.StepId}': {problem}.");
                }
            }

            return payload;
        }

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

        private string? ServerFor(OperationInfo operation)
        {
            if (_state.Options.ServerUrls.TryGetValue(operation.SourceName, out var overridden) && !string.IsNullOrWhiteSpace(overridden))
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
                parts.Add($"{header.Key}: {_state.Redactor.RedactHeader(header.Key, string.Join(", ", header.Value))}");
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
    }
}
