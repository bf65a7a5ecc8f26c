using Daytona.Common;

namespace Daytona.Images.Tests;

/// <summary>Shell quoting and word splitting; expected values produced by the npm package shell-quote 1.12.0, which the SDK uses.</summary>
public sealed class ShellQuoteTests
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
}
