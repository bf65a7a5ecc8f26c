using System.Reflection;

namespace Daytona.Snapshots.Loader.Tests;

/// <summary>Where the built module and the build's tools are (found from the repository root above the test binaries).</summary>
internal static class ModulePaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ModuleFolder => Path.Combine(RepoRoot, "out", "Daytona.Snapshots");

    public static string Dependencies => Path.Combine(ModuleFolder, "Dependencies");

    public static string BindingCheck => Path.Combine(RepoRoot, "tools", "BindingCheck", "bin", Metadata("Configuration"), "net10.0", "BindingCheck.dll");

    public static string NuGetPackageRoot => Metadata("NuGetPackageRoot");

    private static string Metadata(string key) =>
        typeof(ModulePaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

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
