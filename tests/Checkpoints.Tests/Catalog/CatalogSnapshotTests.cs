using System.Text;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Catalog;
using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Memory;

namespace Checkpoints.Tests.Catalog;

public sealed class CatalogSnapshotTests
{
    private static List<Checkpoint> Summaries(int count, bool wholeSeconds = true)
    {
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var random = new Random(5);
        return Enumerable.Range(0, count).Select(i =>
        {
            var time = start.AddSeconds(61L * i + random.Next(0, 50)).AddTicks(wholeSeconds ? 0 : random.Next(1, 9_999_999));
            return new Checkpoint
            {
                Id = CheckpointTime.ToId(time),
                Time = time,
                Source = i % 3 == 0 ? "/src/ä/api" : "daytona:https://app.daytona.io/api",
                Name = i % 5 == 0 ? null : "name " + (i % 7),
                Label = i % 4 == 0 ? "label-" + (i % 2) : null,
                Kind = i % 3 == 0 ? "folder" : "snapshot",
                Files = random.Next(0, 100_000),
                Size = random.NextInt64(0, 1L << 40),
                StoredSize = random.NextInt64(0, 1L << 36),
                NewData = i % 11 == 0 ? -1 : random.NextInt64(0, 1L << 30),
            };
        }).ToList();
    }

