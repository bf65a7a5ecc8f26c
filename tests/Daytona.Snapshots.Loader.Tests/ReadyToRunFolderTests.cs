using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace Daytona.Snapshots.Loader.Tests;

/// <summary>
/// The precompiled (ReadyToRun) copies of the built module (Dependencies/&lt;rid&gt;/) and how the loader picks one:
/// the running OS/architecture's folder, only a copy of the very assembly the IL file is, and requests from a
/// precompiled assembly treated as the module's own.
/// </summary>
public sealed class ReadyToRunFolderTests : IDisposable
{
    /// <summary>What tools/ReadyToRun builds on a linux-x64 host (Daytona.Snapshots.csproj, ReadyToRunRuntimeIdentifiers).</summary>
    private static readonly string[] BuiltRuntimeIdentifiers = ["linux-x64", "win-x64", "osx-arm64"];

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("readytorun-");

    public void Dispose() => _temp.Delete(recursive: true);

    private static bool BuiltHere => RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.OSArchitecture == Architecture.X64;

    [Fact]
    public void TheRuntimeIdentifierIsTheOneTheRuntimeReports()
    {
        // .NET 5+ reports the portable RID it was built for (linux-x64, osx-arm64, win-x64): the folders' names.
        Assert.Equal(RuntimeInformation.RuntimeIdentifier, ReadyToRunFolder.CurrentRuntimeIdentifier());
    }

