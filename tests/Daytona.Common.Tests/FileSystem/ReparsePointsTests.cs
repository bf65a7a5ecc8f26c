using System.Text;
using Daytona.Common.FileSystem;

namespace Daytona.Common.Tests.FileSystem;

/// <summary>Reparse tags and REPARSE_DATA_BUFFERs as Windows returns them, decoded on any machine.</summary>
public sealed class ReparsePointsTests
{
    [Theory]
    [InlineData(0u, LinkKind.None)]
    [InlineData(0xA000000Cu, LinkKind.SymbolicLink)]
    [InlineData(0xA0000003u, LinkKind.Junction)]
    [InlineData(0x9000001Au, LinkKind.OtherReparsePoint)] // OneDrive / cloud files placeholder
    [InlineData(0x9000601Au, LinkKind.OtherReparsePoint)] // a cloud files variant (IO_REPARSE_TAG_CLOUD_6)
    [InlineData(0x80000013u, LinkKind.OtherReparsePoint)] // deduplicated file
    [InlineData(0x80000017u, LinkKind.OtherReparsePoint)] // WOF-compressed file
    [InlineData(0x8000001Bu, LinkKind.OtherReparsePoint)] // app execution alias
    public void OnlySymlinksAndJunctionsAreLinks(uint tag, LinkKind expected) => Assert.Equal(expected, ReparsePoints.KindOf(tag));

    [Fact]
    public void AnAbsoluteSymlinkNamesItsTargetWithoutTheNtPrefix()
    {
        var buffer = Buffer(ReparsePoints.SymlinkTag, @"\??\C:\Users\dev\target", @"C:\Users\dev\target", relative: false);
        Assert.Equal(@"C:\Users\dev\target", ReparsePoints.TargetOf(buffer));
    }

    [Fact]
    public void ARelativeSymlinkKeepsItsTargetAsStored()
    {
        var buffer = Buffer(ReparsePoints.SymlinkTag, @"..\shared\lib", @"..\shared\lib", relative: true);
        Assert.Equal(@"..\shared\lib", ReparsePoints.TargetOf(buffer));
    }

    [Fact]
    public void AJunctionNamesItsFolder()
    {
        var buffer = Buffer(ReparsePoints.MountPointTag, @"\??\D:\packages\node_modules", @"D:\packages\node_modules", relative: false);
        Assert.Equal(@"D:\packages\node_modules", ReparsePoints.TargetOf(buffer));
    }

    [Fact]
    public void AJunctionToAShareNamesItAsUnc()
    {
        var buffer = Buffer(ReparsePoints.MountPointTag, @"\??\UNC\server\share\folder", string.Empty, relative: false);
        Assert.Equal(@"\\server\share\folder", ReparsePoints.TargetOf(buffer));
    }

    [Fact]
    public void APlaceholderOrATruncatedBufferHasNoTarget()
    {
        var placeholder = new byte[32];
        BitConverter.GetBytes(ReparsePoints.CloudFilesTag).CopyTo(placeholder, 0);
        Assert.Null(ReparsePoints.TargetOf(placeholder));

        var symlink = Buffer(ReparsePoints.SymlinkTag, @"\??\C:\a", @"C:\a", relative: false);
        Assert.Null(ReparsePoints.TargetOf(symlink.Take(24).ToArray()));
        Assert.Null(ReparsePoints.TargetOf(new byte[3]));
    }

    /// <summary>A REPARSE_DATA_BUFFER laid out as FSCTL_GET_REPARSE_POINT returns it (substitute name first, then print name).</summary>
    private static byte[] Buffer(uint tag, string substitute, string print, bool relative)
    {
        var substituteBytes = Encoding.Unicode.GetBytes(substitute);
        var printBytes = Encoding.Unicode.GetBytes(print);
        var header = tag == ReparsePoints.SymlinkTag ? 20 : 16;
        var buffer = new byte[header + substituteBytes.Length + printBytes.Length];
        BitConverter.GetBytes(tag).CopyTo(buffer, 0);
        BitConverter.GetBytes((ushort)(buffer.Length - 8)).CopyTo(buffer, 4);
        BitConverter.GetBytes((ushort)0).CopyTo(buffer, 8);
        BitConverter.GetBytes((ushort)substituteBytes.Length).CopyTo(buffer, 10);
        BitConverter.GetBytes((ushort)substituteBytes.Length).CopyTo(buffer, 12);
        BitConverter.GetBytes((ushort)printBytes.Length).CopyTo(buffer, 14);
        if (tag == ReparsePoints.SymlinkTag)
        {
            BitConverter.GetBytes(relative ? 1u : 0u).CopyTo(buffer, 16);
        }

        substituteBytes.CopyTo(buffer, header);
        printBytes.CopyTo(buffer, header + substituteBytes.Length);
        return buffer;
    }
}
