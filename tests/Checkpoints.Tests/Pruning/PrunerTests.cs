using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Folder;
using Daytona.Checkpoints.Storage.Memory;
using Daytona.Common;

namespace Checkpoints.Tests.Pruning;

/// <summary>
/// The Pruner's invariant under many interleavings: while checkpoints are removed and their content reclaimed,
/// captures run — one re-capturing unchanged files whose chunks only the removed checkpoint referenced, one adding
/// content that shares chunks with it — and afterwards every checkpoint committed is whole. Each seed orders the
/// requests differently (<see cref="InterleavingStorage"/>). Every backend runs it: derive and say how to make a storage.
/// </summary>
public abstract class PrunerInterleavingSuite : IDisposable
{
    /// <summary>Seeds per backend.</summary>
    protected virtual int Seeds => 100;

    protected readonly TempFolder _temp = new();

    public virtual void Dispose() => _temp.Dispose();

    /// <summary>The format the repositories get (2 where the storage ignores create-only writes).</summary>
    protected virtual int ExpectedFormat => CheckpointRepository.FormatVersion;

    /// <summary>A new, empty storage for one seed's repository.</summary>
    protected abstract IObjectStorage NewStorage(string name);

    [Fact]
    public async Task APruneRacingCapturesNeverBreaksACheckpoint()
    {
        // Two sources share most of their content; each seed works on fresh copies of both.
        var shared = Enumerable.Range(0, 12).Select(i => TestTree.Random(3000 + (i * 101), i)).ToArray();
        var outcomes = new Dictionary<string, int>();
        for (var seed = 0; seed < Seeds; seed++)
        {
            var a = _temp.Sub($"a{seed}");
            var b = _temp.Sub($"b{seed}");
            for (var i = 0; i < shared.Length; i++)
            {
                TestTree.Write(a, $"f{i}.bin", shared[i]);
                TestTree.Write(b, $"g{i}.bin", shared[i]);
            }

            TestTree.Write(b, "own.bin", TestTree.Random(5000, 1000 + seed));
            var inner = NewStorage($"repo{seed}");
            using var storage = new InterleavingStorage(inner, seed);
            var seconds = 0L;
            var start = new DateTime(2025, 3, 18, 14, 0, 0, DateTimeKind.Utc);
            var options = new RepositoryOptions { Durable = false, UtcNow = () => start.AddSeconds(Interlocked.Increment(ref seconds)), LockWait = TimeSpan.FromMinutes(1) };
            var repository = CheckpointRepository.OpenOrCreate(storage, options);
            var old = repository.Capture(a, new CaptureOptions { Name = "old" }, default);

            // Race: remove the only checkpoint of a (and reclaim its content) while a is captured again unchanged and b
            // is captured for the first time.
            // Each starts after a seeded delay, so a capture may begin before the prune, during any of its steps, or after.
            var random = new Random(seed);
            var delays = new[] { random.Next(4), random.Next(25), random.Next(25) };
            var remove = Task.Run(() =>
            {
                Thread.Sleep(delays[0]);
                return repository.Remove(old.Id);
            });
            var again = Task.Run(() =>
            {
                Thread.Sleep(delays[1]);
                return CheckpointRepository.Open(storage, options).Capture(a, new CaptureOptions { Name = "again" }, default);
            });
            var other = Task.Run(() =>
            {
                Thread.Sleep(delays[2]);
                return CheckpointRepository.Open(storage, options).Capture(b, new CaptureOptions { Name = "other" }, default);
            });
            await Task.WhenAll(remove, again, other);
            var freed = await remove;
            var key = freed > 0 ? "reclaimed" : "kept";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;

            var reader = CheckpointRepository.Open(storage, options);
            var ids = reader.ListIds();
            Assert.DoesNotContain(old.Id, ids);
            Assert.Equal(new[] { (await again).Id, (await other).Id }.Order(StringComparer.Ordinal), ids);
            foreach (var id in ids)
            {
                var verification = reader.Verify(id);
                Assert.True(verification.IsValid, $"seed {seed}: {id}: {string.Join("; ", verification.Problems)}");
            }

            // Nothing is left to reclaim that a checkpoint needs, and the next prune keeps both whole.
            reader.Prune();
            Assert.All(ids, id => Assert.True(reader.Verify(id).IsValid, $"seed {seed}: {id} after a second prune"));
            var restored = _temp.Sub($"restored{seed}");
            reader.Restore((await again).Id, restored, null, default);
            TestTree.AssertSameTree(a, restored);
            Assert.Empty(storage.List(RepositoryLayout.WritersPrefix));
            Assert.Empty(storage.List(RepositoryLayout.WriterRecordsPrefix));
            Assert.Equal(ExpectedFormat, reader.Format);
            Assert.Null(storage.Stat(RepositoryLayout.PrunePlanKey));
        }

        // Both orders happened: prunes that reclaimed the removed content and prunes that found it needed again.
        Assert.True(outcomes.Count >= 1, string.Join(", ", outcomes));
    }
}

