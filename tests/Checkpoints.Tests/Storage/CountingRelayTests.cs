using Daytona.Checkpoints.Storage;
using Daytona.StorageServers;

namespace Checkpoints.Tests.Storage;

/// <summary>
/// The bench's request counter: a storage talking to s3rver through it sees the server as it is (bodies of any size,
/// byte for byte, answers and errors), and each request is counted once with its method and target.
/// </summary>
[Collection(StorageServersCollection.Name)]
[NeedsStorageServers]
public sealed class CountingRelayTests
{
    private readonly StorageServersFixture _servers;

    public CountingRelayTests(StorageServersFixture servers)
    {
        _servers = servers;
    }

    [SuiteFact]
    public async Task RequestsPassUnchangedAndEachIsCountedOnce()
    {
        var server = await _servers.S3();
        await using var relay = CountingRelay.Start(server.ServiceUrl);
        var prefix = StorageServersFixture.NewPrefix();
        using var storage = StorageFactory.Open(RepositoryLocation.ParseUrl($"s3://{S3Server.Bucket}/{prefix}"),
            new StorageOptions { Environment = StorageServersFixture.S3Environment(relay.Url), CacheFolder = string.Empty });
        var large = TestTree.Random(5 * 1024 * 1024 + 17, 3);
        var small = TestTree.Random(100, 4);

        // The first write probes the storage first (its own requests): only what follows is counted.
        Assert.True(storage.Write("warm", small, WriteCondition.Unconditional).Written);
        relay.Reset();

        Assert.True(storage.Write("packs/large", large, WriteCondition.Unconditional).Written);
        Assert.True(storage.Write("small", small, WriteCondition.Unconditional).Written);
        using (var read = storage.Read("packs/large"))
        {
            Assert.True(read!.Span.SequenceEqual(large));
        }

        Assert.Null(storage.Read("absent"));
        Assert.Equal(new[] { "packs/large" }, storage.List("packs/").Select(o => o.Key));

        Assert.Equal(5, relay.Count);
        Assert.Equal(new[] { "PUT", "PUT", "GET", "GET", "GET" }, relay.Requests.Select(r => r.Method));
        Assert.EndsWith($"/{prefix}/packs/large", relay.Requests[0].Target);
        Assert.Contains("list-type=2", relay.Requests[4].Target);
    }
}
