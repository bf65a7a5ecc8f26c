using System.Reflection;

namespace Daytona.Snapshots.Tests.Harness;

/// <summary>Where things are: the repository, the built module, and ../shared beside the repository.</summary>
public static class RepoPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ModuleFolder => Path.Combine(RepoRoot, "out", "Daytona.Snapshots");

    public static string ModuleManifest => Path.Combine(ModuleFolder, "Daytona.Snapshots.psd1");

    public static string SourceManifest => Path.Combine(RepoRoot, "Daytona.Snapshots.psd1");

    /// <summary>../shared beside the repository (reference material and conformance data; never copied in).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string NuGetPackageRoot =>
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "NuGetPackageRoot").Value!;

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
