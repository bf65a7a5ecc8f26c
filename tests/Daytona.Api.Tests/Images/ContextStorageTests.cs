using Daytona.Api.Images;
using Daytona.Common;
using Daytona.Common.Http;
using Daytona.Images;

namespace Daytona.Api.Tests.Images;

/// <summary>
/// The build-context storage against the emulator's S3 endpoint: the AWS SDK signs (ListObjectsV2 as an SDK call, the
/// PUT through a URL it presigns), with push access's keys, region and session token; storage refuses unknown keys.
/// </summary>
public sealed class ContextStorageTests : IAsyncLifetime
{
    private ClientFixture _fixture = null!;
    private readonly string _folder = Directory.CreateTempSubdirectory("context-storage-").FullName;

    public async Task InitializeAsync() => _fixture = await ClientFixture.StartAsync();

    public async Task DisposeAsync()
    {
        await _fixture.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private IReadOnlyList<ContextArchive.Entry> Entries()
    {
        var file = Path.Combine(_folder, "app.py");
        File.WriteAllText(file, "print('hi')\n");
        return ContextArchive.Plan(file, "app.py");
    }

    [Fact]
    public async Task AContextIsListedAbsentThenPutThenListedPresent()
    {
        var access = await PushAccess.RequestAsync(_fixture.Client, CancellationToken.None);
        using var http = HttpHandlerFactory.CreateClient();
        var storage = new ContextStorage(access, http);
        var prefix = storage.PrefixFor("abc123");
        Assert.False(await storage.ExistsAsync(prefix, CancellationToken.None));
        var length = await storage.PutArchiveAsync(prefix + "context.tar", Entries(), CancellationToken.None);
        Assert.True(await storage.ExistsAsync(prefix, CancellationToken.None));
        Assert.Equal(length, _fixture.Control.ListObjects()[prefix + "context.tar"]);
        Assert.Equal(1, storage.RequestsSent);
    }

    [Fact]
    public async Task TheStorageRefusesKeysItDidNotIssueOnBothCalls()
    {
        var access = await PushAccess.RequestAsync(_fixture.Client, CancellationToken.None);
        var forged = new PushAccess("AKIANOTISSUED", "secret", "token", access.StorageUrl, access.OrganizationId, access.Bucket, access.Region);
        using var http = HttpHandlerFactory.CreateClient();
        var storage = new ContextStorage(forged, http, new ResilientHttp(new HttpResilienceOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10) }));
        var prefix = storage.PrefixFor("forged");
        var list = await Assert.ThrowsAsync<DaytonaException>(() => storage.ExistsAsync(prefix, CancellationToken.None));
        var put = await Assert.ThrowsAsync<DaytonaException>(() => storage.PutArchiveAsync(prefix + "context.tar", Entries(), CancellationToken.None));
        foreach (var error in new[] { list, put })
        {
            Assert.Equal(ErrorCatalog.ImageContextUploadFailed.Id, error.ErrorId);
            Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
            Assert.Contains("InvalidAccessKeyId", error.Message);
            Assert.DoesNotContain("secret", error.Message);
        }

        Assert.Empty(_fixture.Control.ListObjects().Keys.Where(k => k.Contains("forged")));
    }
}
