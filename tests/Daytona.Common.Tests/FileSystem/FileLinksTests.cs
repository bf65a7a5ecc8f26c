using System.Diagnostics;
using Daytona.Common.FileSystem;

namespace Daytona.Common.Tests.FileSystem;

/// <summary>Real links on this machine's file system: symlinks everywhere, junctions on Windows.</summary>
public sealed class FileLinksTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("file-links-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void AFileAndAFolderAreNoLinks()
    {
        var file = new FileInfo(Path.Combine(_root.FullName, "a.txt"));
        File.WriteAllText(file.FullName, "a");

        Assert.Equal(LinkKind.None, FileLinks.Classify(file));
        Assert.Equal(LinkKind.None, FileLinks.Classify(_root));
        Assert.False(FileLinks.IsLink(file));
    }

    [Fact]
    public void ASymbolicLinkIsALinkWithItsTargetAsStored()
    {
        if (OperatingSystem.IsWindows() && !CanCreateSymlinks())
        {
            return; // Windows without Developer Mode: the junction test below covers links there.
        }

        File.WriteAllText(Path.Combine(_root.FullName, "target.txt"), "t");
        var link = Path.Combine(_root.FullName, "link.txt");
        FileLinks.CreateSymbolicLink(link, "target.txt");

        var info = new FileInfo(link);
        Assert.Equal(LinkKind.SymbolicLink, FileLinks.Classify(info));
        Assert.True(FileLinks.IsLink(info));
        Assert.Equal("target.txt", FileLinks.ReadTarget(info));
    }

    [Fact]
    public void ALinkToAFolderIsCreatedAsAFolderLink()
    {
        if (OperatingSystem.IsWindows() && !CanCreateSymlinks())
        {
            return;
        }

        Directory.CreateDirectory(Path.Combine(_root.FullName, "lib"));
        File.WriteAllText(Path.Combine(_root.FullName, "lib", "x.js"), "x");
        var link = Path.Combine(_root.FullName, "current");
        FileLinks.CreateSymbolicLink(link, "lib");

        Assert.True(Directory.Exists(link));
        Assert.Equal("x", File.ReadAllText(Path.Combine(link, "x.js")));
        Assert.Equal(LinkKind.SymbolicLink, FileLinks.Classify(new DirectoryInfo(link)));
    }

    [WindowsFact("junctions")]
    public void AJunctionIsALinkToItsFolder()
    {
        var target = Directory.CreateDirectory(Path.Combine(_root.FullName, "packages")).FullName;
        var junction = Path.Combine(_root.FullName, "node_modules");
        using (var mklink = Process.Start(new ProcessStartInfo("cmd.exe", $"/c mklink /J \"{junction}\" \"{target}\"") { UseShellExecute = false, RedirectStandardOutput = true })!)
        {
            mklink.WaitForExit();
            Assert.Equal(0, mklink.ExitCode);
        }

        var info = new DirectoryInfo(junction);
        Assert.Equal(LinkKind.Junction, FileLinks.Classify(info));
        Assert.True(FileLinks.IsLink(info));
        Assert.Equal(target, FileLinks.ReadTarget(info));
    }

    private bool CanCreateSymlinks()
    {
        try
        {
            var probe = Path.Combine(_root.FullName, "probe-link");
            File.CreateSymbolicLink(probe, "nowhere");
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException || e is IOException)
        {
            return false;
        }
    }
}
