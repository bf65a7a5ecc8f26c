namespace Daytona.Recording.Planning
{
    /// <summary>One snapshot as the recording met it: its id and name, where the workflow learns its id, what it did last.</summary>
    internal sealed class SnapshotEntity
    {
        public SnapshotEntity(string id, string? name, int ordinal)
        {
            Id = id;
            Name = name;
            Ordinal = ordinal;
        }

        public string Id { get; }

        public string? Name { get; set; }

        /// <summary>Order of first appearance in the session.</summary>
        public int Ordinal { get; }

        /// <summary>The step whose outputs give the id (a create, or a lookup by name); null until there is one.</summary>
        public PlannedStep? IdSource { get; set; }

        /// <summary>When the user named it by id (no step gave the id): the input holding it.</summary>
        public PlannedInput? IdInput { get; set; }

        /// <summary>The last step about it, and the state that step saw.</summary>
        public PlannedStep? LastStep { get; set; }

        public string? LastState { get; set; }

        /// <summary>The step whose <c>state</c> output is its state at the end of the session; null when no step tells it.</summary>
        public PlannedStep? StateHolder { get; set; }

        /// <summary>A poll or check that Enable-DaytonaSnapshot acted on, waiting for the activation it may lead to.</summary>
        public PlannedStep? PendingCheck { get; set; }

        /// <summary>Its removal (the block a re-create of its name waits on).</summary>
        public PlannedStep? Removal { get; set; }

        public bool Removed => Removal != null;

        /// <summary>The awaitRemoval step, once a re-create of its name needs it.</summary>
        public PlannedStep? RemovalWait { get; set; }

        /// <summary>First seen in a listing the user made by a pattern (not named by the user).</summary>
        public bool FromListing { get; set; }

        /// <summary>Set when the workflow refers to it, so it gets a label.</summary>
        public bool Used { get; set; }

        /// <summary>The workflow outputs' expressions for its id and its final state (null when no step that ran tells it).</summary>
        public string? OutputId { get; set; }

        public string? OutputState { get; set; }

        /// <summary>The name part of step, input and output names (<c>Web</c>); set when the plan is named.</summary>
        public string Label { get; set; } = "Snapshot";

        public override string ToString() => (Name ?? Id) + " (" + Id + ")";
    }
}
