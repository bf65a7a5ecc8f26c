using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Arazzo
{
    /// <summary>
    /// <para type="synopsis">Validates an Arazzo 1.0 document and its source descriptions, reporting each finding with its line and column, and which workflows can run.</para>
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "ArazzoWorkflow", DefaultParameterSetName = DiagnosticsSet)]
    [OutputType(typeof(Diagnostic), ParameterSetName = new[] { DiagnosticsSet })]
    [OutputType(typeof(bool), ParameterSetName = new[] { DiagnosticsSet })]
    [OutputType(typeof(WorkflowReadiness), ParameterSetName = new[] { SummarySet })]
    public sealed class TestArazzoWorkflowCommand : AsyncCmdlet
    {
        private const string DiagnosticsSet = "Diagnostics";
        private const string SummarySet = "Summary";

        /// <summary>The Arazzo document (YAML or JSON).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>Only the findings that concern this workflow (its own, its components', its dependencies'); with -Quiet, whether it can run.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ArazzoWorkflowIdCompleter))]
        public string? WorkflowId { get; set; }

        /// <summary>Return only $true (no errors; with -WorkflowId: the workflow can run) or $false instead of the diagnostics.</summary>
        [Parameter(ParameterSetName = DiagnosticsSet)]
        public SwitchParameter Quiet { get; set; }

        /// <summary>Return one object per workflow saying whether it can run and why not, instead of the diagnostics.</summary>
        [Parameter(Mandatory = true, ParameterSetName = SummarySet)]
        public SwitchParameter Summary { get; set; }

        /// <summary>Count spec deviations the engine would accept with a warning (leniencies) as errors, as Invoke-ArazzoWorkflow -Strict does.</summary>
        [Parameter]
        public SwitchParameter Strict { get; set; }

        protected override void ProcessRecord()
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            RunAsync(async token =>
            {
                LoadResult loaded;
                try
                {
                    loaded = ArazzoLoader.LoadFile(path);
                }
                catch (DaytonaException e)
                {
                    // One missing file among many piped ones is reported and the others are still tested.
                    PostError(ErrorRecords.From(e, path));
                    if (Quiet.IsPresent)
                    {
                        PostObject(false);
                    }

                    return;
                }

                var report = await ArazzoValidator.AssessAsync(loaded, new SourceResolver(), Strict.IsPresent, token).ConfigureAwait(false);
                var workflows = report.Workflows.Where(w => WorkflowId == null || w.WorkflowId == WorkflowId).ToList();
                if (WorkflowId != null && workflows.Count == 0)
                {
                    PostError(ErrorRecords.From(ErrorCatalog.ArazzoWorkflowNotFound.Create(
                        $"'{path}' has no workflow '{WorkflowId}'. Its workflows: {string.Join(", ", report.Workflows.Select(w => w.WorkflowId))}.", WorkflowId), WorkflowId));
                    if (Quiet.IsPresent)
                    {
                        PostObject(false);
                    }

                    return;
                }

                foreach (var workflow in workflows)
                {
                    PostVerbose(workflow.CanRun ? $"Workflow '{workflow.WorkflowId}' can run." : $"Workflow '{workflow.WorkflowId}' cannot run: {workflow.Reason}");
                }

                if (Summary.IsPresent)
                {
                    foreach (var workflow in workflows)
                    {
                        PostObject(workflow);
                    }

                    return;
                }

                var diagnostics = WorkflowId == null ? report.Diagnostics : Concerning(report, workflows[0]);
                if (Quiet.IsPresent)
                {
                    PostObject(WorkflowId == null ? report.IsValid : workflows[0].CanRun);
                    return;
                }

                foreach (var diagnostic in diagnostics.OrderBy(d => d.Line == 0 ? int.MaxValue : d.Line).ThenBy(d => d.Column))
                {
                    PostObject(diagnostic);
                }

                PostVerbose($"{System.IO.Path.GetFileName(path)}: {diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error)} error(s), {diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning)} warning(s).");
            });
        }

        /// <summary>The findings about one workflow and what it uses, with the document's own.</summary>
        private static IReadOnlyList<Diagnostic> Concerning(ValidationReport report, WorkflowReadiness workflow)
        {
            var set = new HashSet<Diagnostic>(workflow.Errors.Concat(workflow.Warnings));
            return report.Diagnostics.Where(d => set.Contains(d) || (d.WorkflowId == null && d.Location == "$")).ToList();
        }
    }
}
