using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Module;

/// <summary>
/// The classic binary-module clash: another module (powershell-yaml, Microsoft.Graph) has already loaded a different
/// version of a library this module depends on. The module must still work, with its own copy, in its own context.
/// </summary>
public sealed class DependencyIsolationTests
{
    private static string OldYamlDotNet =>
        Path.Combine(RepoPaths.NuGetPackageRoot, "yamldotnet", "13.7.1", "lib", "netstandard2.0", "YamlDotNet.dll");

    [Fact]
    public void AModuleWorksWhenAnotherYamlDotNetIsAlreadyLoaded()
    {
        Assert.True(File.Exists(OldYamlDotNet), "the older YamlDotNet should have been downloaded by the test project");
        using var session = ModuleSession.Create(importModule: false);

        // Another module got there first: YamlDotNet 13.7.1 in the default load context.
        var preload = session.Run("[System.Reflection.Assembly]::LoadFrom($args[0]).GetName().Version.ToString()", OldYamlDotNet).ShouldSucceed();
        Assert.Equal("13.0.0.0", preload.Output.Single().BaseObject);

        session.Import().ShouldSucceed();

        // The module's YAML reader (Daytona.Arazzo, in Dependencies/) parses with its own YamlDotNet.
        var run = session.Run(@"
            $engine = [System.Reflection.Assembly]::Load('Daytona.Arazzo')
            $node = $engine.GetType('Daytona.Arazzo.Yaml.YamlJson')::Parse(""name: demo`nsize: 3"")
            $yaml = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'YamlDotNet' }
            [pscustomobject]@{
                Json = $node.ToJsonString()
                EngineContext = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine).Name
                Loaded = @($yaml | ForEach-Object { '{0}@{1}' -f $_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name })
            }").ShouldSucceed();

        var result = run.Output.Single();
        Assert.Equal("{\"name\":\"demo\",\"size\":3}", result.Properties["Json"].Value);
        Assert.Equal("Daytona.Snapshots", result.Properties["EngineContext"].Value);
        var loaded = ((object[])result.Properties["Loaded"].Value).Select(o => o.ToString()).OrderBy(s => s).ToList();
        Assert.Equal(new[] { "13.0.0.0@Default", "16.0.0.0@Daytona.Snapshots" }, loaded);
    }

    private static string OldAzureCore =>
        Path.Combine(RepoPaths.NuGetPackageRoot, "azure.core", "1.44.1", "lib", "netstandard2.0", "Azure.Core.dll");

    [Fact]
    public void TheAzureBlobBackendWorksWhenAzAlreadyLoadedAnotherAzureCore()
    {
        Assert.True(File.Exists(OldAzureCore), "the older Azure.Core should have been downloaded by the test project");
        using var session = ModuleSession.Create(importModule: false);

        // Az.Accounts got there first: an older Azure.Core in the default load context.
        var preload = session.Run("[System.Reflection.Assembly]::LoadFrom($args[0]).GetName().Version.ToString()", OldAzureCore).ShouldSucceed();
        Assert.Equal("1.44.1.0", preload.Output.Single().BaseObject);

        session.Import().ShouldSucceed();

        // The module's Azure Blob client (Azure.Storage.Blobs on Azure.Core 1.60) builds with its own Azure.Core.
        var run = session.Run(@"
            $engine = [System.Reflection.Assembly]::Load('Daytona.Checkpoints')
            $options = [Activator]::CreateInstance($engine.GetType('Daytona.Checkpoints.Storage.StorageOptions'))
            $environment = [Func[string,string]]{ param($name) if ($name -eq 'AZURE_STORAGE_KEY') { 'a2V5' } elseif ($name -eq 'AZURE_STORAGE_ACCOUNT') { 'acct' } }
            $location = $engine.GetType('Daytona.Checkpoints.Storage.RepositoryLocation')::ParseUrl('az://checkpoints/app')
            $credentials = $engine.GetType('Daytona.Checkpoints.Storage.Azure.AzureBlobCredentials')::From($location, $environment)
            $client = $credentials.CreateClient($options)
            $core = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Azure.Core' }
            [pscustomobject]@{
                Uri = $client.Uri.ToString()
                Loaded = @($core | ForEach-Object { '{0}@{1}' -f $_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name })
            }").ShouldSucceed();

        var result = run.Output.Single();
        Assert.Equal("https://acct.blob.core.windows.net/checkpoints", result.Properties["Uri"].Value);
        var loaded = ((object[])result.Properties["Loaded"].Value).Select(o => o.ToString()).OrderBy(s => s).ToList();
        Assert.Equal(new[] { "1.44.1.0@Default", "1.60.0.0@Daytona.Snapshots" }, loaded);
    }

    private static string OldJsonSchema =>
        Path.Combine(RepoPaths.NuGetPackageRoot, "jsonschema.net", "7.4.0", "lib", "netstandard2.0", "JsonSchema.Net.dll");

    [Fact]
    public void ArazzoInputsValidateWhenAnotherJsonSchemaNetIsAlreadyLoaded()
    {
        Assert.True(File.Exists(OldJsonSchema), "the older JsonSchema.Net should have been downloaded by the test project");
        using var session = ModuleSession.Create(importModule: false);

        var preload = session.Run("[System.Reflection.Assembly]::LoadFrom($args[0]).GetName().Version.ToString()", OldJsonSchema).ShouldSucceed();
        Assert.Equal("7.0.0.0", preload.Output.Single().BaseObject);

        session.Import().ShouldSucceed();

        // The module's input validation (JSON Schema 2020-12: a boolean subschema) runs on its own JsonSchema.Net.
        var run = session.Run(@"
            $engine = [System.Reflection.Assembly]::Load('Daytona.Arazzo')
            $text = ""arazzo: 1.0.1`ninfo: {title: t, version: '1'}`nsourceDescriptions: [{name: a, url: a.yaml}]`nworkflows:`n- workflowId: w`n  inputs: {type: object, properties: {n: {type: integer}, legacy: false}}`n  steps: [{stepId: s, operationId: op}]""
            $workflow = $engine.GetType('Daytona.Arazzo.ArazzoLoader')::Parse($text, $null).Document.Workflows[0]
            $given = [System.Text.Json.Nodes.JsonNode]::Parse('{""n"":""5"",""legacy"":1}')
            $prepared = $engine.GetType('Daytona.Arazzo.Inputs.InputValidator')::Prepare($workflow, $given)
            $schema = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'JsonSchema.Net' }
            [pscustomobject]@{
                Inputs = $prepared.Item1.ToJsonString()
                Findings = @($prepared.Item2)
                Loaded = @($schema | ForEach-Object { '{0}@{1}' -f $_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name })
            }").ShouldSucceed();

        var result = run.Output.Single();
        Assert.Equal("{\"n\":5,\"legacy\":1}", result.Properties["Inputs"].Value);
        Assert.Equal(new object[] { "'legacy' is not allowed (its schema is 'false')" }, (object[])result.Properties["Findings"].Value);
        var loaded = ((object[])result.Properties["Loaded"].Value).Select(o => o.ToString()).OrderBy(s => s).ToList();
        Assert.Equal(new[] { "7.0.0.0@Default", "8.0.0.0@Daytona.Snapshots" }, loaded);
    }
}
