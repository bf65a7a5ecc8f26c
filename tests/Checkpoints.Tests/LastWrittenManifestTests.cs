using System.Text;
using Daytona.Checkpoints;

namespace Checkpoints.Tests;

/// <summary>
/// What a capture reads of its previous checkpoint is recorded while that checkpoint's manifest is written, and the next
/// capture of the source in the process uses the recording — only for exactly the text the repository holds now, and
/// only because the recording is what reading that text gives.
/// </summary>
public sealed class LastWrittenManifestTests : IDisposable
{
    private static readonly DateTime Old = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheRecordingIsWhatReadingTheTextWrittenGives(bool entriesFirst)
    {
        // A manifest of a re-capture: entries copied from the previous manifest, one whose chunks are reused under another
        // mode (its chunk text copied, the entry written anew), one written anew from its chunks, folders, a link, an
        // empty file, names JSON escapes, a file of many chunks, and one modified after the capture started.
        var source = _temp.Sub("source");
        TestTree.Build(source);
        TestTree.Write(source, "names/ünïcödé \"quoted\" <&> ✓.txt", TestTree.Text(900, 5), Old);
        TestTree.Write(source, "big.bin", TestTree.Random(3 << 20, 6), Old);
        for (var i = 0; i < 60; i++)
        {
            TestTree.Write(source, $"many/d{i % 4}/f{i}.txt", TestTree.Text(100 + (i * 37), 100 + i), Old);
        }

        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        var before = PreviousCheckpoint.Read(File.ReadAllBytes(TestTree.PathOf(repository, $"checkpoints/{first.Id}.json")))!;
        var manifest = repository.ReadManifest(first.Id);
        var files = manifest.Entries.Where(e => e.Type == EntryType.File && e.Size > 0).ToList();
        Assert.True(files.Count > 60);
        foreach (var entry in files.Skip(3)) // files[2] keeps its chunk list as read: written anew from it
        {
            Assert.True(before.TryGet(entry.Path, out var chunks));
            entry.Chunks = chunks;
        }

        Assert.True(before.TryGet(files[0].Path, out var reused));
        files[0].Chunks = reused;
        files[0].Mode = (files[0].Mode ?? 0) ^ 0x40;
        files[1].ModifiedUtc = manifest.Started!.Value.AddTicks(1);

        var (recorded, json) = entriesFirst ? WrittenEntriesFirst(manifest) : Written(manifest);
        var read = PreviousCheckpoint.Read(json)!;
        Assert.Equal(Written(manifest).Json, json);

        Assert.Equal((read.Id, read.Started, read.Count), (recorded.Id, recorded.Started, recorded.Count));
        Assert.False(read.TryGet(files[1].Path, out _));
        Assert.Equal(manifest.Entries.Count(e => e.Type == EntryType.File && e.ModifiedUtc < manifest.Started), read.Count);
        foreach (var expected in read.Files)
        {
            Assert.True(recorded.TryGet(expected.Path, out var actual));
            Assert.Equal((expected.Size, expected.ModifiedTicks, expected.Mode, expected.Count), (actual.Size, actual.ModifiedTicks, actual.Mode, actual.Count));
            Assert.Equal(Enumerable.Range(0, expected.Count).Select(i => (expected.HashAt(i), expected.SizeAt(i), expected.StoredAt(i))),
                Enumerable.Range(0, actual.Count).Select(i => (actual.HashAt(i), actual.SizeAt(i), actual.StoredAt(i))));
            Assert.Equal(Encoding.UTF8.GetString(expected.Json.Span), Encoding.UTF8.GetString(actual.Json.Span));
            Assert.Equal(Encoding.UTF8.GetString(expected.EntryJson.Span), Encoding.UTF8.GetString(actual.EntryJson.Span));
        }
    }

