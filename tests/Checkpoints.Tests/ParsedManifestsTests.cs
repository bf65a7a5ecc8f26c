using System.Text;
using Daytona.Checkpoints;

namespace Checkpoints.Tests;

/// <summary>
/// The manifest a process committed last is read aside right after its commit, and the next capture of its source in the
/// process uses that reading — only for exactly the same text as the repository holds now.
/// </summary>
public sealed class ParsedManifestsTests : IDisposable
{
    private static readonly DateTime Old = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TheReadingRememberedServesTheSameTextOnly()
    {
        var (repository, id) = Captured();
        var json = File.ReadAllBytes(TestTree.PathOf(repository, $"checkpoints/{id}.json"));
        var memo = new ParsedManifests();
        memo.Remember(json);

        // The same text (another array): the reading remembered, every time.
        Assert.True(memo.Find(json.ToArray(), out var found, out var text1));
        Assert.True(memo.Find(json.ToArray(), out var again, out _));
        Assert.Same(found, again);
        Assert.Equal(json, text1);
        Assert.Equal(id, found!.Id);
        var direct = PreviousCheckpoint.Read(json)!;
        Assert.Equal(direct.Count, found.Count);
        Assert.True(found.TryGet("keep/a.txt", out var chunks));
        Assert.True(direct.TryGet("keep/a.txt", out var directChunks));
        Assert.Equal(directChunks.Select(c => (c.Hash, c.Size, c.Stored)), chunks.Select(c => (c.Hash, c.Size, c.Stored)));

        // One byte otherwise (a digit of a modification time), or shorter: read anew.
        var text = Encoding.UTF8.GetString(json);
        var at = text.IndexOf("\"mtime\":", StringComparison.Ordinal) + 8;
        var changed = json.ToArray();
        changed[at] = (byte)(changed[at] == (byte)'5' ? '4' : '5');
        Assert.False(memo.Find(changed, out _, out _));
        Assert.NotSame(found, memo.Read(changed));
        Assert.False(memo.Find(json.AsSpan(0, json.Length - 1).ToArray(), out _, out _));

        // A manifest remembered later replaces it.
        memo.Remember(changed);
        Assert.False(memo.Find(json, out _, out _));
        Assert.True(memo.Find(changed, out var other, out _));
        Assert.True(other!.TryGet("keep/a.txt", out _));
    }

    [Fact]
    public void AManifestLargerThanTheLimitIsNotRemembered()
    {
        var memo = new ParsedManifests();
        var small = Encoding.UTF8.GetBytes("{}");
        memo.Remember(small);
        Assert.True(memo.Find(small, out var nothing, out _));
        Assert.Null(nothing); // not a manifest this module reads: no previous checkpoint, as PreviousCheckpoint.Read says

        var large = new byte[ParsedManifests.MaxBytes + 1];
        memo.Remember(large);
        Assert.False(memo.Find(large, out _, out _));
        Assert.False(memo.Find(small, out _, out _));
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

    private (CheckpointRepository Repository, string Id) Captured()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "keep/a.txt", TestTree.Text(4000, 1), Old);
        TestTree.Write(source, "keep/b.txt", TestTree.Text(5000, 2), Old);
        TestTree.Write(source, "keep/c.txt", TestTree.Text(6000, 3), Old);
        var repository = TestTree.NewRepository(_temp);
        return (repository, repository.Capture(source, null, default).Id);
    }
}
