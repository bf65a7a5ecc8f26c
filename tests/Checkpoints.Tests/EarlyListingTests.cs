using Checkpoints.Tests.Storage;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.Common;
using Daytona.StorageServers;

namespace Checkpoints.Tests;

/// <summary>
/// Opening (or creating) a repository on object storage and capturing into it in one call, the folder listed while
/// the repository opens (<see cref="CheckpointRepository.OpenOrCreateAndCapture"/>), on Azurite and s3rver.
/// </summary>
[Collection(StorageServersCollection.Name)]
[NeedsStorageServers]
public sealed class EarlyListingTests : IDisposable
{
    private readonly StorageServersFixture _servers;
    private readonly TempFolder _temp = new();

    public EarlyListingTests(StorageServersFixture servers)
    {
        _servers = servers;
    }

    public void Dispose() => _temp.Dispose();

    [SuiteFact]
    public async Task OnAzuriteANewRepositoryIsCreatedCapturedAndRestoredAndARecaptureReusesEverything()
    {
        var server = await _servers.Azurite();
        await CaptureTwiceAndRestoreAsync($"az://checkpoints/{StorageServersFixture.NewPrefix()}", StorageServersFixture.AzureEnvironment(server.Port));
    }

    [SuiteFact]
    public async Task OnS3rverANewRepositoryIsCreatedCapturedAndRestoredAndARecaptureReusesEverything()
    {
        var server = await _servers.S3();
        await CaptureTwiceAndRestoreAsync($"s3://{S3Server.Bucket}/{StorageServersFixture.NewPrefix()}", StorageServersFixture.S3Environment(server.ServiceUrl));
    }

    [SuiteFact]
    public async Task AMissingFolderIsRefusedAndNothingIsCaptured()
    {
        var server = await _servers.Azurite();
        var location = RepositoryLocation.ParseUrl($"az://checkpoints/{StorageServersFixture.NewPrefix()}");
        var storageOptions = new StorageOptions { Environment = StorageServersFixture.AzureEnvironment(server.Port), CacheFolder = string.Empty };
        var missing = _temp.Sub("missing");
        var refused = Assert.Throws<DaytonaException>(() => CheckpointRepository.OpenOrCreateAndCapture(location, null, storageOptions, missing, null, default));
        Assert.Equal(CheckpointErrors.SourceNotFound, refused.ErrorId);
        var repository = CheckpointRepository.Open(location, null, new StorageOptions { Environment = storageOptions.Environment, CacheFolder = string.Empty });
        Assert.Empty(repository.List());
    }

    private async Task CaptureTwiceAndRestoreAsync(string url, Func<string, string?> environment)
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        TestTree.Write(source, "large/blob.bin", TestTree.Random((9 << 20) + 77, 3));
        var location = RepositoryLocation.ParseUrl(url);
        StorageOptions Options() => new() { Environment = environment, CacheFolder = _temp.Sub("cache") };

        var (created, first) = await CheckpointRepository.OpenOrCreateAndCaptureAsync(location, null, Options(), source, new CaptureOptions { Name = "first" }, default);
        Assert.Empty(first.Warnings);
        Assert.True(first.NewData > 0);
        Assert.True(first.Files > 5);

        // The repository is known to this machine now: opened from its cache, the listing still runs while it opens.
        var (_, second) = CheckpointRepository.OpenOrCreateAndCapture(location, null, Options(), source, new CaptureOptions { Name = "second" }, default);
        Assert.Equal(0, second.NewData);
        Assert.Equal(first.Files, second.Files);
        Assert.NotEqual(first.Id, second.Id);

        var restored = _temp.Sub("restored");
        created.Restore(first.Id, restored, null, default);
        TestTree.AssertSameTree(source, restored);
        var reopened = CheckpointRepository.Open(location, null, Options());
        Assert.Equal(new[] { first.Id, second.Id }, reopened.List().Select(c => c.Id).OrderBy(id => id, StringComparer.Ordinal));
    }
}
