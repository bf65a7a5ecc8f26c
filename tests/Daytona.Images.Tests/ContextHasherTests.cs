namespace Daytona.Images.Tests;

/// <summary>Folder hashing.</summary>
public sealed class ContextHasherTests
{
    [Fact]
    public void FolderHashesCoverNamesContentAndEmptyFoldersAndSkipLinks()
    {
        using var folder = new TempFolder();
        folder.Write("d/b.txt", "b");
        folder.Write("d/a.txt", "a");
        var full = Path.Combine(folder.Path, "d");
        var first = ContextHasher.ComputeMd5(full, "d");

        // Hash = MD5("d" + "a.txt" + "a" + "b.txt" + "b"): names in byte order, each followed by its content.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("da.txtab.txtb"u8));
        Assert.Equal(expected, first);

        File.CreateSymbolicLink(Path.Combine(full, "link"), Path.Combine(full, "a.txt"));
        Assert.Equal(first, ContextHasher.ComputeMd5(full, "d"));

        Directory.CreateDirectory(Path.Combine(full, "empty"));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("da.txtab.txtbempty"u8)), ContextHasher.ComputeMd5(full, "d"));

        File.WriteAllText(Path.Combine(full, "a.txt"), "A");
        Assert.NotEqual(first, ContextHasher.ComputeMd5(full, "d"));
    }
}
