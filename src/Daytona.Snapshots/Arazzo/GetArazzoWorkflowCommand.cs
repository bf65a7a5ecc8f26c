using System.Linq;
using System.Management.Automation;
using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Arazzo
{
    /// <summary>
    /// <para type="synopsis">Lists the workflows of an Arazzo 1.0 document with their inputs, steps and outputs.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ArazzoWorkflow")]
    [OutputType(typeof(WorkflowInfo))]
    public sealed class GetArazzoWorkflowCommand : DaytonaCmdlet
    {
        /// <summary>The Arazzo document (YAML or JSON).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>Only the workflows whose id matches (wildcards allowed).</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ArazzoWorkflowIdCompleter))]
        public string? WorkflowId { get; set; }

        protected override void ProcessRecord()
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            LoadResult loaded;
            try
            {
                loaded = ArazzoLoader.LoadFile(path);
            }
            catch (DaytonaException e)
            {
                AsyncCmdlet.WriteFailure(this, e, path);
                return;
            }

            if (loaded.Document == null)
            {
                var first = loaded.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error);
                WriteError(ErrorRecords.From(ErrorCatalog.ArazzoDocumentInvalid.Create(
                    $"'{path}' could not be read as an Arazzo document: {first?.Line}:{first?.Column} {first?.Message}", path), path));
                return;
            }

            var pattern = WorkflowId == null ? null : new WildcardPattern(WorkflowId, WildcardOptions.IgnoreCase);
            var found = false;
            foreach (var workflow in WorkflowInfo.Describe(loaded.Document))
            {
                if (pattern == null || pattern.IsMatch(workflow.WorkflowId))
                {
                    found = true;
                    WriteObject(workflow);
                }
            }

            if (!found && WorkflowId != null && !WildcardPattern.ContainsWildcardCharacters(WorkflowId))
            {
                WriteError(ErrorRecords.From(ErrorCatalog.ArazzoWorkflowNotFound.Create(
                    $"'{path}' has no workflow '{WorkflowId}'. Its workflows: {string.Join(", ", loaded.Document.Workflows.Select(w => w.WorkflowId))}.", WorkflowId), WorkflowId));
            }
        }
    }
}