    [Fact]
    public void AManifestThatTakesThePreviousEntriesIsTheTextWrittenAndItsReadingWhatReadingThatTextGives()
    {
        // An unchanged re-capture: every entry as the previous manifest has it (files with its chunk lists, folders, a
        // link, escaped names). Its text is the previous entries taken whole behind a new header; its reading is the
        // previous reading under the new id and start, and both are what writing and reading the manifest give.
        var source = _temp.Sub("source");
        TestTree.Build(source);
        TestTree.Write(source, "names/ünïcödé \"quoted\" <&> ✓.txt", TestTree.Text(900, 5), Old);
        TestTree.Write(source, "big.bin", TestTree.Random(3 << 20, 6), Old);
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        var previous = PreviousCheckpoint.Read(File.ReadAllBytes(TestTree.PathOf(repository, $"checkpoints/{first.Id}.json")))!;
        Assert.NotNull(previous.Text);
        Assert.Equal((first.Files, first.Size, first.StoredSize), (previous.Stats!.Value.Files, previous.Stats.Value.Size, previous.Stats.Value.StoredSize));

        var manifest = repository.ReadManifest(first.Id);
        foreach (var entry in manifest.Entries.Where(e => e.Type == EntryType.File))
        {
            Assert.True(previous.TryGet(entry.Path, out var chunks));
            entry.Chunks = chunks;
        }

        Assert.True(manifest.EntriesAre(previous.Text!, previous.EntriesAt));
        manifest.EntriesFrom = previous;
        manifest.Id = "20250318T140338Z";
        manifest.Started = Old.AddDays(30);

        var (taken, json) = WrittenEntriesFirst(manifest);
        manifest.EntriesFrom = null;
        Assert.Equal(Encoding.UTF8.GetString(Written(manifest).Json), Encoding.UTF8.GetString(json));
        var read = PreviousCheckpoint.Read(json)!;
        Assert.Equal((read.Id, read.Started, read.Count), (taken.Id, taken.Started, taken.Count));
        Assert.Equal(previous.Count, taken.Count);
        foreach (var expected in read.Files)
        {
            Assert.True(taken.TryGet(expected.Path, out var actual));
            Assert.Equal((expected.Size, expected.ModifiedTicks, expected.Mode, expected.Count), (actual.Size, actual.ModifiedTicks, actual.Mode, actual.Count));
            Assert.Equal(Encoding.UTF8.GetString(expected.EntryJson.Span), Encoding.UTF8.GetString(actual.EntryJson.Span));
        }
    }

    [Fact]
    public void EntriesAreTheTextOnlyWhenEveryEntryIsAsThere()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var repository = TestTree.NewRepository(_temp);
        var id = repository.Capture(source, null, default).Id;
        var json = File.ReadAllBytes(TestTree.PathOf(repository, $"checkpoints/{id}.json"));

        Manifest Taken(byte[] text, out PreviousCheckpoint previous)
        {
            previous = PreviousCheckpoint.Read(text)!;
            var manifest = repository.ReadManifest(id);
            foreach (var entry in manifest.Entries.Where(e => e.Type == EntryType.File))
            {
                Assert.True(previous.TryGet(entry.Path, out var chunks));
                entry.Chunks = chunks;
            }

            return manifest;
        }

        var same = Taken(json, out var reading);
        Assert.True(same.EntriesAre(reading.Text!, reading.EntriesAt));

        // A folder's time, a file's mode, an entry fewer, one more: not the text.
        var folder = Taken(json, out reading);
        var dir = folder.Entries.First(e => e.Type == EntryType.Directory);
        dir.ModifiedUtc = dir.ModifiedUtc!.Value.AddTicks(1);
        Assert.False(folder.EntriesAre(reading.Text!, reading.EntriesAt));
        var mode = Taken(json, out reading);
        var file = mode.Entries.First(e => e.Type == EntryType.File);
        file.Mode = (file.Mode ?? 0) ^ 0x40;
        Assert.False(mode.EntriesAre(reading.Text!, reading.EntriesAt));
        var fewer = Taken(json, out reading);
        fewer.Entries.RemoveAt(fewer.Entries.Count - 1);
        Assert.False(fewer.EntriesAre(reading.Text!, reading.EntriesAt));
        var more = Taken(json, out reading);
        more.Entries.Add(new ManifestEntry { Type = EntryType.Directory, Path = "zz-new", ModifiedUtc = Old });
        Assert.False(more.EntriesAre(reading.Text!, reading.EntriesAt));

