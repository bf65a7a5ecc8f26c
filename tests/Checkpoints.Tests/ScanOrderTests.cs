using System.Text;
using Daytona.Checkpoints;

namespace Checkpoints.Tests;

/// <summary>
/// A capture asks its previous checkpoint for its files in the order it lists them, which is the order that manifest
/// was written in: found in order, each path compared once, with the same answers as a lookup by path.
/// </summary>
public sealed class ScanOrderTests : IDisposable
{
    private static readonly DateTime Old = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AScanListsFilesInScanOrderWhateverTheirNames()
    {
        // Names whose order differs between whole paths and folder by folder ("a b/x" sorts before "a/x" as a path, the
        // folder "a" before "a b" as folders), upper case, non-ASCII, a file beside folders.
        var source = _temp.Sub("source");
        foreach (var path in new[] { "a/x", "a b/x", "a/b/c/d.txt", "a/b.txt", "A/z", "é/1", "z.txt", "a/b/c.txt", "a-b/x", "a/b c/x", "😀/x", "b.txt" })
        {
            TestTree.Write(source, path, Encoding.UTF8.GetBytes(path), Old);
        }

        var files = FolderScan.Scan(source, null, default, parallelism: 2).Items
            .Where(i => i.Entry.Type == EntryType.File).Select(i => i.Entry.Path).ToList();

        Assert.Equal(12, files.Count);
        for (var i = 1; i < files.Count; i++)
        {
            Assert.True(ScanOrder.Compare(files[i - 1], files[i]) < 0, $"{files[i - 1]} before {files[i]}");
            Assert.True(ScanOrder.Compare(files[i], files[i - 1]) > 0, $"{files[i]} after {files[i - 1]}");
        }

        Assert.Equal(0, ScanOrder.Compare("a/b/c.txt", "a/b/c.txt"));
    }

    [Fact]
    public void FilesAskedForInOrderAreFoundAsByPathWithFilesAddedRemovedAndRecentBetween()
    {
        var source = _temp.Sub("source");
        for (var i = 0; i < 40; i++)
        {
            TestTree.Write(source, $"d{i % 3}/f{i:D2}.txt", TestTree.Text(100 + i, i), Old);
        }

        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        var json = File.ReadAllBytes(TestTree.PathOf(repository, $"checkpoints/{first.Id}.json"));
        var previous = PreviousCheckpoint.Read(json)!;
        Assert.True(previous.InScanOrder);

        // What a later capture asks for: some files gone, new ones between, in its own scan order.
        var asked = new List<string> { "d0/a-new.txt" };
        asked.AddRange(Enumerable.Range(0, 40).Where(i => i % 7 != 3).Select(i => $"d{i % 3}/f{i:D2}.txt"));
        asked.Add("d1/f05.txt-new");
        asked.Add("d9/new.txt");
        asked.Sort(ScanOrder.Compare);
        var lookup = previous.StartLookup();
        foreach (var path in asked)
        {
            var inOrder = lookup.TryGet(path, out var found);
            var byPath = previous.TryGet(path, out var expected);
            Assert.Equal(byPath, inOrder);
            Assert.Same(byPath ? expected : null, inOrder ? found : null);
        }

        Assert.Equal(40, previous.Count);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"d{i % 3}/f{i:D2}.txt").OrderBy(p => p, Comparer<string>.Create(ScanOrder.Compare)), previous.Files.Select(f => f.Path));
    }

    [Fact]
    public void AManifestNotInScanOrderIsLookedUpByPathAndOfAPathGivenTwiceTheLastCounts()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "a.txt", TestTree.Text(100, 1), Old);
        TestTree.Write(source, "b.txt", TestTree.Text(200, 2), Old);
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        var text = File.ReadAllText(TestTree.PathOf(repository, $"checkpoints/{first.Id}.json"));

        // b.txt's entry given again at the end, as a.txt: "a.txt" twice, the last one with b's size and chunks.
        var start = text.IndexOf("{\"type\":\"file\",\"path\":\"b.txt\"", StringComparison.Ordinal);
        var end = text.LastIndexOf("]}", StringComparison.Ordinal);
        var twice = text.Substring(0, end) + "," + text.Substring(start, end - start).Replace("\"path\":\"b.txt\"", "\"path\":\"a.txt\"") + "]}";
        var previous = PreviousCheckpoint.Read(Encoding.UTF8.GetBytes(twice))!;

        Assert.False(previous.InScanOrder);
        var lookup = previous.StartLookup();
        Assert.True(lookup.TryGet("a.txt", out var a));
        Assert.Equal(200, a.Size);
        Assert.True(lookup.TryGet("b.txt", out var b));
        Assert.Equal(200, b.Size);
        Assert.Equal(2, previous.Count);
    }
}
