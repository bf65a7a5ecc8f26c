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
/// Faults for the next requests (by default API requests, paths under <c>/api</c>; <see cref="Scope"/> widens them to
/// object storage). A request takes at most one counted fault, in this order: a dropped connection, a request
/// processed and then dropped before its answer, a 429, a server error; then, when <see cref="Intermittent"/> is set,
/// each request draws one at random. Latency applies to every matching request while set. Setting faults replaces
/// the previous set.
/// </summary>
public sealed class EmulatorFaults
{
    [JsonPropertyName("latencyMs")]
    public int? LatencyMs { get; set; }

    [JsonPropertyName("tooManyRequests")]
    public TooManyRequestsFault? TooManyRequests { get; set; }

    [JsonPropertyName("serverErrors")]
    public ServerErrorFault? ServerErrors { get; set; }

    /// <summary>The connection is closed before the request is processed (the client cannot tell it apart from a crash).</summary>
    [JsonPropertyName("dropConnections")]
    public int? DropConnections { get; set; }

    /// <summary>The request is processed (a create creates), then the connection is closed before the answer is sent.</summary>
    [JsonPropertyName("dropAfterProcessing")]
    public int? DropAfterProcessing { get; set; }

    /// <summary>Random faults on every matching request, after the counted ones are used up.</summary>
    [JsonPropertyName("intermittent")]
    public IntermittentFaults? Intermittent { get; set; }

    /// <summary>Only requests with these methods (e.g. <c>["POST"]</c>) take faults; null or empty: every method.</summary>
    [JsonPropertyName("methods")]
    public string[]? Methods { get; set; }

    /// <summary><see cref="FaultScope.Api"/> (default: under <c>/api</c>), <see cref="FaultScope.Storage"/> (the S3 endpoint) or <see cref="FaultScope.All"/>.</summary>
    [JsonPropertyName("scope")]
    public string? Scope { get; set; }
}

/// <summary>The values of <see cref="EmulatorFaults.Scope"/>.</summary>
public static class FaultScope
{
    public const string Api = "api";
    public const string Storage = "storage";
    public const string All = "all";
}

/// <summary>The ways a 429 can say when to come back (<see cref="TooManyRequestsFault.RetryAfterForm"/>).</summary>
public static class RetryAfterForm
{
    /// <summary><c>Retry-After: N</c> and Daytona's throttler header <c>Retry-After-authenticated: N</c> (what Daytona sends).</summary>
    public const string Both = "both";

    /// <summary><c>Retry-After: N</c> only.</summary>
    public const string Seconds = "seconds";

    /// <summary><c>Retry-After: &lt;HTTP date N seconds from now&gt;</c>.</summary>
    public const string Date = "date";

    /// <summary><c>Retry-After-authenticated: N</c> only (the throttler's named header).</summary>
    public const string Named = "named";

    /// <summary>No Retry-After header at all.</summary>
    public const string None = "none";
}

public sealed class TooManyRequestsFault
{
    [JsonPropertyName("count")]
    public int Count { get; set; }

    [JsonPropertyName("retryAfterSeconds")]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>One of <see cref="RetryAfterForm"/>; default <see cref="RetryAfterForm.Both"/>.</summary>
    [JsonPropertyName("retryAfterForm")]
    public string? RetryAfterForm { get; set; }
}

/// <summary>
/// Each matching request draws a fault at random with these probabilities (0 to 1, summed at most 1): a flaky API
/// over a long run. <see cref="Seed"/> makes the draws repeatable for the same order of requests.
/// </summary>
public sealed class IntermittentFaults
{
    [JsonPropertyName("dropRate")]
    public double DropRate { get; set; }

    [JsonPropertyName("dropAfterProcessingRate")]
    public double DropAfterProcessingRate { get; set; }

    [JsonPropertyName("tooManyRequestsRate")]
    public double TooManyRequestsRate { get; set; }

    [JsonPropertyName("serverErrorRate")]
    public double ServerErrorRate { get; set; }

    /// <summary>The status of a random server error (default 503).</summary>
    [JsonPropertyName("serverErrorStatus")]
    public int ServerErrorStatus { get; set; } = 503;

    [JsonPropertyName("seed")]
    public int? Seed { get; set; }
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
