using Daytona.Checkpoints;
using Daytona.Checkpoints.Server.Content;

namespace Checkpoints.Server.Tests.Content;

public sealed class CheckpointTreeTests
{
    private static CheckpointTree Tree(params ManifestEntry[] entries)
    {
        var manifest = new Manifest { Id = "20250318T140338Z" };
        manifest.Entries.AddRange(entries);
        return new CheckpointTree(manifest);
    }

    private static ManifestEntry Dir(string path) => new() { Type = EntryType.Directory, Path = path };

    private static ManifestEntry File(string path) => new() { Type = EntryType.File, Path = path, Size = 1, Chunks = new[] { new ChunkRef(new string('a', 64), 1, 1) } };

    private static ManifestEntry Link(string path, string target) => new() { Type = EntryType.Symlink, Path = path, Target = target };

    [Fact]
    public void FoldersListTheirChildrenInNameOrder()
    {
        var tree = Tree(Dir("b"), File("b/z.txt"), File("b/a.txt"), File("top.txt"), Dir("a"));
        Assert.Equal(new[] { "a", "b", "top.txt" }, tree.ChildrenOf("")!.Select(e => e.Path));
        Assert.Equal(new[] { "b/a.txt", "b/z.txt" }, tree.ChildrenOf("b")!.Select(e => e.Path));
        Assert.Null(tree.ChildrenOf("top.txt"));
        Assert.Empty(tree.ChildrenOf("a")!);
    }

    [Fact]
    public void PathsResolveThroughLinksButNeverAboveTheRoot()
    {
        var tree = Tree(Dir("site"), File("site/index.html"), Link("web", "site"), Link("home", "web/index.html"),
            Link("up", "../etc/passwd"), Link("loop", "loop"), Link("abs", "/etc/passwd"), Dir("a"), Link("a/back", "../site"));
        Assert.True(tree.TryResolve("home", out var home, out var resolved));
        Assert.Equal("site/index.html", home!.Path);
        Assert.Equal("site/index.html", resolved);
        Assert.True(tree.TryResolve("web", out var web, out _));
        Assert.Equal(EntryType.Directory, web!.Type);
        Assert.True(tree.TryResolve("a/back/index.html", out var back, out _));
        Assert.Equal("site/index.html", back!.Path);
        Assert.False(tree.TryResolve("up", out _, out _));
        Assert.False(tree.TryResolve("loop", out _, out _));
        Assert.False(tree.TryResolve("abs", out _, out _));
        Assert.False(tree.TryResolve("site/index.html/x", out _, out _));
        Assert.False(tree.TryResolve("nope", out _, out _));
        Assert.True(tree.TryResolve("", out var root, out var rootPath));
        Assert.Null(root);
        Assert.Equal(string.Empty, rootPath);
    }
}
