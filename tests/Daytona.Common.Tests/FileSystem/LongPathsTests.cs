using Daytona.Common.FileSystem;

namespace Daytona.Common.Tests.FileSystem;

/// <summary>The extended path form Windows PowerShell 5.1 needs for paths over 260 characters.</summary>
public sealed class LongPathsTests
{
    [Theory]
    [InlineData(@"C:\work\repo", @"\\?\C:\work\repo")]
    [InlineData(@"c:/work/repo", @"\\?\c:\work\repo")]
    [InlineData(@"\\server\share\folder", @"\\?\UNC\server\share\folder")]
    [InlineData(@"\\?\C:\already", @"\\?\C:\already")]
    [InlineData(@"\\?\UNC\server\share", @"\\?\UNC\server\share")]
    [InlineData(@"\\.\pipe\name", @"\\.\pipe\name")]
    [InlineData(@"relative\path", @"relative\path")]
    [InlineData("/home/dev/repo", "/home/dev/repo")]
    public void AFullPathTakesTheExtendedForm(string path, string expected) => Assert.Equal(expected, LongPaths.ToExtended(path));

    [Theory]
    [InlineData(@"\\?\C:\work\repo", @"C:\work\repo")]
    [InlineData(@"\\?\UNC\server\share\folder", @"\\server\share\folder")]
    [InlineData(@"C:\plain", @"C:\plain")]
    public void TheDisplayFormDropsThePrefix(string path, string expected) => Assert.Equal(expected, LongPaths.ForDisplay(path));

    [Fact]
    public void TheExtendedFormRoundTripsForDisplay()
    {
        var deep = @"C:\" + string.Join(@"\", Enumerable.Repeat("node_modules", 30));
        Assert.True(deep.Length > 260);
        Assert.Equal(deep, LongPaths.ForDisplay(LongPaths.ToExtended(deep)));
    }

    [Fact]
    public void PowerShell7PassesPathsThrough()
    {
        // This runtime (.NET 10) handles long paths itself on every OS: nothing is rewritten.
        Assert.False(LongPaths.Needed);
        Assert.Equal(@"C:\x", LongPaths.ForIo(@"C:\x"));
    }
}
