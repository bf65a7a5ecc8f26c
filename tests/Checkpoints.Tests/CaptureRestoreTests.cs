using Daytona.Checkpoints;
using Daytona.Common;

namespace Checkpoints.Tests;

public sealed class CaptureRestoreTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ALabelStaysWithItsCheckpointInManifestAndCatalogThroughRenamesAndCompaction()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "a.txt", TestTree.Text(100, 1));
        var clock = new DateTime(2025, 3, 18, 14, 3, 38, DateTimeKind.Utc);
        var repository = TestTree.NewRepository(_temp, () => clock);
        var labelled = repository.Capture(source, new CaptureOptions { Name = "first", Label = "myfile" }, default);
        clock = clock.AddSeconds(10);
        var document = repository.CaptureDocument("daytona:https://app.daytona.io/api", "snapshots.json", "{}"u8.ToArray(), null, "daytona/prod", default);
        Assert.Equal("myfile", labelled.Label);
        Assert.Equal("myfile", repository.ReadManifest(labelled.Id).Label);
        Assert.Equal("daytona/prod", repository.Get(document.Id).Label);
        Assert.Equal(new[] { "myfile", "daytona/prod" }, repository.List().Select(c => c.Label));

        // A rename changes the name, never the label; the catalog's compacted generations keep both.
        Assert.Equal("myfile", repository.Rename(labelled.Id, "renamed").Label);
        var reopened = CheckpointRepository.Open(repository.Root, new RepositoryOptions { UtcNow = () => clock });
        var listed = reopened.List().Single(c => c.Id == labelled.Id);
        Assert.Equal(("renamed", "myfile"), (listed.Name, listed.Label));
        Assert.Equal("myfile", reopened.FindAt(clock.AddSeconds(-5)).Label);
        Assert.Equal("myfile", reopened.Get(labelled.Id).Label);
    }

    [Fact]
    public void ManySmallFilesAndLargeOnesGiveTheSameManifestWhateverTheNumberOfWorkers()
    {
        // More small files than one hand-over batch holds (by count and by bytes), empty files, duplicates and large
        // files cut into several chunks, in nested folders listed on several threads.
        var source = _temp.Sub("source");
        for (var i = 0; i < 300; i++)
        {
            var length = i % 25 == 0 ? 0 : 1000 + (i * 997 % 200_000);
            TestTree.Write(source, $"d{i % 5}/e{i % 3}/f{i}.bin", TestTree.Random(length, i % 50 == 1 ? 1 : i));
        }

        TestTree.Write(source, "large/a.bin", TestTree.Random(5 * 1024 * 1024 + 17, 7));
        TestTree.Write(source, "large/b.bin", TestTree.Random(3 * 1024 * 1024, 8));

        Manifest Capture(int workers)
        {
            var repository = CheckpointRepository.OpenOrCreate(_temp.Sub($"repo{workers}"), new RepositoryOptions { Workers = workers });
            var checkpoint = repository.Capture(source, null, default);
            var restored = _temp.Sub($"restored{workers}");
            repository.Restore(checkpoint.Id, restored, null, default);
            TestTree.AssertSameTree(source, restored);
            return repository.ReadManifest(checkpoint.Id);
        }

        var one = Capture(1);
        var four = Capture(4);
        Assert.Equal(one.Entries.Select(e => e.Path), four.Entries.Select(e => e.Path));
        Assert.Equal(
            one.Entries.SelectMany(e => e.Chunks.Select(c => (e.Path, c.Hash, c.Size))),
            four.Entries.SelectMany(e => e.Chunks.Select(c => (e.Path, c.Hash, c.Size))));
        Assert.Equal(one.StoredSize, four.StoredSize);
    }

    [Fact]
    public void FilesOfEverySizeAroundTheOneChunkLimitAreReadWholeAndRestoredAsTheyWere()
    {
        // Small files (one chunk each) are read whole into the buffer handed to the workers, back to back; each chunk's
        // hash must be its whole file's, and the neighbours in a buffer must not bleed into each other.
        var source = _temp.Sub("source");
        var min = new Chunker().MinSize;
        var sizes = new[] { 0, 1, 2, 4095, 4096, 4097, 65_535, 65_536, min - 1, min, min + 1, 3 * min };
        for (var i = 0; i < sizes.Length; i++)
        {
            TestTree.Write(source, $"s/{i:D2}.bin", TestTree.Random(sizes[i], 100 + i));
        }

        var repository = TestTree.NewRepository(_temp);
        var checkpoint = repository.Capture(source, null, default);

        var manifest = repository.ReadManifest(checkpoint.Id);
        using var sha = System.Security.Cryptography.SHA256.Create();
        for (var i = 0; i < sizes.Length; i++)
        {
            var entry = manifest.Entries.Single(e => e.Path == $"s/{i:D2}.bin");
            Assert.Equal(sizes[i], entry.Size);
            if (sizes[i] > 0 && sizes[i] <= min)
            {
                var hash = Convert.ToHexString(sha.ComputeHash(File.ReadAllBytes(Path.Combine(source, entry.Path)))).ToLowerInvariant();
                Assert.Equal(hash, Assert.Single(entry.Chunks).Hash);
            }
        }

        Assert.True(repository.Verify(checkpoint.Id).IsValid);
        var restored = _temp.Sub("restored");
        repository.Restore(checkpoint.Id, restored, null, default);
        TestTree.AssertSameTree(source, restored);
    }

    [Fact]
    public void RestoreIsFaithfulFileByFile()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var repository = TestTree.NewRepository(_temp);

        var checkpoint = repository.Capture(source, new CaptureOptions { Name = "first" }, default);
        var destination = _temp.Sub("restored");
        repository.Restore(checkpoint.Id, destination, null, default);

        TestTree.AssertSameTree(source, destination);
        Assert.Equal(6, checkpoint.Files);
        Assert.Equal(TestTree.Describe(source).Count, repository.ReadManifest(checkpoint.Id).Entries.Count);
        Assert.True(checkpoint.StoredSize > 0 && checkpoint.StoredSize < checkpoint.Size);
        Assert.Equal(checkpoint.StoredSize, checkpoint.NewData);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal("readme.txt", new FileInfo(Path.Combine(destination, "link-to-readme")).LinkTarget);
            Assert.Equal("../nowhere/at/all", new FileInfo(Path.Combine(destination, "src/dangling")).LinkTarget);
        }
    }

    [Fact]
    public void SecondCaptureOfUnchangedSourceStoresNothingNew()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        var second = repository.Capture(source, null, default);

        Assert.Equal(0, second.NewData);
        Assert.Equal(first.StoredSize, second.StoredSize);
        Assert.Equal(first.Size, second.Size);
        Assert.Empty(repository.Compare(first.Id, second.Id));
    }

    [Fact]
    public void AnEditInsideABigFileStoresOnlyTheChangedChunks()
    {
        var source = _temp.Sub("source");
        var big = TestTree.Random(24 * 1024 * 1024, 7);
        TestTree.Write(source, "big.bin", big);
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);

        // Insert 100 bytes in the middle: content-defined boundaries resynchronise after the edit.
        var edited = big.Take(12_000_000).Concat(TestTree.Random(100, 8)).Concat(big.Skip(12_000_000)).ToArray();
        TestTree.Write(source, "big.bin", edited, DateTime.UtcNow);
        var second = repository.Capture(source, new CaptureOptions { ReuseUnchanged = false }, default);

        var chunks = repository.ReadManifest(first.Id).Entries.Single(e => e.Path == "big.bin").Chunks;
        Assert.True(chunks.Count >= 8, $"{chunks.Count} chunks");
        Assert.True(chunks.All(c => c.Size <= Chunker.DefaultMaxSize));
        Assert.True(second.NewData > 0);
        Assert.True(second.NewData <= 2 * Chunker.DefaultMaxSize + 1024, $"stored {second.NewData} new bytes for a 100-byte insert");
        var restored = _temp.Sub("restored");
        repository.Restore(second.Id, restored, null, default);
        Assert.Equal(edited, File.ReadAllBytes(Path.Combine(restored, "big.bin")));
    }

    [Fact]
    public void RestoreRefusesANonEmptyDestinationWithoutForce()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var repository = TestTree.NewRepository(_temp);
        var checkpoint = repository.Capture(source, null, default);
        var destination = _temp.Sub("dest");
        TestTree.Write(destination, "keep.txt", TestTree.Text(10, 1));

        var error = Assert.Throws<DaytonaException>(() => repository.Restore(checkpoint.Id, destination, null, default));
        Assert.Equal("CheckpointDestinationNotEmpty", error.ErrorId);
        Assert.True(File.Exists(Path.Combine(destination, "keep.txt")));

        repository.Restore(checkpoint.Id, destination, new RestoreOptions { Force = true }, default);
        TestTree.AssertSameTree(source, destination);
        Assert.Empty(Directory.EnumerateDirectories(_temp.Path, ".dest*"));
    }

    [Fact]
    public void RestoreIntoAnExistingEmptyFolderWorks()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var repository = TestTree.NewRepository(_temp);
        var checkpoint = repository.Capture(source, null, default);
        var destination = _temp.Sub("empty");
        Directory.CreateDirectory(destination);

        repository.Restore(checkpoint.Id, destination, null, default);
        TestTree.AssertSameTree(source, destination);
    }

    [Fact]
    public void AFailedForcedRestoreLeavesTheDestinationAsItWas()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var repository = TestTree.NewRepository(_temp);
        var checkpoint = repository.Capture(source, null, default);
        var destination = _temp.Sub("dest");
        TestTree.Write(destination, "keep.txt", TestTree.Text(10, 1));
        var before = TestTree.Describe(destination);

        // Damage one chunk of the big file: the restore fails while writing into staging.
        var chunk = repository.ReadManifest(checkpoint.Id).Entries.Single(e => e.Path == "data/big.bin").Chunks[2];
        TestTree.DamageChunk(repository, chunk.Hash);

        var error = Assert.Throws<DaytonaException>(() => repository.Restore(checkpoint.Id, destination, new RestoreOptions { Force = true }, default));
        Assert.Equal("CheckpointCorrupt", error.ErrorId);
        Assert.Contains("data/big.bin", error.Message);
        Assert.Equal(before, TestTree.Describe(destination));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path, ".dest*"));
    }

    [Fact]
    public void RenameChangesTheLabelOnly()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "a.txt", TestTree.Text(10, 1));
        var repository = TestTree.NewRepository(_temp);
        var checkpoint = repository.Capture(source, new CaptureOptions { Name = "before" }, default);

        var renamed = repository.Rename(checkpoint.Id, "after");
        Assert.Equal(checkpoint.Id, renamed.Id);
        Assert.Equal("after", repository.Get(checkpoint.Id).Name);
        Assert.Equal("after", CheckpointRepository.Open(repository.Root).List().Single().Name);
    }

    [Fact]
    public void RemoveReclaimsOnlyUnreferencedChunks()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "shared.txt", TestTree.Random(50_000, 1));
        TestTree.Write(source, "only-first.txt", TestTree.Random(60_000, 2));
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        File.Delete(Path.Combine(source, "only-first.txt"));
        TestTree.Write(source, "only-second.txt", TestTree.Random(70_000, 3), DateTime.UtcNow.AddSeconds(-5));
        var second = repository.Capture(source, null, default);

        var freed = repository.Remove(first.Id);
        Assert.InRange(freed, 60_000, 61_000);
        Assert.Throws<DaytonaException>(() => repository.Get(first.Id));
        Assert.Equal(new[] { second.Id }, repository.List().Select(c => c.Id));
        Assert.True(repository.Verify(second.Id).IsValid);
        var restored = _temp.Sub("restored");
        repository.Restore(second.Id, restored, null, default);
        TestTree.AssertSameTree(source, restored);
        Assert.Equal("CheckpointNotFound", Assert.Throws<DaytonaException>(() => repository.Remove(first.Id)).ErrorId);
    }

    [Fact]
    public void CompareReportsAddedRemovedAndChanged()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "same.txt", TestTree.Text(100, 1));
        TestTree.Write(source, "change.txt", TestTree.Text(100, 2));
        TestTree.Write(source, "remove.txt", TestTree.Text(100, 3));
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        TestTree.Write(source, "change.txt", TestTree.Text(100, 4), DateTime.UtcNow.AddSeconds(-3));
        File.Delete(Path.Combine(source, "remove.txt"));
        TestTree.Write(source, "add/new.txt", TestTree.Text(5, 5));

        var withFolder = repository.CompareWithFolder(first.Id, source);
        var expected = new[] { "Added add", "Added add/new.txt", "Changed change.txt", "Removed remove.txt" };
        Assert.Equal(expected, withFolder.Select(d => d.Change + " " + d.Path));

        var second = repository.Capture(source, null, default);
        Assert.Equal(expected, repository.Compare(first.Id, second.Id).Select(d => d.Change + " " + d.Path));
    }

    [Fact]
    public void VerifyReportsEachDamagedOrMissingPieceByPath()
    {
        // One capture per file, so each file's chunk lies in a pack of its own.
        var source = _temp.Sub("source");
        var repository = TestTree.NewRepository(_temp);
        Checkpoint checkpoint = null!;
        foreach (var (name, seed) in new[] { ("a.txt", 1), ("b.txt", 2), ("c.txt", 3) })
        {
            TestTree.Write(source, name, TestTree.Random(1000, seed));
            checkpoint = repository.Capture(source, null, default);
        }

        Assert.True(repository.Verify(checkpoint.Id).IsValid);

        var entries = repository.ReadManifest(checkpoint.Id).Entries.ToDictionary(e => e.Path);
        TestTree.LoseChunk(repository, entries["a.txt"].Chunks[0].Hash);
        TestTree.DamageChunk(repository, entries["c.txt"].Chunks[0].Hash);

        var result = repository.Verify(checkpoint.Id);
        Assert.False(result.IsValid);
        Assert.Equal(new[] { "a.txt", "c.txt" }, result.Problems.Select(p => p.Path));
        Assert.Contains("missing", result.Problems[0].Problem);
    }

    [Fact]
    public void ACorruptManifestIsAClearError()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "a.txt", TestTree.Text(100, 1));
        var repository = TestTree.NewRepository(_temp);
        var checkpoint = repository.Capture(source, null, default);
        var path = Path.Combine(repository.Root, "checkpoints", checkpoint.Id + ".json");
        var text = File.ReadAllBytes(path);
        File.WriteAllBytes(path, text.Take(text.Length / 2).ToArray());

        Assert.Equal("CheckpointCorrupt", Assert.Throws<DaytonaException>(() => repository.Restore(checkpoint.Id, _temp.Sub("r"), null, default)).ErrorId);
        Assert.False(repository.Verify(checkpoint.Id).IsValid);
        Assert.False(Directory.Exists(_temp.Sub("r")));
    }

    [Fact]
    public void OpeningAFolderThatIsNotARepositoryFails()
    {
        Assert.Equal("CheckpointRepositoryInvalid", Assert.Throws<DaytonaException>(() => CheckpointRepository.Open(_temp.Path)).ErrorId);
        TestTree.Write(_temp.Sub("full"), "x.txt", new byte[] { 1 });
        Assert.Equal("CheckpointRepositoryInvalid", Assert.Throws<DaytonaException>(() => CheckpointRepository.OpenOrCreate(_temp.Sub("full"))).ErrorId);
    }

    [Fact]
    public void ARepositoryThatIsAFileIsRefusedAsAFile()
    {
        var file = Path.Combine(_temp.Sub("full"), "x.txt");
        TestTree.Write(_temp.Sub("full"), "x.txt", new byte[] { 1 });
        foreach (var open in new Func<CheckpointRepository>[] { () => CheckpointRepository.Open(file), () => CheckpointRepository.OpenOrCreate(file) })
        {
            var error = Assert.Throws<DaytonaException>(open);
            Assert.Equal(("CheckpointRepositoryInvalid", ErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
            Assert.Equal($"{file} is a file, not a checkpoint repository (a repository is a folder).", error.Message);
            Assert.Equal(file, error.Target);
        }
    }

    [Fact]
    public void DocumentsRoundTrip()
    {
        var repository = TestTree.NewRepository(_temp);
        var json = System.Text.Encoding.UTF8.GetBytes("{\"snapshots\":[]}");
        var checkpoint = repository.CaptureDocument("daytona:http://127.0.0.1/api", "snapshots.json", json, "docs");
        Assert.Equal("document", checkpoint.Kind);
        Assert.Equal(json, repository.ReadFile(checkpoint.Id, "snapshots.json"));
        Assert.Equal(checkpoint.Id, repository.FindAt(DateTime.UtcNow, "daytona:http://127.0.0.1/api").Id);
    }
}

public sealed class RepositoryPlacementTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ARepositoryInsideTheSourceIsLeftOutOfItsCaptures()
    {
        var source = _temp.Sub("workspace");
        TestTree.Write(source, "a.txt", TestTree.Text(100, 1));
        var repository = CheckpointRepository.OpenOrCreate(Path.Combine(source, ".checkpoints"));
        var first = repository.Capture(source, null, default);
        var second = repository.Capture(source, null, default);

        Assert.Equal(new[] { "a.txt" }, repository.ReadManifest(second.Id).Entries.Select(e => e.Path));
        Assert.Equal(0, second.NewData);
        Assert.Empty(repository.Compare(first.Id, second.Id));
    }

    [Fact]
    public void CapturingTheRepositoryItselfIsRefused()
    {
        var repository = TestTree.NewRepository(_temp);
        Directory.CreateDirectory(Path.Combine(repository.Root, "packs"));
        var error = Assert.Throws<Daytona.Common.DaytonaException>(() => repository.Capture(Path.Combine(repository.Root, "packs"), null, default));
        Assert.Equal("CheckpointSourceInvalid", error.ErrorId);
        error = Assert.Throws<Daytona.Common.DaytonaException>(() => repository.Capture(repository.Root, null, default));
        Assert.Equal("CheckpointSourceInvalid", error.ErrorId);
    }
}
