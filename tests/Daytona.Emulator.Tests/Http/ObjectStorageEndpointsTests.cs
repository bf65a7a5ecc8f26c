using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Daytona.Emulator.Tests.Http;

/// <summary>Push access and the S3-compatible endpoint, spoken in raw HTTP the way the AWS SDK speaks it.</summary>
public sealed class ObjectStorageEndpointsTests
{
    private sealed record Access(string AccessKey, string Secret, string SessionToken, Uri StorageUrl, string OrganizationId, string Bucket);

    private static async Task<Access> PushAccessAsync(EmulatorHarness emulator)
    {
        var (status, body, _) = await emulator.SendAsync(HttpMethod.Get, "object-storage/push-access");
        Assert.Equal(200, status);
        foreach (var field in new[] { "accessKey", "secret", "sessionToken", "storageUrl", "organizationId", "bucket" })
        {
            Assert.False(string.IsNullOrEmpty((string?)body![field]), field + " is missing");
        }

        return new Access((string)body!["accessKey"]!, (string)body["secret"]!, (string)body["sessionToken"]!,
            new Uri((string)body["storageUrl"]! + "/"), (string)body["organizationId"]!, (string)body["bucket"]!);
    }

    /// <summary>A request carrying a SigV4 Authorization header (the emulator reads the key, not the signature).</summary>
    private static HttpRequestMessage Signed(HttpMethod method, Uri url, string accessKey, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKey}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature={new string('0', 64)}");
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        return request;
    }

    [Fact]
    public async Task PutListHeadGetRoundTripUnderTheOrganizationFolder()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var access = await PushAccessAsync(emulator);
        Assert.Equal(emulator.Server.OrganizationId, access.OrganizationId);
        using var http = new HttpClient();
        var key = $"{access.OrganizationId}/abc123/context.tar";
        var objectUrl = new Uri(access.StorageUrl, $"{access.Bucket}/{key}");
        var listUrl = new Uri(access.StorageUrl, $"{access.Bucket}?list-type=2&prefix={Uri.EscapeDataString(access.OrganizationId + "/abc123/")}&max-keys=1");

        using (var list = await http.SendAsync(Signed(HttpMethod.Get, listUrl, access.AccessKey)))
        {
            var xml = XDocument.Parse(await list.Content.ReadAsStringAsync());
            Assert.Equal("0", xml.Root!.Elements().Single(e => e.Name.LocalName == "KeyCount").Value);
            Assert.DoesNotContain(xml.Root.Elements(), e => e.Name.LocalName == "Contents");
        }

        var content = RandomNumberGenerator.GetBytes(10_000);
        using (var put = await http.SendAsync(Signed(HttpMethod.Put, objectUrl, access.AccessKey, new ByteArrayContent(content))))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"", put.Headers.ETag!.Tag);
        }

        using (var list = await http.SendAsync(Signed(HttpMethod.Get, listUrl, access.AccessKey)))
        {
            var xml = XDocument.Parse(await list.Content.ReadAsStringAsync());
            var contents = xml.Root!.Elements().Where(e => e.Name.LocalName == "Contents").ToList();
            Assert.Single(contents);
            Assert.Equal(key, contents[0].Elements().Single(e => e.Name.LocalName == "Key").Value);
            Assert.Equal("10000", contents[0].Elements().Single(e => e.Name.LocalName == "Size").Value);
        }

        using (var head = await http.SendAsync(Signed(HttpMethod.Head, objectUrl, access.AccessKey)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(10_000, head.Content.Headers.ContentLength);
        }

        using (var get = await http.SendAsync(Signed(HttpMethod.Get, objectUrl, access.AccessKey)))
        {
            Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
        }

        using (var missing = await http.SendAsync(Signed(HttpMethod.Head, new Uri(access.StorageUrl, $"{access.Bucket}/{access.OrganizationId}/none"), access.AccessKey)))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        Assert.Equal(10_000, emulator.Server.Control.ListObjects()[key]);
    }

    [Fact]
    public async Task MultipartUploadJoinsThePartsInOrder()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var access = await PushAccessAsync(emulator);
        using var http = new HttpClient();
        var key = $"{access.OrganizationId}/multi/context.tar";
        var objectUrl = new Uri(access.StorageUrl, $"{access.Bucket}/{key}");

        string uploadId;
        using (var create = await http.SendAsync(Signed(HttpMethod.Post, new Uri(objectUrl + "?uploads"), access.AccessKey)))
        {
            var xml = XDocument.Parse(await create.Content.ReadAsStringAsync());
            Assert.Equal("InitiateMultipartUploadResult", xml.Root!.Name.LocalName);
            uploadId = xml.Root.Elements().Single(e => e.Name.LocalName == "UploadId").Value;
        }

        var parts = new[] { RandomNumberGenerator.GetBytes(5 * 1024 * 1024), RandomNumberGenerator.GetBytes(1234) };
        var etags = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            using var part = await http.SendAsync(Signed(HttpMethod.Put, new Uri($"{objectUrl}?partNumber={i + 1}&uploadId={uploadId}"), access.AccessKey, new ByteArrayContent(parts[i])));
            Assert.Equal(HttpStatusCode.OK, part.StatusCode);
            etags.Add(part.Headers.ETag!.Tag);
        }

        var complete = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + string.Concat(etags.Select((e, i) => $"<Part><ETag>{e}</ETag><PartNumber>{i + 1}</PartNumber></Part>")) + "</CompleteMultipartUpload>";
        using (var done = await http.SendAsync(Signed(HttpMethod.Post, new Uri($"{objectUrl}?uploadId={uploadId}"), access.AccessKey, new StringContent(complete, Encoding.UTF8, "application/xml"))))
        {
            var text = await done.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
            Assert.Contains("CompleteMultipartUploadResult", text);
            Assert.Contains("-2", XDocument.Parse(text).Root!.Elements().Single(e => e.Name.LocalName == "ETag").Value);
        }

        using var get = await http.SendAsync(Signed(HttpMethod.Get, objectUrl, access.AccessKey));
        Assert.Equal(parts[0].Concat(parts[1]).ToArray(), await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task AwsChunkedBodiesAreDecoded()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var access = await PushAccessAsync(emulator);
        using var http = new HttpClient();
        var key = $"{access.OrganizationId}/chunked/context.tar";
        var body = "5;chunk-signature=" + new string('a', 64) + "\r\nhello\r\n6;chunk-signature=" + new string('b', 64) + "\r\n world\r\n0;chunk-signature=" + new string('c', 64) + "\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
        var request = Signed(HttpMethod.Put, new Uri(access.StorageUrl, $"{access.Bucket}/{key}"), access.AccessKey, new StringContent(body));
        request.Headers.Remove("x-amz-content-sha256");
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
        request.Content!.Headers.ContentEncoding.Add("aws-chunked");
        using (var put = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var get = await http.SendAsync(Signed(HttpMethod.Get, new Uri(access.StorageUrl, $"{access.Bucket}/{key}"), access.AccessKey));
        Assert.Equal("hello world", await get.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OnlyHandedOutKeysTheBucketAndTheOrganizationFolderAreAllowed()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var access = await PushAccessAsync(emulator);
        using var http = new HttpClient();
        var inFolder = new Uri(access.StorageUrl, $"{access.Bucket}/{access.OrganizationId}/x/context.tar");

        using (var unsigned = await http.PutAsync(inFolder, new ByteArrayContent(new byte[1])))
        {
            Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        }

        using (var unknown = await http.SendAsync(Signed(HttpMethod.Put, inFolder, "AKIAUNKNOWN", new ByteArrayContent(new byte[1]))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode);
            Assert.Contains("<Code>InvalidAccessKeyId</Code>", await unknown.Content.ReadAsStringAsync());
        }

        using (var otherFolder = await http.SendAsync(Signed(HttpMethod.Put, new Uri(access.StorageUrl, $"{access.Bucket}/another-org/x"), access.AccessKey, new ByteArrayContent(new byte[1]))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, otherFolder.StatusCode);
            Assert.Contains("<Code>AccessDenied</Code>", await otherFolder.Content.ReadAsStringAsync());
        }

        using (var otherBucket = await http.SendAsync(Signed(HttpMethod.Get, new Uri(access.StorageUrl, "another-bucket?list-type=2"), access.AccessKey)))
        {
            Assert.Equal(HttpStatusCode.NotFound, otherBucket.StatusCode);
        }

        // A presigned URL's X-Amz-Credential works too.
        var presigned = new Uri(inFolder + $"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={Uri.EscapeDataString(access.AccessKey + "/20260101/us-east-1/s3/aws4_request")}&X-Amz-Signature=00");
        using (var put = await http.PutAsync(presigned, new ByteArrayContent(new byte[] { 42 })))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // Push access itself is an API call: bearer auth.
        using var anonymous = new HttpClient { BaseAddress = emulator.Http.BaseAddress };
        Assert.Equal(401, (await emulator.SendAsync(HttpMethod.Get, "object-storage/push-access", client: anonymous)).Status);
    }
}
