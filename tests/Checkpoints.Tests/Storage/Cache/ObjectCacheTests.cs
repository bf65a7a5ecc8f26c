using System.Text;
using Daytona.Checkpoints.Storage.Cache;

namespace Checkpoints.Tests.Storage.Cache;

/// <summary>The per-machine cache folder: entries whole or absent, safe to delete, bounded.</summary>
public sealed class ObjectCacheTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private ObjectCache Open(string identity = "azure-blob http://127.0.0.1:1/acct/c/p", long limit = ObjectCache.DefaultLimit) =>
        ObjectCache.Open(_temp.Sub("cache"), identity, "az://c/p", limit)!;

    [Fact]
    public void AnEntryReadsBackWithItsVersionAndAnAbsentOneIsAMiss()
    {
        var cache = Open();
        cache.Put("objects/packs/ab/x.idx", Encoding.UTF8.GetBytes("index"), "\"0x8D1\"");
        Assert.Equal("index", Encoding.UTF8.GetString(cache.Get("objects/packs/ab/x.idx", out var version)!));
        Assert.Equal("\"0x8D1\"", version);
        Assert.NotNull(cache.Get("objects/packs/ab/x.idx", "0x8D1"));
        Assert.Null(cache.Get("objects/packs/ab/x.idx", "0x8D2"));
        Assert.Null(cache.Get("objects/packs/ab/y.idx", out _));
        Assert.True(File.Exists(Path.Combine(_temp.Sub("cache"), "CACHEDIR.TAG")));
    }

    [Fact]
    public void RepositoriesHaveFoldersOfTheirOwn()
    {
        var one = Open("s3 http://127.0.0.1:9000/bucket/a/");
        var two = Open("s3 http://127.0.0.1:9000/bucket/b/");
        Assert.NotEqual(one.Folder, two.Folder);
        one.Put("format", new byte[] { 1 }, null);
        Assert.Null(two.Get("format", out _));
        Assert.Equal("az://c/p\n", File.ReadAllText(Path.Combine(one.Folder, "repository.txt")));
    }

    [Fact]
    public void ADamagedOrCutShortEntryIsAMissAndGoes()
    {
        var cache = Open();
        cache.Put("objects/catalog/000000000001.cat", TestTree.Random(5000, 1), "v");
        var path = Path.Combine(cache.Folder, "objects", "catalog", "000000000001.cat");
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 1;
        File.WriteAllBytes(path, bytes);
        Assert.Null(cache.Get("objects/catalog/000000000001.cat", out _));
        Assert.False(File.Exists(path));

        cache.Put("objects/catalog/000000000001.cat", TestTree.Random(5000, 1), "v");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..100]);
        Assert.Null(cache.Get("objects/catalog/000000000001.cat", out _));

        // A damaged version, length or hash: each a miss too (the hash covers everything before it).
        foreach (var at in new[] { 12, 13, -1 })
        {
            cache.Put("objects/catalog/000000000001.cat", TestTree.Random(5000, 1), "v");
            var whole = File.ReadAllBytes(path);
            whole[at < 0 ? whole.Length + at : at] ^= 1;
            File.WriteAllBytes(path, whole);
            Assert.Null(cache.Get("objects/catalog/000000000001.cat", out _));
            Assert.False(File.Exists(path));
        }

        cache.Put("objects/catalog/000000000001.cat", TestTree.Random(5000, 1), "v");
        Assert.Equal(TestTree.Random(5000, 1), cache.Get("objects/catalog/000000000001.cat", out var version));
        Assert.Equal("v", version);
    }

    [Fact]
    public void TheWholeFolderMayBeDeletedAtAnyTime()
    {
        var cache = Open();
        cache.Put("objects/format", new byte[] { 1, 2 }, null);
        Directory.Delete(_temp.Sub("cache"), recursive: true);
        Assert.Null(cache.Get("objects/format", out _));
        cache.Put("objects/format", new byte[] { 3 }, null);
        Assert.Equal(new byte[] { 3 }, cache.Get("objects/format", out _));
    }

    [Fact]
    public void ConcurrentWritersAndReadersOfOneEntryNeverSeeHalfOfIt()
    {
        var cache = Open();
        var contents = Enumerable.Range(0, 4).Select(i => TestTree.Random(200_000, i)).ToArray();
        var bad = 0;
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            if (i % 2 == 0)
            {
                cache.Put("manifests/x.json", contents[i % 4], "v" + (i % 4));
            }
            else
            {
                var read = cache.Get("manifests/x.json", out var version);
                if (read != null && !read.AsSpan().SequenceEqual(contents[int.Parse(version![1..])]))
                {
                    Interlocked.Increment(ref bad);
                }
            }
        });
        Assert.Equal(0, bad);
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Folder, "manifests"), ".tmp-*"));
    }

    [Fact]
    public void OverItsLimitTheLeastRecentlyUsedEntriesGoFirst()
    {
        var cache = Open(limit: 100_000);
        var now = DateTime.UtcNow;
        for (var i = 0; i < 8; i++)
        {
            cache.Put($"objects/packs/0{i}/p.idx", TestTree.Random(10_000, i), null);
            File.SetLastWriteTimeUtc(Path.Combine(cache.Folder, "objects", "packs", $"0{i}", "p.idx"), now.AddHours(-10 + i));
        }

        // The oldest entry is used: it is the most recent now.
        Assert.NotNull(cache.Get("objects/packs/00/p.idx", out _));
        for (var i = 8; i < 12; i++)
        {
            cache.Put($"objects/packs/0{i}/p.idx", TestTree.Random(10_000, i), null);
        }

        cache.Trim();
        var total = Directory.EnumerateFiles(cache.Root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(total <= 100_000, $"{total} bytes kept");
        Assert.NotNull(cache.Get("objects/packs/00/p.idx", out _));
        Assert.NotNull(cache.Get("objects/packs/011/p.idx", out _));
        Assert.Null(cache.Get("objects/packs/01/p.idx", out _));
        Assert.Null(cache.Get("objects/packs/02/p.idx", out _));
    }

    [Fact]
    public void TheFolderComesFromTheEnvironmentTheWayThePlatformExpects()
    {
        string? Env(string name, Dictionary<string, string> values) => values.TryGetValue(name, out var v) ? v : null;
        Assert.Null(ObjectCache.ResolveRoot(string.Empty, _ => null));
        Assert.Equal(Path.GetFullPath("/x/y"), ObjectCache.ResolveRoot("/x/y", _ => null));
        Assert.Null(ObjectCache.ResolveRoot(null, n => Env(n, new() { [ObjectCache.FolderVariable] = "off" })));
        Assert.Equal(Path.GetFullPath("/cache/here"), ObjectCache.ResolveRoot(null, n => Env(n, new() { [ObjectCache.FolderVariable] = "/cache/here" })));
        if (!OperatingSystem.IsWindows() && !OperatingSystem.IsMacOS())
        {
            Assert.Equal("/xdg/daytona-snapshots/checkpoints", ObjectCache.ResolveRoot(null, n => Env(n, new() { ["XDG_CACHE_HOME"] = "/xdg", ["HOME"] = "/home/u" })));
            Assert.Equal("/home/u/.cache/daytona-snapshots/checkpoints", ObjectCache.ResolveRoot(null, n => Env(n, new() { ["HOME"] = "/home/u" })));
            Assert.Null(ObjectCache.ResolveRoot(null, _ => null));
        }
    }

    [Fact]
    public void AFolderThatCannotBeMadeMeansNoCacheAndSaysWhy()
    {
        var file = _temp.Sub("a-file");
        File.WriteAllText(file, "not a folder");
        var verbose = new List<string>();
        Assert.Null(ObjectCache.Open(Path.Combine(file, "cache"), "id", "az://c/p", verbose: verbose.Add));
        Assert.Contains(verbose, line => line.StartsWith("No cache for az://c/p", StringComparison.Ordinal));
    }
}
