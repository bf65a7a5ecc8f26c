using Daytona.Checkpoints;
using Daytona.Common;

namespace Checkpoints.Tests;

/// <summary>
/// A fact about Linux's change notifications on a local file system (where the tests' temporary folders are): skipped
/// elsewhere, with the reason (the capture checks every folder again there, as SafetyTests shows).
/// </summary>
public sealed class WatchedFolderFactAttribute : FactAttribute
{
    public WatchedFolderFactAttribute() => Skip = WatchedFolders.Unavailable;
}

/// <summary>A theory about change notifications (see <see cref="WatchedFolderFactAttribute"/>).</summary>
public sealed class WatchedFolderTheoryAttribute : TheoryAttribute
{
    public WatchedFolderTheoryAttribute() => Skip = WatchedFolders.Unavailable;
}

internal static class WatchedFolders
{
    private static readonly string[] Local = { "ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "f2fs", "zfs", "bcachefs" };

    /// <summary>Why the temporary folder's changes are not notified here; null when they are.</summary>
    public static string? Unavailable
    {
        get
        {
            if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
            {
                return "Linux (64-bit) only: change notifications are read through inotify.";
            }

            var format = new DriveInfo(Path.GetTempPath()).DriveFormat;
            return Local.Contains(format) ? null
                : $"the temporary folder is on {format}, whose changes are not all notified; the capture checks every folder again there.";
        }
    }
}

/// <summary>
/// The proof that nothing changed since each folder was listed, from the kernel's change notifications: quiet when
/// nothing happened, not quiet after any change of an entry, and not trusted where a change could go unnotified.
/// </summary>
public sealed class ChangeWatchTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Tree()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        return source;
    }

    [WatchedFolderFact]
    public void AFolderTreeNobodyTouchesIsQuietAndItsCheckListsNothingAgain()
    {
        var source = Tree();
        var scan = FolderScan.Scan(source, null, default, parallelism: 2, watch: true);
        using var watch = scan.Watch;

        Assert.NotNull(watch);
        Assert.True(watch!.Trusted);

        // Reading files is not a change.
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).LinkTarget == null))
        {
            File.ReadAllBytes(file);
        }

        Assert.True(watch.Quiet());
        FolderScan.Recheck(source, scan, default, 2);
    }

    public static TheoryData<string> Changes => new()
    {
        "write", "append", "truncate", "time", "mode", "create", "delete", "rename-within", "rename-out", "folder-created", "folder-removed", "deep",
    };

    [WatchedFolderTheory]
    [MemberData(nameof(Changes))]
    public void AnyChangeOfAnEntryAfterTheListingIsNotified(string change)
    {
        var source = Tree();
        var outside = _temp.Sub("outside");
        Directory.CreateDirectory(outside);
        var scan = FolderScan.Scan(source, null, default, parallelism: 2, watch: true);
        using var watch = scan.Watch!;
        Assert.True(watch.Quiet());

        var file = Path.Combine(source, "src/app/util.cs");
        switch (change)
        {
            case "write": using (var stream = File.OpenWrite(file)) { stream.WriteByte((byte)'x'); } break;
            case "append": File.AppendAllText(file, "more"); break;
            case "truncate": using (var stream = File.OpenWrite(file)) { stream.SetLength(1); } break;
            case "time": File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-3)); break;
            case "mode": File.SetUnixFileMode(file, UnixFileMode.UserRead); break;
            case "create": File.WriteAllText(Path.Combine(source, "src/new.txt"), "new"); break;
            case "delete": File.Delete(file); break;
            case "rename-within": File.Move(file, file + ".old"); break;
            case "rename-out": File.Move(file, Path.Combine(outside, "util.cs")); break;
            case "folder-created": Directory.CreateDirectory(Path.Combine(source, "data/nested/late")); break;
            case "folder-removed": Directory.Delete(Path.Combine(source, "src/app"), recursive: true); break;
            case "deep": File.WriteAllText(Path.Combine(source, "data/nested/deeper.txt"), "deep"); break;
        }

        Assert.False(watch.Quiet());
    }

    [WatchedFolderFact]
    public void AChangeNotifiedSendsTheCaptureToTheFullCheckWhichNamesIt()
    {
        var source = Tree();
        var scan = FolderScan.Scan(source, null, default, parallelism: 2, watch: true);
        using var watch = scan.Watch;
        File.SetLastWriteTimeUtc(Path.Combine(source, "src/app/util.cs"), DateTime.UtcNow.AddDays(-3));

        var error = Assert.Throws<DaytonaException>(() => FolderScan.Recheck(source, scan, default, 2));

        Assert.Equal("CheckpointSourceChanged", error.ErrorId);
        Assert.Contains("'src/app/util.cs'", error.Message);
    }

    [WatchedFolderFact]
    public void AFileWithAnotherNameIsNotTrustedToBeNotified()
    {
        // A hard link: a write through the name outside the folder notifies the other folder only.
        var source = Tree();
        var outside = _temp.Sub("outside");
        Directory.CreateDirectory(outside);
        Assert.Equal(0, Link(Path.Combine(source, "src/app/util.cs"), Path.Combine(outside, "util.cs")));

        var scan = FolderScan.Scan(source, null, default, parallelism: 2, watch: true);
        using var watch = scan.Watch!;

        Assert.False(watch.Trusted);
        Assert.False(watch.Quiet());
        File.AppendAllText(Path.Combine(outside, "util.cs"), "more");
        Assert.Throws<DaytonaException>(() => FolderScan.Recheck(source, scan, default, 2));
    }

    [WatchedFolderFact]
    public void ACaptureAndAnUnchangedReCaptureOfAWatchedFolderRestoreTheFolder()
    {
        var source = Tree();
        var repository = TestTree.NewRepository(_temp);
        var first = repository.Capture(source, null, default);
        var again = repository.Capture(source, null, default);

        Assert.Equal(0, again.NewData);
        var restored = _temp.Sub("restored");
        repository.Restore(again.Id, restored, null, default);
        TestTree.AssertSameTree(source, restored);
        Assert.NotEqual(first.Id, again.Id);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string existing, string name);
}
