using Daytona.Common;

namespace Daytona.Images.Tests;

/// <summary>The TOML reader, as pyproject files use it.</summary>
public sealed class TomlReaderTests
{
    [Fact]
    public void TomlReaderReadsWhatPyprojectFilesUse()
    {
        var toml = TomlReader.Parse("""
            # comment
            [project]
            name = "demo"  # trailing
            dependencies = [
              "httpx>=0.27",   # with a comment
              'rich',
            ]
            description = '''
            multi
            line'''
            [project.optional-dependencies]
            dev = ["pytest", "ruff"]
            "quoted key" = { a = 1, b = [true, 2.5] }
            [[tool.items]]
            x = 0x10
            [[tool.items]]
            x = 1_000
            """);
        var project = (Dictionary<string, object>)toml["project"];
        Assert.Equal(new object[] { "httpx>=0.27", "rich" }, (List<object>)project["dependencies"]);
        Assert.Equal("multi\nline", project["description"]);
        var optional = (Dictionary<string, object>)project["optional-dependencies"];
        Assert.Equal(new object[] { "pytest", "ruff" }, (List<object>)optional["dev"]);
        Assert.Equal(1L, ((Dictionary<string, object>)optional["quoted key"])["a"]);
        var items = (List<object>)((Dictionary<string, object>)toml["tool"])["items"];
        Assert.Equal(16L, ((Dictionary<string, object>)items[0])["x"]);
        Assert.Equal(1000L, ((Dictionary<string, object>)items[1])["x"]);
    }

    [Theory]
    [InlineData("[project\nname = 1")]
    [InlineData("a = \"unterminated\n")]
    [InlineData("a = 1\na = 2")]
    public void TomlReaderRejectsInvalidDocuments(string text) => Assert.Throws<FormatException>(() => TomlReader.Parse(text));

    [Fact]
    public void AnInvalidPyprojectIsADefinitionErrorNamingTheFile()
    {
        using var folder = new TempFolder();
        folder.Write("pyproject.toml", "[project\n");
        var error = Assert.Throws<DaytonaException>(() => DaytonaImage.DebianSlim().PipInstallFromPyproject("pyproject.toml", null, folder.Path));
        Assert.Equal(ImageErrors.DefinitionInvalid, error.ErrorId);
        Assert.StartsWith("Invalid pyproject.toml file pyproject.toml: ", error.Message);
    }
}
