using System.Text;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;

namespace Checkpoints.Tests.Storage;

/// <summary>
/// What every storage backend promises (<see cref="IObjectStorage"/>), asserted the same way for each: a backend's
/// test class derives from this and says how to make an empty storage. The folder, memory, Azure Blob and S3 backends
/// all run it.
/// </summary>
public abstract class StorageSuite : IDisposable
{
    private readonly List<IObjectStorage> _opened = new();

    /// <summary>A new, empty storage.</summary>
    protected abstract IObjectStorage CreateStorage();

    protected IObjectStorage NewStorage()
    {
        var storage = CreateStorage();
        _opened.Add(storage);
        return storage;
    }

    public virtual void Dispose()
    {
        foreach (var storage in _opened)
        {
            storage.Dispose();
        }
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(StoredObject? stored) => stored == null ? "<absent>" : Encoding.UTF8.GetString(stored.Span);

    [SuiteFact]
    public async Task AWrittenObjectReadsBackWholeWithItsVersion()
    {
        var storage = NewStorage();
        var written = await storage.WriteAsync("a/b/object.json", Bytes("hello"), WriteCondition.CreateOnly, default);
        Assert.Equal(WriteStatus.Written, written.Status);
        using var read = await storage.ReadAsync("a/b/object.json", default);
        Assert.Equal("hello", Text(read));
        Assert.NotNull(read!.Version);
        if (written.Version != null)
        {
            Assert.Equal(written.Version, read.Version);
        }

        Assert.Null(await storage.ReadAsync("a/b/missing.json", default));
        Assert.Null(await storage.ReadAsync("nowhere/at/all", default));
    }

    [SuiteFact]
    public async Task CreateOnlyReportsAlreadyExistsAndKeepsTheFirstContent()
    {
        var storage = NewStorage();
        if (!storage.Traits.HonoursCreateOnly)
        {
            await AssertItReallyIgnoresConditions(storage);
            return;
        }

        Assert.True((await storage.WriteAsync("k", Bytes("first"), WriteCondition.CreateOnly, default)).Written);
        var second = await storage.WriteAsync("k", Bytes("second"), WriteCondition.CreateOnly, default);
        Assert.Equal(WriteStatus.AlreadyExists, second.Status);
        using var read = await storage.ReadAsync("k", default);
        Assert.Equal("first", Text(read));
    }

    [SuiteFact]
    public async Task OfManyCreatorsOfOneKeyExactlyOneWins()
    {
        var storage = NewStorage();
        if (!storage.Traits.HonoursCreateOnly)
        {
            await AssertItReallyIgnoresConditions(storage);
            return;
        }

        for (var round = 0; round < 5; round++)
        {
            var key = "race/" + round;
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => storage.WriteAsync(key, Bytes("writer " + i), WriteCondition.CreateOnly, default))));
            Assert.Equal(1, results.Count(r => r.Status == WriteStatus.Written));
            Assert.Equal(7, results.Count(r => r.Status == WriteStatus.AlreadyExists));
        }
    }

    [SuiteFact]
    public async Task IfVersionReplacesOnlyTheVersionRead()
    {
        var storage = NewStorage();
        if (!storage.Traits.HonoursCreateOnly)
        {
            await AssertItReallyIgnoresConditions(storage);
            return;
        }

        await storage.WriteAsync("cas", Bytes("v1"), WriteCondition.CreateOnly, default);
        string version;
        using (var first = await storage.ReadAsync("cas", default))
        {
            version = first!.Version!;
        }

        var replaced = await storage.WriteAsync("cas", Bytes("v2"), WriteCondition.IfVersion(version), default);
        Assert.Equal(WriteStatus.Written, replaced.Status);
        var stale = await storage.WriteAsync("cas", Bytes("v3"), WriteCondition.IfVersion(version), default);
        Assert.Equal(WriteStatus.VersionMismatch, stale.Status);
        using (var now = await storage.ReadAsync("cas", default))
        {
            Assert.Equal("v2", Text(now));
            Assert.NotEqual(version, now!.Version);
        }

        var absent = await storage.WriteAsync("cas-missing", Bytes("x"), WriteCondition.IfVersion(version), default);
        Assert.Equal(WriteStatus.VersionMismatch, absent.Status);
        Assert.Null(await storage.ReadAsync("cas-missing", default));
    }

    [SuiteFact]
    public async Task ConcurrentCompareAndSwapLosesNoUpdate()
    {
        var storage = NewStorage();
        if (!storage.Traits.HonoursCreateOnly)
        {
            await AssertItReallyIgnoresConditions(storage);
            return;
        }

        await storage.WriteAsync("counter", Bytes("0"), WriteCondition.CreateOnly, default);
        const int writers = 4;
        const int increments = 10;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < increments; i++)
            {
                while (true)
                {
                    using var current = await storage.ReadAsync("counter", default);
                    var next = int.Parse(Text(current)) + 1;
                    var result = await storage.WriteAsync("counter", Bytes(next.ToString()), WriteCondition.IfVersion(current!.Version!), default);
                    if (result.Written)
                    {
                        break;
                    }
                }
            }
        })));
        using var final = await storage.ReadAsync("counter", default);
        Assert.Equal((writers * increments).ToString(), Text(final));
    }

    [SuiteFact]
    public async Task UnconditionalWritesReplace()
    {
        var storage = NewStorage();
        Assert.True((await storage.WriteAsync("u", Bytes("one"), WriteCondition.Unconditional, default)).Written);
        Assert.True((await storage.WriteAsync("u", Bytes("two"), WriteCondition.Unconditional, default)).Written);
        using var read = await storage.ReadAsync("u", default);
        Assert.Equal("two", Text(read));
    }

    [SuiteFact]
    public async Task RangesAndStreamsReadPartsAndWholes()
    {
        var storage = NewStorage();
        var content = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        await storage.WriteAsync("packs/ab/big.pack", content, WriteCondition.CreateOnly, default);
        var buffer = new byte[1000];
        Assert.Equal(1000, await storage.ReadRangeAsync("packs/ab/big.pack", 5000, buffer, 0, 1000, default));
        Assert.Equal(content.Skip(5000).Take(1000), buffer);
        Assert.Equal(100, await storage.ReadRangeAsync("packs/ab/big.pack", 99_900, buffer, 10, 500, default));
        Assert.Equal(content.Skip(99_900), buffer.Skip(10).Take(100));
        Assert.Equal(0, await storage.ReadRangeAsync("packs/ab/big.pack", 100_000, buffer, 0, 10, default));
        Assert.Equal(-1, await storage.ReadRangeAsync("packs/ab/none.pack", 0, buffer, 0, 10, default));

        using (var stream = await storage.OpenReadAsync("packs/ab/big.pack", default))
        using (var copy = new MemoryStream())
        {
            await stream!.CopyToAsync(copy);
            Assert.Equal(content, copy.ToArray());
        }

        Assert.Null(await storage.OpenReadAsync("packs/ab/none.pack", default));
        var info = await storage.StatAsync("packs/ab/big.pack", default);
        Assert.Equal(100_000, info!.Length);
        Assert.Equal("packs/ab/big.pack", info.Key);
        Assert.Null(await storage.StatAsync("packs/ab/none.pack", default));
    }

    [SuiteFact]
    public async Task ListingsAreSortedByKeyWithinTheirPrefixAndStartAfterAKey()
    {
        var storage = NewStorage();
        var keys = new[] { "checkpoints/20250101T000002Z.json", "checkpoints/20250101T000001Z.json", "checkpoints/~prune.json", "packs/01/a.pack", "packs/01/a.idx", "packs/ff/b.idx", "packsx", "format" };
        foreach (var key in keys)
        {
            await storage.WriteAsync(key, Bytes(key), WriteCondition.CreateOnly, default);
        }

        Assert.Equal(
            new[] { "checkpoints/20250101T000001Z.json", "checkpoints/20250101T000002Z.json", "checkpoints/~prune.json" },
            (await storage.ListAsync("checkpoints/", null, default)).Select(o => o.Key));
        Assert.Equal(
            new[] { "checkpoints/20250101T000002Z.json", "checkpoints/~prune.json" },
            (await storage.ListAsync("checkpoints/", "checkpoints/20250101T000001Z.json", default)).Select(o => o.Key));
        Assert.Equal(new[] { "packs/01/a.idx", "packs/01/a.pack", "packs/ff/b.idx" }, (await storage.ListAsync("packs/", null, default)).Select(o => o.Key));
        Assert.Equal(new[] { "packs/01/a.idx", "packs/01/a.pack", "packs/ff/b.idx", "packsx" }, (await storage.ListAsync("packs", null, default)).Select(o => o.Key));
        Assert.Equal(keys.OrderBy(k => k, StringComparer.Ordinal), (await storage.ListAsync(string.Empty, null, default)).Select(o => o.Key));
        Assert.Empty(await storage.ListAsync("nothing/", null, default));
        var listed = (await storage.ListAsync("packs/01/", null, default)).Single(o => o.Key == "packs/01/a.pack");
        Assert.Equal(Bytes("packs/01/a.pack").Length, listed.Length);
        Assert.NotNull(listed.LastModifiedUtc);
    }

    [SuiteFact]
    public async Task StartAfterKeepsEveryKeyThatSortsAfterItWhateverFolderHoldsIt()
    {
        // '-' and '.' sort before '/': "p/ab/x" comes after "p/ab-c" and "p/ab.d" although the folder "ab" sorts first.
        var storage = NewStorage();
        var keys = new[] { "p/aa", "p/ab-c", "p/ab.d", "p/ab/x", "p/ab/y/z", "p/b" };
        foreach (var key in keys)
        {
            await storage.WriteAsync(key, Bytes(key), WriteCondition.CreateOnly, default);
        }

        foreach (var after in new[] { "p/", "p/a", "p/aa", "p/ab", "p/ab-", "p/ab-c", "p/ab.d", "p/ab/", "p/ab/x", "p/ab/y", "p/ab/y/z", "p/b", "p/c", "o", "q" })
        {
            var expected = keys.Where(k => string.CompareOrdinal(k, after) > 0).ToArray();
            Assert.True(expected.SequenceEqual((await storage.ListAsync("p/", after, default)).Select(o => o.Key)), $"listing p/ after {after}");
            Assert.True(expected.SequenceEqual((await storage.ListAsync(string.Empty, after, default)).Select(o => o.Key)), $"listing everything after {after}");
        }
    }

    [SuiteFact]
    public async Task DeleteSaysWhetherTheObjectWasThere()
    {
        var storage = NewStorage();
        await storage.WriteAsync("d/x", Bytes("x"), WriteCondition.CreateOnly, default);
        Assert.True(await storage.DeleteAsync("d/x", default));
        Assert.False(await storage.DeleteAsync("d/x", default));
        Assert.False(await storage.DeleteAsync("never/was", default));
        Assert.Null(await storage.ReadAsync("d/x", default));
        Assert.True((await storage.WriteAsync("d/x", Bytes("again"), WriteCondition.CreateOnly, default)).Written);
    }

    [SuiteFact]
    public async Task AnUncheckedDeleteRemovesTheObjectAndTakesAnAbsentOne()
    {
        var storage = NewStorage();
        await storage.WriteAsync("u/x", Bytes("x"), WriteCondition.CreateOnly, default);
        await storage.DeleteUncheckedAsync("u/x", default);
        Assert.Null(await storage.ReadAsync("u/x", default));
        Assert.Empty(await storage.ListAsync("u/", null, default));
        await storage.DeleteUncheckedAsync("u/x", default);
        await storage.DeleteUncheckedAsync("never/was", default);
        Assert.True((await storage.WriteAsync("u/x", Bytes("again"), WriteCondition.CreateOnly, default)).Written);
    }

    [SuiteFact]
    public async Task AWriterDisposedWithoutCommitLeavesNothing()
    {
        var storage = NewStorage();
        using (var writer = storage.CreateWriter("w/abandoned", WriteCondition.CreateOnly))
        {
            writer.Content.Write(Bytes("half"), 0, 4);
            writer.Complete();
        }

        Assert.Null(await storage.ReadAsync("w/abandoned", default));
        Assert.Empty(await storage.ListAsync(string.Empty, null, default));
    }

    [SuiteFact]
    public async Task AStagedObjectIsInvisibleUntilCommitted()
    {
        var storage = NewStorage();
        using var writer = storage.CreateWriter("w/staged", WriteCondition.CreateOnly);
        var content = Enumerable.Range(0, 3 << 20).Select(i => (byte)i).ToArray();
        writer.Content.Write(content, 0, content.Length);
        writer.Complete();
        Assert.Null(await storage.ReadAsync("w/staged", default));
        Assert.Equal(content.Length, writer.Length);
        Assert.True((await writer.CommitAsync(default)).Written);
        using var read = await storage.ReadAsync("w/staged", default);
        Assert.Equal(content, read!.ToArray());
    }

    /// <summary>11 MiB in uneven writes: several blocks on Azure (4 MiB) and parts on S3 (5 MiB).</summary>
    private static byte[] ManyBlocks(int seed)
    {
        var content = new byte[(11 << 20) + 12_345];
        new Random(seed).NextBytes(content);
        return content;
    }

    private static void WriteUnevenly(ObjectWriter writer, byte[] content)
    {
        for (var at = 0; at < content.Length; at += 100_003)
        {
            writer.Content.Write(content, at, Math.Min(100_003, content.Length - at));
        }
    }

    [SuiteFact]
    public async Task AnObjectWrittenInManyBlocksIsInvisibleUntilCommittedThenReadsBackWhole()
    {
        var storage = NewStorage();
        var content = ManyBlocks(1);
        using (var writer = storage.CreateWriter("packs/ab/big.pack", WriteCondition.CreateOnly))
        {
            WriteUnevenly(writer, content);
            Assert.Equal(content.Length, writer.Length);
            Assert.Null(await storage.ReadAsync("packs/ab/big.pack", default));
            Assert.Empty(await storage.ListAsync(string.Empty, null, default));
            writer.Complete();
            Assert.True((await writer.CommitAsync(default)).Written);
        }

        using var read = await storage.ReadAsync("packs/ab/big.pack", default);
        Assert.Equal(content, read!.ToArray());
        var listed = Assert.Single(await storage.ListAsync(string.Empty, null, default));
        Assert.Equal(content.Length, listed.Length);
        var middle = new byte[1000];
        Assert.Equal(1000, await storage.ReadRangeAsync("packs/ab/big.pack", (5 << 20) - 500, middle, 0, 1000, default));
        Assert.Equal(content.AsSpan((5 << 20) - 500, 1000).ToArray(), middle);

        // Create-only holds for an object written in blocks too: the first content stays.
        if (storage.Traits.HonoursCreateOnly)
        {
            using var second = storage.CreateWriter("packs/ab/big.pack", WriteCondition.CreateOnly);
            WriteUnevenly(second, ManyBlocks(2));
            Assert.Equal(WriteStatus.AlreadyExists, (await second.CommitAsync(default)).Status);
            using var again = await storage.ReadAsync("packs/ab/big.pack", default);
            Assert.Equal(content, again!.ToArray());
        }
    }

    [SuiteFact]
    public async Task AnObjectOfManyBlocksWrittenAtOnceReadsBackWhole()
    {
        // One write of 11 MiB: blocks are staged while fewer than two are, the rest gathers into a larger last block.
        var storage = NewStorage();
        var content = ManyBlocks(5);
        using (var writer = storage.CreateWriter("packs/ab/once.pack", WriteCondition.CreateOnly))
        {
            writer.Content.Write(content, 0, content.Length);
            Assert.True((await writer.CommitAsync(default)).Written);
        }

        using var read = await storage.ReadAsync("packs/ab/once.pack", default);
        Assert.Equal(content, read!.ToArray());
    }

    [SuiteFact]
    public async Task TwoWritersOfManyBlocksCreatingOneKeyAtOnceNeverMixTheirContents()
    {
        // Two captures racing for one manifest id: their blocks are staged side by side to the same key.
        var storage = NewStorage();
        var a = ManyBlocks(6);
        var b = ManyBlocks(7);
        using var first = storage.CreateWriter("checkpoints/same.json", WriteCondition.CreateOnly);
        using var second = storage.CreateWriter("checkpoints/same.json", WriteCondition.CreateOnly);
        first.Content.Write(a, 0, 6 << 20);
        second.Content.Write(b, 0, 6 << 20);
        second.Content.Write(b, 6 << 20, b.Length - (6 << 20));
        first.Content.Write(a, 6 << 20, a.Length - (6 << 20));
        var firstResult = await first.CommitAsync(default);
        var secondResult = await second.CommitAsync(default);
        using var read = await storage.ReadAsync("checkpoints/same.json", default);
        var stored = read!.ToArray();
        if (storage.Traits.HonoursCreateOnly)
        {
            Assert.Equal(WriteStatus.Written, firstResult.Status);
            Assert.Equal(WriteStatus.AlreadyExists, secondResult.Status);
            Assert.Equal(a, stored);
        }
        else
        {
            Assert.True(stored.AsSpan().SequenceEqual(a) || stored.AsSpan().SequenceEqual(b), "the object is one writer's content, whole");
        }
    }

    [SuiteFact]
    public async Task AWriterOfManyBlocksDisposedWithoutCommitLeavesNothing()
    {
        var storage = NewStorage();
        using (var writer = storage.CreateWriter("packs/cd/abandoned.pack", WriteCondition.CreateOnly))
        {
            WriteUnevenly(writer, ManyBlocks(3));
        }

        Assert.Null(await storage.ReadAsync("packs/cd/abandoned.pack", default));
        Assert.Null(await storage.StatAsync("packs/cd/abandoned.pack", default));
        Assert.Empty(await storage.ListAsync(string.Empty, null, default));
        await AssertNoUploadLeftAsync(storage);
    }

    /// <summary>
    /// Faults on every request of one object written in blocks (dropped connections before and after the server
    /// processed the request, 429, 503; the SDK retries): the object commits once and reads back whole. Returns the
    /// requests the object's writing made.
    /// </summary>
    protected static async Task<IReadOnlyList<Daytona.StorageServers.ProxiedRequest>> WriteManyBlocksThroughFaultsAsync(IObjectStorage storage, Daytona.StorageServers.FaultProxy proxy)
    {
        proxy.Faults = new Daytona.StorageServers.FaultPlan
        {
            DropRate = 0.06, DropAfterProcessingRate = 0.06, TooManyRequestsRate = 0.06, ServerErrorRate = 0.06, RetryAfterSeconds = null, Seed = 7,
            Applies = request => request.Path.Value?.Contains("faulty.pack", StringComparison.Ordinal) == true,
        };
        proxy.Reset();
        var content = ManyBlocks(4);
        using (var writer = storage.CreateWriter("packs/ef/faulty.pack", WriteCondition.CreateOnly))
        {
            WriteUnevenly(writer, content);

            // A pack's name is random: "already exists" here can only be this very write, retried after its answer was lost.
            var result = await writer.CommitAsync(default);
            Assert.True(result.Status is WriteStatus.Written or WriteStatus.AlreadyExists, result.Status.ToString());
        }

        proxy.Faults = Daytona.StorageServers.FaultPlan.None;
        using var read = await storage.ReadAsync("packs/ef/faulty.pack", default);
        Assert.Equal(content, read!.ToArray());
        Assert.Single(await storage.ListAsync("packs/", null, default));
        return proxy.Requests.Where(r => r.Path.Contains("faulty.pack", StringComparison.Ordinal)).ToList();
    }

    /// <summary>What a backend keeps of abandoned uploads that its listing does not show (S3: multipart uploads) is gone.</summary>
    protected virtual Task AssertNoUploadLeftAsync(IObjectStorage storage) => Task.CompletedTask;

    [SuiteFact]
    public async Task ALeaseIsExclusiveUntilReleased()
    {
        var storage = NewStorage();
        var first = await storage.TryAcquireLeaseAsync("lock", LeaseHolder.ThisProcess("pruning"), TimeSpan.FromMinutes(1), default);
        Assert.NotNull(first.Lease);
        Assert.False(first.TookOver);
        var second = await storage.TryAcquireLeaseAsync("lock", LeaseHolder.ThisProcess("pruning"), TimeSpan.FromMinutes(1), default);
        Assert.Null(second.Lease);
        Assert.NotNull(second.Holder);
        Assert.Equal(Environment.MachineName, second.Holder!.Host);
        Assert.Equal("pruning", second.Holder.Purpose);
        Assert.True(await first.Lease!.RenewAsync(default));
        await first.Lease.ReleaseAsync(default);
        var third = await storage.TryAcquireLeaseAsync("lock", LeaseHolder.ThisProcess("pruning"), TimeSpan.FromMinutes(1), default);
        Assert.NotNull(third.Lease);
        third.Lease!.Dispose();
        Assert.Null(await storage.ReadAsync("lock", default));
    }

    [SuiteFact]
    public virtual async Task ALeaseOfADeadProcessOrPastItsExpiryIsTakenOverAndItsHolderLosesIt()
    {
        var storage = NewStorage();
        var dead = new LeaseHolder { Host = Environment.MachineName, Pid = DeadProcessId(), Since = DateTime.UtcNow, Expires = DateTime.UtcNow.AddHours(1) };
        await storage.WriteAsync("lock", dead.ToJson(), WriteCondition.CreateOnly, default);
        var taken = await storage.TryAcquireLeaseAsync("lock", LeaseHolder.ThisProcess("pruning"), TimeSpan.FromMinutes(1), default);
        Assert.NotNull(taken.Lease);
        Assert.True(taken.TookOver);

        // Another host's lease, long expired: taken over; the one holding it finds it lost when it renews.
        var expired = new LeaseHolder { Host = "elsewhere", Pid = 1, Since = DateTime.UtcNow.AddHours(-2), Expires = DateTime.UtcNow.AddHours(-1) };
        using (var current = await storage.ReadAsync("lock", default))
        {
            await storage.WriteAsync("lock", expired.ToJson(), WriteCondition.IfVersion(current!.Version!), default);
        }

        Assert.False(await taken.Lease!.RenewAsync(default));
        var again = await storage.TryAcquireLeaseAsync("lock", LeaseHolder.ThisProcess("pruning"), TimeSpan.FromMinutes(1), default);
        Assert.NotNull(again.Lease);
        Assert.True(again.TookOver);

        // A live lease of another host is not.
        var live = new LeaseHolder { Host = "elsewhere", Pid = 1, Since = DateTime.UtcNow, Expires = DateTime.UtcNow.AddHours(1) };
        using (var current = await storage.ReadAsync("lock", default))
        {
            await storage.WriteAsync("lock", live.ToJson(), WriteCondition.IfVersion(current!.Version!), default);
        }

        var refused = await storage.TryAcquireLeaseAsync("lock", LeaseHolder.ThisProcess("pruning"), TimeSpan.FromMinutes(1), default);
        Assert.Null(refused.Lease);
        Assert.Equal("elsewhere", refused.Holder!.Host);
    }

    /// <summary>
    /// A backend whose traits say it ignores conditional writes (found by the probe) really does: its promise is
    /// truthful, so the engine serializes writers there instead of trusting create-only.
    /// </summary>
    private static async Task AssertItReallyIgnoresConditions(IObjectStorage storage)
    {
        Assert.False(storage.Traits.HonoursIfVersion);
        var key = "ignored/" + Guid.NewGuid().ToString("N");
        Assert.True((await storage.WriteAsync(key, Bytes("first"), WriteCondition.CreateOnly, default)).Written);
        Assert.True((await storage.WriteAsync(key, Bytes("second"), WriteCondition.CreateOnly, default)).Written);
        using var read = await storage.ReadAsync(key, default);
        Assert.Equal("second", Text(read));
    }

    protected static int DeadProcessId()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(OperatingSystem.IsWindows() ? "cmd" : "true")
        {
            UseShellExecute = false,
            ArgumentList = { },
        })!;
        process.WaitForExit();
        return process.Id;
    }
}
