using Daytona.Checkpoints;

namespace Checkpoints.Tests;

/// <summary>A folder's children as the lister reads them: sorted by ordinal name order, and checked again against that listing.</summary>
public sealed class FolderListerTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(12)]
    [InlineData(200)]
    public void ChildrenComeInOrdinalOrderOfTheirNamesWhateverTheirScript(int plain)
    {
        // Names whose ordinal (UTF-16) order differs from other orders: upper before lower case, a surrogate pair
        // (U+1F600) before U+FFFD though its code point is larger, non-ASCII names decoded from UTF-8.
        var folder = Directory.CreateDirectory(_temp.Sub("names")).FullName;
        var names = new List<string> { "B", "a", "Ä", "ä", "z", "名前", "\U0001F600 smile", "\uFFFD replacement", "\uE000 private", "~", "-", "a b" };
        names.AddRange(Enumerable.Range(0, plain).Select(i => $"f{(i * 7919) % plain:D4}.txt"));
        foreach (var name in names)
        {
            File.WriteAllText(Path.Combine(folder, name), name);
        }

        Directory.CreateDirectory(Path.Combine(folder, "sub"));

        var children = FolderLister.List(folder);

        Assert.Equal(names.Append("sub").OrderBy(n => n, StringComparer.Ordinal), children.Select(c => c.Name));
        Assert.Equal(ChildKind.Directory, children.Single(c => c.Name == "sub").Kind);
        Assert.All(children.Where(c => c.Kind == ChildKind.File), c => Assert.Equal(new FileInfo(Path.Combine(folder, c.Name)).Length, c.Size));
    }

    [Fact]
    public void AFolderMatchesItsListingUntilAChildChanges()
    {
        var folder = Directory.CreateDirectory(_temp.Sub("match")).FullName;
        foreach (var name in new[] { "ä.txt", "b.txt", "\U0001F600.txt" })
        {
            File.WriteAllText(Path.Combine(folder, name), "one");
        }

        var listed = FolderLister.List(folder);
        if (!FolderLister.TryMatch(folder, listed, null, out var same))
        {
            return; // no native listing on this platform: the capture lists and compares instead (FolderScan)
        }

        Assert.True(same);

        // A non-ASCII name whose file grows: no longer the same.
        File.WriteAllText(Path.Combine(folder, "\U0001F600.txt"), "longer");
        Assert.True(FolderLister.TryMatch(folder, listed, null, out same));
        Assert.False(same);

        // Listed again, then a child added: not the same either; left out by name, the same.
        listed = FolderLister.List(folder);
        File.WriteAllText(Path.Combine(folder, "é-new.txt"), "x");
        Assert.True(FolderLister.TryMatch(folder, listed, null, out same));
        Assert.False(same);
        Assert.True(FolderLister.TryMatch(folder, listed, "é-new.txt", out same));
        Assert.True(same);
    }

    [Fact]
    public void AFolderIsUnchangedOnlyWhileEveryFieldOfEveryChildIsAsListed()
    {
        var folder = Directory.CreateDirectory(_temp.Sub("unchanged")).FullName;
        File.WriteAllText(Path.Combine(folder, "a.txt"), "one");
        File.WriteAllText(Path.Combine(folder, "b.txt"), "two");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        var listed = FolderLister.List(folder);
        if (!FolderLister.Unchanged(folder, listed, null, out var watchable))
        {
            Assert.False(OperatingSystem.IsLinux() && Environment.Is64BitProcess, "Linux lists natively");
            return;
        }

        Assert.True(watchable);

        // Each change of what a listing records makes the folder changed: a file's mode (its content untouched), a
        // folder's modification time, a size, a child more, a child fewer. The child left out by name is not compared.
        var changes = new List<Action>
        {
            () => File.SetUnixFileMode(Path.Combine(folder, "a.txt"), UnixFileMode.UserRead),
            () => Directory.SetLastWriteTimeUtc(Path.Combine(folder, "sub"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            () => File.AppendAllText(Path.Combine(folder, "b.txt"), "!"),
            () => File.WriteAllText(Path.Combine(folder, "c.txt"), "new"),
            () => File.Delete(Path.Combine(folder, "c.txt")),
        };
        foreach (var change in changes)
        {
            listed = FolderLister.List(folder);
            Assert.True(FolderLister.Unchanged(folder, listed, null, out _));
            change();
            Assert.False(FolderLister.Unchanged(folder, listed, null, out _));
        }

        listed = FolderLister.List(folder).Where(c => c.Name != "b.txt").ToArray();
        Assert.False(FolderLister.Unchanged(folder, listed, null, out _));
        Assert.True(FolderLister.Unchanged(folder, listed, "b.txt", out _));

        // A file of two names: unchanged, but not one a change notification covers.
        var linked = Path.Combine(folder, "hard.txt");
        if (Link(Path.Combine(folder, "a.txt"), linked) == 0)
        {
            listed = FolderLister.List(folder);
            Assert.True(FolderLister.Unchanged(folder, listed, null, out watchable));
            Assert.False(watchable);
        }
    }

    [Fact]
    public void TheChecksOnlyAReCaptureRunsCanBeCompiledAhead()
    {
        // Found by name: a renamed method would make the preparation (best effort, on the thread pool) do nothing.
        Jit.CompileReCapture();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string existing, string name);
}
