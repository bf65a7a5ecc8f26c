using Daytona.Checkpoints;

namespace Checkpoints.Tests;

/// <summary>
/// A capture's scan keeps its folder listings for the next capture of the tree in the process, which takes a folder's
/// listing again only while every child is as it lists it, and records whatever changed as a scan without them would.
/// </summary>
public sealed class LastScanTests : IDisposable
{
    private static readonly DateTime Old = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AScanTakesTheListingsOfUnchangedFoldersAndListsChangedOnesAnew()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            return; // kept listings are checked by the native lister only
        }

        var source = _temp.Sub("source");
        TestTree.Build(source);
        TestTree.Write(source, "keep/a.txt", TestTree.Text(100, 1), Old);
        TestTree.Write(source, "keep/sub/b.txt", TestTree.Text(200, 2), Old);
        TestTree.Write(source, "mode/c.txt", TestTree.Text(300, 3), Old);
        TestTree.Write(source, "grow/d.txt", TestTree.Text(400, 4), Old);
        TestTree.Write(source, "time/e.txt", TestTree.Text(500, 5), Old);
        var kept = new LastScan();
        var first = FolderScan.Scan(source, null, default, parallelism: 2, keep: kept);
        Assert.NotNull(first.Kept);
        kept.Keep(first.Kept);

        File.SetUnixFileMode(Path.Combine(source, "mode/c.txt"), UnixFileMode.UserRead);
        File.AppendAllText(Path.Combine(source, "grow/d.txt"), "more");
        Directory.SetLastWriteTimeUtc(Path.Combine(source, "time"), Old.AddDays(-3));
        var second = FolderScan.Scan(source, null, default, parallelism: 2, keep: kept);

        // Unchanged folders: the very entries of the first scan. Changed ones, and the folder holding a link: anew.
        Assert.Same(Entry(first, "keep/a.txt"), Entry(second, "keep/a.txt"));
        Assert.Same(Entry(first, "keep/sub/b.txt"), Entry(second, "keep/sub/b.txt"));
        Assert.Same(Entry(first, "time/e.txt"), Entry(second, "time/e.txt"));
        Assert.NotSame(Entry(first, "mode/c.txt"), Entry(second, "mode/c.txt"));
        Assert.NotSame(Entry(first, "grow/d.txt"), Entry(second, "grow/d.txt"));
        Assert.NotSame(Entry(first, "readme.txt"), Entry(second, "readme.txt"));
        Assert.NotSame(Entry(first, "time"), Entry(second, "time"));

        // What the second scan found is what a scan without kept listings finds.
        var fresh = FolderScan.Scan(source, null, default, parallelism: 2);
        Assert.Equal(Describe(fresh), Describe(second));
        Assert.Equal(Convert.ToInt32("400", 8), Entry(second, "mode/c.txt").Mode);

        // The listings kept are the taker's: taken once, and only for the same tree.
        Assert.Null(kept.Take(source, null));
        kept.Keep(second.Kept);
        Assert.Null(kept.Take(_temp.Sub("elsewhere"), null));
        Assert.Null(kept.Take(source, null));
    }

    [Fact]
    public void AReCaptureInTheSameProcessRecordsAModeOrAFolderTimeChangedAlone()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "app/run.sh", TestTree.Text(700, 1), Old);
        TestTree.Write(source, "app/lib/x.txt", TestTree.Text(800, 2), Old);
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);

        Directory.SetLastWriteTimeUtc(Path.Combine(source, "app/lib"), Old.AddDays(-9));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(source, "app/run.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var second = repository.Capture(source, null, default);
        var manifest = repository.ReadManifest(second.Id);

        Assert.Equal(Old.AddDays(-9), manifest.Entries.Single(e => e.Path == "app/lib").ModifiedUtc);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(Convert.ToInt32("700", 8), manifest.Entries.Single(e => e.Path == "app/run.sh").Mode);
        }

        Assert.NotEqual(repository.ReadManifest(first.Id).Entries.Select(Describe), manifest.Entries.Select(Describe));
        Assert.Equal(0, second.NewData);
    }

    private static ManifestEntry Entry(FolderScan.ScanResult scan, string path) => scan.Items.Single(i => i.Entry.Path == path).Entry;

    private static string Describe(ManifestEntry e) => $"{e.Type} {e.Path} {e.Size} {e.Mode} {e.ModifiedUtc?.Ticks} {e.Target}";

    private static List<string> Describe(FolderScan.ScanResult scan) => scan.Items.Select(i => Describe(i.Entry)).ToList();
}
