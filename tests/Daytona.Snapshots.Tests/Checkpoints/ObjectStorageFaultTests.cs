using Daytona.Snapshots.Tests.Harness;
using Daytona.StorageServers;
using Xunit.Abstractions;

namespace Daytona.Snapshots.Tests.Checkpoints;

/// <summary>A Fact that needs Azurite/s3rver (node and tests/StorageServers' packages); skipped with the reason otherwise.</summary>
public sealed class StorageServersFactAttribute : FactAttribute
{
    public StorageServersFactAttribute()
    {
        var why = NodeServer.WhyNot();
        if (why != null)
        {
            Skip = why;
        }
    }
}

/// <summary>
/// The checkpoint cmdlets on Azure Blob Storage (Azurite) behind a proxy that drops connections (before and after the
/// server processed the request) and answers 429 and 503 on a fraction of requests: nothing is lost, no checkpoint is
/// doubled, and the retries show on the verbose stream.
/// </summary>
public sealed class ObjectStorageFaultTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ckpt-faults-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly ITestOutputHelper _output;

    public ObjectStorageFaultTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_root);
    }

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
    public async Task CaptureAndRestoreThroughDroppedConnections429And503LoseNothingAndShowTheirRetries()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        // 12% of requests fail; the SDK retries each up to MaxRetries (6) times, so a run fails only by 7 faults in a row (~1e-4).
        var faults = new FaultPlan { DropRate = 0.03, DropAfterProcessingRate = 0.03, TooManyRequestsRate = 0.03, ServerErrorRate = 0.03, RetryAfterSeconds = 1, Seed = 15 };
        await using var proxy = await FaultProxy.StartAsync(new Uri($"http://127.0.0.1:{azurite.Port}"), faults);
        var source = Path.Combine(_root, "work");
        var random = new Random(15);
        for (var i = 0; i < 24; i++)
        {
            Write(source, $"dir{i % 4}/file{i}.bin", random, 20_000 + random.Next(400_000));
        }

        var repository = "az://checkpoints/faults";
        var saved = new List<string>();
        var ids = new List<string>();
        var verbose = new List<string>();
        Environment.SetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING", AzuriteServer.ConnectionStringFor(proxy.Port));
        Environment.SetEnvironmentVariable("DAYTONA_CHECKPOINT_CACHE", Path.Combine(_root, "cache"));
        try
        {
            using var s = ModuleSession.Create();
            for (var round = 0; round < 3; round++)
            {
                if (round == 1)
                {
                    Write(source, "dir0/file0.bin", random, 300_000);
                    Write(source, "new/added.bin", random, 150_000);
                    File.Delete(Path.Combine(source, "dir3/file3.bin"));
                }

                var capture = s.Run("New-Checkpoint -Path $args[0] -Repository $args[1] -Verbose", source, repository);
                Assert.True(capture.Errors.Count == 0, string.Join("\n", capture.Errors));
                ids.Add(capture.Output.Single().Properties["Id"].Value.ToString()!);
                verbose.AddRange(capture.Verbose.Select(v => v.Message));
                var copy = Path.Combine(_root, "expected" + round);
                CopyTree(source, copy);
                saved.Add(copy);
            }

            for (var round = 0; round < 3; round++)
            {
                var restore = s.Run("Restore-Checkpoint -Repository $args[0] -Id $args[1] -Destination $args[2] -Verbose", repository, ids[round], Path.Combine(_root, "restored" + round));
                Assert.True(restore.Errors.Count == 0, string.Join("\n", restore.Errors));
                verbose.AddRange(restore.Verbose.Select(v => v.Message));
            }

            var failed = proxy.Requests.Where(r => r.Outcome != ProxyOutcome.Forwarded).ToList();
            proxy.Faults = FaultPlan.None;
            var check = s.Run("@(Get-Checkpoint -Repository $args[0]).Id; @(Test-Checkpoint -Repository $args[0] | Where-Object { -not $_.IsValid }).Count", repository);
            Assert.True(check.Errors.Count == 0, string.Join("\n", check.Errors));

            // Every capture is there once, whole, and restores byte for byte.
            var listed = check.Output.Take(check.Output.Count - 1).Select(o => o.ToString()).ToList();
            Assert.Equal(ids, listed);
            Assert.Equal(3, ids.Distinct().Count());
            Assert.Equal("0", check.Output[^1].ToString());
            for (var round = 0; round < 3; round++)
            {
                AssertSameTree(saved[round], Path.Combine(_root, "restored" + round));
            }

            // The faults happened, and their retries were said on -Verbose.
            Assert.Contains(failed, r => r.Outcome is ProxyOutcome.Dropped or ProxyOutcome.DroppedAfterProcessing);
            Assert.Contains(failed, r => r.Outcome is ProxyOutcome.TooManyRequests or ProxyOutcome.ServerError);
            var retries = verbose.Where(v => v.StartsWith("Azure Blob: retry", StringComparison.Ordinal)).ToList();
            Assert.True(retries.Count > 0, "no retry on verbose; faults: " + string.Join("; ", failed));
            _output.WriteLine($"{proxy.Requests.Count} requests after the faults were lifted; {failed.Count} faults: "
                + string.Join(", ", failed.GroupBy(r => r.Outcome).Select(g => $"{g.Key} {g.Count()}")) + $"; {retries.Count} retries on verbose");
            foreach (var r in failed)
            {
                _output.WriteLine(r.ToString());
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING", null);
            Environment.SetEnvironmentVariable("DAYTONA_CHECKPOINT_CACHE", null);
        }
    }

    private static void Write(string root, string relative, Random random, int length)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[length];
        random.NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static void AssertSameTree(string expected, string actual)
    {
        var want = Directory.EnumerateFiles(expected, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(expected, f)).Order().ToList();
        var got = Directory.EnumerateFiles(actual, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(actual, f)).Order().ToList();
        Assert.Equal(want, got);
        foreach (var file in want)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(expected, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, file))), file + " differs");
        }
    }
}
