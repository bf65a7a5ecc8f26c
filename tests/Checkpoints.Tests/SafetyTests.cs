using System.Diagnostics;
using System.Text.Json;
using Daytona.Checkpoints;
using Daytona.Common;

namespace Checkpoints.Tests;

public sealed class SafetyTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static IEnumerable<string> ChunkFiles(CheckpointRepository repository) => TestTree.PackFiles(repository);

    [Theory]
    [InlineData("modify-current", null)]
    [InlineData("modify-earlier", "'data/big.bin'")]
    [InlineData("append-current", null)]
    [InlineData("add-file", "'src/late.txt'")]
    [InlineData("delete-later", "'src/app/util.cs'")]
    [InlineData("add-folder", "'data/nested/late'")]
    public void ASourceThatChangesWhileReadIsRefusedAndNothingIsWritten(string change, string? named)
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var repository = TestTree.NewRepository(_temp);
        var earlier = repository.Capture(source, null, default);
        var chunksBefore = ChunkFiles(repository).ToList();
        TestTree.Write(source, "new-content.txt", TestTree.Random(5000, 77), DateTime.UtcNow.AddMinutes(-1));

        var calls = 0;
        string? current = null;
        var options = new CaptureOptions
        {
            OnFileRead = progress =>
            {
                if (++calls != 3)
                {
                    return;
                }

                current = progress.Current!;
                var full = Path.Combine(source, current);
                switch (change)
                {
                    case "modify-current": File.WriteAllBytes(full, TestTree.Random((int)new FileInfo(full).Length, 5)); File.SetLastWriteTimeUtc(full, DateTime.UtcNow); break;
                    case "modify-earlier": File.SetLastWriteTimeUtc(Path.Combine(source, "data/big.bin"), DateTime.UtcNow); break;
                    case "append-current": File.AppendAllText(full, "more"); break;
                    case "add-file": File.WriteAllText(Path.Combine(source, "src/late.txt"), "late"); break;
                    case "delete-later": File.Delete(Path.Combine(source, "src/app/util.cs")); break;
                    case "add-folder": Directory.CreateDirectory(Path.Combine(source, "data/nested/late")); break;
                }
            },
        };

        var error = Assert.Throws<DaytonaException>(() => repository.Capture(source, options, default));
        Assert.Equal("CheckpointSourceChanged", error.ErrorId);
        Assert.Contains(named ?? $"'{current}'", error.Message);
        Assert.True(calls >= 3);
        Assert.Equal(new[] { earlier.Id }, repository.List().Select(c => c.Id));
        Assert.Equal(chunksBefore, ChunkFiles(repository));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(repository.Root, "tmp")));
        Assert.False(File.Exists(Path.Combine(repository.Root, "lock")));
    }

    [Fact]
    public void AManifestWrittenAheadUnderASecondAnotherWriterTakesIsCommittedUnderTheNextOne()
    {
        // A capture writes its manifest while it checks its files again, under the second it would take then; another
        // writer that commits that second first (here: during the first one's reading) makes it take the next one.
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var other = _temp.Sub("other");
        TestTree.Write(other, "a.txt", TestTree.Text(100, 1));
        var root = _temp.Sub("repo");
        CheckpointRepository.OpenOrCreate(root);
        Checkpoint? interloper = null;
        var options = new CaptureOptions
        {
            OnFileRead = progress =>
            {
                if (progress.Files == progress.TotalFiles && interloper == null)
                {
                    interloper = CheckpointRepository.Open(root).Capture(other, null, default);
                }
            },
        };

        var checkpoint = CheckpointRepository.Open(root).Capture(source, options, default);

        Assert.NotNull(interloper);
        Assert.True(string.CompareOrdinal(checkpoint.Id, interloper!.Id) > 0, $"{checkpoint.Id} after {interloper.Id}");
        var repository = CheckpointRepository.Open(root);
        Assert.Equal(new[] { interloper.Id, checkpoint.Id }, repository.ListIds());
        Assert.Equal(source, repository.ReadManifest(checkpoint.Id).Source);
        Assert.True(repository.Verify(checkpoint.Id).IsValid);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(root, "tmp")));
    }

    [Fact]
    public async Task WritersCaptureAtOnceWithoutWaitingForEachOtherAndEachGetsItsOwnSecond()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var root = _temp.Sub("repo");
        CheckpointRepository.OpenOrCreate(root);

        // Four writers in step: each holds its capture open until all four have read their files, so they overlap.
        using var barrier = new Barrier(4);
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var signalled = false;
            return CheckpointRepository.Open(root).Capture(source, new CaptureOptions
            {
                OnFileRead = _ =>
                {
                    if (!signalled)
                    {
                        signalled = true;
                        barrier.SignalAndWait(TimeSpan.FromSeconds(60));
                    }
                },
            }, default);
        })).ToArray();
        var ids = (await Task.WhenAll(writers)).Select(c => c.Id).ToList();
        Assert.Equal(4, ids.Distinct().Count());

        var repository = CheckpointRepository.Open(root);
        Assert.Equal(ids.Order(StringComparer.Ordinal), repository.List().Select(c => c.Id));
        Assert.All(repository.ListIds(), id => Assert.True(repository.Verify(id).IsValid));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "writers")));

        // Only the exclusive operations meet each other: a rename waits for a prune's lease, then gives up.
        var lease = (await repository.Storage.TryAcquireLeaseAsync("lock", Daytona.Checkpoints.Storage.LeaseHolder.ThisProcess("pruning"), TimeSpan.FromMinutes(1), default)).Lease!;
        var error = Assert.Throws<DaytonaException>(() =>
            CheckpointRepository.Open(root, new RepositoryOptions { LockWait = TimeSpan.FromMilliseconds(200) }).Rename(ids[0], "x"));
        Assert.Equal("CheckpointRepositoryLocked", error.ErrorId);
        Assert.Equal(ErrorKind.ResourceBusy, error.Kind);
        Assert.Contains(Environment.ProcessId.ToString(), error.Message);
        Assert.Contains("pruning", error.Message);

        // ... while a capture goes ahead.
        Assert.NotNull(CheckpointRepository.Open(root).Capture(source, null, default));
        lease.Dispose();
        Assert.Equal("x", CheckpointRepository.Open(root).Rename(ids[0], "x").Name);
    }

    [Fact]
    public void AStaleLeaseOfADeadProcessIsTakenOverButALiveOneOnAnotherHostIsNot()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "a.txt", TestTree.Text(10, 1));
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        using var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        dead.WaitForExit();
        WriteLock(repository, Environment.MachineName, dead.Id);
        Assert.Equal("renamed", repository.Rename(first.Id, "renamed").Name);
        Assert.False(File.Exists(Path.Combine(repository.Root, "lock")));

        // A lock as earlier versions wrote it, of a process on another host: it never expires by time.
        WriteLock(repository, "some-other-host", dead.Id);
        var locked = CheckpointRepository.Open(repository.Root, new RepositoryOptions { LockWait = TimeSpan.FromMilliseconds(200) });
        var error = Assert.Throws<DaytonaException>(() => locked.Remove(first.Id));
        Assert.Equal("CheckpointRepositoryLocked", error.ErrorId);
        Assert.Contains("some-other-host", error.Message);
        Assert.NotNull(locked.Capture(source, null, default));
    }

    private static void WriteLock(CheckpointRepository repository, string host, int pid) =>
        File.WriteAllText(Path.Combine(repository.Root, "lock"), JsonSerializer.Serialize(new { host, pid, since = DateTime.UtcNow.AddMinutes(-3).ToString("o") }));

    [Fact]
    public void AWriterKilledAtRandomMomentsLeavesTheRepositoryValid()
    {
        var source = _temp.Sub("source");
        for (var i = 0; i < 300; i++)
        {
            TestTree.Write(source, $"d{i % 10}/f{i}.bin", TestTree.Random(20_000 + (i * 37), i));
        }

        TestTree.Write(source, "large.bin", TestTree.Random(12 * 1024 * 1024, 99));
        var root = _temp.Sub("repo");
        var repository = CheckpointRepository.OpenOrCreate(root);
        var baseline = repository.Capture(source, new CaptureOptions { Name = "baseline" }, default);
        var random = new Random(2024);
        var kills = 0;
        for (var round = 0; round < 5; round++)
        {
            using var child = StartWriter(root, source, 3);
            Assert.Equal("started", child.StandardOutput.ReadLine());
            Thread.Sleep(random.Next(5, 400));
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
                kills++;
            }

            child.WaitForExit();

            // Readers see only whole checkpoints, all of them intact.
            var reader = CheckpointRepository.Open(root);
            var ids = reader.ListIds();
            Assert.Contains(baseline.Id, ids);
            Assert.Equal(ids, reader.List().Select(c => c.Id));
            foreach (var id in ids)
            {
                var result = reader.Verify(id);
                Assert.True(result.IsValid, string.Join("; ", result.Problems));
            }
        }

        Assert.True(kills > 0);

        // The next writer cleans the temporary files the dead ones left; the next prune reclaims their packs and markers.
        var next = CheckpointRepository.Open(root);
        var last = next.Capture(source, null, default);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "tmp")));
        next.Prune();
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "writers")));
        var referenced = next.ListIds().SelectMany(id => next.ReadManifest(id).Entries).SelectMany(e => e.Chunks).Select(c => c.Hash).ToHashSet();
        Assert.All(CheckpointRepository.Open(root).Store.ListChunks(), hash => Assert.Contains(hash, referenced));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "packs"), "*.pack", SearchOption.AllDirectories)
            .Where(pack => !File.Exists(Path.ChangeExtension(pack, ".idx"))));
        var restored = _temp.Sub("restored");
        next.Restore(baseline.Id, restored, null, default);
        TestTree.AssertSameTree(source, restored);
        Assert.True(next.Verify(last.Id).IsValid);
    }

    private static Process StartWriter(string repository, string source, int count) =>
        Process.Start(ChildWriter.StartInfo(repository, source, count.ToString()))!;
}
