namespace Daytona.Api
{
    /// <summary>
    /// A snapshot's state, as Daytona's API names them (<c>building, pending, pulling, active, inactive, error,
    /// build_failed, removing</c>). A state this version does not know reads as <see cref="Unknown"/>; the raw text
    /// stays in <see cref="Snapshot.StateText"/>.
    /// </summary>
    public enum SnapshotState
    {
        Unknown = 0,
        Building,
        Pending,
        Pulling,
        Active,
        Inactive,
        Error,
        BuildFailed,
        Removing,

        /// <summary>Older servers queue builds in <c>build_pending</c> before <c>building</c>.</summary>
        BuildPending,
    }

    public static class SnapshotStates
    {
        /// <summary>The API's spelling of a state, e.g. <c>build_failed</c>.</summary>
        public static string ToApiText(this SnapshotState state)
        {
            switch (state)
            {
                case SnapshotState.Building: return "building";
                case SnapshotState.Pending: return "pending";
                case SnapshotState.Pulling: return "pulling";
                case SnapshotState.Active: return "active";
                case SnapshotState.Inactive: return "inactive";
                case SnapshotState.Error: return "error";
                case SnapshotState.BuildFailed: return "build_failed";
                case SnapshotState.Removing: return "removing";
                case SnapshotState.BuildPending: return "build_pending";
                default: return "unknown";
            }
        }

        public static SnapshotState Parse(string? text)
        {
            switch (text?.Trim().ToLowerInvariant())
            {
                case "building": return SnapshotState.Building;
                case "pending": return SnapshotState.Pending;
                case "pulling": return SnapshotState.Pulling;
                case "active": return SnapshotState.Active;
                case "inactive": return SnapshotState.Inactive;
                case "error": return SnapshotState.Error;
                case "build_failed": return SnapshotState.BuildFailed;
                case "removing": return SnapshotState.Removing;
                case "build_pending": return SnapshotState.BuildPending;
                default: return SnapshotState.Unknown;
            }
        }

        /// <summary>
        /// True for every state that no longer changes by itself: a wait ends there. Active and inactive are the
        /// successful ends, error and build_failed the failed ones, and removing ends in deletion.
        /// </summary>
        public static bool IsSettled(this SnapshotState state) =>
            state == SnapshotState.Active || state == SnapshotState.Inactive || state.IsFailed() || state == SnapshotState.Removing;

        /// <summary>True for <c>error</c> and <c>build_failed</c>.</summary>
        public static bool IsFailed(this SnapshotState state) => state == SnapshotState.Error || state == SnapshotState.BuildFailed;

        /// <summary>True for <c>active</c> and <c>inactive</c>: the snapshot exists and can be used or activated.</summary>
        public static bool IsReady(this SnapshotState state) => state == SnapshotState.Active || state == SnapshotState.Inactive;
    }
}
