using Daytona.Checkpoints.Server.Sources;

namespace Checkpoints.Server.Tests.Sources;

public sealed class SourceNamesTests
{
    [Theory]
    [InlineData("/home/ana/src/my app", "my-app")]
    [InlineData("/srv/web/", "web")]
    [InlineData(@"C:\work\Build Output", "Build-Output")]
    [InlineData("/data/.hidden", "hidden")]
    [InlineData("/data/проект", "checkpoints")]
    [InlineData("/data/v1.2_rc~3", "v1.2_rc~3")]
    [InlineData("daytona:https://app.daytona.io/api", "daytona-app.daytona.io")]
    [InlineData("daytona:http://127.0.0.1:5123/api", "daytona-127.0.0.1-5123")]
    public void ADefaultNameIsTheFolderNameMadeUrlSafe(string source, string expected) =>
        Assert.Equal(expected, SourceNames.Default(source));

    [Theory]
    [InlineData("Release Candidate!", "Release-Candidate")]
    [InlineData("__internal", "internal")]
    [InlineData("a//b", "a-b")]
    [InlineData("...", "checkpoints")]
    public void ASlugKeepsOnlyUnreservedCharacters(string name, string expected) => Assert.Equal(expected, SourceNames.Slug(name));

    [Fact]
    public void AClashGoesToALabelFirstThenToTheOlderSourceAndTheOthersGetAStableSuffix()
    {
        var older = new SourceClaim("r\nsource:/a/app", "app", false, 100);
        var newer = new SourceClaim("r\nsource:/b/app", "app", false, 200);
        var names = SourceNames.Assign(new[] { newer, older });
        Assert.Equal("app", names[1]);
        Assert.Matches("^app-[0-9a-f]{8}$", names[0]);

        // The suffix depends on the source alone: a third source does not rename the second.
        var third = new SourceClaim("r\nsource:/c/app", "app", false, 300);
        Assert.Equal(names[0], SourceNames.Assign(new[] { older, newer, third })[1]);

        var labelled = new SourceClaim("r\nlabel:app", "app", true, 900);
        var withLabel = SourceNames.Assign(new[] { older, labelled });
        Assert.Equal("app", withLabel[1]);
        Assert.StartsWith("app-", withLabel[0]);
    }
}
