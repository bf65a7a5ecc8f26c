using System.Diagnostics;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.StorageServers;

namespace Checkpoints.Tests.Storage;

/// <summary>
/// Four writer processes (each its own machine cache) capture into one repository at once, one killed at a random
/// moment in each round: afterwards every listed checkpoint verifies and restores to the tree it was taken from, every
/// capture that reported its id is listed, ids are unique. On Azurite (create-only honoured) and s3rver (ignored: the
/// commit lock). The short version of bench/ObjectStorage.Bench writers (which runs pwsh, 20 rounds).
/// </summary>
[Collection(StorageServersCollection.Name)]
[NeedsStorageServers]
public sealed class ManyWritersTests : IDisposable
{
    private const int Writers = 4;
    private const int Rounds = 2;
    private readonly StorageServersFixture _servers;
    private readonly TempFolder _temp = new();

    public ManyWritersTests(StorageServersFixture servers)
    {
        _servers = servers;
    }

    public void Dispose() => _temp.Dispose();

    [SuiteFact]
    public async Task FourWritersOnAzuriteWithOneKilledEachRoundLeaveOnlyWholeCheckpoints()
    {
        var server = await _servers.Azurite();
        await RunAsync("az://checkpoints/" + StorageServersFixture.NewPrefix(), new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = AzuriteServer.ConnectionStringFor(server.Port) },
            StorageServersFixture.AzureEnvironment(server.Port));
    }

    [SuiteFact]
    public async Task FourWritersOnS3rverThroughTheCommitLockWithOneKilledEachRoundLeaveOnlyWholeCheckpoints()
    {
        var server = await _servers.S3();
        var environment = StorageServersFixture.S3Environment(server.ServiceUrl);
        var variables = new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_S3", "AWS_REGION" }.ToDictionary(n => n, n => environment(n)!);
        await RunAsync($"s3://{S3Server.Bucket}/{StorageServersFixture.NewPrefix()}", variables, environment);
    }

    private async Task RunAsync(string url, Dictionary<string, string> variables, Func<string, string?> environment)
    {
        var random = new Random(4);
        var reported = new List<string>();
        var killed = 0;
        for (var round = 0; round < Rounds; round++)
        {
            // Two trees per round, sharing most of their content with each other and with earlier rounds.
            var sources = new[] { _temp.Sub($"a{round}"), _temp.Sub($"b{round}") };
            foreach (var (source, s) in sources.Select((x, i) => (x, i)))
            {
                for (var f = 0; f < 12; f++)
                {
                    TestTree.Write(source, $"d{f % 3}/f{f}.bin", TestTree.Random(30_000 + f * 1000, f));
                }

                TestTree.Write(source, "own.bin", TestTree.Random(200_000, 1000 + round * 10 + s));
            }

            var processes = new List<Process>();
            for (var w = 0; w < Writers; w++)
            {
                var start = ChildWriter.StartInfo(url, sources[w % 2], "1", "--reuse");
                foreach (var (name, value) in variables)
                {
                    start.Environment[name] = value;
                }

                start.Environment[Daytona.Checkpoints.Storage.Cache.ObjectCache.FolderVariable] = _temp.Sub($"cache{w}");
                processes.Add(Process.Start(start)!);
            }

            var outputs = processes.Select(p => p.StandardOutput.ReadToEndAsync()).ToList();
            var errors = processes.Select(p => p.StandardError.ReadToEndAsync()).ToList();
            var victim = random.Next(Writers);
            await Task.Delay(random.Next(200, 1500));
            if (!processes[victim].HasExited)
            {
                processes[victim].Kill(entireProcessTree: true);
                killed++;
            }

            for (var w = 0; w < Writers; w++)
            {
                await processes[w].WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
                var lines = (await outputs[w]).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                reported.AddRange(lines.Where(l => l != "started"));
                if (w != victim)
                {
                    Assert.True(processes[w].ExitCode == 0, await errors[w]);
                }

                processes[w].Dispose();
            }
        }

        using var storage = StorageFactory.Open(RepositoryLocation.ParseUrl(url), new StorageOptions { CacheFolder = string.Empty, Environment = environment });
        var repository = CheckpointRepository.Open(storage);
        var listed = repository.List();
        Assert.Equal(reported.Count, reported.Distinct().Count());
        Assert.All(reported, id => Assert.Contains(id, listed.Select(c => c.Id)));
        Assert.True(listed.Count >= Rounds * (Writers - 1), $"{listed.Count} listed, {killed} killed");
        foreach (var checkpoint in listed)
        {
            Assert.True(repository.Verify(checkpoint.Id).IsValid, checkpoint.Id);
            var restored = _temp.Sub("restored-" + checkpoint.Id);
            repository.Restore(checkpoint.Id, restored, null, default);
            TestTree.AssertSameTree(checkpoint.Source, restored);
        }
    }
}
