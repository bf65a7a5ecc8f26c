using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Folder;

namespace Checkpoints.Tests.Storage.Folder;

public sealed class FolderStorageTests : StorageSuite
{
    private readonly TempFolder _temp = new();

    protected override IObjectStorage CreateStorage() => new FolderStorage(_temp.Sub(Guid.NewGuid().ToString("N")[..8]));

    public override void Dispose()
    {
        base.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task ObjectsAreFilesAtTheirKeysAndTemporaryFilesAreNeverListed()
    {
        var root = _temp.Sub("repo");
        var storage = new FolderStorage(root);
        await storage.WriteAsync("checkpoints/20250101T000000Z.json", "{}"u8.ToArray(), WriteCondition.CreateOnly, default);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(root, "checkpoints", "20250101T000000Z.json")));
        using var writer = storage.CreateWriter("packs/ab/x.pack", WriteCondition.CreateOnly);
        writer.Content.Write(new byte[10], 0, 10);
        writer.Complete();
        Assert.Single(Directory.EnumerateFiles(Path.Combine(root, "tmp")));
        Assert.Equal(new[] { "checkpoints/20250101T000000Z.json" }, (await storage.ListAsync(string.Empty, null, default)).Select(o => o.Key));
        Assert.Throws<ArgumentException>(() => storage.PathOf("tmp/x"));
        Assert.Throws<ArgumentException>(() => storage.PathOf("../escape"));
    }

    [Fact]
    public async Task ACompareAndSwapHoldsAgainstAnotherProcessHoldingTheKeyLock()
    {
        // The key's lock is an open file no other process may open: held here by hand, the swap waits for it.
        var root = _temp.Sub("locked");
        var storage = new FolderStorage(root);
        var first = await storage.WriteAsync("catalog", "1"u8.ToArray(), WriteCondition.CreateOnly, default);
        Directory.CreateDirectory(Path.Combine(root, "tmp", "locks"));
        var held = new FileStream(Path.Combine(root, "tmp", "locks", "catalog.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var swap = Task.Run(() => storage.WriteAsync("catalog", "2"u8.ToArray(), WriteCondition.IfVersion(first.Version!), default));
        await Task.Delay(300);
        Assert.False(swap.IsCompleted);
        held.Dispose();
        Assert.Equal(WriteStatus.Written, (await swap).Status);
    }
}
