using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;
using Daytona.Common;

namespace Daytona.Arazzo.Execution
{
    /// <summary>
    /// Readies a document for a run: loads and validates it and keeps, on the document, which workflows can run.
    /// Only findings that make the whole text unusable refuse it; the rest are the concern of the workflows they are
    /// about (see <see cref="ValidationReport"/>).
    /// </summary>
    public static class RunPreparation
    {
        public static async Task<(ArazzoDocument Document, IReadOnlyList<Diagnostic> Diagnostics)> PrepareAsync(string path, RunOptions options, SourceResolver resolver, CancellationToken cancellationToken)
        {
            var loaded = ArazzoLoader.LoadFile(path);

            // The OpenAPI descriptions' own problems are Test-ArazzoWorkflow's business; a run only needs its bindings.
            var report = await ArazzoValidator.AssessAsync(loaded, resolver, options.Strict, cancellationToken, checkOpenApi: false).ConfigureAwait(false);
            if (loaded.Document == null || report.DocumentErrors.Count > 0)
            {
                throw Invalid(path, report.DocumentErrors.Count > 0 ? report.DocumentErrors : report.Diagnostics.Where(report.IsBlocking).ToList(), strictOnly: false);
            }

            loaded.Document.Validation = report;
            foreach (var warning in report.Diagnostics.Where(d => d.WorkflowId == null && !report.IsBlocking(d) && d.Severity == DiagnosticSeverity.Warning))
            {
                // Findings about the document itself; those about a workflow are shown when it runs.
                options.Listener?.Trace($"{System.IO.Path.GetFileName(path)}:{warning.Line}:{warning.Column}: {warning.Message}");
            }

            return (loaded.Document, report.Diagnostics);
        }

        /// <summary>The error for a document or workflow that cannot run, listing (up to ten of) its blocking findings.</summary>
        internal static DaytonaException Invalid(string what, IReadOnlyList<Diagnostic> blocking, bool strictOnly, string? workflowId = null)
        {
            var lines = string.Join(Environment.NewLine, blocking.Take(10).Select(d => $"  {d.Line}:{d.Column} {d.Location}: {d.Message}"));
            var more = blocking.Count > 10 ? $"{Environment.NewLine}  … and {blocking.Count - 10} more" : string.Empty;
            var why = strictOnly ? " under -Strict" : string.Empty;
            var subject = workflowId == null ? $"The Arazzo document '{what}' is not valid{why}" : $"Workflow '{workflowId}' cannot run{why}";
            return (workflowId == null ? ErrorCatalog.ArazzoDocumentInvalid : ErrorCatalog.ArazzoWorkflowInvalid).Create($"{subject}:{Environment.NewLine}{lines}{more}", workflowId ?? what);
        }
    }
}
