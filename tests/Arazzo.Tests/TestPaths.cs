namespace Arazzo.Tests;

/// <summary>Where the repository, its examples and ../shared (conformance corpora) are.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string Corpus(string name) => Path.Combine(Shared, "conformance", "arazzo", name);

    public static string SeedWorkflow => Path.Combine(RepoRoot, "examples", "workflows", "daytona-io-build-and-activate-snapshot-workflow.yml");

    private static string FindRepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Module.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Module.sln not found above " + AppContext.BaseDirectory);
    }
}
