using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Arazzo
{
    /// <summary>
    /// <para type="synopsis">Runs the workflows of an Arazzo 1.0 document against the APIs its source descriptions describe.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "ArazzoWorkflow")]
    [OutputType(typeof(WorkflowResult))]
    public sealed class InvokeArazzoWorkflowCommand : AsyncCmdlet
    {
        private readonly Dictionary<string, ArazzoDocument> _documents = new Dictionary<string, ArazzoDocument>(StringComparer.Ordinal);
        private readonly HashSet<string> _reportedInvalid = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>The Arazzo document (YAML or JSON).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>The workflow to run; default: every workflow of the document that can run, in order (the others are reported as errors).</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ArazzoWorkflowIdCompleter))]
        public string? WorkflowId { get; set; }

        /// <summary>The workflow inputs: a hashtable or an object whose properties are the inputs.</summary>
        [Parameter]
        public object? Inputs { get; set; }

        /// <summary>An object from the pipeline whose properties named like the workflow's inputs become inputs (one run per object).</summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>Server URL per source description name, e.g. @{ snapshotsApi = 'http://127.0.0.1:5123/api' }.</summary>
        [Parameter]
        public Hashtable? ServerUrl { get; set; }

        /// <summary>Refuse workflows that bend the spec (and outputs that read steps that never ran) instead of warning.</summary>
        [Parameter]
        public SwitchParameter Strict { get; set; }

        /// <summary>Most step executions in one run before it stops (default 1000).</summary>
        [Parameter]
        [ValidateRange(1, 10_000_000)]
        public int MaxSteps { get; set; } = 1000;

        /// <summary>The run's time limit (seconds or a TimeSpan); default: none.</summary>
        [Parameter]
        [ArazzoTimeSpan]
        public TimeSpan Timeout { get; set; }

        /// <summary>The least time between two executions of the same step (seconds or a TimeSpan). Default: 1 second, growing by a fifth at each repeat up to 10 seconds; given, it stays fixed.</summary>
        [Parameter]
        [ArazzoTimeSpan]
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>In Azure Pipelines each run is a collapsible section of the log.</summary>
        protected override string? LogGroupTitle => "Arazzo workflow " + (WorkflowId ?? System.IO.Path.GetFileName(Path));

        protected override void ProcessRecord()
        {
            if (Timeout < TimeSpan.Zero || PollInterval < TimeSpan.Zero)
            {
                ThrowTerminatingError(ErrorRecords.From(ErrorCatalog.ArazzoInvalidTime.Create("-Timeout and -PollInterval cannot be negative."), null));
            }

            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            var servers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (ServerUrl != null)
            {
                foreach (DictionaryEntry entry in ServerUrl)
                {
                    var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
                    var url = value?.ToString();
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
                    {
                        ThrowTerminatingError(ErrorRecords.From(ErrorCatalog.ArazzoServerUrlInvalid.Create(
                            $"-ServerUrl '{entry.Key}' = '{url}' is not an absolute http or https URL.", url), url));
                    }

                    servers[entry.Key.ToString()] = url!;
                }
            }

            var listener = new Listener(this);
            var options = new RunOptions
            {
                ServerUrls = servers,
                Strict = Strict.IsPresent,
                MaxSteps = MaxSteps,
                Timeout = Timeout > TimeSpan.Zero ? Timeout : (TimeSpan?)null,
                PollInterval = PollInterval,
                MaxPollInterval = MyInvocation.BoundParameters.ContainsKey(nameof(PollInterval)) ? (TimeSpan?)null : TimeSpan.FromSeconds(10),
                Listener = listener,
            };

            RunAsync(async token =>
            {
                var resolver = new SourceResolver();
                if (!_documents.TryGetValue(path, out var document))
                {
                    (document, _) = await WorkflowRunner.PrepareAsync(path, options, resolver, token).ConfigureAwait(false);
                    _documents[path] = document;
                    foreach (var name in servers.Keys.Where(n => document.FindSource(n) == null && !document.SourceDescriptions.Any(s => s.IsArazzo)))
                    {
                        PostWarning($"-ServerUrl names '{name}', which is not a source description of this document (its source descriptions: {string.Join(", ", document.SourceDescriptions.Select(s => s.Name))}).");
                    }
                }

                var workflows = WorkflowId != null ? new[] { WorkflowId } : document.Workflows.Select(w => w.WorkflowId).ToArray();

                // One runner for the whole invocation: a workflow that others depend on runs once.
                WorkflowRunner? runner = null;
                foreach (var workflowId in workflows)
                {
                    var workflow = document.FindWorkflow(workflowId);
                    var inputs = new JsonObject();
                    var secrets = new List<string>();
                    ArazzoValues.Merge(inputs, Inputs, secrets: secrets);
                    if (InputObject != null && workflow != null)
                    {
                        var names = new HashSet<string>(workflow.InputNames, StringComparer.OrdinalIgnoreCase);
                        var exact = workflow.InputNames.ToDictionary(n => n, StringComparer.OrdinalIgnoreCase);
                        var piped = new JsonObject();
                        ArazzoValues.Merge(piped, InputObject, names.Contains, secrets);
                        foreach (var pair in piped.ToList())
                        {
                            inputs[exact[pair.Key]] = pair.Value?.DeepClone();
                        }
                    }

                    options.Inputs = inputs;
                    foreach (var pair in inputs)
                    {
                        // Inputs named like a token, key or password are secrets too, whatever their type.
                        if (Redactor.IsSecretName(pair.Key) && pair.Value is JsonValue value && value.TryGetValue<string>(out var text))
                        {
                            secrets.Add(text);
                        }
                    }

                    runner ??= new WorkflowRunner(document, options, resolver);
                    foreach (var secret in secrets)
                    {
                        runner.Redactor.AddSecret(secret);

                        // Masked in an Azure Pipelines log before anything of this run is written.
                        Post(() => AzureDevOps.PipelineLog.RegisterSecret(this, secret));
                    }

                    listener.Redactor = runner.Redactor;
                    WorkflowResult result;
                    try
                    {
                        result = await runner.RunWorkflowAsync(workflowId, token).ConfigureAwait(false);
                    }
                    catch (DaytonaException e) when (WorkflowId == null)
                    {
                        // Running every workflow of a document: one that cannot start (it has errors of its own, or
                        // its inputs are not given) is reported, once, and the others still run.
                        if (e.ErrorId != ErrorCatalog.ArazzoWorkflowInvalid.Id || _reportedInvalid.Add(path + "|" + workflowId))
                        {
                            PostError(ErrorRecords.From(e, workflowId));
                        }

                        continue;
                    }

                    PostProgress(new ProgressRecord(1, $"Arazzo workflow {workflowId}", result.Status) { RecordType = ProgressRecordType.Completed });
                    if (result.Status != WorkflowStatus.Succeeded && result.ErrorId != ErrorCatalog.ArazzoStepFailed.Id)
                    {
                        var definition = ErrorCatalog.Find(result.ErrorId) ?? ErrorCatalog.ArazzoWorkflowFailed;
                        PostError(ErrorRecords.From(definition.Create(runner.Redactor.Redact(result.Error ?? $"Workflow '{workflowId}' ended {result.Status}."), result), result));
                    }

                    PostVerbose($"Workflow '{workflowId}' {result.Status}{(result.EndedBy == null ? string.Empty : $" (ended by '{result.EndedBy}')")} after {result.Steps.Count} step(s) in {result.Duration.TotalSeconds:0.00} s.");
                    PostObject(result);
                }
            });
        }

        private sealed class Listener : IRunListener
        {
            private readonly InvokeArazzoWorkflowCommand _owner;

            public Listener(InvokeArazzoWorkflowCommand owner) => _owner = owner;

            public Redactor? Redactor { get; set; }

            public void StepStarting(string workflowId, string stepId, int attempt, int stepIndex, int stepCount)
            {
                var status = attempt == 1 ? $"Step {stepIndex + 1} of {stepCount}: {stepId}" : $"Step {stepIndex + 1} of {stepCount}: {stepId} (run {attempt})";
                var record = new ProgressRecord(1, $"Arazzo workflow {workflowId}", status)
                {
                    CurrentOperation = stepId,
                    PercentComplete = Math.Min(100, stepIndex * 100 / Math.Max(1, stepCount)),
                };

                // Written synchronously: the step starts once its progress has been shown.
                _owner.OnPipelineThread(() =>
                {
                    _owner.WriteProgressRecord(record);
                    return true;
                });
            }

            public void Trace(string message) => _owner.PostVerbose(message);

            public void Warning(string message) => _owner.PostWarning(message);

            public void StepFailed(StepFailure failure)
            {
                // A step refused before sending (a path parameter that resolves to nothing) is the document's fault.
                var kind = failure.StatusCode == null && !failure.RequestSent ? ErrorKind.InvalidData : ErrorCatalog.KindForStatus(failure.StatusCode);
                var record = ErrorRecords.From(ErrorCatalog.ArazzoStepFailed.Create(failure.Message, failure.StepId,
                    recommendation: "Add an onFailure action to the step to handle this outcome, or check the inputs and the server (-ServerUrl).", kind: kind), failure.StepId);
                _owner.PostError(record);
            }
        }
    }
}
