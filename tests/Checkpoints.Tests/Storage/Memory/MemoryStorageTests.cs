using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Memory;

namespace Checkpoints.Tests.Storage.Memory;

public sealed class MemoryStorageTests : StorageSuite
{
    protected override IObjectStorage CreateStorage() => new MemoryStorage();

    [Fact]
    public async Task EveryRequestIsCountedAndSeenByTheHook()
    {
        var storage = new MemoryStorage();
        var seen = new List<string>();
        storage.BeforeRequest = (kind, key) => seen.Add(kind + " " + key);
        await storage.WriteAsync("a", new byte[1], WriteCondition.CreateOnly, default);
        (await storage.ReadAsync("a", default))!.Dispose();
        await storage.ListAsync(string.Empty, null, default);
        Assert.Equal(new[] { "write a", "read a", "list " }, seen);
        Assert.Equal(3, storage.Requests);
    }
}