public sealed class MemoryPrunerInterleavingTests : PrunerInterleavingSuite
{
    protected override IObjectStorage NewStorage(string name) => new MemoryStorage(name);

    [Fact]
    public void ACaptureThatStartsDuringAPruneLeavesThePlannedPacksAloneAndTheirDeletionBreaksNothing()
    {
        // The hazard in slow motion: the prune has published its plan and looked for writers (there were none); a
        // capture of the same, unchanged files then runs to its end before the prune deletes anything. It must not
        // reuse the chunks of the removed checkpoint (they lie in planned packs): it writes them again.
        var source = _temp.Sub("source");
        for (var i = 0; i < 5; i++)
        {
            TestTree.Write(source, $"f{i}.bin", TestTree.Random(4000, i));
        }

        var storage = new MemoryStorage();
        var options = new RepositoryOptions { Durable = false };
        var repository = CheckpointRepository.OpenOrCreate(storage, options);
        var old = repository.Capture(source, null, default);
        var reused = repository.Capture(source, null, default);
        Checkpoint? during = null;
        var planWritten = false;
        var writersListed = false;
        storage.BeforeRequest = (kind, key) =>
        {
            if (kind == "write" && key == RepositoryLayout.PrunePlanKey)
            {
                planWritten = true;
            }
            else if (planWritten && kind == "list" && key == RepositoryLayout.WritersPrefix)
            {
                writersListed = true;
            }
            else if (writersListed)
            {
                storage.BeforeRequest = null;
                during = Task.Run(() => CheckpointRepository.Open(storage, options).Capture(source, null, default)).GetAwaiter().GetResult();
            }
        };

        // Both earlier checkpoints go: every pack is planned, and every one is deleted (what the new checkpoint needs of
        // them is rewritten first).
        var packsBefore = storage.Keys.Where(k => k.StartsWith(RepositoryLayout.PacksPrefix, StringComparison.Ordinal)).ToList();
        repository.Remove(new[] { old.Id, reused.Id });
        Assert.NotNull(during);
        Assert.Empty(storage.Keys.Intersect(packsBefore));
        Assert.True(during!.NewData > 0, "the capture wrote again the chunks whose packs were planned");
        Assert.True(repository.Verify(during.Id).IsValid);
        var restored = _temp.Sub("restored");
        repository.Restore(during.Id, restored, null, default);
        TestTree.AssertSameTree(source, restored);
    }
}

public sealed class FolderPrunerInterleavingTests : PrunerInterleavingSuite
{
    protected override IObjectStorage NewStorage(string name) => new FolderStorage(_temp.Sub(name), durable: false);
}

/// <summary>
/// The same races on storage that ignores create-only writes (as s3rver does): a format-2 repository, whose writers'
/// markers claim their ids and lie under <c>checkpoints/~writers/</c>, stay after commit and are deleted by the prune.
/// </summary>
public sealed class ConditionsIgnoringPrunerInterleavingTests : PrunerInterleavingSuite
{
    protected override int ExpectedFormat => CheckpointRepository.ClaimingFormatVersion;

    protected override IObjectStorage NewStorage(string name) => new Checkpoints.Tests.Storage.Memory.ConditionsIgnoringStorage(name);
}
