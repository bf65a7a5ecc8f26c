using System.Management.Automation.Language;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Module;

public sealed class ScriptParseTests
{
    private static readonly string[] s_skipped = { "bin", "obj", "out", "node_modules", ".git", "TestResults" };

    public static IEnumerable<object[]> Scripts() =>
        EnumerateScripts(RepoPaths.RepoRoot)
            .Select(path => new object[] { Path.GetRelativePath(RepoPaths.RepoRoot, path) });

    [Fact]
    public void TheRepositoryHasScriptsToParse()
    {
        var scripts = Scripts().Select(s => (string)s[0]).ToList();
        Assert.Contains("build.ps1", scripts);
        Assert.Contains("Daytona.Snapshots.psd1", scripts);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ParsesWithoutErrors(string relativePath)
    {
        Parser.ParseFile(Path.Combine(RepoPaths.RepoRoot, relativePath), out _, out var errors);
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => $"{relativePath}:{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber} {e.Message}")));
    }

    private static IEnumerable<string> EnumerateScripts(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            var extension = Path.GetExtension(file);
            if (extension is ".ps1" or ".psm1" or ".psd1")
            {
                yield return file;
            }
        }

        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            if (!s_skipped.Contains(Path.GetFileName(child)))
            {
                foreach (var file in EnumerateScripts(child))
                {
                    yield return file;
                }
            }
        }
    }
}
