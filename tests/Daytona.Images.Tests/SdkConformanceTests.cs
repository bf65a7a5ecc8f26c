using System.Text;
using System.Text.Json;
using Daytona.Common;
using Daytona.Images;

namespace Daytona.Images.Tests;

/// <summary>
/// Every case of ../shared/conformance/images/cases.json (generated with Daytona's TypeScript SDK 0.218.0): the case's
/// SDK calls are replayed against our builder in a fresh copy of the fixture folder, and the Dockerfile, the context
/// entries with their MD5 hashes, or the error must equal what the SDK produced.
/// </summary>
public sealed class SdkConformanceTests
{
    public static IEnumerable<object[]> Cases() =>
        ConformanceData.Document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("id").GetString()! });

    [Fact]
    public void TheCorpusHasCases() => Assert.True(Cases().Count() >= 20);

    [Theory]
    [MemberData(nameof(Cases))]
    public void CaseMatchesTheSdk(string id)
    {
        var testCase = ConformanceData.Document.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);
        using var fixture = ConformanceData.CreateFixture();
        AssertMatchesSdk(testCase, fixture.Path);
    }

    /// <summary>More definitions, generated with the same SDK by Data/generate-sdk-cases.js (see there).</summary>
    public static IEnumerable<object[]> ExtraCases() =>
        ConformanceData.Extra.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("id").GetString()! });

    [Theory]
    [MemberData(nameof(ExtraCases))]
    public void ExtraCaseMatchesTheSdk(string id)
    {
        var testCase = ConformanceData.Extra.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);
        using var fixture = ConformanceData.CreateFixture(withExtras: true);
        AssertMatchesSdk(testCase, fixture.Path);
    }

    internal static void AssertMatchesSdk(JsonElement testCase, string fixturePath)
    {
        DaytonaImage? image = null;
        DaytonaException? error = null;
        try
        {
            image = SdkOps.Run(testCase.GetProperty("ops"), fixturePath);
        }
        catch (DaytonaException ex)
        {
            error = ex;
        }

        if (testCase.TryGetProperty("error", out var expectedError))
        {
            Assert.Null(image);
            Assert.NotNull(error);
            var expectedKind = expectedError.GetProperty("type").GetString() switch
            {
                "DaytonaNotFoundError" => ErrorKind.ObjectNotFound,
                "DaytonaInvalidArgumentError" => ErrorKind.InvalidArgument,
                var other => throw new InvalidOperationException("unknown SDK error type " + other),
            };
            Assert.Equal(expectedKind, error!.Kind);
            Assert.Equal(expectedError.GetProperty("message").GetString(), error.Message);
            return;
        }

        Assert.Null(error);
        Assert.Equal(testCase.GetProperty("dockerfile").GetString(), image!.Dockerfile);
        var expectedContext = testCase.GetProperty("context").EnumerateArray().ToList();
        Assert.Equal(expectedContext.Count, image.Context.Count);
        for (var i = 0; i < expectedContext.Count; i++)
        {
            var expected = expectedContext[i];
            var actual = image.Context[i];
            // The SDK records absolute source paths for fromDockerfile; the corpus stores them relative to the fixture.
            Assert.Equal(expected.GetProperty("sourcePath").GetString()!.TrimEnd('/'), RelativeToFixture(actual.SourcePath, fixturePath));
            Assert.Equal(expected.GetProperty("archivePath").GetString(), actual.ArchivePath);
            var md5 = expected.GetProperty("md5").GetString()!;
            if (md5.StartsWith("ERR", StringComparison.Ordinal))
            {
                // The SDK fails to hash a COPY source that does not exist; so do we, before any request.
                Assert.Equal(ImageErrors.FileNotFound, Assert.Throws<DaytonaException>(() => actual.ComputeHash()).ErrorId);
            }
            else
            {
                Assert.Equal(md5, actual.ComputeHash());
            }
        }
    }

    private static string RelativeToFixture(string sourcePath, string fixture) =>
        Pathe.IsAbsolute(sourcePath) ? Pathe.Relative(fixture, fixture, sourcePath) : sourcePath.TrimEnd('/');
}

/// <summary>The conformance corpus and its fixture folder.</summary>
internal static class ConformanceData
{
    private static readonly Lazy<JsonDocument> Doc = new(() => JsonDocument.Parse(File.ReadAllText(CasesPath)));
    private static readonly Lazy<JsonDocument> ExtraDoc = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot, "tests", "Daytona.Images.Tests", "Data", "sdk-extra-cases.json"))));

    public static JsonDocument Document => Doc.Value;

    public static JsonDocument Extra => ExtraDoc.Value;

    public static string CasesPath => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "conformance", "images", "cases.json"));

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Module.sln")))
            {
                dir = dir.Parent;
            }

            if (dir == null)
            {
                throw new InvalidOperationException("Module.sln not found above " + AppContext.BaseDirectory);
            }

            return dir.FullName;
        }
    }

    public static TempFolder CreateFixture(bool withExtras = false)
    {
        var folder = new TempFolder();
        var root = Document.RootElement;
        foreach (var file in root.GetProperty("fixture").EnumerateObject())
        {
            folder.Write(file.Name, Convert.FromBase64String(file.Value.GetString()!));
        }

        foreach (var dir in root.GetProperty("emptyDirs").EnumerateArray())
        {
            Directory.CreateDirectory(Path.Combine(folder.Path, dir.GetString()!));
        }

        if (withExtras)
        {
            var extra = Extra.RootElement;
            foreach (var file in extra.GetProperty("fixture").EnumerateObject())
            {
                folder.Write(file.Name, file.Value.GetString()!);
            }

            foreach (var dir in extra.GetProperty("emptyDirs").EnumerateArray())
            {
                Directory.CreateDirectory(Path.Combine(folder.Path, dir.GetString()!));
            }

            foreach (var link in extra.GetProperty("symlinks").EnumerateObject())
            {
                File.CreateSymbolicLink(Path.Combine(folder.Path, link.Name), link.Value.GetString()!);
            }
        }

        return folder;
    }
}

/// <summary>A folder under the temp directory, removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "daytona-images-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relative, string content) => Write(relative, Encoding.UTF8.GetBytes(content));

    public string Write(string relative, byte[] content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
