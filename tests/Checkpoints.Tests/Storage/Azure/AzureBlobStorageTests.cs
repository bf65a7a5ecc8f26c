using Daytona.Checkpoints.Storage;
using Daytona.Common;
using Daytona.StorageServers;

namespace Checkpoints.Tests.Storage.Azure;

/// <summary>The storage contract on Azure Blob Storage, against Azurite on loopback.</summary>
[Collection(StorageServersCollection.Name)]
[NeedsStorageServers]
public sealed class AzureBlobStorageTests : StorageSuite
{
    private readonly StorageServersFixture _servers;

    public AzureBlobStorageTests(StorageServersFixture servers)
    {
        _servers = servers;
    }

    protected override IObjectStorage CreateStorage() => _servers.OpenAzureAsync().GetAwaiter().GetResult();

    [SuiteFact]
    public async Task APackLargerThanABlockIsStagedInBlocksAndCommittedOnceThroughFaults()
    {
        var server = await _servers.Azurite();
        await using var proxy = await FaultProxy.StartAsync(new Uri($"http://127.0.0.1:{server.Port}"));
        var options = new StorageOptions { Environment = name => name == "AZURE_STORAGE_CONNECTION_STRING" ? AzuriteServer.ConnectionStringFor(proxy.Port) : null, CacheFolder = string.Empty };
        using var storage = StorageFactory.Open(RepositoryLocation.ParseUrl($"az://checkpoints/{StorageServersFixture.NewPrefix()}"), options);
        await ((Daytona.Checkpoints.Storage.Cache.CachingStorage)storage).EnsureProbedAsync(default);
        var requests = await WriteManyBlocksThroughFaultsAsync(storage, proxy);
        var text = string.Join("\n", requests);

        // 11 MiB in 4 MiB blocks: three Put Block (each maybe retried), then Put Block List (create-only).
        Assert.Equal(3, requests.Where(r => r.Query.Contains("comp=block&", StringComparison.Ordinal) || r.Query.EndsWith("comp=block", StringComparison.Ordinal)).Select(r => r.Query).Distinct().Count());
        Assert.Contains(requests, r => r.Query.Contains("comp=blocklist", StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.Method == "PUT" && r.Query.Length == 0);
        Assert.True(requests.Count >= 4, text);
    }

    [SuiteFact]
    public async Task TheProbeTrustsAzuriteAndSaysNothing()
    {
        var warnings = new List<string>();
        var verbose = new List<string>();
        using var storage = await _servers.OpenAzureAsync(new StorageOptions { Warning = warnings.Add, Verbose = verbose.Add }, probe: false);
        Assert.True((await storage.WriteAsync("first", new byte[] { 1 }, WriteCondition.CreateOnly, default)).Written);
        Assert.True(storage.Traits.HonoursCreateOnly);
        Assert.True(storage.Traits.HonoursIfVersion);
        Assert.Empty(warnings);
        Assert.Empty(await storage.ListAsync(ConditionalWriteProbe.Folder, null, default));
        Assert.Contains(verbose, line => line.Contains("credentials from AZURE_STORAGE_CONNECTION_STRING"));
        Assert.DoesNotContain(verbose, line => line.Contains(AzuriteServer.AccountKey));
    }

    [SuiteFact]
    public async Task EverySecretReadFromTheEnvironmentIsHandedOverForMaskingBeforeUse()
    {
        var server = await _servers.Azurite();
        var secrets = new List<string>();
        var options = new StorageOptions { Secret = secrets.Add, CacheFolder = string.Empty, Environment = StorageServersFixture.AzureEnvironment(server.Port) };
        using var storage = StorageFactory.Open(RepositoryLocation.ParseUrl("az://checkpoints/" + StorageServersFixture.NewPrefix()), options);
        Assert.Contains(AzuriteServer.AccountKey, secrets);
        Assert.Contains(AzuriteServer.ConnectionStringFor(server.Port), secrets);
        Assert.DoesNotContain(AzuriteServer.AccountKey, storage.Location);
    }

    [SuiteFact]
    public async Task AWrongKeyIsAccessDeniedAndTheMessageHoldsNoSecret()
    {
        var server = await _servers.Azurite();
        const string wrongKey = "d3JvbmcgYnV0IHdlbGwgZm9ybWVkIGtleSB0aGF0IGlzIGxvbmcgZW5vdWdoISEhISEhISEhISEhISEhISEhIQ==";
        var connection = AzuriteServer.ConnectionStringFor(server.Port).Replace(AzuriteServer.AccountKey, wrongKey);
        var options = new StorageOptions { CacheFolder = string.Empty, Environment = name => name == "AZURE_STORAGE_CONNECTION_STRING" ? connection : null };
        using var storage = StorageFactory.Open(RepositoryLocation.ParseUrl("az://checkpoints/denied"), options);
        var error = await Assert.ThrowsAsync<DaytonaException>(() => storage.ReadAsync("format", default));
        Assert.Equal(StorageErrors.AccessDenied, error.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
        Assert.DoesNotContain(wrongKey, error.Message);
        Assert.DoesNotContain(wrongKey, error.RecommendedAction);
    }

    [SuiteFact]
    public async Task AnUnreachableAccountFailsAfterTheRetriesWithEachRetryOnVerbose()
    {
        var verbose = new List<string>();
        var port = NodeServer.FreePort();
        var resilience = Daytona.Common.Http.HttpResilienceOptions.Default;
        resilience.BaseDelay = TimeSpan.FromMilliseconds(20);
        resilience.MaxDelay = TimeSpan.FromMilliseconds(100);
        var options = new StorageOptions
        {
            Resilience = resilience,
            Verbose = line => { lock (verbose) { verbose.Add(line); } },
            CacheFolder = string.Empty,
            Environment = name => name == "AZURE_STORAGE_CONNECTION_STRING" ? AzuriteServer.ConnectionStringFor(port) : null,
        };
        using var storage = StorageFactory.Open(RepositoryLocation.ParseUrl("az://checkpoints/x"), options);
        var error = await Assert.ThrowsAsync<DaytonaException>(() => storage.ReadAsync("format", default));
        Assert.Equal(StorageErrors.Unavailable, error.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, error.Kind);
        Assert.Equal(resilience.MaxRetries, verbose.Count(line => line.StartsWith("Azure Blob: retry", StringComparison.Ordinal)));
    }
}
