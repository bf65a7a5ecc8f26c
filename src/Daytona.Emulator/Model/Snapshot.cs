namespace Daytona.Emulator.Model;

/// <summary>One snapshot as the emulator holds it. Mutated only under the store's lock.</summary>
internal sealed class Snapshot
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Name { get; init; }
    public string? ImageName { get; init; }
    public SnapshotState State { get; set; }
    public double? Size { get; set; }
    public string[]? Entrypoint { get; set; }
    public double Cpu { get; init; } = 1;
    public double Gpu { get; init; }
    public string? GpuType { get; init; }
    public double Mem { get; init; } = 1;
    public double Disk { get; init; } = 3;
    public string? ErrorReason { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public BuildInfo? BuildInfo { get; init; }
    public required string[] RegionIds { get; init; }
    public string? InitialRunnerId { get; set; }
    public string? Ref { get; set; }
    public required string SandboxClass { get; init; }

    // Emulator bookkeeping (never serialized).

    /// <summary>Bumped whenever the pipeline driving this snapshot must stop (delete, deactivate, activate).</summary>
    public int Generation { get; set; }

    public CancellationTokenSource? Run { get; set; }

    /// <summary>The steps its running pipeline still has to make, in order (null when none runs).</summary>
    public Queue<PipelineStep>? Steps { get; set; }

    /// <summary>When the first of <see cref="Steps"/> falls due.</summary>
    public DateTime NextStepDue { get; set; }

    /// <summary>When a POST deactivate last made it inactive (the activation cooldown runs from here).</summary>
    public DateTime? DeactivatedAt { get; set; }

    /// <summary>The build log of a buildInfo snapshot (shared by id; the runner keeps logs per build).</summary>
    public BuildLog? Log { get; set; }

    /// <summary>Signalled on every change (state, runner), for requests that wait on the snapshot.</summary>
    public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Touch(DateTime now)
    {
        UpdatedAt = now;
        var changed = Changed;
        Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}

/// <summary>
/// One change a snapshot's pipeline makes <paramref name="After"/> the step before it was made (or the pipeline
/// started), stamped with the time it fell due; <paramref name="Touches"/>: whether it changes what a reader of the
/// snapshot sees (its updatedAt, its waiters).
/// </summary>
internal sealed record PipelineStep(TimeSpan After, Action<Snapshot, DateTime> Change, bool Touches = true);

internal sealed class BuildInfo
{
    public required string DockerfileContent { get; init; }
    public required string[] ContextHashes { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public required string SnapshotRef { get; init; }
}
