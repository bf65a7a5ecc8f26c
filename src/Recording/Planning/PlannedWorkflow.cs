using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace Daytona.Recording.Planning
{
    /// <summary>The workflow a recording becomes, before it is written: inputs, steps in order, outputs, warnings.</summary>
    public sealed class PlannedWorkflow
    {
        public string WorkflowId { get; internal set; } = string.Empty;

        public string Summary { get; internal set; } = string.Empty;

        public string Description { get; internal set; } = string.Empty;

        /// <summary>The server the session talked to (written as the description's first server).</summary>
        public string? ServerUrl { get; internal set; }

        public List<PlannedInput> Inputs { get; } = new List<PlannedInput>();

        /// <summary>Top-level steps; each is followed by the steps attached to it.</summary>
        public List<PlannedStep> Blocks { get; } = new List<PlannedStep>();

        public List<KeyValuePair<string, string>> Outputs { get; } = new List<KeyValuePair<string, string>>();

        /// <summary>What the replay needs that the workflow cannot do, and what was left out.</summary>
        public List<string> Warnings { get; } = new List<string>();

        /// <summary>The commands the session ran, in order of their first call.</summary>
        public List<string> Commands { get; } = new List<string>();

        /// <summary>Every step in document order.</summary>
        public IEnumerable<PlannedStep> Steps => Blocks.SelectMany(b => b.InOrder());
    }

    /// <summary>One workflow input: a value the user typed, or the API key.</summary>
    public sealed class PlannedInput
    {
        public string Name { get; internal set; } = string.Empty;

        /// <summary>The JSON Schema: type, items, description, default.</summary>
        public JsonObject Schema { get; internal set; } = new JsonObject();

        public bool Required { get; internal set; }

        /// <summary>Which snapshot label and field it holds (how equal values are shared).</summary>
        internal string Key { get; set; } = string.Empty;

        internal JsonNode? Value { get; set; }

        /// <summary>Tells the planner's placeholders apart until names are final.</summary>
        internal int Serial { get; set; }

        /// <summary>The snapshot whose value it is; null for the API key and the organization.</summary>
        internal SnapshotEntity? Entity { get; set; }
    }

    /// <summary>A step of the planned workflow.</summary>
    public sealed class PlannedStep
    {
        public string StepId { get; internal set; } = string.Empty;

        public string OperationId { get; internal set; } = string.Empty;

        public string Description { get; internal set; } = string.Empty;

        /// <summary>Parameters in order: name, location, value (a literal or a runtime expression).</summary>
        public List<(string Name, string In, string Value)> Parameters { get; } = new List<(string, string, string)>();

        /// <summary>The JSON request body, its values runtime expressions where they come from inputs or steps.</summary>
        public JsonObject? Payload { get; internal set; }

        /// <summary>The status the step succeeds on (what the recorded call answered).</summary>
        public int SuccessStatus { get; internal set; } = 200;

        public List<PlannedAction> OnSuccess { get; } = new List<PlannedAction>();

        public List<PlannedAction> OnFailure { get; } = new List<PlannedAction>();

        public List<KeyValuePair<string, string>> Outputs { get; } = new List<KeyValuePair<string, string>>();

        /// <summary>Steps that follow this one directly, whatever else happened meanwhile (its activation, its removal wait).</summary>
        public List<PlannedStep> Attached { get; } = new List<PlannedStep>();

        internal StepKind Kind { get; set; }

        /// <summary>Tells the planner's placeholders apart until ids are final.</summary>
        internal int Serial { get; set; }

        internal SnapshotEntity? Entity { get; set; }

        /// <summary>For a poll or check: the activation its "inactive" branch goes to.</summary>
        internal PlannedStep? Activation { get; set; }

        /// <summary>For a lookup made for a removal: the removal it resolves the id for.</summary>
        internal PlannedStep? Removal { get; set; }

        /// <summary>The recorded states this step saw, in order, without repeats.</summary>
        internal List<string> States { get; } = new List<string>();

        /// <summary>Where the step goes in the document: the sequence of its first call, then the snapshot's order.</summary>
        internal (long Sequence, int Ordinal) Order { get; set; }

        /// <summary>The wait (command unit) a poll belongs to.</summary>
        internal int Unit { get; set; }

        /// <summary>A poll or check Enable-DaytonaSnapshot acted on: it branches to an activation when the snapshot is inactive.</summary>
        internal bool ActivatesWhenInactive { get; set; }

        /// <summary>True when the recorded session ran the step (false for an activation only Enable's condition asks for).</summary>
        internal bool Ran { get; set; } = true;

        public IEnumerable<PlannedStep> InOrder()
        {
            yield return this;
            foreach (var step in Attached.SelectMany(a => a.InOrder()))
            {
                yield return step;
            }
        }

        public override string ToString() => StepId + " (" + OperationId + ")";
    }

    /// <summary>An onSuccess or onFailure action: end, goto a step (with criteria), or retry.</summary>
    public sealed class PlannedAction
    {
        public string Name { get; internal set; } = string.Empty;

        /// <summary>end, goto or retry.</summary>
        public string Type { get; internal set; } = "end";

        public string? StepId { get; internal set; }

        public double? RetryAfter { get; internal set; }

        public int? RetryLimit { get; internal set; }

        /// <summary>Criteria: (context, condition, type); context and type null for a simple condition.</summary>
        public List<(string? Context, string Condition, string? Type)> Criteria { get; } = new List<(string?, string, string?)>();

        /// <summary>"next": goto the step after the block, or end when there is none (resolved when the order is final).</summary>
        internal bool ToNext { get; set; }

        /// <summary>A goto whose target is known only as a planned step until ids are final.</summary>
        internal PlannedStep? Target { get; set; }
    }

    internal enum StepKind
    {
        Create,
        Poll,
        Check,
        Read,
        Find,
        Activate,
        Deactivate,
        Remove,
        AwaitRemoval,
    }
}
