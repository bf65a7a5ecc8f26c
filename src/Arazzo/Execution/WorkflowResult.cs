using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Text.Json.Nodes;

namespace Daytona.Arazzo
{
    /// <summary>How a workflow run ended.</summary>
    public static class WorkflowStatus
    {
        public const string Succeeded = "Succeeded";
        public const string Failed = "Failed";
        public const string TimedOut = "TimedOut";
        public const string Cancelled = "Cancelled";
    }

    /// <summary>One execution of one step.</summary>
    public sealed class StepRecord
    {
        public string WorkflowId { get; internal set; } = string.Empty;

        public string StepId { get; internal set; } = string.Empty;

        /// <summary>1 for the first execution of this step in the run, 2 for the second…</summary>
        public int Attempt { get; internal set; }

        public string? Method { get; internal set; }

        /// <summary>The request URL with secret query values and secret inputs replaced by ***.</summary>
        public string? Url { get; internal set; }

        public int? StatusCode { get; internal set; }

        public TimeSpan Duration { get; internal set; }

        /// <summary>The outcome of the success criteria.</summary>
        public bool Succeeded { get; internal set; }

        /// <summary>What happened next: next, end, goto &lt;target&gt;, retry, fail.</summary>
        public string Action { get; internal set; } = "next";

        /// <summary>The name of the success or failure action taken, if any.</summary>
        public string? ActionName { get; internal set; }

        /// <summary>Why the step failed (transport error, unsatisfied criteria, …).</summary>
        public string? Error { get; internal set; }

        public override string ToString() => $"{StepId}#{Attempt} {Method} {Url} -> {StatusCode} ({Action})";
    }

    /// <summary>The outcome of one workflow run.</summary>
    public sealed class WorkflowResult
    {
        public string WorkflowId { get; internal set; } = string.Empty;

        /// <summary>Succeeded, Failed, TimedOut or Cancelled.</summary>
        public string Status { get; internal set; } = WorkflowStatus.Succeeded;

        /// <summary>The name of the action that ended the run (e.g. <c>alreadyActive</c>), or null when it ran to its last step.</summary>
        public string? EndedBy { get; internal set; }

        /// <summary>The workflow outputs as plain values (strings, numbers, booleans, lists and ordered dictionaries).</summary>
        public OrderedDictionary Outputs { get; internal set; } = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// The outputs whose expression resolved to nothing (so they are null), with why: workflow outputs by name,
        /// step outputs as <c>stepId.name</c> (for each step's last execution).
        /// </summary>
        public OrderedDictionary Unresolved { get; internal set; } = new OrderedDictionary(StringComparer.Ordinal);

        public IReadOnlyList<StepRecord> Steps { get; internal set; } = Array.Empty<StepRecord>();

        public TimeSpan Duration { get; internal set; }

        /// <summary>The step that failed the run, if one did.</summary>
        public string? FailedStep { get; internal set; }

        /// <summary>Why the run did not succeed.</summary>
        public string? Error { get; internal set; }

        /// <summary>A stable id for <see cref="Error"/>: ArazzoStepFailed, ArazzoMaxStepsExceeded, ArazzoTimeout…</summary>
        public string? ErrorId { get; internal set; }

        /// <summary>The outputs as JSON.</summary>
        public JsonObject OutputsJson { get; internal set; } = new JsonObject();

        /// <summary>The outputs of each step that ran (its last execution), as JSON, by step id.</summary>
        public IReadOnlyDictionary<string, JsonObject> StepOutputsJson { get; internal set; } = new Dictionary<string, JsonObject>();

        public override string ToString() => $"{WorkflowId}: {Status}" + (EndedBy == null ? string.Empty : $" ({EndedBy})");
    }
}
