using Daytona.Checkpoints.Storage;
using Daytona.Common;

namespace Checkpoints.Tests.Storage;

public sealed class RepositoryLocationTests
{
    [Theory]
    [InlineData("az://checkpoints/team/app", StorageKind.AzureBlob, null, "checkpoints", "team/app/", "az://checkpoints/team/app/")]
    [InlineData("az://checkpoints", StorageKind.AzureBlob, null, "checkpoints", "", "az://checkpoints/")]
    [InlineData("AZ://checkpoints/x/", StorageKind.AzureBlob, null, "checkpoints", "x/", "az://checkpoints/x/")]
    [InlineData("s3://my.bucket-1/ci/repo", StorageKind.S3, null, "my.bucket-1", "ci/repo/", "s3://my.bucket-1/ci/repo/")]
    [InlineData("https://acct.blob.core.windows.net/ckpt/a/b", StorageKind.AzureBlob, "acct", "ckpt", "a/b/", "https://acct.blob.core.windows.net/ckpt/a/b/")]
    [InlineData("https://acct.blob.core.chinacloudapi.cn/ckpt", StorageKind.AzureBlob, "acct", "ckpt", "", "https://acct.blob.core.chinacloudapi.cn/ckpt/")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/ckpt/p", StorageKind.AzureBlob, "devstoreaccount1", "ckpt", "p/", "http://127.0.0.1:10000/devstoreaccount1/ckpt/p/")]
    public void UrlFormsNameTheStorageContainerAndPrefix(string value, StorageKind kind, string? account, string container, string prefix, string display)
    {
        Assert.True(RepositoryLocation.LooksLikeUrl(value));
        var location = RepositoryLocation.ParseUrl(value);
        Assert.Equal(kind, location.Kind);
        Assert.Equal(account, location.Account);
        Assert.Equal(container, location.Container);
        Assert.Equal(prefix, location.Prefix);
        Assert.Equal(display, location.ToString());
    }

    [Fact]
    public void ASasNeverShowsButIsKept()
    {
        var location = RepositoryLocation.ParseUrl("https://acct.blob.core.windows.net/ckpt/p?sv=2024&sig=SECRETSIG");
        Assert.Equal("sv=2024&sig=SECRETSIG", location.SasToken);
        Assert.DoesNotContain("SECRET", location.ToString());
        Assert.Equal(new Uri("https://acct.blob.core.windows.net/"), location.ServiceUri);
        var error = Assert.Throws<DaytonaException>(() => RepositoryLocation.ParseUrl("https://acct.example.com/c/p?sig=SECRETSIG"));
        Assert.DoesNotContain("SECRET", error.Message);
        Assert.Equal(StorageErrors.LocationInvalid, error.ErrorId);
    }

    [Theory]
    [InlineData("./checkpoints")]
    [InlineData("checkpoints")]
    [InlineData("C:\\repos\\x")]
    [InlineData("C:/repos/x")]
    [InlineData("\\\\server\\share\\repo")]
    [InlineData("/var/repo")]
    [InlineData("Temp:/repo")]
    [InlineData("~/repo")]
    public void PathsAreNotUrls(string value) => Assert.False(RepositoryLocation.LooksLikeUrl(value));

    [Theory]
    [InlineData("az://", "container is missing")]
    [InlineData("az://UPPER/x", "not a valid container name")]
    [InlineData("s3://b/x", "not a valid bucket name")]
    [InlineData("s3://bucket/a//b", "empty")]
    [InlineData("s3://bucket/a/../b", "'..'")]
    [InlineData("az://ckpt/p?sig=1", "no query")]
    [InlineData("ftp://host/x", "scheme 'ftp'")]
    [InlineData("https://example.com/c/p", "not an Azure Blob Storage endpoint")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", "account and the container")]
    [InlineData("https://user:pw@acct.blob.core.windows.net/c/p", "no user name")]
    public void MalformedLocationsSayWhatIsWrong(string value, string why)
    {
        var error = Assert.Throws<DaytonaException>(() => RepositoryLocation.ParseUrl(value));
        Assert.Equal(StorageErrors.LocationInvalid, error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(why, error.Message);
        Assert.DoesNotContain("pw@", error.Message);
    }
}
