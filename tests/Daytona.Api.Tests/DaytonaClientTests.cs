using System.Diagnostics;
using System.Net.Sockets;
using Daytona.Common;
using Daytona.Emulator;

namespace Daytona.Api.Tests;

/// <summary>The REST client against the in-process emulator over real HTTP on 127.0.0.1.</summary>
public sealed class DaytonaClientTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task CreateReturnsEveryFieldAndGetFindsItByIdAndByName()
    {
        await using var f = await ClientFixture.StartAsync();
        var created = await f.Client.CreateSnapshotAsync(new CreateSnapshotRequest("web-1")
        {
            ImageName = "python:3.12-slim",
            Cpu = 2,
            Memory = 4,
            Disk = 10,
            Entrypoint = new[] { "sleep", "infinity" },
        }, None);

        Assert.Equal("web-1", created.Name);
        Assert.True(Guid.TryParse(created.Id, out _));
        Assert.Equal(SnapshotState.Pending, created.State);
        Assert.Equal("pending", created.StateText);
        Assert.Equal("python:3.12-slim", created.ImageName);
        Assert.Equal(2, created.Cpu);
        Assert.Equal(4, created.Mem); // sent as "memory", returned as "mem"
        Assert.Equal(10, created.Disk);
        Assert.Equal(new[] { "sleep", "infinity" }, created.Entrypoint);
        Assert.Equal(f.Server.OrganizationId, created.OrganizationId);
        Assert.True(created.CreatedAt > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Same(f.Connection, created.Source);

        var byName = await f.Client.GetSnapshotAsync("web-1", None);
        var byId = await f.Client.GetSnapshotAsync(created.Id, None);
        Assert.Equal(created.Id, byName.Id);
        Assert.Equal("web-1", byId.Name);
    }

    [Fact]
    public async Task ListPagesStreamWithTheServersPagingNameFilterAndSort()
    {
        await using var f = await ClientFixture.StartAsync();
        foreach (var name in new[] { "app-a", "app-b", "app-c", "app-d", "app-e", "other" })
        {
            await f.CreateAsync(name);
        }

        var pages = new List<SnapshotPage>();
        await foreach (var page in f.Client.ListSnapshotPagesAsync(new SnapshotListQuery { Limit = 2, Name = "app-", Sort = SnapshotSort.Name, Descending = false }, None))
        {
            pages.Add(page);
        }

        Assert.Equal(3, pages.Count);
        Assert.All(pages, p => Assert.Equal(5, p.Total));
        Assert.Equal(new[] { 1, 2, 3 }, pages.Select(p => p.Page));
        Assert.Equal(new[] { "app-a", "app-b", "app-c", "app-d", "app-e" }, pages.SelectMany(p => p.Items).Select(s => s.Name));
        Assert.Equal(3, f.Count("GET /api/snapshots"));
    }

    [Fact]
    public async Task AnUnknownNameIsSnapshotNotFoundWithTheServersMessage()
    {
        await using var f = await ClientFixture.StartAsync();
        var e = await Assert.ThrowsAsync<DaytonaApiException>(() => f.Client.GetSnapshotAsync("no-such-snapshot", None));
        Assert.Equal("SnapshotNotFound", e.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, e.Kind);
        Assert.Contains("no-such-snapshot", e.Message);
        Assert.Null(await f.Client.FindSnapshotAsync("no-such-snapshot", None));
    }

    [Fact]
    public async Task ADuplicateNameIsSnapshotAlreadyExistsAndABadImageIsInvalidRequest()
    {
        await using var f = await ClientFixture.StartAsync();
        await f.CreateAsync("dup");
        var dup = await Assert.ThrowsAsync<DaytonaApiException>(() => f.CreateAsync("dup"));
        Assert.Equal("SnapshotAlreadyExists", dup.ErrorId);
        Assert.Equal(ErrorKind.ResourceExists, dup.Kind);
        Assert.Contains("Snapshot with name \"dup\" already exists", dup.ServerMessage);

        var latest = await Assert.ThrowsAsync<DaytonaApiException>(() => f.CreateAsync("latest", "ubuntu:latest"));
        Assert.Equal("DaytonaInvalidRequest", latest.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, latest.Kind);
        Assert.Contains(":latest", latest.ServerMessage);
        Assert.Equal(3, f.Count("POST /api/snapshots")); // each sent once: client errors are never retried
    }

    [Fact]
    public async Task ABadKeyIsAuthenticationFailedNamingWhereTheKeyCameFromWithoutShowingIt()
    {
        await using var f = await ClientFixture.StartAsync();
        const string badKey = "dtn_wrong_key_0123456789abcdef";
        using var client = f.ClientWith(badKey);
        var e = await Assert.ThrowsAsync<DaytonaApiException>(() => client.GetSnapshotAsync("anything", None));
        Assert.Equal("DaytonaAuthenticationFailed", e.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, e.Kind);
        Assert.Contains("DAYTONA_API_KEY", e.Message);
        Assert.Contains("DAYTONA_API_KEY", e.RecommendedAction);
        Assert.DoesNotContain(badKey, e.ToString());
        Assert.DoesNotContain(badKey, e.RecommendedAction);
        Assert.Equal(1, f.Count("GET /api/snapshots/{id}"));
    }

    [Fact]
    public async Task TheOrganizationHeaderIsSentWhenSet()
    {
        await using var f = await ClientFixture.StartAsync();
        using var right = f.ClientWith(f.Server.ApiKey, f.Server.OrganizationId);
        using var wrong = f.ClientWith(f.Server.ApiKey, "11111111-1111-4111-8111-111111111111");
        await right.ListSnapshotsAsync(null, None);
        var e = await Assert.ThrowsAsync<DaytonaApiException>(() => wrong.ListSnapshotsAsync(null, None));
        Assert.Equal("DaytonaPermissionDenied", e.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
    }

    [Fact]
    public async Task AnUnreachableServerFailsFastAndClearly()
    {
        int port;
        using (var listener = new TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var client = new DaytonaClient(new DaytonaConnection(new Uri($"http://127.0.0.1:{port}/api"), "dtn_secret_unreachable_key", null, "a test"));
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<DaytonaApiException>(() => client.ListSnapshotsAsync(null, None));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal("DaytonaUnreachable", e.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, e.Kind);
        Assert.Contains($"127.0.0.1:{port}", e.Message);
        Assert.DoesNotContain("dtn_secret_unreachable_key", e.ToString());
    }

    [Fact]
    public async Task TooManyRequestsIsRetriedAfterTheServersRetryAfter()
    {
        await using var f = await ClientFixture.StartAsync();
        f.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 2, RetryAfterSeconds = 1 } });
        var watch = Stopwatch.StartNew();
        var page = await f.Client.ListSnapshotsAsync(null, None);
        Assert.Empty(page.Items);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.9), $"Retry-After was not honoured: {watch.Elapsed}");
        Assert.Equal(3, f.Count("GET /api/snapshots"));
    }

    [Fact]
    public async Task ServiceUnavailableBurstsAreRetriedAndAnEndlessOneIsReported()
    {
        await using var f = await ClientFixture.StartAsync();
        await f.CreateAsync("steady");
        f.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 3, Status = 503 } });
        Assert.Equal("steady", (await f.Client.GetSnapshotAsync("steady", None)).Name);

        f.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 100, Status = 502 } });
        var options = ClientFixture.QuickRetries();
        options.MaxRetries = 2;
        using var impatient = new DaytonaClient(f.Connection, options);
        f.Control.ResetRequests();
        var e = await Assert.ThrowsAsync<DaytonaApiException>(() => impatient.GetSnapshotAsync("steady", None));
        Assert.Equal("DaytonaServiceUnavailable", e.ErrorId);
        Assert.Equal(ErrorKind.ResourceUnavailable, e.Kind);
        Assert.Equal(3, f.Count("GET /api/snapshots/{id}"));
    }

    [Fact]
    public async Task ACreateWhoseAnswerIsLostIsLookedUpNotDuplicated()
    {
        await using var f = await ClientFixture.StartAsync();

        // 503 before the server handled it: the lookup finds nothing, so the create is sent again.
        f.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 1, Status = 503 } });
        var first = await f.CreateAsync("lost-answer");
        Assert.Equal("lost-answer", first.Name);
        Assert.Equal(2, f.Count("POST /api/snapshots"));
        Assert.Equal(1, f.Count("GET /api/snapshots/{id}"));

        // A dropped connection: same, and exactly one snapshot exists afterwards.
        f.Control.ResetRequests();
        f.Control.SetFaults(new EmulatorFaults { DropConnections = 1 });
        var second = await f.CreateAsync("dropped");
        Assert.Equal("dropped", second.Name);
        var all = await f.Client.ListSnapshotsAsync(new SnapshotListQuery { Name = "dropped" }, None);
        Assert.Single(all.Items);

        // 429 is rejected before the handler: retried directly, no lookup needed.
        f.Control.ResetRequests();
        f.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 2, RetryAfterSeconds = 0 } });
        await f.CreateAsync("throttled");
        Assert.Equal(3, f.Count("POST /api/snapshots"));
        Assert.Equal(0, f.Count("GET /api/snapshots/{id}"));
    }

    [Fact]
    public async Task ActivateDeactivateAndDeleteFollowTheServersRules()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 0.02);
        f.Control.SetBuilds(new EmulatorBuilds { DeactivationCooldownMs = 0 });
        var created = await f.CreateAsync("cycle");
        var active = await WaitForState(f, created.Id, SnapshotState.Active);

        // Already active: returned as it is.
        Assert.Equal(SnapshotState.Active, (await f.Client.ActivateSnapshotAsync(active.Id, None)).State);

        await f.Client.DeactivateSnapshotAsync(active.Id, None);
        await f.Client.DeactivateSnapshotAsync(active.Id, None); // idempotent
        Assert.Equal(SnapshotState.Inactive, (await f.Client.GetSnapshotAsync(active.Id, None)).State);

        var activated = await f.Client.ActivateSnapshotAsync(active.Id, None);
        Assert.Equal(SnapshotState.Pending, activated.State);
        await WaitForState(f, created.Id, SnapshotState.Active);

        // A delete whose connection drops is retried; the retry's 404 means the first one worked.
        f.Control.SetFaults(new EmulatorFaults { DropConnections = 1 });
        await f.Client.DeleteSnapshotAsync(active.Id, None);
        var state = f.Control.GetState(active.Id);
        Assert.True(state is null or "removing", state);
        Assert.Equal(active.Id, await f.Client.ResolveIdAsync(active.Id, None));
    }

    [Fact]
    public async Task BuildLogsReadWholeFollowAndHaveAUrl()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 0.1);
        var created = await f.Client.CreateSnapshotAsync(new CreateSnapshotRequest("built")
        {
            DockerfileContent = "FROM python:3.12-slim\nRUN pip install requests\n",
            ContextHashes = Array.Empty<string>(),
        }, None);
        Assert.NotNull(created.BuildInfo);
        Assert.StartsWith("daytona-", created.BuildInfo!.SnapshotRef);

        var followed = new List<string>();
        await foreach (var line in f.Client.GetBuildLogAsync(created.Id, follow: true, None))
        {
            followed.Add(line);
        }

        Assert.Contains(followed, l => l.StartsWith("Step 1/", StringComparison.Ordinal));
        Assert.Equal(SnapshotState.Active, (await f.Client.GetSnapshotAsync(created.Id, None)).State);

        var url = await f.Client.GetBuildLogsUrlAsync(created.Id, None);
        Assert.Contains(created.Id, url.ToString());

        var image = await f.CreateAsync("from-image");
        var e = await Assert.ThrowsAsync<DaytonaApiException>(async () =>
        {
            await foreach (var _ in f.Client.GetBuildLogAsync(image.Id, false, None)) { }
        });
        Assert.Equal("SnapshotHasNoBuildLog", e.ErrorId);
    }

    [Fact]
    public async Task CancellationStopsACallPromptly()
    {
        await using var f = await ClientFixture.StartAsync();
        f.Control.SetFaults(new EmulatorFaults { LatencyMs = 5000 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => f.Client.ListSnapshotsAsync(null, cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task TheRequestLogNamesRequestsButNeverTheKey()
    {
        await using var f = await ClientFixture.StartAsync();
        var lines = new List<string>();
        using (DaytonaClient.LogTo(lines.Add))
        {
            f.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 1 } });
            await f.Client.ListSnapshotsAsync(null, None);
        }

        Assert.Contains(lines, l => l.Contains("GET snapshots?page=1") && l.Contains("503"));
        Assert.Contains(lines, l => l.StartsWith("Retrying", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.DoesNotContain(f.Server.ApiKey, l));
        Assert.StartsWith("Daytona.Snapshots/", f.Client.UserAgent);
    }

    internal static async Task<Snapshot> WaitForState(ClientFixture f, string id, SnapshotState state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var s = await f.Client.GetSnapshotAsync(id, None);
            if (s.State == state) return s;
            Assert.True(DateTime.UtcNow < deadline, $"{id} stayed {s.StateText}");
            await Task.Delay(20);
        }
    }
}
