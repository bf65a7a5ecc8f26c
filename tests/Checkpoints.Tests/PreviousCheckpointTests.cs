using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Daytona.Checkpoints;

namespace Checkpoints.Tests;

/// <summary>
/// A re-capture reuses the chunk lists of files unchanged (same size and modification time) since the previous
/// checkpoint, read from that checkpoint's manifest text and copied as they are into the new manifest.
/// </summary>
public sealed class PreviousCheckpointTests : IDisposable
{
    private static readonly DateTime Old = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AnUnchangedReCaptureWritesTheEntriesOfThePreviousManifestAsTheyWere()
    {
        var source = Tree();
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        var second = repository.Capture(source, null, default);

        Assert.Equal(0, second.NewData);
        Assert.Equal((first.Files, first.Size, first.StoredSize), (second.Files, second.Size, second.StoredSize));
        AssertSameEntries(repository.ReadManifest(first.Id), repository.ReadManifest(second.Id));
        Assert.Equal(EntriesText(repository, first.Id), EntriesText(repository, second.Id));
        Assert.True(repository.Verify(second.Id).IsValid);
        var restored = _temp.Sub("restored");
        repository.Restore(second.Id, restored, null, default);
        TestTree.AssertSameTree(source, restored);

        // Taken whole from a manifest that was itself taken whole: the text is what writing the manifest gives.
        var third = repository.Capture(source, null, default);
        Assert.Equal((first.Files, first.Size, first.StoredSize), (third.Files, third.Size, third.StoredSize));
        using var written = new MemoryStream();
        repository.ReadManifest(third.Id).WriteTo(written);
        Assert.Equal(Encoding.UTF8.GetString(written.ToArray()), File.ReadAllText(TestTree.PathOf(repository, $"checkpoints/{third.Id}.json")));
    }

    [Fact]
    public void AFileIsReadAgainWhenItsSizeOrTimeChangedAndTrustedWhenNeitherDid()
    {
        var source = Tree();
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);

        // Same size and time, other content: trusted (the documented cost of not reading unchanged files).
        TestTree.Write(source, "keep/same-size-same-time.txt", TestTree.Text(5000, 91), Old);
        // Same size, another time: read again.
        TestTree.Write(source, "keep/same-size-new-time.txt", TestTree.Text(5000, 92), Old.AddSeconds(1));
        // Another size, same time: read again.
        TestTree.Write(source, "keep/new-size.txt", TestTree.Text(5001, 93), Old);
        if (!OperatingSystem.IsWindows())
        {
            // Only the mode changed: the chunks are reused, the entry says the new mode.
            File.SetUnixFileMode(Path.Combine(source, "keep/mode.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetLastWriteTimeUtc(Path.Combine(source, "keep/mode.txt"), Old);
        }

        var second = repository.Capture(source, null, default);
        var restored = _temp.Sub("restored");
        repository.Restore(second.Id, restored, null, default);
        Assert.Equal(TestTree.Text(5000, 1), File.ReadAllBytes(Path.Combine(restored, "keep/same-size-same-time.txt")));
        Assert.Equal(TestTree.Text(5000, 92), File.ReadAllBytes(Path.Combine(restored, "keep/same-size-new-time.txt")));
        Assert.Equal(TestTree.Text(5001, 93), File.ReadAllBytes(Path.Combine(restored, "keep/new-size.txt")));
        var before = repository.ReadManifest(first.Id).Entries.ToDictionary(e => e.Path);
        var after = repository.ReadManifest(second.Id).Entries.ToDictionary(e => e.Path);
        Assert.Equal(before["keep/same-size-same-time.txt"].Chunks, after["keep/same-size-same-time.txt"].Chunks);
        Assert.NotEqual(before["keep/same-size-new-time.txt"].Chunks, after["keep/same-size-new-time.txt"].Chunks);
        Assert.Equal(before["keep/mode.txt"].Chunks, after["keep/mode.txt"].Chunks);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(Convert.ToInt32("700", 8), after["keep/mode.txt"].Mode);
            Assert.Equal(Convert.ToInt32("700", 8), (int)File.GetUnixFileMode(Path.Combine(restored, "keep/mode.txt")));
        }

        Assert.True(repository.Verify(second.Id).IsValid);
        Assert.Equal(second.Size, repository.ReadManifest(second.Id).Entries.Sum(e => e.Size));
    }

