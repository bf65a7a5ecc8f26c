using System.Collections.Generic;
using System.Linq;

namespace Daytona.Arazzo.Diagnostics
{
    public enum DiagnosticSeverity
    {
        Information = 0,
        Warning = 1,
        Error = 2,
    }

    /// <summary>
    /// One finding about a document: what is wrong, where (a JSON path plus line and column) and how bad.
    /// <see cref="Code"/> is stable; <see cref="IsLeniency"/> marks spec deviations the engine accepts with a warning
    /// and refuses under strict mode.
    /// </summary>
    public sealed class Diagnostic
    {
        public Diagnostic(DiagnosticSeverity severity, string code, string message, string location, int line, int column, string? file)
        {
            Severity = severity;
            Code = code;
            Message = message;
            Location = location;
            Line = line;
            Column = column;
            File = file;
        }

        public DiagnosticSeverity Severity { get; }

        /// <summary>A stable identifier, e.g. <c>DuplicateStepId</c>.</summary>
        public string Code { get; }

        public string Message { get; }

        /// <summary>The JSON path of the node the finding is about, e.g. <c>$.workflows[0].steps[1]</c>.</summary>
        public string Location { get; }

        /// <summary>1-based line, 0 when unknown.</summary>
        public int Line { get; }

        /// <summary>1-based column, 0 when unknown.</summary>
        public int Column { get; }

        /// <summary>The document the finding is in.</summary>
        public string? File { get; }

        /// <summary>True for real-world deviations accepted with a warning (an error under strict mode).</summary>
        public bool IsLeniency { get; internal set; }

        /// <summary>The workflow the finding is about, or null when it is about the document, a component or a source description.</summary>
        public string? WorkflowId { get; internal set; }

        public override string ToString() => $"{Severity} {Code} at {Location} ({Line}:{Column}): {Message}";
    }

    public static class DiagnosticExtensions
    {
        public static bool HasErrors(this IEnumerable<Diagnostic> diagnostics) => diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
    }
}
