namespace Daytona.Images.Tests;

/// <summary>pathe-style paths.</summary>
public sealed class PatheTests
{
    [Theory]
    [InlineData("/a/b/../c/", "/a/c/")]
    [InlineData("a//b/./c", "a/b/c")]
    [InlineData("../x", "../x")]
    [InlineData("", ".")]
    [InlineData("C:\\dir\\file", "C:/dir/file")]
    public void NormalizeFollowsPathe(string input, string expected) => Assert.Equal(expected, Pathe.Normalize(input));

    [Fact]
    public void JoinResolveAndRelativeFollowPathe()
    {
        Assert.Equal("/ctx/src/", Pathe.Join("/ctx/", "src/"));
        Assert.Equal("/base/rel/x", Pathe.Resolve("/base", "rel/x"));
        Assert.Equal("/abs", Pathe.Resolve("/base", "/abs"));
        Assert.Equal("b/c.py", Pathe.Relative("/", "/a/src/", "/a/src/b/c.py"));
        Assert.Equal("../x", Pathe.Relative("/", "/a/b", "/a/x"));
        Assert.Equal("/a", Pathe.Dirname("/a/Dockerfile"));
        Assert.Equal("c.py", Pathe.Basename("/a/b/c.py"));
    }
}
