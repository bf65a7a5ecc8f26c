using System.Collections;
using System.Management.Automation;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Module;

public sealed class ManifestTests
{
    private static string[] ManifestCmdlets()
    {
        var manifest = ModuleSession.ReadManifest(RepoPaths.SourceManifest);
        return ((object[])manifest["CmdletsToExport"]!).Cast<string>().ToArray();
    }

    [Fact]
    public void TestModuleManifestPassesOnTheBuiltModule()
    {
        using var session = ModuleSession.Create(importModule: false);
        var run = session.Run("Test-ModuleManifest -Path $args[0] -ErrorAction Stop", RepoPaths.ModuleManifest).ShouldSucceed();

        var info = (PSModuleInfo)run.Output.Single().BaseObject;
        var manifest = ModuleSession.ReadManifest(RepoPaths.SourceManifest);
        Assert.Equal(new Version((string)manifest["ModuleVersion"]!), info.Version);
        Assert.Equal("Daytona.Snapshots.dll", Path.GetFileName(info.RootModule));
    }

    [Fact]
    public void ManifestFollowsTheModuleRules()
    {
        var manifest = ModuleSession.ReadManifest(RepoPaths.SourceManifest);
        var cmdlets = ManifestCmdlets();

        Assert.NotEmpty(cmdlets);
        Assert.DoesNotContain(cmdlets, c => c.Contains('*') || c.Contains('?'));
        Assert.Equal(cmdlets.Length, cmdlets.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (var key in new[] { "FunctionsToExport", "AliasesToExport", "VariablesToExport" })
        {
            Assert.Empty((object[])manifest[key]!);
        }

        Assert.Equal(new[] { "Desktop", "Core" }, ((object[])manifest["CompatiblePSEditions"]!).Cast<string>());
        Assert.Equal("5.1", manifest["PowerShellVersion"]);
        var psData = (Hashtable)((Hashtable)manifest["PrivateData"]!)["PSData"]!;
        Assert.NotEmpty((object[])psData["Tags"]!);
        Assert.StartsWith("https://", (string)psData["ProjectUri"]!);
        Assert.StartsWith("https://", (string)psData["LicenseUri"]!);
        Assert.False(string.IsNullOrWhiteSpace((string)psData["ReleaseNotes"]!));
    }

    [Fact]
    public void ImportExportsExactlyTheManifestList()
    {
        using var session = ModuleSession.Create();
        var run = session.Run("Get-Command -Module Daytona.Snapshots | ForEach-Object Name").ShouldSucceed();

        var exported = run.Output.Select(o => (string)o.BaseObject).OrderBy(n => n, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(ManifestCmdlets().OrderBy(n => n, StringComparer.OrdinalIgnoreCase), exported);
    }

    [Fact]
    public void EveryExportedCommandDeclaresItsOutputType()
    {
        using var session = ModuleSession.Create();
        var run = session.Run("Get-Command -Module Daytona.Snapshots | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Count = $_.OutputType.Count } }").ShouldSucceed();

        Assert.NotEmpty(run.Output);
        var missing = run.Output.Where(o => (int)o.Properties["Count"].Value == 0).Select(o => (string)o.Properties["Name"].Value).ToList();
        Assert.True(missing.Count == 0, "No [OutputType] on: " + string.Join(", ", missing));
    }

    [Fact]
    public void RemoveModuleThenImportAgainWorksInOneRunspace()
    {
        using var session = ModuleSession.Create();
        session.Run("Remove-Module Daytona.Snapshots -ErrorAction Stop").ShouldSucceed();
        Assert.Empty(session.Run("Get-Module Daytona.Snapshots").Output);

        session.Import().ShouldSucceed();
        var run = session.Run("$c = Connect-Daytona -ApiUrl 'http://127.0.0.1:1/api' -ApiKey $args[0]; $c.ApiUrl.ToString()", Secure("k")).ShouldSucceed();
        Assert.Equal("http://127.0.0.1:1/api", run.Output.Single().BaseObject);
    }

    [Fact]
    public void TheBuiltModuleKeepsEngineAssembliesInDependencies()
    {
        var root = RepoPaths.ModuleFolder;
        Assert.True(File.Exists(Path.Combine(root, "Daytona.Snapshots.dll")));
        Assert.False(File.Exists(Path.Combine(root, "Daytona.Api.dll")), "engine assemblies belong in Dependencies/");
        foreach (var name in new[] { "Daytona.Api", "Daytona.Arazzo", "Daytona.Checkpoints", "Daytona.Images", "Daytona.JsonPath", "Daytona.Common", "YamlDotNet", "Microsoft.OpenApi.Readers", "ZstdSharp" })
        {
            Assert.True(File.Exists(Path.Combine(root, "Dependencies", name + ".dll")), $"Dependencies/{name}.dll is missing");
        }

        Assert.False(File.Exists(Path.Combine(root, "Dependencies", "System.Management.Automation.dll")));
        var manifest = ModuleSession.ReadManifest(RepoPaths.ModuleManifest);
        foreach (var format in ((object[])manifest["FormatsToProcess"]!).Cast<string>())
        {
            Assert.True(File.Exists(Path.Combine(root, format)), format + " is missing from the built module");
        }
    }

    internal static System.Security.SecureString Secure(string text)
    {
        var secure = new System.Security.SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }
}
