using System.Net;

namespace Daytona.Checkpoints.Server;

/// <summary>How a <see cref="CheckpointServer"/> listens and what it serves.</summary>
public sealed class CheckpointServerOptions
{
    /// <summary>The repositories served (folders today; any location the module can open), at least one.</summary>
    public IList<string> Repositories { get; } = new List<string>();

    /// <summary>The address to listen on; loopback (127.0.0.1) by default.</summary>
    public IPAddress ListenAddress { get; set; } = IPAddress.Loopback;

    /// <summary>The port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>When set, every request but <c>/_health</c> must carry it (<c>Authorization: Bearer</c>, or as the password of Basic auth).</summary>
    public string? ApiKey { get; set; }

    /// <summary>A path prefix the server lives under behind a reverse proxy, e.g. <c>/checkpoints</c>; empty by default.</summary>
    public string PathBase { get; set; } = string.Empty;

    /// <summary>How old the server's listing of the repositories may get before a request lists them again.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Bytes of small decompressed chunks kept in memory.</summary>
    public long ChunkCacheBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Receives one line per request (method, path, status, redirect target, time taken); null: no request log.</summary>
    public Action<string>? RequestLog { get; set; }

    /// <summary>The clock deciding which instants are in the future; tests may move it.</summary>
    public Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;
}
