using System.Net;
using System.Text;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Remote;
using Daytona.Checkpoints.Server;
using Daytona.Common;
using Daytona.Common.Http;

namespace Checkpoints.Tests.Remote;

/// <summary>
/// Listing and restoring from a real checkpoint server on 127.0.0.1, and what a client does with responses changed on
/// their way (a handler between the client and the server rewrites them, as a proxy in the middle would).
/// </summary>
public sealed class CheckpointServerClientTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private CheckpointServer _server = null!;
    private DateTime _clock;
    private string _first = string.Empty;
    private string _second = string.Empty;

    private string Source => _temp.Sub("app");

    public async Task InitializeAsync()
    {
        var now = DateTime.UtcNow.AddHours(-1);
        _clock = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var repository = CheckpointRepository.OpenOrCreate(_temp.Sub("repo"), new RepositoryOptions { UtcNow = () => _clock, Durable = false });
        TestTree.Write(Source, "readme.md", Encoding.UTF8.GetBytes("# app\n"));
        TestTree.Write(Source, "bin/data.bin", TestTree.Random(2 * 1024 * 1024 + 3, 11));
        TestTree.Write(Source, "a b/c%d.txt", Encoding.UTF8.GetBytes("odd name"));
        Directory.CreateDirectory(Path.Combine(Source, "empty"));
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(Path.Combine(Source, "link.md"), "readme.md");
            File.SetUnixFileMode(Path.Combine(Source, "readme.md"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        _first = repository.Capture(Source, new CaptureOptions { Name = "one" }, CancellationToken.None).Id;
        _clock = _clock.AddSeconds(10);
        TestTree.Write(Source, "readme.md", Encoding.UTF8.GetBytes("# app, second\n"));
        _second = repository.Capture(Source, new CaptureOptions(), CancellationToken.None).Id;

        var options = new CheckpointServerOptions();
        options.Repositories.Add(_temp.Sub("repo"));
        _server = await CheckpointServer.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    private static readonly HttpResilienceOptions s_quick = new() { MaxConnectRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200) };

    private static CheckpointServerClient Client(Func<HttpRequestMessage, HttpResponseMessage, Task>? tamper = null) =>
        new(new HttpClient(new Tampering(tamper)), new ResilientHttp(s_quick));

    private Uri At(string stamp) => new(_server.Url, $"app/{stamp}/");

    [Fact]
    public async Task AnyInstantResolvesToItsCheckpointAndTheSourceLists()
    {
        var client = Client();
        var between = CheckpointTime.ToId(CheckpointTime.Parse(_first).AddSeconds(5));
        var resolved = await client.GetAsync(At(between), CancellationToken.None);
        Assert.Equal(_first, resolved.Manifest.Id);
        Assert.False(resolved.ExactMatch);
        Assert.Equal(At(_first), resolved.Url);
        var shown = resolved.ToCheckpoint();
        Assert.Equal(new Uri(_server.Url, "app/").ToString(), shown.Source);
        Assert.Equal("one", shown.Name);

        Assert.True((await client.GetAsync(At(_second), CancellationToken.None)).ExactMatch);

        var listed = await client.ListAsync(new Uri(_server.Url, "app"), CancellationToken.None);
        Assert.Equal(new[] { _first, _second }, listed.Select(c => c.Id));
        Assert.Equal(new[] { _first, _second }, (await client.ListAsync(_server.Url, CancellationToken.None)).Select(c => c.Id));
    }

    [Fact]
    public async Task ARestoreFromAUrlEqualsTheLocalRestore()
    {
        var client = Client();
        var destination = _temp.Sub("restored");
        var progress = new List<CheckpointProgress>();
        var restored = await client.RestoreAsync(At(CheckpointTime.ToId(DateTime.UtcNow)), destination, new RestoreOptions { Progress = p => { lock (progress) { progress.Add(p); } } }, CancellationToken.None);
        Assert.Equal(_second, restored.Manifest.Id);
        Assert.Equal("# app, second\n", File.ReadAllText(Path.Combine(destination, "readme.md")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Source, "bin", "data.bin")), File.ReadAllBytes(Path.Combine(destination, "bin", "data.bin")));
        Assert.Equal("odd name", File.ReadAllText(Path.Combine(destination, "a b", "c%d.txt")));
        Assert.True(Directory.Exists(Path.Combine(destination, "empty")));
        Assert.Equal(new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc).AddSeconds("bin/data.bin".Length), File.GetLastWriteTimeUtc(Path.Combine(destination, "bin", "data.bin")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal("readme.md", new FileInfo(Path.Combine(destination, "link.md")).LinkTarget);
            Assert.True(File.GetUnixFileMode(Path.Combine(destination, "readme.md")).HasFlag(UnixFileMode.UserExecute));
        }

        Assert.Equal(3, progress.Count);
    }

    [Fact]
    public async Task AChangedByteIsRefusedAndNothingIsWritten()
    {
        var client = Client(async (request, response) =>
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/data.bin", StringComparison.Ordinal))
            {
                var body = await response.Content.ReadAsByteArrayAsync();
                body[body.Length / 2] ^= 0x01;
                response.Content = new ByteArrayContent(body);
            }
        });
        var destination = _temp.Sub("tampered");
        var error = await Assert.ThrowsAsync<DaytonaException>(() => client.RestoreAsync(At(_first), destination, null, CancellationToken.None));
        Assert.Equal("CheckpointCorrupt", error.ErrorId);
        Assert.Contains("'bin/data.bin' does not match the checkpoint", error.Message);
        AssertNothingWritten(destination);
    }

    [Fact]
    public async Task AShortOrLongResponseIsRefused()
    {
        foreach (var change in new Func<byte[], byte[]>[] { b => b[..^1], b => b.Append((byte)'!').ToArray() })
        {
            var client = Client(async (request, response) =>
            {
                if (request.RequestUri!.AbsolutePath.EndsWith("/readme.md", StringComparison.Ordinal))
                {
                    response.Content = new ByteArrayContent(change(await response.Content.ReadAsByteArrayAsync()));
                }
            });
            var destination = _temp.Sub("short-or-long");
            var error = await Assert.ThrowsAsync<DaytonaException>(() => client.RestoreAsync(At(_first), destination, null, CancellationToken.None));
            Assert.Equal("CheckpointCorrupt", error.ErrorId);
            AssertNothingWritten(destination);
        }
    }

    [Fact]
    public async Task AManifestWithAPathOutsideTheDestinationIsRefusedBeforeAnythingIsWritten()
    {
        var client = Client(async (request, response) =>
        {
            if (response.Content.Headers.ContentType?.MediaType == CheckpointProtocol.ManifestMediaType)
            {
                var text = await response.Content.ReadAsStringAsync();
                response.Content = new StringContent(text.Replace("\"path\":\"readme.md\"", "\"path\":\"../escaped.md\""), Encoding.UTF8, CheckpointProtocol.ManifestMediaType);
            }
        });
        var destination = _temp.Sub("escape");
        var error = await Assert.ThrowsAsync<DaytonaException>(() => client.RestoreAsync(At(_first), destination, null, CancellationToken.None));
        Assert.Equal("CheckpointPathUnsafe", error.ErrorId);
        AssertNothingWritten(destination);
        Assert.False(File.Exists(_temp.Sub("escaped.md")));
    }

    [Fact]
    public async Task AManifestOfAnotherCheckpointIsRefused()
    {
        var client = Client(async (request, response) =>
        {
            if (response.Content.Headers.ContentType?.MediaType == CheckpointProtocol.ManifestMediaType)
            {
                var text = await response.Content.ReadAsStringAsync();
                response.Content = new StringContent(text.Replace(_first, _second), Encoding.UTF8, CheckpointProtocol.ManifestMediaType);
            }
        });
        var error = await Assert.ThrowsAsync<DaytonaException>(() => client.GetAsync(At(_first), CancellationToken.None));
        Assert.Equal("CheckpointCorrupt", error.ErrorId);
    }

    [Fact]
    public async Task ErrorsSayWhatWentWrong()
    {
        var client = Client();
        var before = await Assert.ThrowsAsync<DaytonaException>(() => client.GetAsync(At(CheckpointTime.ToId(CheckpointTime.Parse(_first).AddSeconds(-1))), CancellationToken.None));
        Assert.Equal("CheckpointNotFound", before.ErrorId);
        var noStamp = await Assert.ThrowsAsync<DaytonaException>(() => client.GetAsync(new Uri(_server.Url, "app/latest/"), CancellationToken.None));
        Assert.Equal("CheckpointUriInvalid", noStamp.ErrorId);
        var inside = await Assert.ThrowsAsync<DaytonaException>(() => client.RestoreAsync(new Uri(At(_first), "bin/"), _temp.Sub("x"), null, CancellationToken.None));
        Assert.Equal("CheckpointUriInvalid", inside.ErrorId);

        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var unreachable = await Assert.ThrowsAsync<DaytonaException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{port}/app/{_first}/"), CancellationToken.None));
        Assert.Equal("CheckpointServerUnreachable", unreachable.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, unreachable.Kind);
    }

    [Fact]
    public async Task AKeyGoesWithEveryRequestAcrossRedirects()
    {
        var options = new CheckpointServerOptions { ApiKey = "k-123" };
        options.Repositories.Add(_temp.Sub("repo"));
        await using var keyed = await CheckpointServer.StartAsync(options);
        var between = CheckpointTime.ToId(CheckpointTime.Parse(_first).AddSeconds(5));
        var denied = await Assert.ThrowsAsync<DaytonaException>(() => Client().GetAsync(new Uri(keyed.Url, $"app/{between}/"), CancellationToken.None));
        Assert.Equal("CheckpointServerDenied", denied.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, denied.Kind);

        var client = CheckpointServerClient.Create("k-123", s_quick);
        var destination = _temp.Sub("keyed");
        await client.RestoreAsync(new Uri(keyed.Url, $"app/{between}/"), destination, null, CancellationToken.None);
        Assert.Equal("# app\n", File.ReadAllText(Path.Combine(destination, "readme.md")));
    }

    private void AssertNothingWritten(string destination)
    {
        Assert.False(Directory.Exists(destination));
        Assert.Empty(Directory.EnumerateDirectories(_temp.Path, "." + Path.GetFileName(destination) + "*"));
    }

    /// <summary>Sends through a real socket to the server, then lets the test rewrite the response.</summary>
    private sealed class Tampering : DelegatingHandler
    {
        private readonly Func<HttpRequestMessage, HttpResponseMessage, Task>? _tamper;

        public Tampering(Func<HttpRequestMessage, HttpResponseMessage, Task>? tamper)
            : base(HttpHandlerFactory.Create(allowRedirects: false))
        {
            _tamper = tamper;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (_tamper != null && response.StatusCode == HttpStatusCode.OK)
            {
                var type = response.Content.Headers.ContentType;
                await _tamper(request, response);
                response.Content.Headers.ContentType ??= type;
            }

            return response;
        }
    }
}
