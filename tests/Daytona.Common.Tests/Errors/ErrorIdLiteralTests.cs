using System.Text.RegularExpressions;

namespace Daytona.Common.Tests.Errors;

/// <summary>
/// The catalog is the only place an error id is spelled: the sources are read and every id literal elsewhere fails
/// this test — a catalog id in quotes, or a quoted id given to an exception, an error record or an ErrorId.
/// </summary>
public sealed class ErrorIdLiteralTests
{
    private static readonly Regex[] Raisers =
    {
        new(@"new\s+Daytona(?:Api)?Exception\(\s*([^,;]*?)\s*,", RegexOptions.Singleline),
        new(@"ErrorRecords\.Create\(\s*([^,;]*?)\s*,", RegexOptions.Singleline),
        new(@"new\s+ErrorRecord\([^;]*?,\s*([^,;]*?)\s*,\s*ErrorCategory", RegexOptions.Singleline),
        new(@"ErrorId\s*(?:=|==|!=)\s*(""[^""]*"")"),
    };

    private static string RepoRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Module.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Module.sln not found above " + AppContext.BaseDirectory);
        }
    }

    private static IEnumerable<string> Sources() =>
        Directory.EnumerateFiles(Path.Combine(RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => Path.GetFileName(f) != "ErrorCatalog.cs");

    [Fact]
    public void NoSourceOutsideTheCatalogSpellsAnErrorId()
    {
        var ids = ErrorCatalog.All.Select(d => d.Id).ToList();
        var found = new List<string>();
        foreach (var file in Sources())
        {
            var text = File.ReadAllText(file);
            var relative = Path.GetRelativePath(RepoRoot, file);
            foreach (var id in ids)
            {
                foreach (Match match in Regex.Matches(text, "\"" + id + "\""))
                {
                    found.Add($"{relative}:{Line(text, match.Index)}: \"{id}\"");
                }
            }

            foreach (var raiser in Raisers)
            {
                foreach (Match match in raiser.Matches(text))
                {
                    if (match.Groups[1].Value.Contains('"'))
                    {
                        found.Add($"{relative}:{Line(text, match.Index)}: {match.Value.Split('\n')[0].Trim()}");
                    }
                }
            }
        }

        Assert.True(found.Count == 0, "Error ids spelled outside src/Daytona.Common/Errors/ErrorCatalog.cs (add the id there and use ErrorCatalog.<Id>):\n" + string.Join("\n", found));
    }

    [Fact]
    public void TheScanSeesTheSourcesAndWouldCatchALiteral()
    {
        Assert.Contains(Sources(), f => f.EndsWith("DaytonaClient.cs", StringComparison.Ordinal));
        Assert.Matches(Raisers[0], "throw new DaytonaException(\"SomethingFailed\", ErrorKind.InvalidData, \"x\");");
        Assert.Contains('"', Raisers[0].Match("throw new DaytonaException(prefix + \"Failed\", ErrorKind.InvalidData, \"x\");").Groups[1].Value);
        Assert.DoesNotContain('"', Raisers[0].Match("throw new DaytonaException(ErrorCatalog.SnapshotNotFound.Id, ErrorKind.InvalidData, \"x\");").Groups[1].Value);
    }

    private static int Line(string text, int index) => text.Take(index).Count(c => c == '\n') + 1;
}
