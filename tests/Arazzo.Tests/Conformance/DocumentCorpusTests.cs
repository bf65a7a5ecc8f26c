using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;

namespace Arazzo.Tests.Conformance;

/// <summary>
/// OAI/Arazzo-Specification examples and schema tests, and BinkyLabs' operation-resolution samples: every example
/// loads and validates without errors, the schema tests pass or fail as their folder says, and operation
/// resolution is valid, invalid or ambiguous as the sample's name says.
/// </summary>
public class DocumentCorpusTests
{
    private static async Task<IReadOnlyList<Diagnostic>> Validate(string path)
    {
        var loaded = ArazzoLoader.LoadFile(path);
        return await ArazzoValidator.ValidateAsync(loaded, new SourceResolver { AllowRemote = false });
    }

    private static string Describe(IEnumerable<Diagnostic> diagnostics) => string.Join(" | ", diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));

    public static IEnumerable<object[]> OaiExamples() =>
        Directory.GetFiles(Path.Combine(TestPaths.Corpus("oai-examples"), "examples"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("arazzo:"))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetRelativePath(TestPaths.Corpus("oai-examples"), f) });

    public static IEnumerable<object[]> SchemaTests() =>
        new[] { "pass", "fail" }.SelectMany(kind =>
            Directory.GetFiles(Path.Combine(TestPaths.Corpus("oai-examples"), "schema-tests", kind), "*.yaml")
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new object[] { kind, Path.GetFileName(f) }));

    public static IEnumerable<object[]> OperationResolution() =>
        Directory.GetFiles(Path.Combine(TestPaths.Corpus("binkylabs-arazzo-dotnet"), "Samples", "OperationResolution"), "*.arazzo.yaml")
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileName(f) });

    [Fact]
    public void TheCorporaAreThere()
    {
        Assert.True(OaiExamples().Count() >= 6);
        Assert.True(SchemaTests().Count() >= 5);
        Assert.Equal(3, OperationResolution().Count());
    }

    [Theory]
    [MemberData(nameof(OaiExamples))]
    public async Task EveryOaiExampleLoadsAndValidates(string relative)
    {
        var diagnostics = await Validate(Path.Combine(TestPaths.Corpus("oai-examples"), relative));
        Assert.False(diagnostics.HasErrors(), Describe(diagnostics));
    }

    [Theory]
    [MemberData(nameof(SchemaTests))]
    public async Task SchemaTestsPassOrFailAsNamed(string kind, string file)
    {
        var diagnostics = await Validate(Path.Combine(TestPaths.Corpus("oai-examples"), "schema-tests", kind, file));
        Assert.True(diagnostics.HasErrors() == (kind == "fail"), $"{kind}/{file}:\n{Describe(diagnostics)}");
    }

    [Theory]
    [MemberData(nameof(OperationResolution))]
    public async Task OperationResolutionIsValidInvalidOrAmbiguous(string file)
    {
        var diagnostics = await Validate(Path.Combine(TestPaths.Corpus("binkylabs-arazzo-dotnet"), "Samples", "OperationResolution", file));
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        switch (file.Split('.')[0])
        {
            case "valid":
                Assert.Empty(errors);
                break;
            case "invalid":
                Assert.Equal(new[] { "UnresolvedOperation", "UnresolvedOperation" }, errors.Select(e => e.Code));
                Assert.Equal(new[] { "$.workflows[0].steps[0].operationId", "$.workflows[0].steps[1].operationPath" }, errors.Select(e => e.Location));
                break;
            case "ambiguous":
                var error = Assert.Single(errors);
                Assert.Equal("AmbiguousOperation", error.Code);
                Assert.Equal("$.workflows[0].steps[0].operationId", error.Location);
                Assert.Contains("$sourceDescriptions.<name>.listPets", error.Message);
                break;
            default:
                Assert.Fail($"{file}: the sample's name does not say what to expect");
                break;
        }
    }
}
