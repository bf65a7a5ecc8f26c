using Checkpoints.Tests.Storage;
using Daytona.Checkpoints.Storage;

namespace Checkpoints.Tests.Retention;

/// <summary>Retention on Azure Blob Storage (Azurite on loopback).</summary>
[Collection(StorageServersCollection.Name)]
[NeedsStorageServers]
public sealed class AzureRetentionTests : RetentionSuite
{
    private readonly StorageServersFixture _servers;
    private readonly string _prefix = StorageServersFixture.NewPrefix();

    public AzureRetentionTests(StorageServersFixture servers)
    {
        _servers = servers;
    }

    protected override IObjectStorage OpenStorage(string name) => _servers.OpenAzureAsync(prefix: _prefix + "/" + name, probe: false).GetAwaiter().GetResult();
}

/// <summary>Retention on S3-compatible storage (s3rver on loopback, which ignores conditional writes: the lock fallback).</summary>
[Collection(StorageServersCollection.Name)]
[NeedsStorageServers]
public sealed class S3RetentionTests : RetentionSuite
{
    private readonly StorageServersFixture _servers;
    private readonly string _prefix = StorageServersFixture.NewPrefix();

    public S3RetentionTests(StorageServersFixture servers)
    {
        _servers = servers;
    }

    protected override IObjectStorage OpenStorage(string name) => _servers.OpenS3Async(prefix: _prefix + "/" + name, probe: false).GetAwaiter().GetResult();
}