    [Fact]
    public void TheBuiltModuleCarriesPrecompiledCopiesOfTheSameAssemblies()
    {
        var dependencies = new DependencyFolder(ModulePaths.Dependencies);
        var folders = Directory.GetDirectories(dependencies.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (BuiltHere)
        {
            Assert.Equal(BuiltRuntimeIdentifiers.Order(StringComparer.Ordinal), folders);
        }

        foreach (var rid in folders)
        {
            var folder = ReadyToRunFolder.At(dependencies, rid!)!;
            var files = Directory.GetFiles(folder.Path, "*.dll");
            Assert.Contains(files, f => Path.GetFileName(f) == "Daytona.Checkpoints.dll");
            foreach (var file in files)
            {
                Assert.True(dependencies.TryGet(Path.GetFileNameWithoutExtension(file), out var shipped), $"{rid}/{Path.GetFileName(file)} has no IL file in Dependencies/");
                Assert.Equal(file, folder.Find(shipped));
                Assert.All(BuiltRuntimeIdentifiers.Where(other => other != rid), other => Assert.False(ReadyToRunFolder.IsFor(file, other), $"{rid}/{Path.GetFileName(file)} taken for {other}"));
                Assert.False(ReadyToRunFolder.IsFor(shipped.Path, rid!), $"the IL file {Path.GetFileName(file)} taken for precompiled code");
                Assert.Equal(Mvid(shipped.Path), Mvid(file));
                Assert.True(IsReadyToRun(file), $"{rid}/{Path.GetFileName(file)} carries no native code");
                Assert.False(IsReadyToRun(shipped.Path), $"Dependencies/{Path.GetFileName(file)} should stay IL");
            }
        }
    }

    [Fact]
    public void ACopyOfAnotherVersionOrPlatformIsIgnored()
    {
        // An older build's copy must never stand in for the IL file: the IL file is the truth.
        var dependencies = Directory.CreateDirectory(Path.Combine(_temp.FullName, "Dependencies"));
        var rid = Directory.CreateDirectory(Path.Combine(dependencies.FullName, "linux-x64"));
        File.Copy(Path.Combine(ModulePaths.Dependencies, "YamlDotNet.dll"), Path.Combine(dependencies.FullName, "YamlDotNet.dll"));
        File.Copy(Path.Combine(ModulePaths.NuGetPackageRoot, "yamldotnet", "13.7.1", "lib", "netstandard2.0", "YamlDotNet.dll"), Path.Combine(rid.FullName, "YamlDotNet.dll"));
        File.Copy(Path.Combine(ModulePaths.Dependencies, "Polly.Core.dll"), Path.Combine(dependencies.FullName, "Polly.Core.dll"));
        // The built copy (a linux-x64 build host makes it); the IL file itself when there is none: no native code for linux-x64.
        var builtCopy = Path.Combine(ModulePaths.Dependencies, "linux-x64", "Polly.Core.dll");
        File.Copy(File.Exists(builtCopy) ? builtCopy : Path.Combine(ModulePaths.Dependencies, "Polly.Core.dll"), Path.Combine(rid.FullName, "Polly.Core.dll"));
        File.Copy(Path.Combine(ModulePaths.Dependencies, "ZstdSharp.dll"), Path.Combine(dependencies.FullName, "ZstdSharp.dll"));
        var otherPlatform = Path.Combine(ModulePaths.Dependencies, "win-x64", "ZstdSharp.dll");
        File.Copy(File.Exists(otherPlatform) ? otherPlatform : Path.Combine(ModulePaths.Dependencies, "ZstdSharp.dll"), Path.Combine(rid.FullName, "ZstdSharp.dll"));
        File.WriteAllText(Path.Combine(dependencies.FullName, "System.IO.Hashing.dll"), "not an assembly");
        var folder = new DependencyFolder(dependencies.FullName);

        var precompiled = ReadyToRunFolder.At(folder, "linux-x64")!;

        Assert.True(folder.TryGet("YamlDotNet", out var yaml));
        Assert.Null(precompiled.Find(yaml));
        Assert.True(folder.TryGet("Polly.Core", out var polly));
        Assert.Equal(File.Exists(builtCopy) ? Path.Combine(rid.FullName, "Polly.Core.dll") : null, precompiled.Find(polly));
        Assert.True(folder.TryGet("ZstdSharp", out var zstd));
        Assert.Null(precompiled.Find(zstd)); // another platform's code (or none): the runtime would refuse it
        Assert.Null(ReadyToRunFolder.At(folder, "osx-arm64"));
    }

    [Fact]
    public void OnThisRuntimeTheFolderOfThisPlatformIsChosen()
    {
        var dependencies = Directory.CreateDirectory(Path.Combine(_temp.FullName, "Dependencies"));
        var folder = new DependencyFolder(dependencies.FullName);
        Assert.Null(ReadyToRunFolder.ForCurrentProcess(folder));

        Directory.CreateDirectory(Path.Combine(dependencies.FullName, RuntimeInformation.RuntimeIdentifier));
        var chosen = ReadyToRunFolder.ForCurrentProcess(folder);

        Assert.NotNull(chosen);
        Assert.Equal(RuntimeInformation.RuntimeIdentifier, chosen.RuntimeIdentifier);
        Assert.Equal(Path.Combine(dependencies.FullName, RuntimeInformation.RuntimeIdentifier), chosen.Path);
    }

    [Fact]
    public void AThirdPartyAssemblyIsAnsweredForAPrecompiledEngineAssembly()
    {
        // Daytona.Checkpoints loaded from Dependencies/linux-x64/ asks for System.IO.Hashing: the module's own request.
        var folder = new DependencyFolder(ModulePaths.Dependencies);
        var requested = new AssemblyName("System.IO.Hashing, Version=11.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51");

        var fromPrecompiled = BindingPolicy.Decide(folder, requested, requesterKnown: true, Path.Combine(folder.Folder, "linux-x64", "Daytona.Checkpoints.dll"));
        var fromElsewhere = BindingPolicy.Decide(folder, requested, requesterKnown: true, Path.Combine(folder.Folder, "linux-x64", "deeper", "Other.dll"));

        Assert.Equal(Path.Combine(folder.Folder, "System.IO.Hashing.dll"), fromPrecompiled.Path);
        Assert.Equal(BindingKind.NotOurs, fromElsewhere.Kind);
    }

    private static Guid Mvid(string file)
    {
        using var pe = new PEReader(File.OpenRead(file));
        var metadata = pe.GetMetadataReader();
        return metadata.GetGuid(metadata.GetModuleDefinition().Mvid);
    }

    private static bool IsReadyToRun(string file)
    {
        using var pe = new PEReader(File.OpenRead(file));
        return pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
    }
}
