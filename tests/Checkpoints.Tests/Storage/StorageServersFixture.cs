using Daytona.Checkpoints.Storage;
using Daytona.StorageServers;

namespace Checkpoints.Tests.Storage;

[CollectionDefinition(Name)]
public sealed class StorageServersCollection : ICollectionFixture<StorageServersFixture>
{
    public const string Name = "storage servers";
}

/// <summary>
/// One Azurite and one s3rver for every test of the collection, each started by the first test that needs it and
/// stopped at the end; every storage opened works under a prefix of its own.
/// </summary>
public sealed class StorageServersFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Task<AzuriteServer>? _azurite;
    private Task<S3Server>? _s3;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task<AzuriteServer> Azurite()
    {
        lock (_gate)
        {
            return _azurite ??= AzuriteServer.StartAsync();
        }
    }

    public Task<S3Server> S3()
    {
        lock (_gate)
        {
            return _s3 ??= S3Server.StartAsync();
        }
    }

    /// <summary>What a user of Azurite sets.</summary>
    public static Func<string, string?> AzureEnvironment(int port) => name => name == "AZURE_STORAGE_CONNECTION_STRING" ? AzuriteServer.ConnectionStringFor(port) : null;

    /// <summary>What a user of an S3-compatible server sets.</summary>
    public static Func<string, string?> S3Environment(Uri endpoint) => name => name switch
    {
        "AWS_ACCESS_KEY_ID" => S3Server.AccessKey,
        "AWS_SECRET_ACCESS_KEY" => S3Server.SecretKey,
        "AWS_ENDPOINT_URL_S3" => endpoint.ToString(),
        "AWS_REGION" => "us-east-1",
        _ => null,
    };

    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// An Azure Blob storage on Azurite under a new prefix as the factory opens it; <paramref name="probe"/>: probed for
    /// conditional writes already (as it is before its first write). No cache unless <paramref name="options"/> names one.
    /// </summary>
    public async Task<IObjectStorage> OpenAzureAsync(StorageOptions? options = null, string? prefix = null, bool probe = true)
    {
        var server = await Azurite();
        options ??= new StorageOptions();
        options.Environment = AzureEnvironment(server.Port);
        options.CacheFolder ??= string.Empty;
        return await Probed(StorageFactory.Open(RepositoryLocation.ParseUrl($"az://checkpoints/{prefix ?? NewPrefix()}"), options), probe);
    }

    /// <summary>An S3 storage on s3rver under a new prefix as the factory opens it (see <see cref="OpenAzureAsync"/>).</summary>
    public async Task<IObjectStorage> OpenS3Async(StorageOptions? options = null, string? prefix = null, bool probe = true)
    {
        var server = await S3();
        options ??= new StorageOptions();
        options.Environment = S3Environment(server.ServiceUrl);
        options.CacheFolder ??= string.Empty;
        return await Probed(StorageFactory.Open(RepositoryLocation.ParseUrl($"s3://{S3Server.Bucket}/{prefix ?? NewPrefix()}"), options), probe);
    }

    private static async Task<IObjectStorage> Probed(IObjectStorage storage, bool probe)
    {
        if (probe)
        {
            await ((Daytona.Checkpoints.Storage.Cache.CachingStorage)storage).EnsureProbedAsync(default);
        }

        return storage;
    }

    public async Task DisposeAsync()
    {
        if (_azurite != null)
        {
            await (await _azurite).DisposeAsync();
        }

        if (_s3 != null)
        {
            await (await _s3).DisposeAsync();
        }
    }
}
