using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;

namespace Daytona.Snapshots.Loader.Tests;

/// <summary>
/// The resolver's decision for the requests .NET Framework sends it when the module runs in Windows PowerShell 5.1:
/// the assembly asked for, the version the requester was compiled against, and the requester itself — a real assembly
/// loaded from the built module's Dependencies/ folder (into a throwaway load context, as metadata only).
/// </summary>
public sealed class ModuleAssemblyResolverTests : IDisposable
{
    private readonly AssemblyLoadContext _requesters = new("requesters", isCollectible: true);
    private readonly DependencyFolder _folder = new(ModulePaths.Dependencies);

    public void Dispose() => _requesters.Unload();

    /// <summary>The mismatches the built module has today: references to an older version than the file shipped.</summary>
    public static TheoryData<string, string, string, string> KnownMismatches => new()
    {
        { "System.Memory", "System.Runtime.CompilerServices.Unsafe", "4.0.4.1", "b03f5f7f11d50a3a" },
        { "Azure.Identity", "Azure.Core", "1.53.0.0", "92742159e12e44c8" },
        { "AWSSDK.Core", "System.Text.Json", "6.0.0.0", "cc7b13ffcd2ddd51" },
        { "Polly.Core", "Microsoft.Bcl.AsyncInterfaces", "6.0.0.0", "cc7b13ffcd2ddd51" },
        { "Polly.Core", "System.ComponentModel.Annotations", "4.2.0.0", "b03f5f7f11d50a3a" },
        { "System.Threading.Tasks.Extensions", "System.Runtime.CompilerServices.Unsafe", "4.0.4.1", "b03f5f7f11d50a3a" },
        { "Humanizer", "System.Collections.Immutable", "9.0.0.0", "b03f5f7f11d50a3a" },
    };

    [Theory]
    [MemberData(nameof(KnownMismatches))]
    public void AKnownMismatchIsAnsweredWithTheShippedFile(string requester, string asked, string version, string token)
    {
        var requesting = LoadRequester(requester);
        var args = new ResolveEventArgs($"{asked}, Version={version}, Culture=neutral, PublicKeyToken={token}", requesting);

        var binding = ModuleAssemblyResolver.Choose(args, _folder)!;

        Assert.Equal(BindingKind.NewerShipped, binding.Kind);
        Assert.Equal(Path.Combine(_folder.Folder, asked + ".dll"), binding.Path);
        Assert.True(AssemblyName.GetAssemblyName(binding.Path!).Version > new Version(version), "the shipped file is newer than the version asked");
    }

    [Fact]
    public void EveryReferenceBetweenShippedAssembliesIsAnswered()
    {
        // Whatever Dependencies/ holds when this runs (dependencies come and go): each reference from one shipped
        // assembly to another is answered with the shipped file, mismatched version or not.
        var answered = 0;
        var mismatched = 0;
        foreach (var (file, reference) in References(_folder.Folder))
        {
            if (!_folder.TryGet(reference.Name!, out var shipped))
            {
                continue;
            }

            var binding = ModuleAssemblyResolver.Choose(new ResolveEventArgs(reference.FullName, LoadRequester(Path.GetFileNameWithoutExtension(file))), _folder)!;
            Assert.True(binding.Path == shipped.Path, $"{Path.GetFileName(file)} -> {binding}");
            answered++;
            mismatched += binding.Kind == BindingKind.NewerShipped ? 1 : 0;
        }

        Assert.True(answered > 20, $"only {answered} references between shipped assemblies");
        Assert.True(mismatched >= 4, $"only {mismatched} mismatched references; the module's known mismatches are gone (update KnownMismatches)");
    }

    [Fact]
    public void AThirdPartyAssemblyIsNotAnsweredForAnotherModulesRequester()
    {
        // Another module (Az, Microsoft.Graph) ships its own System.Memory: its request for Unsafe is left to it,
        // although a file of that name is in our folder.
        var other = Directory.CreateTempSubdirectory("other-module-");
        try
        {
            var copy = Path.Combine(other.FullName, "System.Memory.dll");
            File.Copy(Path.Combine(_folder.Folder, "System.Memory.dll"), copy);
            var requesting = _requesters.LoadFromAssemblyPath(copy);

            var binding = ModuleAssemblyResolver.Choose(new ResolveEventArgs("System.Runtime.CompilerServices.Unsafe, Version=4.0.4.1, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a", requesting), _folder)!;

            Assert.Equal(BindingKind.NotOurs, binding.Kind);
            Assert.Null(binding.Path);
        }
        finally
        {
            other.Delete(recursive: true);
        }
    }

    [Fact]
    public void TheModulesEngineIsAnsweredForAnyone()
    {
        var binding = ModuleAssemblyResolver.Choose(new ResolveEventArgs("Daytona.Api", typeof(ModuleAssemblyResolverTests).Assembly), _folder)!;

        Assert.Equal(BindingKind.Exact, binding.Kind);
        Assert.Equal(Path.Combine(_folder.Folder, "Daytona.Api.dll"), binding.Path);
    }

    [Fact]
    public void ANameThatDoesNotParseIsLeftAlone()
    {
        Assert.Null(ModuleAssemblyResolver.Choose(new ResolveEventArgs("System.Memory, Version=not-a-version"), _folder));
    }

    private Assembly LoadRequester(string name) => _requesters.LoadFromAssemblyPath(Path.Combine(_folder.Folder, name + ".dll"));

    private static IEnumerable<(string File, AssemblyName Reference)> References(string folder)
    {
        foreach (var file in Directory.GetFiles(folder, "*.dll"))
        {
            using var stream = File.OpenRead(file);
            using var pe = new PEReader(stream);
            var metadata = pe.GetMetadataReader();
            var names = metadata.AssemblyReferences.Select(h => metadata.GetAssemblyReference(h).GetAssemblyName()).ToList();
            foreach (var name in names)
            {
                yield return (file, name);
            }
        }
    }
}
