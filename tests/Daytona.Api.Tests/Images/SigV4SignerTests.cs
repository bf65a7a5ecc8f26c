using System.Globalization;
using Daytona.Api.Images;

namespace Daytona.Api.Tests.Images;

/// <summary>The signer against the worked examples of the S3 documentation ("Signature Calculations for the Authorization Header").</summary>
public sealed class SigV4SignerTests
{
    private static readonly DateTime ExampleDate = DateTime.ParseExact("20130524T000000Z", "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    private static readonly SigV4Signer Signer = new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", null, "us-east-1");

    [Fact]
    public void GetObjectExample()
    {
        var headers = new Dictionary<string, string>
        {
            ["host"] = "examplebucket.s3.amazonaws.com",
            ["range"] = "bytes=0-9",
            ["x-amz-content-sha256"] = SigV4Signer.EmptyPayloadHash,
            ["x-amz-date"] = "20130524T000000Z",
        };
        var authorization = Signer.Authorization("GET", new Uri("https://examplebucket.s3.amazonaws.com/test.txt"), headers, SigV4Signer.EmptyPayloadHash, ExampleDate);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            authorization);
    }

    [Fact]
    public void ListObjectsExample()
    {
        var headers = new Dictionary<string, string>
        {
            ["host"] = "examplebucket.s3.amazonaws.com",
            ["x-amz-content-sha256"] = SigV4Signer.EmptyPayloadHash,
            ["x-amz-date"] = "20130524T000000Z",
        };
        var authorization = Signer.Authorization("GET", new Uri("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J"), headers, SigV4Signer.EmptyPayloadHash, ExampleDate);
        Assert.EndsWith("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7", authorization);
    }

    [Fact]
    public void SignedRequestsCarryTheSessionTokenAndSignIt()
    {
        var signer = new SigV4Signer("AK", "SECRET", "TOKEN", "eu-west-1");
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9000/s3/bucket?list-type=2&prefix=org%2Fh%2F");
        signer.Sign(request, SigV4Signer.EmptyPayloadHash, ExampleDate);
        Assert.Equal("TOKEN", request.Headers.GetValues("x-amz-security-token").Single());
        var auth = request.Headers.GetValues("Authorization").Single();
        Assert.Contains("Credential=AK/20130524/eu-west-1/s3/aws4_request", auth);
        Assert.Contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token", auth);
        Assert.DoesNotContain("SECRET", auth);
    }
}
