using System.Diagnostics;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Catalog;
using Daytona.Checkpoints.Storage;
using Daytona.StorageServers;

namespace Checkpoints.Tests.Storage.Cache;

/// <summary>
/// What a process on a machine with a warm cache asks an object store for, counted by a proxy in front of Azurite and
/// s3rver: an unchanged re-capture and a lookup by time over 100,000 checkpoints. Each run is a new process (as a
/// pipeline job or a pwsh prompt is), so nothing is remembered but the cache folder.
/// </summary>
[Collection(StorageServersCollection.Name)]
[NeedsStorageServers]
public sealed class RequestCountTests : IDisposable
{
    private readonly StorageServersFixture _servers;
    private readonly TempFolder _temp = new();

    public RequestCountTests(StorageServersFixture servers)
    {
        _servers = servers;
    }

    public void Dispose() => _temp.Dispose();

    [SuiteFact]
    public async Task AnUnchangedRecaptureToAzuriteMakesThreeRequests()
    {
        var server = await _servers.Azurite();
        await using var proxy = await FaultProxy.StartAsync(new Uri($"http://127.0.0.1:{server.Port}"));
        var environment = new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = AzuriteServer.ConnectionStringFor(proxy.Port) };
        var requests = await RecaptureAsync(proxy, "az://checkpoints/" + StorageServersFixture.NewPrefix(), environment);

