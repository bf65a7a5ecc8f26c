using System.Text;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Cache;
using Daytona.Checkpoints.Storage.Memory;

namespace Checkpoints.Tests.Storage.Cache;

/// <summary>A store seen through the cache keeps every promise of the contract, and asks the store less.</summary>
public sealed class CachingStorageTests : StorageSuite
{
    private readonly TempFolder _temp = new();

    public override void Dispose()
    {
        base.Dispose();
        _temp.Dispose();
    }

    protected override IObjectStorage CreateStorage() => Over(new MemoryStorage(), "suite-" + Guid.NewGuid().ToString("N"));

    private CachingStorage Over(IObjectStorage inner, string identity = "memory", StorageOptions? options = null) =>
        new(inner, ObjectCache.Open(_temp.Sub("cache"), identity, inner.Location), RepositoryLayout.IsImmutable, options);

    [Fact]
    public async Task AnImmutableObjectIsReadFromTheStoreOnceThenFromTheCacheEvenByAnotherProcess()
    {
        var memory = new MemoryStorage();
        await memory.WriteAsync("packs/ab/abcd.idx", Encoding.UTF8.GetBytes("index"), WriteCondition.CreateOnly, default);
        var before = memory.Requests;
        using (var first = Over(memory))
        {
            using var read = await first.ReadAsync("packs/ab/abcd.idx", default);
            Assert.Equal("index", Encoding.UTF8.GetString(read!.Span));
        }

        Assert.Equal(before + 1, memory.Requests);
        var second = Over(memory);
        using (var again = await second.ReadAsync("packs/ab/abcd.idx", default))
        {
            Assert.Equal("index", Encoding.UTF8.GetString(again!.Span));
        }

        var buffer = new byte[3];
        Assert.Equal(3, await second.ReadRangeAsync("packs/ab/abcd.idx", 1, buffer, 0, 3, default));
        Assert.Equal("nde", Encoding.UTF8.GetString(buffer));
        Assert.Equal(before + 1, memory.Requests);
    }

    [Fact]
    public async Task WhatIsWrittenIsCachedAndWhatIsDeletedIsForgotten()
    {
        var memory = new MemoryStorage();
        var storage = Over(memory);
        await storage.WriteAsync("catalog/000000000001.cat", new byte[] { 1, 2, 3 }, WriteCondition.CreateOnly, default);
        var requests = memory.Requests;
        using (var read = await storage.ReadAsync("catalog/000000000001.cat", default))
        {
            Assert.Equal(new byte[] { 1, 2, 3 }, read!.ToArray());
        }

        Assert.Equal(requests, memory.Requests);
        await storage.DeleteAsync("catalog/000000000001.cat", default);
        Assert.Null(await storage.ReadAsync("catalog/000000000001.cat", default));
        Assert.Null(storage.Cache!.Get("objects/catalog/000000000001.cat", out _));
    }

    [Fact]
    public async Task ObjectsThatMayChangeAlwaysComeFromTheStore()
    {
        var memory = new MemoryStorage();
        var storage = Over(memory);
        await storage.WriteAsync("checkpoints/20250101T000000Z.json", Encoding.UTF8.GetBytes("one"), WriteCondition.CreateOnly, default);
        using (var read = await storage.ReadAsync("checkpoints/20250101T000000Z.json", default))
        {
            await memory.WriteAsync("checkpoints/20250101T000000Z.json", Encoding.UTF8.GetBytes("two"), WriteCondition.IfVersion(read!.Version!), default);
        }

        using var now = await storage.ReadAsync("checkpoints/20250101T000000Z.json", default);
        Assert.Equal("two", Encoding.UTF8.GetString(now!.Span));
        Assert.Empty(storage.Cache!.Names("objects"));
    }

    [Fact]
    public async Task AnEntryDeletedFromTheCacheFolderIsReadFromTheStoreAgain()
    {
        var memory = new MemoryStorage();
        var storage = Over(memory);
        await storage.WriteAsync("format", Encoding.UTF8.GetBytes("daytona-checkpoints 1\n"), WriteCondition.CreateOnly, default);
        Directory.Delete(storage.Cache!.Folder, recursive: true);
        var requests = memory.Requests;
        using var read = await storage.ReadAsync("format", default);
        Assert.Equal("daytona-checkpoints 1\n", Encoding.UTF8.GetString(read!.Span));
        Assert.Equal(requests + 1, memory.Requests);
    }

    [Fact]
    public async Task AReaderNeverProbesAWriterProbesOnceAndTheVerdictIsRemembered()
    {
        var memory = new MemoryStorage();
        var verbose = new List<string>();
        var storage = new CachingStorage(memory, ObjectCache.Open(_temp.Sub("cache"), "probe", memory.Location), RepositoryLayout.IsImmutable, new StorageOptions { Verbose = verbose.Add });
        await storage.ListAsync("checkpoints/", null, default);
        await storage.ReadAsync("format", default);
        Assert.Equal(2, memory.Requests);

        await storage.WriteAsync("writers/a.json", new byte[] { 1 }, WriteCondition.CreateOnly, default);
        await storage.WriteAsync("writers/b.json", new byte[] { 1 }, WriteCondition.CreateOnly, default);
        Assert.Equal(2 + 3 + 2, memory.Requests);
        Assert.True(storage.Traits.HonoursCreateOnly);

        var again = new CachingStorage(memory, ObjectCache.Open(_temp.Sub("cache"), "probe", memory.Location), RepositoryLayout.IsImmutable, new StorageOptions { Verbose = verbose.Add });
        await again.WriteAsync("writers/c.json", new byte[] { 1 }, WriteCondition.CreateOnly, default);
        Assert.Equal(2 + 3 + 2 + 1, memory.Requests);
        Assert.Contains(verbose, line => line.Contains("remembered in the cache"));
    }

    [Fact]
    public async Task AStoreFoundToIgnoreConditionsIsMarkedAndTheUserToldOnce()
    {
        var ignoring = new IgnoringConditions();
        var warnings = new List<string>();
        var storage = new CachingStorage(ignoring, null, RepositoryLayout.IsImmutable, new StorageOptions { Warning = warnings.Add });
        await storage.WriteAsync("writers/a.json", new byte[] { 1 }, WriteCondition.CreateOnly, default);
        await storage.WriteAsync("writers/b.json", new byte[] { 1 }, WriteCondition.CreateOnly, default);
        Assert.False(storage.Traits.HonoursCreateOnly);
        Assert.Contains("overwrites anyway", Assert.Single(warnings));
    }

    /// <summary>Memory that, like many S3-compatible servers, takes create-only writes as plain writes.</summary>
    private sealed class IgnoringConditions : ForwardingStorage
    {
        public IgnoringConditions()
            : base(new MemoryStorage())
        {
        }

        public override StorageTraits Traits { get; } = new() { HonoursCreateOnly = true, HonoursIfVersion = true };

        public override ObjectWriter CreateWriter(string key, WriteCondition condition) => Inner.CreateWriter(key, WriteCondition.Unconditional);
    }
}
