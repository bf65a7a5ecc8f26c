using Daytona.Checkpoints.Storage;

namespace Checkpoints.Tests.Storage;

public sealed class RedactionTests
{
    [Theory]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0Cg==;EndpointSuffix=core.windows.net", "c2VjcmV0Cg==")]
    [InlineData("BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=2024&sig=abc%2Fdef", "abc%2Fdef")]
    [InlineData("GET https://a.blob.core.windows.net/c/x?sv=2024-08-04&sp=r&sig=abcdef%3D&se=2030", "abcdef%3D")]
    [InlineData("https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef", "deadbeef")]
    public void SecretsInConnectionStringsAndUrlsAreMasked(string text, string secret)
    {
        var redacted = Redaction.Text(text);
        Assert.DoesNotContain(secret, redacted);
        Assert.Contains(Redaction.Mask, redacted);
    }

    [Fact]
    public void AUrlIsShownWithoutItsQuery() =>
        Assert.Equal("https://a.blob.core.windows.net/c/p", Redaction.Url(new Uri("https://a.blob.core.windows.net/c/p?sv=1&sig=secret")));
}
