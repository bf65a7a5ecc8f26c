using Daytona.Api.Images;

namespace Daytona.Api.Tests.Images;

public sealed class PushAccessTests
{
    [Theory]
    [InlineData("https://s3.eu-west-1.amazonaws.com", "eu-west-1")]
    [InlineData("https://bucket.s3.us-west-2.amazonaws.com", "us-west-2")]
    [InlineData("https://s3-ap-southeast-2.amazonaws.com", "ap-southeast-2")]
    [InlineData("https://s3.dualstack.eu-central-1.amazonaws.com", "eu-central-1")]
    [InlineData("https://s3.amazonaws.com", "us-east-1")]
    [InlineData("http://127.0.0.1:9000/s3", "us-east-1")]
    [InlineData("https://minio.example.com", "us-east-1")]
    public void TheRegionComesFromAnAwsHostElseUsEast1(string url, string region) =>
        Assert.Equal(region, PushAccess.RegionOf(new Uri(url)));

    [Fact]
    public void TheRegionAndBucketGivenByPushAccessWinAndTheSecretIsNeverShown()
    {
        var access = new PushAccess("AK", "very-secret", "token", new Uri("https://s3.eu-west-1.amazonaws.com"), "org", null, "ap-south-1");
        Assert.Equal("ap-south-1", access.Region);
        Assert.Equal(PushAccess.DefaultBucket, access.Bucket);
        Assert.DoesNotContain("very-secret", access.ToString());
        Assert.DoesNotContain("token", access.ToString());
    }
}
