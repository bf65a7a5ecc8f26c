using System.Diagnostics;
using System.Text.Json.Nodes;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.StorageServers;

namespace Checkpoints.Server.Tests;

/// <summary>A Fact that needs Azurite (node and tests/StorageServers' packages); skipped with the reason otherwise.</summary>
public sealed class StorageServersFactAttribute : FactAttribute
{
    public StorageServersFactAttribute()
    {
        Skip = NodeServer.WhyNot();
    }
}

/// <summary>The server program (as Start-CheckpointServer runs it) serves a repository on Azure Blob Storage (Azurite).</summary>
public sealed class ObjectStorageServingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ckpt-serve-az-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [StorageServersFact]
    public async Task ARepositoryOnAzuriteIsServedLikeAFolderOne()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var connection = AzuriteServer.ConnectionStringFor(azurite.Port);
        var app = Path.Combine(_root, "app");
        ServedRepository.Write(app, "hello.txt", "hello from azurite\n");
        var url = "az://checkpoints/served";
        var options = new StorageOptions { CacheFolder = string.Empty, Environment = name => name == "AZURE_STORAGE_CONNECTION_STRING" ? connection : null };
        string id;
        using (var storage = StorageFactory.Open(RepositoryLocation.ParseUrl(url), options))
        {
            id = CheckpointRepository.OpenOrCreate(storage).Capture(app, null, default).Id;
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { ServerProgramTests.ServerDll, "--repository", url, "--port", "0", "--ready-json", "--parent-pid", Environment.ProcessId.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AZURE_STORAGE_CONNECTION_STRING"] = connection;
        start.Environment["DAYTONA_CHECKPOINT_CACHE"] = Path.Combine(_root, "cache");
        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (string.IsNullOrEmpty(line))
            {
                Assert.Fail("no ready line: " + await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            }

            var served = (string)JsonNode.Parse(line!)!["url"]!;
            using var http = new HttpClient();
            Assert.Contains("app/", await http.GetStringAsync(served));
            Assert.Equal("hello from azurite\n", await http.GetStringAsync($"{served}app/{id}/hello.txt"));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
