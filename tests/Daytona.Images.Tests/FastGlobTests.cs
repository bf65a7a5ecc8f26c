namespace Daytona.Images.Tests;

/// <summary>Globs in COPY lines, matched as fast-glob does.</summary>
public sealed class FastGlobTests
{
    [Fact]
    public void QuotedGlobsInCopyLinesMatchFilesBreadthFirstInByteOrder()
    {
        using var folder = new TempFolder();
        folder.Write("src/b.py", "b");
        folder.Write("src/a.py", "a");
        folder.Write("src/B.txt", "B");
        folder.Write("src/deep/c.py", "c");
        var image = DaytonaImage.Base("alpine").DockerfileCommands(new[] { "COPY [\"src/*.py\", \"/app/\"]", "COPY \"src/**/*.py\" /all/" }, null, false, folder.Path);
        Assert.Equal(new[] { "src/a.py", "src/b.py", "src/a.py", "src/b.py", "src/deep/c.py" }, image.Context.Select(c => c.SourcePath));
    }

    [Fact]
    public void ACycleOfLinksEnds()
    {
        using var folder = new TempFolder();
        folder.Write("d/x.py", "x");
        Directory.CreateSymbolicLink(Path.Combine(folder.Path, "d", "loop"), Path.Combine(folder.Path, "d"));
        var matches = FastGlob.Sync("d/**/x.py", folder.Path);
        Assert.Equal("d/x.py", matches[0]);
        Assert.True(matches.Count < 100);
    }

    [Theory]
    [InlineData("src/*.py", true)]
    [InlineData("src/[ab].py", true)]
    [InlineData("src/{a,b}.py", true)]
    [InlineData("src/a.py", false)]
    [InlineData("src/(a).py", false)]
    public void DynamicPatternsAreRecognisedAsFastGlobDoes(string pattern, bool dynamic) =>
        Assert.Equal(dynamic, FastGlob.IsDynamicPattern(pattern));
}
