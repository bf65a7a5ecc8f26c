using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Daytona.Checkpoints;

namespace Checkpoints.Tests;

/// <summary>A temporary folder deleted at the end of the test.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ckpt-tests-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories))
            {
                if (!OperatingSystem.IsWindows() && (new DirectoryInfo(dir).Attributes & FileAttributes.ReparsePoint) == 0)
                {
                    File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public static class TestTree
{
    public static void Write(string root, string relative, byte[] content, DateTime? mtime = null)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, mtime ?? new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc).AddSeconds(relative.Length));
    }

    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Text-like, compressible content.</summary>
    public static byte[] Text(int length, int seed)
    {
        var random = new Random(seed);
        var words = new[] { "alpha ", "beta ", "gamma ", "delta\n", "checkpoint ", "snapshot ", "daytona ", "pulp\n" };
        var bytes = new byte[length];
        var i = 0;
        while (i < length)
        {
            var word = words[random.Next(words.Length)];
            for (var j = 0; j < word.Length && i < length; j++)
            {
                bytes[i++] = (byte)word[j];
            }
        }

        return bytes;
    }

    /// <summary>A folder with small and large files, an empty folder, nested folders, a symlink and odd modes.</summary>
    public static void Build(string root)
    {
        Directory.CreateDirectory(root);
        Write(root, "readme.txt", Text(1000, 1));
        Write(root, "empty.bin", Array.Empty<byte>());
        Write(root, "src/app/main.cs", Text(40_000, 2));
        Write(root, "src/app/util.cs", Text(300_000, 3));
        Write(root, "data/big.bin", Random(6 * 1024 * 1024 + 123, 4));
        Write(root, "data/nested/deeper/leaf.txt", Text(10, 5));
        Directory.CreateDirectory(Path.Combine(root, "empty-folder"));
        Directory.CreateDirectory(Path.Combine(root, "data/empty-inside"));
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(Path.Combine(root, "link-to-readme"), "readme.txt");
            File.CreateSymbolicLink(Path.Combine(root, "src/dangling"), "../nowhere/at/all");
            File.SetUnixFileMode(Path.Combine(root, "src/app/main.cs"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead);
            File.SetUnixFileMode(Path.Combine(root, "readme.txt"), UnixFileMode.UserRead);
            File.SetLastWriteTimeUtc(Path.Combine(root, "readme.txt"), new DateTime(2023, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567));
        }

        Directory.SetLastWriteTimeUtc(Path.Combine(root, "empty-folder"), new DateTime(2022, 2, 2, 2, 2, 2, DateTimeKind.Utc));
    }

    /// <summary>Every entry of a tree described: type, content hash, mode, mtime, link target. Compared between trees.</summary>
    public static SortedDictionary<string, string> Describe(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var info in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var relative = Path.GetRelativePath(root, info.FullName).Replace('\\', '/');
            string text;
            if (info.LinkTarget != null)
            {
                text = "link " + info.LinkTarget;
            }
            else if (info is DirectoryInfo)
            {
                text = $"dir {Mode(info)} {info.LastWriteTimeUtc.Ticks}";
            }
            else
            {
                text = $"file {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(info.FullName)))} {Mode(info)} {info.LastWriteTimeUtc.Ticks}";
            }

            result[relative] = text;
        }

        return result;
    }

    private static string Mode(FileSystemInfo info) => OperatingSystem.IsWindows() ? "-" : Convert.ToString((int)File.GetUnixFileMode(info.FullName), 8);

    public static void AssertSameTree(string expected, string actual)
    {
        var a = Describe(expected);
        var b = Describe(actual);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var key in a.Keys)
        {
            Assert.True(a[key] == b[key], $"'{key}' differs: expected {a[key]}, got {b[key]}");
        }
    }

    /// <summary>Flips a byte inside a chunk's stored frame (in its pack).</summary>
    public static void DamageChunk(CheckpointRepository repository, string hash)
    {
        Assert.True(repository.Store.TryLocate(hash, out var location));
        using var stream = new FileStream(PathOf(repository, location.PackKey), FileMode.Open, FileAccess.ReadWrite);
        stream.Position = location.Offset + (location.Length * 2 / 3);
        var b = stream.ReadByte();
        stream.Position -= 1;
        stream.WriteByte((byte)(b ^ 0x55));
    }

    /// <summary>Cuts a chunk's pack short just before the chunk: the chunk (and any after it) is lost.</summary>
    public static void LoseChunk(CheckpointRepository repository, string hash)
    {
        Assert.True(repository.Store.TryLocate(hash, out var location));
        using var stream = new FileStream(PathOf(repository, location.PackKey), FileMode.Open, FileAccess.ReadWrite);
        stream.SetLength(location.Offset);
    }

    /// <summary>The file of an object of a folder repository.</summary>
    public static string PathOf(CheckpointRepository repository, string key) => Path.Combine(repository.LocalPath!, key.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Every file under packs/ (packs and their indexes).</summary>
    public static IEnumerable<string> PackFiles(CheckpointRepository repository) =>
        Directory.Exists(Path.Combine(repository.Root, "packs"))
            ? Directory.EnumerateFiles(Path.Combine(repository.Root, "packs"), "*", SearchOption.AllDirectories).Order().ToList()
            : Enumerable.Empty<string>();

    public static CheckpointRepository NewRepository(TempFolder temp, Func<DateTime>? clock = null)
    {
        var options = new RepositoryOptions();
        if (clock != null)
        {
            options.UtcNow = clock;
        }

        return CheckpointRepository.OpenOrCreate(temp.Sub("repo"), options);
    }
}
