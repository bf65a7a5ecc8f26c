using System.Reflection;

namespace Daytona.Snapshots.Loader.Tests;

/// <summary>The policy's refusals and edge cases, against the built module's Dependencies/ folder.</summary>
public sealed class BindingPolicyTests
{
    private readonly DependencyFolder _folder = new(ModulePaths.Dependencies);

    private string Requester => Path.Combine(_folder.Folder, "System.Text.Json.dll");

    [Fact]
    public void AVersionNewerThanShippedIsRefused()
    {
        // Answering with an older file than asked could hand the caller an assembly without what it uses.
        var binding = BindingPolicy.Decide(_folder, new AssemblyName("System.Buffers, Version=99.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51"), true, Requester);

        Assert.Equal(BindingKind.OlderShipped, binding.Kind);
        Assert.Null(binding.Path);
        Assert.Contains("refused", binding.ToString());
    }

    [Fact]
    public void AnotherPublishersAssemblyOfTheSameNameIsRefused()
    {
        var binding = BindingPolicy.Decide(_folder, new AssemblyName("System.Buffers, Version=4.0.2.0, Culture=neutral, PublicKeyToken=0123456789abcdef"), true, Requester);

        Assert.Equal(BindingKind.OtherPublisher, binding.Kind);
        Assert.Null(binding.Path);
    }

    [Fact]
    public void ARequestWithoutVersionOrRequesterIsAnswered()
    {
        // Assembly.Load("YamlDotNet") from a script: no version, and the runtime does not say who asks.
        var binding = BindingPolicy.Decide(_folder, new AssemblyName("YamlDotNet"), requesterKnown: false, requesterLocation: null);

        Assert.Equal(BindingKind.Exact, binding.Kind);
        Assert.Equal(Path.Combine(_folder.Folder, "YamlDotNet.dll"), binding.Path);
    }

    [Fact]
    public void AnInMemoryRequesterIsNotTheModules()
    {
        var binding = BindingPolicy.Decide(_folder, new AssemblyName("YamlDotNet"), requesterKnown: true, requesterLocation: "");

        Assert.Equal(BindingKind.NotOurs, binding.Kind);
    }

    [Fact]
    public void TheCmdletAssemblyAtTheModuleRootIsTheModules()
    {
        var binding = BindingPolicy.Decide(_folder, new AssemblyName("YamlDotNet"), true, Path.Combine(_folder.ModuleRoot, "Daytona.Snapshots.dll"));

        Assert.Equal(BindingKind.Exact, binding.Kind);
    }

    [Fact]
    public void ANameTheModuleDoesNotShipIsLeftAlone()
    {
        var binding = BindingPolicy.Decide(_folder, new AssemblyName("Newtonsoft.Json.Bson, Version=1.0.0.0"), true, Requester);

        Assert.Equal(BindingKind.NotShipped, binding.Kind);
        Assert.Null(binding.Path);
    }
}
