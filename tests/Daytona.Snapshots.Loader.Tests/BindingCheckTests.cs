using System.Diagnostics;

namespace Daytona.Snapshots.Loader.Tests;

/// <summary>
/// The build's binding check (tools/BindingCheck, run after the module is assembled) on the real built module and on
/// copies of it broken the ways a dependency update can break Windows PowerShell 5.1.
/// </summary>
public sealed class BindingCheckTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("binding-check-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public void TheBuiltModulePassesAndListsEachMismatchWithHowItIsResolved()
    {
        var (exit, output) = Run(ModulePaths.ModuleFolder);

        Assert.True(exit == 0, output);
        Assert.Contains("mismatch: System.Runtime.CompilerServices.Unsafe 4.0.4.1 asked by", output);
        Assert.Contains("System.Memory 4.0.1.2", output);
        Assert.Contains("resolved by the loader: answered with the shipped 6.0.0.0", output);
        Assert.Matches(@"Binding check: (\d+) mismatched versions \(\d+ references\), \1 resolved by the loader, 0 unresolved\.", output);
    }

    [Fact]
    public void AShippedFileOlderThanAskedFailsTheCheck()
    {
        var module = CopyModule();
        var old = Path.Combine(ModulePaths.NuGetPackageRoot, "yamldotnet", "13.7.1", "lib", "netstandard2.0", "YamlDotNet.dll");
        File.Copy(old, Path.Combine(module, "Dependencies", "YamlDotNet.dll"), overwrite: true);

        var (exit, output) = Run(module);

        Assert.Equal(1, exit);
        Assert.Contains("error BindingMismatchUnresolved: Daytona.Arazzo", output);
        Assert.Contains("YamlDotNet 16.0.0.0: refused, the module ships the older 13.0.0.0", output);
    }

    [Fact]
    public void AMissingDependencyFailsTheCheck()
    {
        var module = CopyModule();
        File.Delete(Path.Combine(module, "Dependencies", "System.Buffers.dll"));

        var (exit, output) = Run(module);

        Assert.Equal(1, exit);
        Assert.Contains("asks System.Buffers 4.0.2.0, which neither the module nor .NET Framework 4.7.2 provides", output);
    }

    private string CopyModule()
    {
        var module = Path.Combine(_scratch.FullName, "Daytona.Snapshots");
        Directory.CreateDirectory(Path.Combine(module, "Dependencies"));
        foreach (var file in Directory.GetFiles(ModulePaths.ModuleFolder, "*.dll").Concat(Directory.GetFiles(ModulePaths.Dependencies, "*.dll")))
        {
            File.Copy(file, Path.Combine(module, Path.GetRelativePath(ModulePaths.ModuleFolder, file)));
        }

        return module;
    }

    private static (int Exit, string Output) Run(string module)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ModulePaths.BindingCheck);
        start.ArgumentList.Add(module);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
