using System.Text;
using Checkpoints.Tests.Pruning;
using Checkpoints.Tests.Storage;
using Checkpoints.Tests.Storage.Memory;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Memory;

namespace Checkpoints.Tests.Writers;

/// <summary>
/// Format-2 repositories (storage that ignores create-only writes): writers' markers claim the ids they commit, and one
/// listing after the marker decides (src/Checkpoints/Writers/IdClaims.cs).
/// </summary>
public sealed class IdClaimTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void StorageThatIgnoresCreateOnlyWritesGetsFormatTwoAndOtherStorageFormatOne()
    {
        using var ignoring = new ConditionsIgnoringStorage("ignoring");
        Assert.Equal(CheckpointRepository.ClaimingFormatVersion, CheckpointRepository.OpenOrCreate(ignoring).Format);
        using (var format = ignoring.Read(RepositoryLayout.FormatKey))
        {
            Assert.Equal("daytona-checkpoints 2\n", Encoding.UTF8.GetString(format!.Span));
        }

        // Opened again (by the format, not the storage's traits), it stays format 2.
        Assert.Equal(CheckpointRepository.ClaimingFormatVersion, CheckpointRepository.Open(ignoring).Format);
        using var honouring = new MemoryStorage("honouring");
        Assert.Equal(CheckpointRepository.FormatVersion, CheckpointRepository.OpenOrCreate(honouring).Format);
    }

    [Fact]
    public void AnUnchangedRecaptureWritesItsMarkerListsOnceAndWritesItsManifestAndDeletesNothing()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        using var storage = new CountingStorage(new ConditionsIgnoringStorage("count"));
        var options = new RepositoryOptions { Durable = false };

        // The first capture a while ago (one in the same second would make the second claim the next second: the rare path).
        var earlier = new RepositoryOptions { Durable = false, UtcNow = () => DateTime.UtcNow.AddMinutes(-1) };
        var first = CheckpointRepository.OpenOrCreate(storage, earlier).Capture(source, null, default);
        storage.Operations.Clear();

        var again = CheckpointRepository.Open(storage, options).Capture(source, null, default);

        var writes = storage.Operations.Where(o => o.StartsWith("write ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, writes.Count);
        Assert.StartsWith("write " + RepositoryLayout.WriterRecordsPrefix, writes[0], StringComparison.Ordinal);
        Assert.EndsWith("_" + again.Id + ".json", writes[0], StringComparison.Ordinal);
        Assert.Equal("write " + RepositoryLayout.ManifestKey(again.Id), writes[1]);
        // One listing of checkpoints/ (without a machine cache the catalog's generations are listed too).
        Assert.Single(storage.Operations, o => o == "list " + RepositoryLayout.CheckpointsPrefix);
        Assert.DoesNotContain(storage.Operations, o => o.StartsWith("delete ", StringComparison.Ordinal));
        Assert.DoesNotContain(storage.Operations, o => o.Contains(RepositoryLayout.CommitLockKey, StringComparison.Ordinal));
        Assert.NotEqual(first.Id, again.Id);

        // Both writers' markers stay (their manifests name them: that is their release); a prune deletes them.
        Assert.Equal(2, storage.List(RepositoryLayout.WriterRecordsPrefix).Count);
        CheckpointRepository.Open(storage, options).Prune();
        Assert.Empty(storage.List(RepositoryLayout.WriterRecordsPrefix));
    }

    [Fact]
    public void AClaimOlderThanItsLifetimeAtTheCommitIsMovedToTheCurrentSecond()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var offset = TimeSpan.Zero;
        using var storage = new CountingStorage(new ConditionsIgnoringStorage("old"));
        var options = new RepositoryOptions { Durable = false, UtcNow = () => DateTime.UtcNow + offset };
        var repository = CheckpointRepository.OpenOrCreate(storage, options);
        string? claimed = null;
        storage.OnOperation = operation =>
        {
            if (claimed == null && operation.StartsWith("write " + RepositoryLayout.WriterRecordsPrefix, StringComparison.Ordinal))
            {
                claimed = operation;
            }
            else if (claimed != null && operation == "list " + RepositoryLayout.CheckpointsPrefix)
            {
                // The capture takes longer than a claim lasts.
                offset = TimeSpan.FromSeconds(45);
            }
        };

        var before = DateTime.UtcNow;
        var checkpoint = repository.Capture(source, null, default);

        Assert.True(checkpoint.Time >= before.AddSeconds(43), $"{checkpoint.Id} claimed at {before:o}");
        var markers = storage.List(RepositoryLayout.WriterRecordsPrefix);
        Assert.Single(markers);
        Assert.EndsWith("_" + checkpoint.Id + ".json", markers[0].Key, StringComparison.Ordinal);
        Assert.Contains(storage.Operations, o => o == "delete " + claimed!.Substring("write ".Length));
        Assert.True(repository.Verify(checkpoint.Id).IsValid);
    }

    [Fact]
    public async Task WritersThatCommitInTheSameSecondGetDistinctIdsAndEveryCheckpointIsWhole()
    {
        const int writers = 5;
        var sources = Enumerable.Range(0, writers).Select(w => _temp.Sub($"s{w}")).ToArray();
        for (var w = 0; w < writers; w++)
        {
            for (var f = 0; f < 4; f++)
            {
                TestTree.Write(sources[w], $"f{f}.bin", TestTree.Random(2000 + f, (w * 10) + f));
            }
        }

        for (var seed = 0; seed < 4; seed++)
        {
            using var storage = new InterleavingStorage(new ConditionsIgnoringStorage($"same{seed}"), seed);
            var options = new RepositoryOptions { Durable = false };
            CheckpointRepository.OpenOrCreate(storage, options);
            using var start = new ManualResetEventSlim();
            var captures = sources.Select(s => Task.Run(() =>
            {
                start.Wait();
                return CheckpointRepository.Open(storage, options).Capture(s, null, default);
            })).ToList();
            start.Set();
            var done = await Task.WhenAll(captures);

            var reader = CheckpointRepository.Open(storage, options);
            Assert.Equal(writers, done.Select(c => c.Id).Distinct().Count());
            Assert.Equal(done.Select(c => c.Id).Order(StringComparer.Ordinal), reader.ListIds());
            foreach (var (checkpoint, source) in done.Zip(sources))
            {
                Assert.True(reader.Verify(checkpoint.Id).IsValid, $"seed {seed}: {checkpoint.Id}");
                var restored = _temp.Sub($"r{seed}-{checkpoint.Id}");
                reader.Restore(checkpoint.Id, restored, null, default);
                TestTree.AssertSameTree(source, restored);
            }
        }
    }

    [Fact]
    public void AnImportClaimsItsOwnIdAndImportingItAgainFindsItThere()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var folder = TestTree.NewRepository(_temp);
        var checkpoint = folder.Capture(source, null, default);
        var archive = _temp.Sub("one.dyckpt");
        folder.Export(checkpoint.Id, archive, overwrite: false, null, default);

        using var storage = new ConditionsIgnoringStorage("import");
        var repository = CheckpointRepository.OpenOrCreate(storage, new RepositoryOptions { Durable = false });
        var imported = repository.Import(archive, null, default);
        Assert.Equal(checkpoint.Id, imported.Id);
        Assert.EndsWith("_" + checkpoint.Id + ".json", Assert.Single(storage.List(RepositoryLayout.WriterRecordsPrefix)).Key, StringComparison.Ordinal);

        var again = repository.Import(archive, null, default);
        Assert.Equal(imported.Id, again.Id);
        Assert.Single(repository.List());
        var restored = _temp.Sub("restored");
        repository.Restore(imported.Id, restored, null, default);
        TestTree.AssertSameTree(source, restored);
    }

    [Fact]
    public void AWriterThatListsMoreThanFiveHundredMarkersDeletesTheOldestHundredOfWritersLongGone()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        using var storage = new ConditionsIgnoringStorage("tidy");
        var options = new RepositoryOptions { Durable = false, WriterMarkerLifetime = TimeSpan.FromMilliseconds(200) };
        var repository = CheckpointRepository.OpenOrCreate(storage, options);
        var holder = Encoding.UTF8.GetBytes("{\"host\":\"gone\",\"pid\":1,\"since\":\"2025-01-01T00:00:00Z\"}");
        // One more than a listing may show before a writer tidies (CheckpointRepository.TidyAfter).
        for (var i = 0; i < 501; i++)
        {
            storage.Write(RepositoryLayout.WriterRecordKey($"20250101T000000000Z-{i:x12}", "20250101T000000Z"), holder, WriteCondition.Unconditional);
        }

        Thread.Sleep(1000);
        var checkpoint = repository.Capture(source, null, default);

        // The capture's own marker (it claims the id it committed) and all but the 100 oldest of the others are left: the
        // listing is back under 500, and the next writer that finds it over deletes more.
        var left = storage.List(RepositoryLayout.WriterRecordsPrefix);
        Assert.Equal(501 - 100 + 1, left.Count);
        Assert.Contains(left, m => m.Key.EndsWith("_" + checkpoint.Id + ".json", StringComparison.Ordinal));
        Assert.DoesNotContain(left, m => m.Key.Contains("-000000000000_", StringComparison.Ordinal));
    }

    /// <summary>Records each write, list and delete (with its key or prefix) in order.</summary>
    private sealed class CountingStorage : ForwardingStorage
    {
        public CountingStorage(IObjectStorage inner)
            : base(inner)
        {
        }

        public List<string> Operations { get; } = new();

        public Action<string>? OnOperation { get; set; }

        private void Note(string operation)
        {
            lock (Operations)
            {
                Operations.Add(operation);
            }

            OnOperation?.Invoke(operation);
        }

        public override ObjectWriter CreateWriter(string key, WriteCondition condition)
        {
            Note("write " + key);
            return base.CreateWriter(key, condition);
        }

        public override Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken)
        {
            Note("list " + prefix);
            return base.ListAsync(prefix, startAfter, cancellationToken);
        }

        public override Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
        {
            Note("delete " + key);
            return base.DeleteAsync(key, cancellationToken);
        }

        public override Task<LeaseAttempt> TryAcquireLeaseAsync(string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken) =>
            LockObjectLease.TryAcquireAsync(this, key, holder, duration, cancellationToken);
    }
}
