using System.Diagnostics;

namespace Daytona.StorageServers;

/// <summary>
/// s3rver, an S3-compatible server, over plain http on 127.0.0.1 with its data in a temporary folder. It accepts the
/// fixed credentials below, creates <see cref="Bucket"/> at start, and does not honour conditional writes (If-None-Match,
/// If-Match): a client that relies on them must detect that. Over plain http it stores aws-chunked framing into objects,
/// so clients turn chunked signing off.
/// </summary>
public sealed class S3Server : NodeServer
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    public const string Bucket = "checkpoints";

    private readonly string _directory;

    private S3Server(Process process, int port, string directory, System.Text.StringBuilder log)
        : base(process, port, log)
    {
        _directory = directory;
    }

    public Uri ServiceUrl => new($"http://127.0.0.1:{Port}");

    /// <param name="tls">A PEM key and certificate to serve https with (restic's S3 client signs plain-http uploads in
    /// chunks, whose framing s3rver would store into the objects); default: plain http.</param>
    public static async Task<S3Server> StartAsync((string Key, string Certificate)? tls = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "s3rver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var (process, port, log) = await StartNodeAsync(
            Path.Combine("s3rver", "bin", "s3rver.js"),
            port => new[]
            {
                "-d", directory, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--silent", "--no-vhost-buckets", "--configure-bucket", Bucket,
            }.Concat(tls == null ? Array.Empty<string>() : new[] { "--key", tls.Value.Key, "--cert", tls.Value.Certificate }),
            line => ListeningPort(line, "S3rver listening on "),
            TimeSpan.FromSeconds(60),
            null,
            // s3rver encrypts its listing continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
            "--openssl-legacy-provider",
            // A listing that races a delete rejects a promise nobody awaits; node would exit on it.
            "--unhandled-rejections=warn",
            "--require", Path.Combine(Folder, "s3rver-keep-folders.js"));
        return new S3Server(process, port, directory, log);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
