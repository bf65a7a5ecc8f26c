namespace Daytona.Emulator.Model;

/// <summary>Daytona's SnapshotState enum, in its published order.</summary>
internal enum SnapshotState
{
    Building,
    Pending,
    Pulling,
    Active,
    Inactive,
    Error,
    BuildFailed,
    Removing,
}

internal static class SnapshotStates
{
    public static string ToWire(this SnapshotState state) => state switch
    {
        SnapshotState.Building => "building",
        SnapshotState.Pending => "pending",
        SnapshotState.Pulling => "pulling",
        SnapshotState.Active => "active",
        SnapshotState.Inactive => "inactive",
        SnapshotState.Error => "error",
        SnapshotState.BuildFailed => "build_failed",
        SnapshotState.Removing => "removing",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };
}
