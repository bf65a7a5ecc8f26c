namespace Daytona.Api.Tests;

/// <summary>Where the repository and the built emulator are, found from the test's own folder.</summary>
internal static class TestPaths
{
    internal static string RepoRoot
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

    internal static string EmulatorDll => Path.Combine(RepoRoot, "out", "Daytona.Snapshots", "Emulator", "Daytona.Emulator.dll");
}