    [Fact]
    public void APreviousManifestWrittenAnotherWayIsReusedAndTheNewOneIsWrittenAsThisModuleWritesIt()
    {
        // Indented, properties of each entry in reverse order, a property this module does not know, a name written
        // with an escape it need not have: any JSON writer's manifest. The re-capture still reuses what it can.
        var source = Tree();
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        var original = repository.ReadManifest(first.Id);
        Rewrite(repository, first.Id, root =>
        {
            var entries = root["entries"]!.AsArray();
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i]!.AsObject();
                var reversed = new JsonObject();
                foreach (var property in entry.Reverse().ToList())
                {
                    entry.Remove(property.Key);
                    reversed[property.Key] = property.Value;
                }

                if (i == 1)
                {
                    reversed["comment"] = "from another writer";
                }

                entries[i] = reversed;
            }

            return Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).Replace("\"keep/", "\"\\u006beep/"));
        });
        AssertSameEntries(original, repository.ReadManifest(first.Id));

        TestTree.Write(source, "keep/same-size-same-time.txt", TestTree.Text(5000, 91), Old);
        var second = repository.Capture(source, null, default);

        Assert.Equal(0, second.NewData);
        var restored = _temp.Sub("restored");
        repository.Restore(second.Id, restored, null, default);
        Assert.Equal(TestTree.Text(5000, 1), File.ReadAllBytes(Path.Combine(restored, "keep/same-size-same-time.txt")));
        AssertSameEntries(original, repository.ReadManifest(second.Id));
        Assert.DoesNotContain("comment", EntriesText(repository, second.Id), StringComparison.Ordinal);
        Assert.True(repository.Verify(second.Id).IsValid);

        // And the manifest it wrote is reused by the next capture as it is.
        var third = repository.Capture(source, null, default);
        Assert.Equal(EntriesText(repository, second.Id), EntriesText(repository, third.Id));
    }

    [Fact]
    public void AManifestWithoutItsCaptureStartIsNotTrustedSoEveryFileIsRead()
    {
        // Without the time its capture started, a file's size and time cannot tell whether it changed after it was read.
        var source = Tree();
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        Rewrite(repository, first.Id, root =>
        {
            root.Remove("started");
            return Encoding.UTF8.GetBytes(root.ToJsonString());
        });

        TestTree.Write(source, "keep/same-size-same-time.txt", TestTree.Text(5000, 91), Old);
        var second = repository.Capture(source, null, default);

        var restored = _temp.Sub("restored");
        repository.Restore(second.Id, restored, null, default);
        Assert.Equal(TestTree.Text(5000, 91), File.ReadAllBytes(Path.Combine(restored, "keep/same-size-same-time.txt")));
        TestTree.AssertSameTree(source, restored);
    }

    [Fact]
    public void AFileModifiedAfterThePreviousCaptureStartedIsReadAgain()
    {
        // A file whose time is not before the previous capture's start may have changed while that capture read it.
        var source = Tree();
        var repository = TestTree.NewRepository(_temp);
        var future = DateTime.UtcNow.AddSeconds(-2);
        TestTree.Write(source, "keep/recent.txt", TestTree.Text(3000, 7), future);
        var first = repository.Capture(source, null, default);
        Rewrite(repository, first.Id, root =>
        {
            root["started"] = future.AddTicks(-1).Ticks;
            return Encoding.UTF8.GetBytes(root.ToJsonString());
        });

        TestTree.Write(source, "keep/recent.txt", TestTree.Text(3000, 8), future);
        TestTree.Write(source, "keep/same-size-same-time.txt", TestTree.Text(5000, 91), Old);
        var second = repository.Capture(source, null, default);

        var restored = _temp.Sub("restored");
        repository.Restore(second.Id, restored, null, default);
        Assert.Equal(TestTree.Text(3000, 8), File.ReadAllBytes(Path.Combine(restored, "keep/recent.txt")));
        Assert.Equal(TestTree.Text(5000, 1), File.ReadAllBytes(Path.Combine(restored, "keep/same-size-same-time.txt")));
    }

    /// <summary>Small files (names with characters JSON escapes among them), a large one, folders, an empty file and a link.</summary>
    private string Tree()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        TestTree.Write(source, "keep/same-size-same-time.txt", TestTree.Text(5000, 1), Old);
        TestTree.Write(source, "keep/same-size-new-time.txt", TestTree.Text(5000, 2), Old);
        TestTree.Write(source, "keep/new-size.txt", TestTree.Text(5000, 3), Old);
        TestTree.Write(source, "keep/mode.txt", TestTree.Text(700, 4), Old);
        TestTree.Write(source, "names/ünïcödé \"quoted\" <&> ✓.txt", TestTree.Text(900, 5), Old);
        TestTree.Write(source, OperatingSystem.IsWindows() ? "names/名前.bin" : "names/back\\slash and 名前.bin", TestTree.Random(2000, 6), Old);
        for (var i = 0; i < 150; i++)
        {
            TestTree.Write(source, $"many/d{i % 7}/f{i}.txt", TestTree.Text(100 + (i * 37), 100 + i), Old);
        }

        return source;
    }

    private static void AssertSameEntries(Manifest expected, Manifest actual)
    {
        static IEnumerable<object> Describe(Manifest m) => m.Entries.Select(e =>
            (object)(e.Type, e.Path, e.Size, e.Mode, e.ModifiedUtc, e.Target, string.Join(";", e.Chunks.Select(c => $"{c.Hash},{c.Size},{c.Stored}"))));
        Assert.Equal(Describe(expected), Describe(actual));
    }

    /// <summary>The text of a manifest's entries array, as stored.</summary>
    private static string EntriesText(CheckpointRepository repository, string id)
    {
        var text = File.ReadAllText(TestTree.PathOf(repository, $"checkpoints/{id}.json"));
        return text.Substring(text.IndexOf("\"entries\"", StringComparison.Ordinal));
    }

    private static void Rewrite(CheckpointRepository repository, string id, Func<JsonObject, byte[]> change)
    {
        var path = TestTree.PathOf(repository, $"checkpoints/{id}.json");
        var root = JsonNode.Parse(File.ReadAllBytes(path))!.AsObject();
        File.WriteAllBytes(path, change(root));
    }
}
