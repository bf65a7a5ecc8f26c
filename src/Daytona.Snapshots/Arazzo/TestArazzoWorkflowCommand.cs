using System.Linq;
using System.Management.Automation;
using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Arazzo
{
    /// <summary>
    /// <para type="synopsis">Validates an Arazzo 1.0 document and its source descriptions, reporting each finding with its line and column.</para>
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "ArazzoWorkflow")]
    [OutputType(typeof(Diagnostic), typeof(bool))]
    public sealed class TestArazzoWorkflowCommand : AsyncCmdlet
    {
        /// <summary>The Arazzo document (YAML or JSON).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>Return only $true (no errors) or $false instead of the diagnostics.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

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
                catch (Daytona.Common.DaytonaException e)
                {
                    // One missing file among many piped ones is reported and the others are still tested.
                    PostError(ErrorRecords.From(e, path));
                    if (Quiet.IsPresent)
                    {
                        PostObject(false);
                    }

                    return;
                }

                var diagnostics = await ArazzoValidator.ValidateAsync(loaded, new SourceResolver(), token).ConfigureAwait(false);
                var failed = diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error || (Strict.IsPresent && d.IsLeniency));
                if (Quiet.IsPresent)
                {
                    PostObject(!failed);
                    return;
                }

                foreach (var diagnostic in diagnostics.OrderBy(d => d.Line == 0 ? int.MaxValue : d.Line).ThenBy(d => d.Column))
                {
                    PostObject(diagnostic);
                }

                PostVerbose($"{System.IO.Path.GetFileName(path)}: {diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error)} error(s), {diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning)} warning(s).");
            });
        }
    }
}
