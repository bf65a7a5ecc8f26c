using System;
using System.Collections.Generic;
using System.Linq;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Model;

namespace Daytona.Arazzo.Validation
{
    /// <summary>Whether one workflow of a document can run, and the findings that concern it.</summary>
    public sealed class WorkflowReadiness
    {
        public string WorkflowId { get; internal set; } = string.Empty;

        /// <summary>True when nothing the workflow relies on (itself, its components, its sources, the workflows it depends on) has an error.</summary>
        public bool CanRun { get; internal set; }

        /// <summary>The errors that stop it: its own, those of the components and source descriptions it uses, and the document's.</summary>
        public IReadOnlyList<Diagnostic> Errors { get; internal set; } = Array.Empty<Diagnostic>();

        /// <summary>The warnings about it (its own and those of what it uses).</summary>
        public IReadOnlyList<Diagnostic> Warnings { get; internal set; } = Array.Empty<Diagnostic>();

        /// <summary>The workflow it depends on (dependsOn, or a step that runs it) that cannot run, when that is why it cannot.</summary>
        public string? BlockedBy { get; internal set; }

        /// <summary>Why it cannot run, in one sentence; null when it can.</summary>
        public string? Reason { get; internal set; }

        /// <summary>Where the workflow is in its document.</summary>
        public int Line { get; internal set; }

        internal Workflow? Workflow { get; set; }

        public override string ToString() => CanRun ? $"{WorkflowId}: can run" : $"{WorkflowId}: cannot run ({Reason})";
    }

    /// <summary>
    /// What validation found, scoped: each finding belongs to a workflow, a component, a source description or the
    /// document, and each workflow can run unless something it relies on has an error. Only a document that cannot be
    /// read as Arazzo 1.0 at all stops every workflow.
    /// </summary>
    public sealed class ValidationReport
    {
        internal ValidationReport(ArazzoDocument? document, IReadOnlyList<Diagnostic> diagnostics, IReadOnlyList<Diagnostic> documentErrors, IReadOnlyList<WorkflowReadiness> workflows, bool strict)
        {
            Document = document;
            Diagnostics = diagnostics;
            DocumentErrors = documentErrors;
            Workflows = workflows;
            Strict = strict;
        }

        public ArazzoDocument? Document { get; }

        /// <summary>Every finding, each with its <see cref="Diagnostic.WorkflowId"/> when it is about one workflow.</summary>
        public IReadOnlyList<Diagnostic> Diagnostics { get; }

        /// <summary>The errors that stop every workflow: the text is not an Arazzo 1.0.x document.</summary>
        public IReadOnlyList<Diagnostic> DocumentErrors { get; }

        public IReadOnlyList<WorkflowReadiness> Workflows { get; }

        /// <summary>Whether leniencies counted as errors.</summary>
        public bool Strict { get; }

        /// <summary>True when the document can be read and at least one workflow can run.</summary>
        public bool CanRunAny => DocumentErrors.Count == 0 && Workflows.Any(w => w.CanRun);

        /// <summary>True when the document has no blocking finding at all.</summary>
        public bool IsValid => !Diagnostics.Any(IsBlocking);

        /// <summary>The readiness of the first workflow with that id, or null.</summary>
        public WorkflowReadiness? For(string workflowId) => Workflows.FirstOrDefault(w => string.Equals(w.WorkflowId, workflowId, StringComparison.Ordinal));

        internal WorkflowReadiness? For(Workflow workflow) => Workflows.FirstOrDefault(w => ReferenceEquals(w.Workflow, workflow));

        /// <summary>Errors, and leniencies when strict.</summary>
        public bool IsBlocking(Diagnostic diagnostic) => diagnostic.Severity == DiagnosticSeverity.Error || (Strict && diagnostic.IsLeniency);
    }
}
