using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.S3;
using Daytona.Common;

namespace Checkpoints.Tests.Storage.S3;

/// <summary>What the environment supplies for an S3 repository, the AWS SDK's way.</summary>
public sealed class S3SettingsTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static S3Settings For(string location, Func<string, string?> environment) =>
        S3Settings.From(RepositoryLocation.ParseUrl(location), environment);

    [Fact]
    public void KeysTokenAndRegionComeFromTheEnvironment()
    {
        var settings = For("s3://team-checkpoints/app/ci/", Env(("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", "secret/key"), ("AWS_SESSION_TOKEN", "token"), ("AWS_REGION", "eu-west-1")));
        Assert.Equal("eu-west-1", settings.Region);
        Assert.Null(settings.Endpoint);
        Assert.Equal("s3://team-checkpoints/app/ci/", settings.Display);
        Assert.Equal(new[] { "secret/key", "token" }, settings.Secrets);
        Assert.Equal("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN", settings.Source);
        Assert.NotNull(settings.CreateClient(new StorageOptions()));
    }

    [Fact]
    public void TheServiceSpecificEndpointWinsOverTheGeneralOne()
    {
        var settings = For("s3://bucket", Env(("AWS_ENDPOINT_URL", "http://general:9000"), ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000"), ("AWS_PROFILE", "ci")));
        Assert.Equal(new Uri("http://127.0.0.1:9000"), settings.Endpoint);
        Assert.Equal("s3://bucket/ at http://127.0.0.1:9000/", settings.Display);
        Assert.Equal("the AWS SDK's default chain (profile ci)", settings.Source);
        Assert.Empty(settings.Secrets);
    }

    [Fact]
    public void ConfiguredEndpointsCanBeIgnoredAsTheSdkAllows() =>
        Assert.Null(For("s3://bucket", Env(("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"))).Endpoint);

    [Fact]
    public void AnEndpointThatIsNotAUrlIsRefused()
    {
        var error = Assert.Throws<DaytonaException>(() => For("s3://bucket", Env(("AWS_ENDPOINT_URL", "minio:9000"))));
        Assert.Equal(StorageErrors.LocationInvalid, error.ErrorId);
    }
}
