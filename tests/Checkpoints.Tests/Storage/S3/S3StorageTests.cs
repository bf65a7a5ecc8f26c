using Daytona.Checkpoints.Storage;
using Daytona.StorageServers;

namespace Checkpoints.Tests.Storage.S3;

/// <summary>
/// The storage contract on S3, against s3rver on loopback. s3rver accepts <c>If-None-Match</c> and <c>If-Match</c>
/// and ignores them: the probe must find that out, and the lease must still be exclusive (lock objects).
/// </summary>
[Collection(StorageServersCollection.Name)]
[NeedsStorageServers]
public sealed class S3StorageTests : StorageSuite
{
    private readonly StorageServersFixture _servers;

    public S3StorageTests(StorageServersFixture servers)
    {
        _servers = servers;
    }

    protected override IObjectStorage CreateStorage() => _servers.OpenS3Async().GetAwaiter().GetResult();

    [SuiteFact]
    public async Task TheProbeFindsThatS3rverIgnoresConditionalWritesAndSaysSoOnce()
    {
        var warnings = new List<string>();
        var verbose = new List<string>();
        using var storage = await _servers.OpenS3Async(new StorageOptions { Warning = warnings.Add, Verbose = verbose.Add }, probe: false);
        Assert.Empty(warnings);

        // The probe runs before the first write (a reader never pays for it).
        Assert.True((await storage.WriteAsync("first", new byte[] { 1 }, WriteCondition.CreateOnly, default)).Written);
        await storage.WriteAsync("second", new byte[] { 1 }, WriteCondition.CreateOnly, default);
        Assert.False(storage.Traits.HonoursCreateOnly);
        Assert.False(storage.Traits.HonoursIfVersion);
        var warning = Assert.Single(warnings);
        Assert.Contains("overwrites anyway", warning);
        Assert.Contains("lock object", warning);
        Assert.Contains(verbose, line => line.Contains("credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"));
        Assert.Empty(await storage.ListAsync(ConditionalWriteProbe.Folder, null, default));
    }

    [SuiteFact]
    public async Task AnObjectWhoseBodyChangedWhileItWasReadIsReadAgain()
    {
        // A server that writes objects in place can answer with a body that is not what its hash (ETag) says, while another
        // request replaces the object: the SDK refuses such a body, and the read is tried again.
        var server = await _servers.S3();
        await using var proxy = await Daytona.StorageServers.FaultProxy.StartAsync(server.ServiceUrl);
        var verbose = new List<string>();
        var options = new StorageOptions { CacheFolder = string.Empty, Verbose = verbose.Add, Environment = StorageServersFixture.S3Environment(proxy.Url) };
        using var storage = StorageFactory.Open(RepositoryLocation.ParseUrl($"s3://{S3Server.Bucket}/{StorageServersFixture.NewPrefix()}"), options);
        var content = TestTree.Random(100_000, 3);
        Assert.True(storage.Write("objects/one", content, WriteCondition.Unconditional).Written);
        var gets = 0;
        proxy.Faults = new Daytona.StorageServers.FaultPlan { BodyChangedRate = 1, Applies = r => r.Method == "GET" && Interlocked.Increment(ref gets) == 1 };

        using var read = storage.Read("objects/one");

        Assert.Equal(content, read!.ToArray());
        Assert.Equal(2, proxy.Requests.Count(r => r.Method == "GET"));
        Assert.Contains(verbose, line => line.Contains("retry 1 of GetObject", StringComparison.Ordinal) && line.Contains("changed while it was read", StringComparison.Ordinal));
    }

