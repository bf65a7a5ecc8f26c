using Daytona.Common;

namespace Daytona.Images.Tests;

/// <summary>
/// The pieces under the image model: shell quoting and word splitting (expected values produced by the npm package
/// shell-quote 1.12.0, which the SDK uses), pathe-style paths, the TOML reader, folder hashing, immutability and the
/// working directory that relative paths resolve against.
/// </summary>
public sealed class EngineUnitTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", "\"it's\"")]
    [InlineData("it's!", "'it'\"'\"'s!'")]
    [InlineData("say \"hi\"", "'say \"hi\"'")]
    [InlineData("back\\slash", "'back\\slash'")]
    [InlineData("$HOME", "\\$HOME")]
    [InlineData("C:\\x", "'C:\\x'")]
    [InlineData("https://x.y/z?a=1&b=2", "https\\://x.y/z\\?a\\=1\\&b\\=2")]
    [InlineData("~user", "\\~user")]
    [InlineData("#tag", "\\#tag")]
    [InlineData("", "''")]
    [InlineData("a*b", "a\\*b")]
    [InlineData("tab\there", "'tab\there'")]
    public void QuoteMatchesShellQuote(string input, string expected) => Assert.Equal(expected, ShellQuote.Quote(input));

    [Theory]
    [InlineData("a b c", "W:a|W:b|W:c")]
    [InlineData("\"x y\" z", "W:x y|W:z")]
    [InlineData("'q r' s", "W:q r|W:s")]
    [InlineData("a\\ b c", "W:a b|W:c")]
    [InlineData("$HOME/x y", "W:/x|W:y")]
    [InlineData("${X}a b", "W:a|W:b")]
    [InlineData("a#b c", "W:a|C:b c")]
    [InlineData("a && b", "W:a|O:&&|W:b")]
    [InlineData("*.py /dst", "G:*.py|W:/dst")]
    [InlineData("\"*.py\" /dst", "W:*.py|W:/dst")]
    [InlineData("a\"b\"c d", "W:abc|W:d")]
    [InlineData("$'a\\tb' c", "W:a\tb|W:c")]
    public void ParseMatchesShellQuote(string input, string expected)
    {
        var tokens = ShellQuote.Parse(input).Select(t => t.Kind.ToString()[0] + ":" + t.Value);
        Assert.Equal(expected, string.Join("|", tokens));
    }

    [Fact]
    public void ABadSubstitutionInACopyLineIsADefinitionError()
    {
        var error = Assert.Throws<DaytonaException>(() => DaytonaImage.Base("alpine").DockerfileCommands(new[] { "COPY ${} /x" }));
        Assert.Equal(ImageErrors.DefinitionInvalid, error.ErrorId);
        Assert.StartsWith("Bad substitution", error.Message);
    }

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

    [Fact]
    public void TheBuildHashIsDaytonasBuildInfoHash()
    {
        // generateBuildInfoHash: SHA-256 over the Dockerfile followed by the context hashes, sorted.
        var hash = DaytonaImage.ComputeBuildHash("FROM x\n", new[] { "bb", "aa" });
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("FROM x\naabb"u8)), hash);
    }
}

public sealed class GlobTests
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
