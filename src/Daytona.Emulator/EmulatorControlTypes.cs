using System.Text.Json.Serialization;

namespace Daytona.Emulator;

/// <summary>Requests the emulator has answered since the last reset (control requests are not counted).</summary>
public sealed class EmulatorRequestStats
{
    [JsonPropertyName("total")]
    public int Total { get; init; }

    /// <summary>Keyed by <c>"METHOD /route/template"</c>, e.g. <c>"GET /api/snapshots/{id}"</c>.</summary>
    [JsonPropertyName("byRoute")]
    public IReadOnlyDictionary<string, int> ByRoute { get; init; } = new Dictionary<string, int>();

    /// <summary>The count for one route key, 0 when it was never called.</summary>
    public int For(string route) => ByRoute.TryGetValue(route, out var n) ? n : 0;
}

/// <summary>
/// Faults for the next API requests (paths under <c>/api</c>). A request takes at most one counted fault, in this
/// order: a dropped connection, then a 429, then a server error. Latency applies to every API request while set.
/// Setting faults replaces the previous set.
/// </summary>
public sealed class EmulatorFaults
{
    [JsonPropertyName("latencyMs")]
    public int? LatencyMs { get; set; }

    [JsonPropertyName("tooManyRequests")]
    public TooManyRequestsFault? TooManyRequests { get; set; }

    [JsonPropertyName("serverErrors")]
    public ServerErrorFault? ServerErrors { get; set; }

    [JsonPropertyName("dropConnections")]
    public int? DropConnections { get; set; }
}

public sealed class TooManyRequestsFault
{
    [JsonPropertyName("count")]
    public int Count { get; set; }

    [JsonPropertyName("retryAfterSeconds")]
    public int RetryAfterSeconds { get; set; } = 1;
}

public sealed class ServerErrorFault
{
    [JsonPropertyName("count")]
    public int Count { get; set; }

    [JsonPropertyName("status")]
    public int Status { get; set; } = 503;
}

/// <summary>
/// Build and pull timings. <see cref="DurationMs"/> replaces the default duration when given; <see cref="ByName"/>
/// entries are merged into those set before (a null entry removes one). All durations are pretend durations:
/// the emulator's TimeScale multiplies them.
/// </summary>
public sealed class EmulatorBuilds
{
    [JsonPropertyName("durationMs")]
    public int? DurationMs { get; set; }

    [JsonPropertyName("byName")]
    public Dictionary<string, SnapshotBuildBehavior?>? ByName { get; set; }

    /// <summary>How long after a POST deactivate an activate is refused (Daytona: 10 minutes). Emulator extension.</summary>
    [JsonPropertyName("deactivationCooldownMs")]
    public int? DeactivationCooldownMs { get; set; }
}

/// <summary>How one snapshot (by name) builds or pulls: its duration, and a failure reason when it must fail.</summary>
public sealed class SnapshotBuildBehavior
{
    [JsonPropertyName("durationMs")]
    public int? DurationMs { get; set; }

    /// <summary>When set, the snapshot fails with this errorReason (error for a pull, build_failed for a build).</summary>
    [JsonPropertyName("fail")]
    public string? Fail { get; set; }
}
