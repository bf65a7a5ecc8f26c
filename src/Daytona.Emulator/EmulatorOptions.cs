namespace Daytona.Emulator;

/// <summary>How an emulator starts: its key, port, organization and how long its pretend work takes.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The bearer key clients must send. Null: a random key <c>dtn_emu_&lt;32 hex&gt;</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The port on 127.0.0.1. 0: a free port.</summary>
    public int Port { get; set; }

    /// <summary>The organization every snapshot belongs to (returned in DTOs and push access).</summary>
    public string OrganizationId { get; set; } = "00000000-0000-4000-8000-000000000001";

    /// <summary>Default per-snapshot time from pending to settled (active, error or build_failed).</summary>
    public TimeSpan BuildDuration { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Multiplies all pretend durations (tests use e.g. 0.05).</summary>
    public double TimeScale { get; set; } = 1.0;

    /// <summary>
    /// A folder to keep every /api answer in (one JSON line each, a file per emulator), for checking against Daytona's
    /// OpenAPI description. Null: the environment variable DAYTONA_EMULATOR_RESPONSE_LOG, else none.
    /// </summary>
    public string? ResponseLog { get; set; }
}