    private static void AssertSame(Checkpoint expected, Checkpoint actual)
    {
        Assert.Equal(expected.Time, actual.Time);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Label, actual.Label);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Files, actual.Files);
        Assert.Equal(expected.Size, actual.Size);
        Assert.Equal(expected.StoredSize, actual.StoredSize);
        Assert.Equal(expected.NewData, actual.NewData);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(4096, true)]
    [InlineData(10_000, true)]
    [InlineData(5_000, false)]
    public void AGenerationReadsBackEverySummaryAndTombstoneInAnyOrderOfAccess(int count, bool wholeSeconds)
    {
        var summaries = Summaries(count, wholeSeconds);
        var graves = new long[] { 5, 638_000_000_000_000_000, 42 };
        var bytes = CatalogSnapshot.Write(7, summaries.Count == 0 ? 0 : summaries[^1].Time.Ticks, summaries.AsEnumerable().Reverse(), graves);

        var read = CatalogSnapshot.TryRead(bytes)!;
        Assert.NotNull(read);
        Assert.Equal(7, read.Generation);
        Assert.Equal(count, read.Count);
        Assert.Equal(graves.OrderBy(g => g), read.Tombstones.OrderBy(g => g));
        foreach (var i in Enumerable.Range(0, count).OrderBy(i => (i * 7919) % (count + 1)))
        {
            AssertSame(summaries[i], read.At(i, "repo"));
        }
    }

    [Fact]
    public void ItIsSmallerThanTheZstdFormatItReplaces()
    {
        var summaries = Summaries(100_000);
        var v2 = CatalogSnapshot.Write(1, summaries[^1].Time.Ticks, summaries, Array.Empty<long>());
        var v1 = WriteFormat1(1, summaries[^1].Time.Ticks, summaries, Array.Empty<long>());
        Assert.True(v2.Length < v1.Length * 2, $"format 2: {v2.Length} B, format 1: {v1.Length} B");
    }

    [Fact]
    public void AnyDamageMakesTheGenerationUnreadableNotWrong()
    {
        var summaries = Summaries(9_000);
        var bytes = CatalogSnapshot.Write(3, summaries[^1].Time.Ticks, summaries, new long[] { 1, 2 });
        var random = new Random(11);
        for (var round = 0; round < 200; round++)
        {
            var damaged = (byte[])bytes.Clone();
            var at = random.Next(damaged.Length);
            damaged[at] ^= (byte)(1 << random.Next(8));
            Assert.Null(CatalogSnapshot.TryRead(damaged));
        }

        foreach (var length in new[] { 0, 7, 8, 40, bytes.Length / 2, bytes.Length - 1 })
        {
            Assert.Null(CatalogSnapshot.TryRead(bytes.AsSpan(0, length)));
        }
    }

    /// <summary>Repositories written before keep their format-1 generations: every reader reads them, and the next compaction writes format 2.</summary>
    [Fact]
    public void AFormatOneGenerationIsReadAndTheNextCompactionWritesFormatTwo()
    {
        var summaries = Summaries(6_000);
        var storage = new MemoryStorage(Guid.NewGuid().ToString("N"));
        var now = DateTime.UtcNow.AddMinutes(-30);
        var repository = CheckpointRepository.OpenOrCreate(storage, new RepositoryOptions { UtcNow = () => now = now.AddSeconds(1) });
        var live = summaries.Where((_, i) => i != 10).ToList(); // the 11th was removed: a tombstone
        Assert.True(storage.Write(RepositoryLayout.CatalogKey(1), WriteFormat1(1, summaries[^1].Time.Ticks, live, new long[] { summaries[10].Time.Ticks }), WriteCondition.CreateOnly).Written);

        var list = repository.List();
        Assert.Equal(live.Count, list.Count);
        for (var i = 0; i < live.Count; i++)
        {
            AssertSame(live[i], list[i]);
        }

        var instant = live[4321].Time.AddSeconds(1);
        AssertSame(live[4321], repository.FindAt(instant));
        AssertSame(live[4321], repository.FindAt(instant, live[4321].Source));

        // Captures after it: past 64 manifests after the generation, a writer compacts.
        using var temp = new TempFolder();
        var source = temp.Sub("src");
        for (var i = 0; i < 65; i++)
        {
            TestTree.Write(source, "f.txt", TestTree.Text(10, i));
            live.Add(repository.Capture(source, null, default));
        }

        using var newest = storage.Read(RepositoryLayout.CatalogKey(2))!;
        Assert.Equal("DYCATLG2", Encoding.ASCII.GetString(newest.Buffer, 0, 8));
        Assert.Contains(summaries[10].Time.Ticks, CatalogSnapshot.TryRead(newest.Span)!.Tombstones);
        var again = CheckpointRepository.Open(storage).List();
        Assert.Equal(live.Count, again.Count);
        for (var i = 0; i < live.Count; i++)
        {
            AssertSame(live[i], again[i]);
        }
    }

    /// <summary>The format the module wrote before (one zstd frame of fixed-size records), as that version wrote it.</summary>
    private static byte[] WriteFormat1(long generation, long through, List<Checkpoint> sorted, long[] tombstones)
    {
        var strings = new List<string>();
        int Intern(string? text)
        {
            if (text == null)
            {
                return -1;
            }

            var i = strings.IndexOf(text);
            if (i < 0)
            {
                strings.Add(text);
                i = strings.Count - 1;
            }

            return i;
        }

        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Encoding.ASCII.GetBytes("DYCATLG1"));
            writer.Write(generation);
            writer.Write(through);
            var records = new MemoryStream();
            using (var r = new BinaryWriter(records, Encoding.UTF8, leaveOpen: true))
            {
                foreach (var c in sorted)
                {
                    r.Write(c.Time.Ticks);
                    r.Write(Intern(c.Source));
                    r.Write(Intern(c.Name));
                    r.Write(Intern(c.Label));
                    r.Write(Intern(c.Kind));
                    r.Write(c.Files);
                    r.Write(c.Size);
                    r.Write(c.StoredSize);
                    r.Write(c.NewData);
                }
            }

            writer.Write(sorted.Count);
            writer.Write(tombstones.Length);
            writer.Write(strings.Count);
            writer.Write(records.ToArray());
            foreach (var grave in tombstones)
            {
                writer.Write(grave);
            }

            foreach (var text in strings)
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }

            writer.Flush();
            writer.Write(System.IO.Hashing.XxHash64.HashToUInt64(body.ToArray()));
        }

        using var compressor = new ZstdSharp.Compressor(3);
        return compressor.Wrap(body.ToArray()).ToArray();
    }
}
