using System.Text.RegularExpressions;
using Daytona.Arazzo.Expressions;

namespace Arazzo.Tests.Conformance;

/// <summary>
/// swaggerexpert/arazzo-runtime-expression: every expression of its valid corpus parses, every string its tests
/// call invalid is refused, and embedded-expression extraction agrees except where the engine is deliberately
/// more lenient (listed with the reason).
/// </summary>
public class SwaggerExpertRuntimeExpressionTests
{
    private static string Folder => TestPaths.Corpus("swaggerexpert-runtime-expression");

    /// <summary>Extraction cases we answer differently, and why.</summary>
    private static readonly Dictionary<string, string> s_extractDisagreements = new()
    {
        // The reference grammar rejects the whole string when any brace is not part of an expression; the engine
        // finds every {$expression} wherever it is, so JSON text payloads like {"id": "{$inputs.id}"} interpolate.
        ["{{$url}}"] = "a stray brace around an embedded expression does not hide it",
        ["{$url}}"] = "a stray closing brace after an embedded expression does not hide it",
    };

    public static IEnumerable<object[]> ValidExpressions()
    {
        var text = File.ReadAllText(Path.Combine(Folder, "test", "fixtures", "expressions-valid.js"));
        var body = text.Substring(text.IndexOf('['), text.LastIndexOf(']') - text.IndexOf('['));
        return Regex.Matches(body, @"^\s*'((?:[^'\\]|\\.)*)',", RegexOptions.Multiline).Select(m => new object[] { m.Groups[1].Value });
    }

    public static IEnumerable<object[]> TestCalls(bool expected)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Folder, "test"), "*.js"))
        {
            var text = File.ReadAllText(file);
            var pattern = expected ? @"assert\.isTrue\(\s*test\('((?:[^'\\]|\\.)*)'\)" : @"assert\.isFalse\(\s*test\('((?:[^'\\]|\\.)*)'\)";
            foreach (Match match in Regex.Matches(text, pattern))
            {
                yield return new object[] { Path.GetFileName(file), match.Groups[1].Value };
            }

            if (!expected)
            {
                foreach (Match match in Regex.Matches(text, @"context\('((?:[^'\\]|\\.)*)'[^\n]*\n\s*specify\('should fail parsing'"))
                {
                    yield return new object[] { Path.GetFileName(file), match.Groups[1].Value == "empty string" ? string.Empty : match.Groups[1].Value };
                }
            }
        }
    }

    public static IEnumerable<object[]> ValidCalls() => TestCalls(true);

    public static IEnumerable<object[]> InvalidCalls() => TestCalls(false);

    public static IEnumerable<object[]> ExtractCases()
    {
        var text = File.ReadAllText(Path.Combine(Folder, "test", "extract.js"));
        foreach (Match match in Regex.Matches(text, @"assert\.deepEqual\(extract\('((?:[^'\\]|\\.)*)'\),\s*\[([^\]]*)\]\)"))
        {
            var expected = Regex.Matches(match.Groups[2].Value, @"'((?:[^'\\]|\\.)*)'").Select(m => m.Groups[1].Value).ToArray();
            yield return new object[] { match.Groups[1].Value, string.Join("|", expected) };
        }
    }

    [Fact]
    public void TheCorpusIsThere()
    {
        Assert.True(ValidExpressions().Count() >= 60, "expressions-valid.js should hold the valid corpus");
        Assert.True(InvalidCalls().Count() >= 10);
        Assert.True(ExtractCases().Count() >= 20);
    }

    [Theory]
    [MemberData(nameof(ValidExpressions))]
    public void EveryValidExpressionParses(string expression)
    {
        Assert.True(RuntimeExpression.TryParse(expression, out var parsed, out var error), error);
        Assert.Equal(expression, parsed!.Text);
    }

    [Theory]
    [MemberData(nameof(ValidCalls))]
    public void EveryExpressionItsTestsAcceptParses(string file, string expression) =>
        Assert.True(RuntimeExpression.TryParse(expression, out _, out var error), $"{file}: {error}");

    [Theory]
    [MemberData(nameof(InvalidCalls))]
    public void EveryStringItsTestsRejectIsRefused(string file, string text) =>
        Assert.False(RuntimeExpression.TryParse(text, out _, out _), $"{file}: '{text}' should be refused");

    [Theory]
    [MemberData(nameof(ExtractCases))]
    public void ExtractionAgrees(string template, string expected)
    {
        var found = string.Join("|", ExpressionTemplate.Embedded(template).Select(s => s.Expression!.Text));
        if (s_extractDisagreements.ContainsKey(template))
        {
            Assert.NotEqual(expected, found);
            return;
        }

        Assert.Equal(expected, found);
    }
}