        // A text that goes on after its end (a line break a reader takes): not taken as it is.
        var spaced = Taken(json.Concat(new[] { (byte)'\n' }).ToArray(), out reading);
        Assert.NotNull(reading.Text);
        Assert.False(spaced.EntriesAre(reading.Text!, reading.EntriesAt));
    }

    [Fact]
    public void AManifestAReaderWouldNotTakeRecordsNothing()
    {
        // A chunk hash that is not lower-case SHA-256 text: the readers give up on the whole manifest, so does the recording.
        var manifest = new Manifest { Id = "20250318T140338Z", Source = "/s", Kind = Manifest.FolderKind, Started = Old.AddDays(1), Files = 1, Size = 1 };
        manifest.Entries.Add(new ManifestEntry { Type = EntryType.File, Path = "a", Size = 1, ModifiedUtc = Old, Chunks = new[] { new ChunkRef(new string('A', 64), 1, 1) } });
        var sink = new PreviousCheckpoint.EntrySink(1);
        using var stream = new MemoryStream();

        Assert.False(manifest.WriteTo(stream, sink));
        Assert.Null(PreviousCheckpoint.Read(stream.ToArray()));
    }

    [Fact]
    public void TheReadingRememberedServesTheSameTextOnly()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "keep/a.txt", TestTree.Text(4000, 1), Old);
        TestTree.Write(source, "keep/b.txt", TestTree.Text(5000, 2), Old);
        var repository = TestTree.NewRepository(_temp);
        var id = repository.Capture(source, null, default).Id;
        var json = File.ReadAllBytes(TestTree.PathOf(repository, $"checkpoints/{id}.json"));
        var reading = PreviousCheckpoint.Read(json)!;
        var memo = new LastWrittenManifest();
        memo.Remember(source, json, new Lazy<PreviousCheckpoint?>(reading));

        // The same text (another array): the reading remembered, and the text remembered.
        Assert.True(memo.Find(json.ToArray(), out var found, out var text));
        Assert.Same(reading, found);
        Assert.Equal(json, text);
        Assert.Same(reading, memo.Read(json.ToArray()));

        // One byte otherwise (a digit of a modification time), or shorter: read anew.
        var at = Encoding.UTF8.GetString(json).IndexOf("\"mtime\":", StringComparison.Ordinal) + 8;
        var changed = json.ToArray();
        changed[at] = (byte)(changed[at] == (byte)'5' ? '4' : '5');
        Assert.False(memo.Find(changed, out _, out _));
        Assert.NotSame(reading, memo.Read(changed));
        Assert.False(memo.Find(json.AsSpan(0, json.Length - 1), out _, out _));

        // Compared piece by piece from a stream (a folder's file): the same answers.
        Assert.True(memo.Find(() => new MemoryStream(json), out found, out text));
        Assert.Same(reading, found);
        Assert.Equal(json, text);
        Assert.False(memo.Find(() => new MemoryStream(changed), out _, out _));
        Assert.False(memo.Find(() => new MemoryStream(json, 0, json.Length - 1), out _, out _));
        Assert.False(memo.Find(() => new MemoryStream(json.Concat(new[] { (byte)' ' }).ToArray()), out _, out _));
        Assert.False(memo.Find(() => null, out _, out _));
        Assert.False(new LastWrittenManifest().Find(() => throw new InvalidOperationException("opened with nothing remembered"), out _, out _));

        // Without a reading, or larger than the limit: nothing is remembered (the one before is forgotten).
        memo.Remember(source, json, null);
        Assert.False(memo.Find(json, out _, out _));
        memo.Remember(source, json, new Lazy<PreviousCheckpoint?>(reading));
        memo.Remember(source, new byte[LastWrittenManifest.MaxBytes + 1], new Lazy<PreviousCheckpoint?>(reading));
        Assert.False(memo.Find(json, out _, out _));
    }

    [Fact]
    public void TheReadingOfTheManifestRememberedForASourceIsPutTogetherWhenACaptureOfItStarts()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "keep/a.txt", TestTree.Text(4000, 1), Old);
        var repository = TestTree.NewRepository(_temp);
        var id = repository.Capture(source, null, default).Id;
        var json = File.ReadAllBytes(TestTree.PathOf(repository, $"checkpoints/{id}.json"));
        var memo = new LastWrittenManifest();
        var reading = new Lazy<PreviousCheckpoint?>(() => PreviousCheckpoint.Read(json));
        memo.Remember("/elsewhere", json, reading);

        memo.Prepare("/another");
        memo.Prepare("/elsewhere");

        Assert.True(SpinWait.SpinUntil(() => reading.IsValueCreated, TimeSpan.FromSeconds(30)));
        Assert.True(memo.Find(json, out var found, out _));
        Assert.Equal(id, found!.Id);
    }

    [Fact]
    public void AManifestChangedInTheRepositoryAfterItsCommitIsReadAsItIsNow()
    {
        // The capture committed by this process was remembered; its manifest is then changed in place (same length):
        // the next capture reads the manifest as it is now, so the file whose time changed there is read again.
        var source = _temp.Sub("source");
        TestTree.Write(source, "keep/a.txt", TestTree.Text(4000, 1), Old);
        TestTree.Write(source, "keep/b.txt", TestTree.Text(4000, 2), Old);
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        var path = TestTree.PathOf(repository, $"checkpoints/{first.Id}.json");
        var text = File.ReadAllText(path);
        var ticks = Old.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var entry = text.IndexOf("\"path\":\"keep/a.txt\"", StringComparison.Ordinal);
        var at = text.IndexOf(ticks, entry, StringComparison.Ordinal);
        var other = (Old.Ticks + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(path, text.Substring(0, at) + other + text.Substring(at + ticks.Length));

        // Same size and time as the (changed) manifest says for b, not for a: a is read, b trusted.
        TestTree.Write(source, "keep/a.txt", TestTree.Text(4000, 11), Old);
        TestTree.Write(source, "keep/b.txt", TestTree.Text(4000, 12), Old);
        var second = repository.Capture(source, null, default);

        var restored = _temp.Sub("restored");
        repository.Restore(second.Id, restored, null, default);
        Assert.Equal(TestTree.Text(4000, 11), File.ReadAllBytes(Path.Combine(restored, "keep/a.txt")));
        Assert.Equal(TestTree.Text(4000, 2), File.ReadAllBytes(Path.Combine(restored, "keep/b.txt")));
    }

    [Fact]
    public void AManifestLongerThanItsEstimateIsWrittenWholeAndRecorded()
    {
        // Names of escaped characters only (six bytes of JSON for each): more text than the writer's estimate of it.
        var source = _temp.Sub("source");
        for (var i = 0; i < 60; i++)
        {
            TestTree.Write(source, $"{new string('é', 120)}{i:D2}.txt", TestTree.Text(300 + i, i), Old);
        }

        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        var length = new FileInfo(TestTree.PathOf(repository, $"checkpoints/{first.Id}.json")).Length;
        Assert.True(repository.ReadManifest(first.Id).EstimateLength() < length, "the estimate falls short");

        var second = repository.Capture(source, null, default);

        Assert.Equal(0, second.NewData);
        Assert.True(repository.Verify(second.Id).IsValid);
        var restored = _temp.Sub("restored");
        repository.Restore(second.Id, restored, null, default);
        TestTree.AssertSameTree(source, restored);
    }

    /// <summary>The manifest written as a capture writes it ahead of its commit: its entries, then its header before them.</summary>
    private static (PreviousCheckpoint Recorded, byte[] Json) WrittenEntriesFirst(Manifest manifest)
    {
        using var entries = Daytona.Checkpoints.Writers.ManifestEntriesText.Write(manifest);
        using var header = new MemoryStream();
        manifest.WriteHeaderTo(header);
        var json = entries.After(header);
        return (entries.ReadingOf(manifest, json)!.Value!, json);
    }

    /// <summary>The manifest written with its recording, as a commit writes it.</summary>
    private static (PreviousCheckpoint Recorded, byte[] Json) Written(Manifest manifest)
    {
        var sink = new PreviousCheckpoint.EntrySink(manifest.Files);
        using var stream = new MemoryStream();
        Assert.True(manifest.WriteTo(stream, sink));
        var json = stream.ToArray();
        return (PreviousCheckpoint.Recorded(manifest, sink, json)!.Value!, json);
    }
}
