using Checkpoints.Tests.Storage;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Memory;

namespace Checkpoints.Tests;

/// <summary>
/// Packs on local storage: written by several threads at once, each into a pack of its own. Packs on remote storage:
/// uploaded as they fill, a bounded number at a time, progress in bytes.
/// </summary>
public sealed class PackWriterTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ThreadsAppendingAtOnceEachFillAPackOfTheirOwnAndEveryIndexDescribesItsPackExactly()
    {
        var source = _temp.Sub("source");
        for (var i = 0; i < 6; i++)
        {
            TestTree.Write(source, $"big{i}.bin", TestTree.Random(9 << 20, 100 + i)); // 54 MiB that does not compress
        }

        for (var i = 0; i < 300; i++)
        {
            TestTree.Write(source, $"small/f{i:D3}.txt", TestTree.Random(1000 + (i * 37), 1000 + i));
        }

        var root = _temp.Sub("repo");
        var repository = CheckpointRepository.OpenOrCreate(root, new RepositoryOptions { Workers = 4 });
        var checkpoint = repository.Capture(source, null, default);

        // Each pack file is exactly the frames its index lists, back to back from offset 0: no two threads ever wrote
        // into one pack at the same time, and no frame was lost or interleaved.
        var indexes = Directory.GetFiles(Path.Combine(root, "packs"), "*.idx", SearchOption.AllDirectories);
        Assert.True(indexes.Length >= 4, $"{indexes.Length} packs");
        Assert.True(indexes.Length <= (56 / 16) + 1 + 4, $"{indexes.Length} packs: more than one partly filled pack per thread");
        var chunks = 0;
        foreach (var index in indexes)
        {
            var bytes = File.ReadAllBytes(index);
            var count = BitConverter.ToInt32(bytes, 8);
            Assert.Equal(12 + (count * 44), bytes.Length);
            long next = 0;
            for (var i = 0; i < count; i++)
            {
                var offset = BitConverter.ToInt64(bytes, 12 + (i * 44) + 32);
                var length = BitConverter.ToInt32(bytes, 12 + (i * 44) + 40);
                Assert.Equal(next, offset);
                next = offset + length;
            }

            Assert.Equal(next, new FileInfo(Path.ChangeExtension(index, ".pack")).Length);
            chunks += count;
        }

        Assert.True(chunks >= 306, $"{chunks} chunks");
        Assert.True(repository.Verify(checkpoint.Id).IsValid);
        var restored = _temp.Sub("restored");
        repository.Restore(checkpoint.Id, restored, new RestoreOptions(), default);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, $"big{i}.bin")), File.ReadAllBytes(Path.Combine(restored, $"big{i}.bin")));
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "small", "f299.txt")), File.ReadAllBytes(Path.Combine(restored, "small", "f299.txt")));
    }

    [Fact]
    public void PacksUploadAsTheyFillAtMostConnectionsAtATimeAndProgressCountsTheirBytes()
    {
        var source = _temp.Sub("source");
        for (var i = 0; i < 6; i++)
        {
            TestTree.Write(source, $"big{i}.bin", TestTree.Random(12 << 20, i)); // 72 MiB that does not compress: 5 packs
        }

        var storage = new Remote(connections: 2);
        var repository = CheckpointRepository.OpenOrCreate(storage);
        var reports = new List<CheckpointProgress>();
        var checkpoint = repository.Capture(source, new CaptureOptions { OnUpload = p => { lock (reports) { reports.Add(p); } } }, default);

        var packs = storage.Memory.ListAsync("packs/", null, default).Result.Where(o => o.Key.EndsWith(".pack", StringComparison.Ordinal)).ToList();
        Assert.True(packs.Count >= 4, $"{packs.Count} packs");

        // Memory: the pack being filled and at most Connections completed ones are held at any moment.
        Assert.True(storage.MaxHeld <= 2 + 1, $"{storage.MaxHeld} packs held at once");
        Assert.True(storage.MaxUploading <= 2, $"{storage.MaxUploading} uploads at once");

        // Progress: one report per pack, ending at every byte of every pack.
        Assert.Equal(packs.Count, reports.Count);
        var last = reports.OrderBy(r => r.Bytes).Last();
        Assert.Equal(packs.Sum(p => p.Length), last.Bytes);
        Assert.Equal(packs.Count, (int)last.Files);
        Assert.Equal("Uploading", last.Activity);
        Assert.True(repository.Verify(checkpoint.Id).IsValid);
    }

    /// <summary>Memory storage that says it is remote, and counts the pack writers alive and committing.</summary>
    private sealed class Remote : ForwardingStorage
    {
        private int _held;
        private int _uploading;

        public Remote(int connections)
            : base(new MemoryStorage())
        {
            Traits = new StorageTraits { HonoursCreateOnly = true, HonoursIfVersion = true, IsLocal = false, Connections = connections };
        }

        public MemoryStorage Memory => (MemoryStorage)Inner;

        public int MaxHeld { get; private set; }

        public int MaxUploading { get; private set; }

        public override string Location => "remote-memory";

        public override StorageTraits Traits { get; }

        public override ObjectWriter CreateWriter(string key, WriteCondition condition)
        {
            var inner = Inner.CreateWriter(key, condition);
            return key.EndsWith(".pack", StringComparison.Ordinal) ? new Counted(this, inner) : inner;
        }

        public override Task<LeaseAttempt> TryAcquireLeaseAsync(string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken) =>
            ObjectLease.TryAcquireAsync(this, key, holder, duration, cancellationToken);

        private sealed class Counted : ObjectWriter
        {
            private readonly Remote _owner;
            private readonly ObjectWriter _inner;

            public Counted(Remote owner, ObjectWriter inner)
                : base(inner.Key, inner.Condition)
            {
                _owner = owner;
                _inner = inner;
                lock (owner)
                {
                    owner.MaxHeld = Math.Max(owner.MaxHeld, ++owner._held);
                }
            }

            public override Stream Content => _inner.Content;

            public override long Length => _inner.Length;

            public override void Complete() => _inner.Complete();

            public override async Task<WriteResult> CommitAsync(CancellationToken cancellationToken)
            {
                lock (_owner)
                {
                    _owner.MaxUploading = Math.Max(_owner.MaxUploading, ++_owner._uploading);
                }

                try
                {
                    await Task.Delay(50, cancellationToken); // an upload takes a while
                    return await _inner.CommitAsync(cancellationToken);
                }
                finally
                {
                    lock (_owner)
                    {
                        _owner._uploading--;
                    }
                }
            }

            protected override void Dispose(bool disposing)
            {
                _inner.Dispose();
                lock (_owner)
                {
                    _owner._held--;
                }
            }
        }
    }
}
