using Daytona.Checkpoints;
using Daytona.Checkpoints.Server;

namespace Checkpoints.Server.Tests;

/// <summary>
/// A checkpoint repository in a temporary folder whose checkpoints are taken at chosen instants (the repository's
/// clock is moved), and the servers a test starts on it (127.0.0.1, a free port; stopped with the fixture).
/// </summary>
public sealed class ServedRepository : IAsyncDisposable
{
    private readonly List<CheckpointServer> _servers = new();
    private DateTime _clock;

    public ServedRepository()
    {
        Root = Path.Combine(Path.GetTempPath(), "ckpt-server-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Root);
        // Whole seconds an hour ago: every checkpoint of a test lies in the past, never in the future.
        var now = DateTime.UtcNow.AddHours(-1);
        _clock = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        Start = _clock;
        Repository = CheckpointRepository.OpenOrCreate(RepositoryPath, new RepositoryOptions { UtcNow = () => _clock, Durable = false });
    }

    public string Root { get; }

    public string RepositoryPath => Path.Combine(Root, "repository");

    /// <summary>The instant of the fixture's "zero"; checkpoints are taken at offsets from it.</summary>
    public DateTime Start { get; }

    public CheckpointRepository Repository { get; }

    /// <summary>A source folder (created), e.g. <c>Folder("app")</c>.</summary>
    public string Folder(string name)
    {
        var path = Path.Combine(Root, "sources", name);
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Write(string folder, string relative, string text) => Write(folder, relative, System.Text.Encoding.UTF8.GetBytes(text));

    public static void Write(string folder, string relative, byte[] content)
    {
        var path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, new DateTime(2025, 3, 18, 14, 3, 38, DateTimeKind.Utc));
    }

    /// <summary>Captures <paramref name="folder"/> as it is now at <see cref="Start"/> + <paramref name="seconds"/>.</summary>
    public Checkpoint CaptureAt(string folder, int seconds, string? name = null, string? label = null)
    {
        _clock = Start.AddSeconds(seconds);
        return Repository.Capture(folder, new CaptureOptions { Name = name, Label = label }, CancellationToken.None);
    }

    /// <summary>Captures <paramref name="folder"/> at the real time, as a checkpoint written while a server runs is.</summary>
    public Checkpoint CaptureNow(string folder)
    {
        var now = DateTime.UtcNow;
        _clock = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        return Repository.Capture(folder, new CaptureOptions(), CancellationToken.None);
    }

    public static string Id(DateTime time) => CheckpointTime.ToId(time);

    public async Task<CheckpointServer> StartServerAsync(Action<CheckpointServerOptions>? configure = null)
    {
        var options = new CheckpointServerOptions();
        options.Repositories.Add(RepositoryPath);
        configure?.Invoke(options);
        var server = await CheckpointServer.StartAsync(options);
        _servers.Add(server);
        return server;
    }

    /// <summary>A client that does not follow redirects (a test looks at each 301).</summary>
    public static HttpClient Client(CheckpointServer server, bool followRedirects = false) =>
        new(new HttpClientHandler { AllowAutoRedirect = followRedirects }) { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(60) };

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