    [SuiteFact]
    public async Task ListingsPageThroughMoreThanAThousandObjects()
    {
        using var storage = await _servers.OpenS3Async();
        var keys = Enumerable.Range(0, 1_030).Select(i => $"checkpoints/2026{i:D6}.json").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, ct) =>
            await storage.WriteAsync(key, new byte[] { 1 }, WriteCondition.CreateOnly, ct));
        Assert.Equal(keys, (await storage.ListAsync("checkpoints/", null, default)).Select(o => o.Key));
        Assert.Equal(keys.Skip(1_001), (await storage.ListAsync("checkpoints/", keys[1_000], default)).Select(o => o.Key));
    }

    [SuiteFact]
    public async Task ManyTakersRacingForTheLockObjectsNeverHoldItTogether()
    {
        using var storage = await _servers.OpenS3Async();
        var inside = 0;
        var most = 0;
        var entered = 0;
        await Task.WhenAll(Enumerable.Range(0, 5).Select(taker => Task.Run(async () =>
        {
            var random = new Random(taker);
            for (var round = 0; round < 3; round++)
            {
                IStorageLease? lease = null;
                while (lease == null)
                {
                    lease = (await storage.TryAcquireLeaseAsync("locks/writers", LeaseHolder.ThisProcess("capture"), TimeSpan.FromMinutes(1), default)).Lease;
                    if (lease == null)
                    {
                        await Task.Delay(random.Next(10, 80));
                    }
                }

                using (lease)
                {
                    var now = Interlocked.Increment(ref inside);
                    lock (storage)
                    {
                        most = Math.Max(most, now);
                    }

                    Interlocked.Increment(ref entered);
                    await Task.Delay(10);
                    Interlocked.Decrement(ref inside);
                }
            }
        })));

        Assert.Equal(15, entered);
        Assert.Equal(1, most);
        Assert.Empty(await storage.ListAsync("locks/", null, default));
    }

    /// <summary>Here leases are lock objects (one record per taker), so dead and expired holders are set up as such.</summary>
    [SuiteFact]
    public override async Task ALeaseOfADeadProcessOrPastItsExpiryIsTakenOverAndItsHolderLosesIt()
    {
        var storage = NewStorage();
        var dead = new LeaseHolder { Host = Environment.MachineName, Pid = DeadProcessId(), Since = DateTime.UtcNow, Expires = DateTime.UtcNow.AddHours(1) };
        await storage.WriteAsync("lock/dead", dead.ToJson(), WriteCondition.Unconditional, default);
        var taken = await storage.TryAcquireLeaseAsync("lock", LeaseHolder.ThisProcess("pruning"), TimeSpan.FromMinutes(1), default);
        Assert.NotNull(taken.Lease);
        Assert.True(taken.TookOver);
        Assert.Null(await storage.ReadAsync("lock/dead", default));

        // Its record removed by a taker that judged it expired: the holder finds the lease lost when it renews.
        var own = Assert.Single(await storage.ListAsync("lock/", null, default));
        await storage.DeleteAsync(own.Key, default);
        Assert.False(await taken.Lease!.RenewAsync(default));

        var expired = new LeaseHolder { Host = "elsewhere", Pid = 1, Since = DateTime.UtcNow.AddHours(-2), Expires = DateTime.UtcNow.AddHours(-1) };
        await storage.WriteAsync("lock/expired", expired.ToJson(), WriteCondition.Unconditional, default);
        var again = await storage.TryAcquireLeaseAsync("lock", LeaseHolder.ThisProcess("pruning"), TimeSpan.FromMinutes(1), default);
        Assert.NotNull(again.Lease);
        Assert.True(again.TookOver);
        await again.Lease!.ReleaseAsync(default);

        var live = new LeaseHolder { Host = "elsewhere", Pid = 1, Since = DateTime.UtcNow, Expires = DateTime.UtcNow.AddHours(1), Purpose = "pruning" };
        await storage.WriteAsync("lock/live", live.ToJson(), WriteCondition.Unconditional, default);
        var refused = await storage.TryAcquireLeaseAsync("lock", LeaseHolder.ThisProcess("pruning"), TimeSpan.FromMinutes(1), default);
        Assert.Null(refused.Lease);
        Assert.Equal("elsewhere", refused.Holder!.Host);
        Assert.Equal(new[] { "lock/live" }, (await storage.ListAsync("lock/", null, default)).Select(o => o.Key));
    }
}
