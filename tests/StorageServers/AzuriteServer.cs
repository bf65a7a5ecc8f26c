using System.Diagnostics;
using System.Text;

namespace Daytona.StorageServers;

/// <summary>Azurite's Blob service (Microsoft's Azure Storage emulator), in memory, on 127.0.0.1.</summary>
public sealed class AzuriteServer : NodeServer
{
    /// <summary>Azurite's well-known development account (public, documented by Microsoft).</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private AzuriteServer(Process process, int port, System.Text.StringBuilder log)
        : base(process, port, log)
    {
    }

    /// <summary>The account's blob endpoint, path-style: <c>http://127.0.0.1:port/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint => new($"http://127.0.0.1:{Port}/{AccountName}");

    public string ConnectionString => ConnectionStringFor(Port);

    /// <summary>The connection string for an Azurite reached on <paramref name="port"/> (a proxy in front of it, say).</summary>
    public static string ConnectionStringFor(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{port}/{AccountName};";

    /// <param name="port">A port of the caller's choice (restic's Azure backend finds the emulator on 10000 only); default: a free one.</param>
    public static async Task<AzuriteServer> StartAsync(int? port = null)
    {
        var (process, listening, log) = await StartNodeAsync(
            Path.Combine("azurite", "dist", "src", "blob", "main.js"),
            p => new[]
            {
                "--blobHost", "127.0.0.1", "--blobPort", p.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--inMemoryPersistence", "--extentMemoryLimit", "2048", "--disableTelemetry", "--skipApiVersionCheck", "--silent",
            },
            line => ListeningPort(line, "Azurite Blob service successfully listens on "),
            TimeSpan.FromSeconds(60),
            port);
        return new AzuriteServer(process, listening, log);
    }
}