        // Writer marker (create-only), LIST checkpoints/ after the generation this machine knows, manifest (create-only).
        Assert.True(requests.Count == 3, string.Join("\n", requests));
        Assert.Equal(new[] { "PUT", "GET", "PUT" }, requests.Select(r => r.Method));
    }

    [SuiteFact]
    public async Task AnUnchangedRecaptureToS3rverMakesThreeRequestsToo()
    {
        var server = await _servers.S3();
        await using var proxy = await FaultProxy.StartAsync(server.ServiceUrl);
        var requests = await RecaptureAsync(proxy, $"s3://{S3Server.Bucket}/{StorageServersFixture.NewPrefix()}", S3Environment(proxy.Url));

        // s3rver ignores If-None-Match (the probe, remembered in the cache, says so), so the repository has format 2: the
        // writer's marker claims the id (PUT checkpoints/~writers/<writer>_<id>.json), the one LIST of checkpoints/ shows
        // the manifests and the other writers' claims, and the manifest PUT follows. No lock, no release: the marker stays.
        var text = string.Join("\n", requests);
        Assert.True(requests.Count == 3, text);
        Assert.Equal(new[] { "PUT", "GET", "PUT" }, requests.Select(r => r.Method));
        Assert.Contains("/checkpoints/~writers/", requests[0].Path, StringComparison.Ordinal);
        Assert.DoesNotContain(requests, r => r.Path.Contains("/commit-lock/", StringComparison.Ordinal));
    }

    [SuiteFact]
    public async Task ALookupByTimeOverAHundredThousandCheckpointsMakesAtMostThreeRequests()
    {
        var server = await _servers.Azurite();
        await using var proxy = await FaultProxy.StartAsync(new Uri($"http://127.0.0.1:{server.Port}"));
        var environment = new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = AzuriteServer.ConnectionStringFor(proxy.Port) };
        var url = "az://checkpoints/" + StorageServersFixture.NewPrefix();
        var start = await SeedHundredThousandAsync(url, environment);
        var source = _temp.Sub("source");
        TestTree.Write(source, "a.txt", TestTree.Text(1000, 1));
        await RunAsync(environment, url, source);
        await RunAsync(environment, url, source); // two checkpoints after the compacted generation

        // A machine that never saw the repository: LIST catalog/ and GET the generation, which alone answers an instant
        // it covers (before its last id less the skew margin: no manifest listed after it can be at or before the instant).
        var instant = start.AddSeconds(61L * 50_000 + 30);
        proxy.Reset();
        var found = await RunAsync(environment, url, "--find-at", instant.ToString("o"));
        Assert.Equal(CheckpointTime.ToId(start.AddSeconds(61L * 50_000)), found.Trim());
        var cold = proxy.Requests;

        // The same machine again: the generation comes from its cache.
        proxy.Reset();
        found = await RunAsync(environment, url, "--find-at", instant.ToString("o"));
        Assert.Equal(CheckpointTime.ToId(start.AddSeconds(61L * 50_000)), found.Trim());
        var warm = proxy.Requests;
        Assert.True(cold.Count <= 2, string.Join("\n", cold));
        Assert.Equal(new[] { "GET" }, warm.Select(r => r.Method));

        // An instant after the generation (the two checkpoints captured since): the listing of checkpoints/ after the
        // generation too, and the summaries of the manifests it shows (kept in this machine's cache from then on).
        proxy.Reset();
        var recent = await RunAsync(environment, url, "--find-at", DateTime.UtcNow.ToString("o"));
        Assert.Matches("^[0-9]{8}T[0-9]{6}Z$", recent.Trim());
        Assert.True(string.CompareOrdinal(recent.Trim(), CheckpointTime.ToId(DateTime.UtcNow.AddDays(-1))) > 0, recent);
        var coldRecent = proxy.Requests;
        proxy.Reset();
        Assert.Equal(recent, await RunAsync(environment, url, "--find-at", DateTime.UtcNow.ToString("o")));
        var warmRecent = proxy.Requests;
        Assert.True(coldRecent.Count <= 2 + 2, string.Join("\n", coldRecent));
        Assert.Equal(new[] { "GET", "GET" }, warmRecent.Select(r => r.Method));
    }

    /// <summary>
    /// A repository whose compacted catalog covers 100,000 checkpoints (one a minute, a year ago and more): the generation
    /// a compaction would write. Its manifests are not uploaded — a lookup by time never reads a manifest the generation covers.
    /// </summary>
    private async Task<DateTime> SeedHundredThousandAsync(string url, IReadOnlyDictionary<string, string> environment)
    {
        var options = new StorageOptions { CacheFolder = string.Empty, Environment = name => environment.TryGetValue(name, out var v) ? v : null };
        using var storage = StorageFactory.Open(RepositoryLocation.ParseUrl(url), options);
        CheckpointRepository.OpenOrCreate(storage);
        var now = DateTime.UtcNow.AddDays(-400);
        var start = new DateTime(now.Year, now.Month, now.Day, 0, 0, 0, DateTimeKind.Utc);
        var checkpoints = Enumerable.Range(0, 100_000).Select(i => new Checkpoint
        {
            Id = CheckpointTime.ToId(start.AddSeconds(61L * i)),
            Time = start.AddSeconds(61L * i),
            Source = i % 2 == 0 ? "/src/a" : "/src/b",
            Kind = "folder",
            Files = 10,
            Size = 1000,
        }).ToList();
        var bytes = CatalogSnapshot.Write(1, checkpoints[^1].Time.Ticks, checkpoints, Array.Empty<long>());
        Assert.True((await storage.WriteAsync(RepositoryLayout.CatalogKey(1), bytes, WriteCondition.CreateOnly, default)).Written);
        return start;
    }

    private async Task<IReadOnlyList<ProxiedRequest>> RecaptureAsync(FaultProxy proxy, string url, IReadOnlyDictionary<string, string> environment)
    {
        var source = _temp.Sub("source");
        for (var i = 0; i < 20; i++)
        {
            TestTree.Write(source, $"dir{i % 3}/file{i}.bin", TestTree.Random(10_000 + i, i));
        }

        await RunAsync(environment, url, source, "--reuse");
        proxy.Reset();
        await RunAsync(environment, url, source, "--reuse");
        return proxy.Requests;
    }

    private static Dictionary<string, string> S3Environment(Uri endpoint) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey,
        ["AWS_ENDPOINT_URL_S3"] = endpoint.ToString(),
        ["AWS_REGION"] = "us-east-1",
    };

    /// <summary>Runs the child writer (a new process) with this machine's cache folder; returns what it printed.</summary>
    private async Task<string> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = ChildWriter.StartInfo(arguments);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment[Daytona.Checkpoints.Storage.Cache.ObjectCache.FolderVariable] = _temp.Sub("cache");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(process.ExitCode == 0, await error);
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines[^1];
    }
}
