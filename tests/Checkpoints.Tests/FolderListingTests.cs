using Daytona.Checkpoints;

namespace Checkpoints.Tests;

public sealed class FolderListingTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ACaptureRecordsWhatTheFileSystemSaysOfEveryEntry()
    {
        // The capture lists folders its own way on Linux (readdir and statx): every entry must come out as .NET's
        // own file-system objects describe it, whatever its name, type, mode or time.
        var source = _temp.Sub("source");
        TestTree.Write(source, "plain.txt", TestTree.Text(1234, 1), new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(1234567));
        TestTree.Write(source, "ünïcödé ✓/名前.bin", TestTree.Random(70_000, 2));
        TestTree.Write(source, "deep/er/still/empty.dat", Array.Empty<byte>(), new DateTime(1999, 12, 31, 0, 0, 0, DateTimeKind.Utc));
        TestTree.Write(source, ".hidden", TestTree.Text(10, 3));
        Directory.CreateDirectory(Path.Combine(source, "empty folder"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(source, "plain.txt"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.SetGroup);
            File.CreateSymbolicLink(Path.Combine(source, "to-file"), "plain.txt");
            File.CreateSymbolicLink(Path.Combine(source, "to-folder"), "deep/er");
            File.CreateSymbolicLink(Path.Combine(source, "dangling"), "nowhere/at/all");
        }

        var repository = TestTree.NewRepository(_temp);
        var manifest = repository.ReadManifest(repository.Capture(source, null, default).Id);

        var expected = new DirectoryInfo(source).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
            .Where(i => !i.FullName.Contains(Path.Combine(source, "to-folder") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(i =>
            {
                var path = Path.GetRelativePath(source, i.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (i.LinkTarget != null)
                {
                    return (path, EntryType.Symlink, 0L, (int?)null, (DateTime?)null, i.LinkTarget);
                }

                int? mode = OperatingSystem.IsWindows() ? null : (int)i.UnixFileMode;
                return i is FileInfo file
                    ? (path, EntryType.File, file.Length, mode, (DateTime?)file.LastWriteTimeUtc, (string?)null)
                    : (path, EntryType.Directory, 0L, mode, (DateTime?)i.LastWriteTimeUtc, (string?)null);
            })
            .OrderBy(e => e.path, StringComparer.Ordinal)
            .ToList();
        var actual = manifest.Entries
            .Select(e => (e.Path, e.Type, e.Size, e.Mode, e.ModifiedUtc, e.Target))
            .OrderBy(e => e.Path, StringComparer.Ordinal)
            .ToList();

        Assert.Equal(expected, actual);
        Assert.Contains(actual, e => e.Path == "ünïcödé ✓/名前.bin" && e.Size == 70_000);
        Assert.Equal(new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(1234567), actual.Single(e => e.Path == "plain.txt").ModifiedUtc);

        // Unchanged: everything is reused by size and time, nothing is read or stored again.
        Thread.Sleep(1100);
        Assert.Equal(0, repository.Capture(source, null, default).NewData);
    }
}
