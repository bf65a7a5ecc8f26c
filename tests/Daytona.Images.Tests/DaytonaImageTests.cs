using Daytona.Common;

namespace Daytona.Images.Tests;

/// <summary>The image model: immutability, the working directory that relative paths resolve against, Python versions, ENV values and the build hash.</summary>
public sealed class DaytonaImageTests
{
    [Fact]
    public void EveryOperationReturnsANewImageAndLeavesItsInputAlone()
    {
        using var folder = new TempFolder();
        folder.Write("app.py", "print(1)\n");
        var start = DaytonaImage.Base("alpine");
        var withRun = start.RunCommands("echo hi");
        var withFile = withRun.AddLocalFile("app.py", "/app.py", folder.Path);
        Assert.Equal("FROM alpine\n", start.Dockerfile);
        Assert.Empty(start.Context);
        Assert.Single(start.Steps);
        Assert.Equal("FROM alpine\nRUN echo hi\n", withRun.Dockerfile);
        Assert.Empty(withRun.Context);
        Assert.Single(withFile.Context);
        Assert.Equal(3, withFile.Steps.Count);
        Assert.NotSame(start, withRun);
    }

    [Fact]
    public void AnImageKeepsTheHashesOfItsFilesAsTheyWereWhenAdded()
    {
        using var folder = new TempFolder();
        folder.Write("app.py", "one\n");
        var first = DaytonaImage.Base("alpine").AddLocalFile("app.py", "/app.py", folder.Path);
        var whenAdded = first.Context[0].Hash;
        folder.Write("app.py", "two\n");
        var derived = first.RunCommands("echo");
        var redefined = DaytonaImage.Base("alpine").AddLocalFile("app.py", "/app.py", folder.Path).RunCommands("echo");

        // Values: neither the image nor one derived from it changes when the file does afterwards.
        Assert.Equal(whenAdded, first.Context[0].Hash);
        Assert.Equal(whenAdded, derived.Context[0].Hash);
        // A definition made after the change hashes the new content, and so does the build path (ComputeHash).
        Assert.NotEqual(whenAdded, redefined.Context[0].Hash);
        Assert.Equal(redefined.Context[0].Hash, first.Context[0].ComputeHash());
        Assert.NotEqual(redefined.Hash, derived.Hash);
    }

    [Fact]
    public void RelativePathsResolveAgainstTheGivenWorkingDirectoryAndKeepTheirSpelling()
    {
        using var folder = new TempFolder();
        folder.Write("sub/app.py", "print(1)\n");
        var image = DaytonaImage.Base("alpine").AddLocalFile("sub/app.py", "/app.py", folder.Path);
        Assert.Equal("FROM alpine\nCOPY sub/app.py /app.py\n", image.Dockerfile);
        Assert.Equal(Path.Combine(folder.Path, "sub", "app.py"), image.Context[0].FullPath);
        Assert.Throws<DaytonaException>(() => DaytonaImage.Base("alpine").AddLocalFile("sub/app.py", "/app.py", Path.GetTempPath()));
    }

    [Theory]
    [InlineData("3.12", "3.12.10")]
    [InlineData("3.9", "3.9.22")]
    [InlineData(null, "3.13.3")]
    [InlineData("", "3.13.3")]
    [InlineData("3.12.4", "3.12.4")]
    [InlineData("3.10.0", "3.10.0")]
    public void PythonSeriesAndMicroVersions(string? requested, string used) =>
        Assert.StartsWith("FROM python:" + used + "-slim-bookworm\n", DaytonaImage.DebianSlim(requested).Dockerfile);

    [Theory]
    [InlineData("3.8")]
    [InlineData("3.14")]
    [InlineData("3.8.10")]
    [InlineData("3.12.x")]
    [InlineData("3")]
    public void UnsupportedPythonVersionsFail(string requested)
    {
        var error = Assert.Throws<DaytonaException>(() => DaytonaImage.DebianSlim(requested));
        Assert.Equal(ImageErrors.PythonVersionUnsupported, error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void EnvRejectsNonStringValuesNamingEveryKey()
    {
        var error = Assert.Throws<DaytonaException>(() => DaytonaImage.Base("alpine").Env(new Dictionary<string, object?> { ["A"] = "ok", ["PORT"] = 8000, ["DEBUG"] = true, ["NONE"] = null }));
        Assert.Equal("Image ENV variables must be strings. Invalid keys: PORT,DEBUG,NONE", error.Message);
    }

    [Fact]
    public void TheBuildHashIsDaytonasBuildInfoHash()
    {
        // generateBuildInfoHash: SHA-256 over the Dockerfile followed by the context hashes, sorted.
        var hash = DaytonaImage.ComputeBuildHash("FROM x\n", new[] { "bb", "aa" });
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("FROM x\naabb"u8)), hash);
    }
}
