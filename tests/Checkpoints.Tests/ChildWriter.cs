using System.Diagnostics;

namespace Checkpoints.Tests;

/// <summary>The capture program tests run as a child process (tests/Checkpoints.CrashWriter): killable, and a new process each time.</summary>
public static class ChildWriter
{
    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = baseDirectory.Parent!.Name;
        var testsFolder = baseDirectory.Parent!.Parent!.Parent!.Parent!.FullName;
        var program = Path.Combine(testsFolder, "Checkpoints.CrashWriter", "bin", configuration, baseDirectory.Name, "Checkpoints.CrashWriter.dll");
        Assert.True(File.Exists(program), program + " is missing");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(dotnet) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
