using System.Globalization;
using System.Security;
using System.Text;
using System.Xml.Linq;
using Daytona.Emulator.Engine;

namespace Daytona.Emulator.Http;

/// <summary>
/// GET /api/object-storage/push-access and the S3-compatible endpoint it points at (path-style, under /s3).
/// Requests signed with SigV4 are accepted without checking the signature, but the access key must be one that
/// push-access handed out.
/// </summary>
internal static class ObjectStorageEndpoints
{
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    public static void Map(WebApplication app, ObjectStorage storage, EmulatorSettings settings, Func<Uri> baseUrl)
    {
        app.MapGet("/api/object-storage/push-access", () =>
        {
            var (accessKey, secret, token) = storage.IssueCredentials();
            return Results.Json(new
            {
                accessKey,
                secret,
                sessionToken = token,
                storageUrl = new Uri(baseUrl(), ObjectStorage.PathPrefix).ToString(),
                organizationId = settings.OrganizationId,
                bucket = ObjectStorage.Bucket,
                region = ObjectStorage.Region,
            }, ApiError.Json);
        });

        var prefix = ObjectStorage.PathPrefix;
        app.MapMethods(prefix + "/{bucket}", new[] { "GET", "HEAD" }, async (HttpContext context, string bucket) =>
        {
            if (!await CheckAsync(context, storage, bucket, key: null))
            {
                return;
            }

            if (HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.StatusCode = 200;
                return;
            }

            if (context.Request.Query.ContainsKey("location"))
            {
                await WriteXmlAsync(context, 200, new XElement(XName.Get("LocationConstraint", S3Namespace), ObjectStorage.Region));
                return;
            }

            await ListAsync(context, storage, bucket);
        });

        app.MapMethods(prefix + "/{bucket}/{**key}", new[] { "GET", "HEAD", "PUT", "POST", "DELETE" }, async (HttpContext context, string bucket, string key) =>
        {
            if (!await CheckAsync(context, storage, bucket, key))
            {
                return;
            }

            var query = context.Request.Query;
            switch (context.Request.Method)
            {
                case "PUT" when query.ContainsKey("uploadId") && query.ContainsKey("partNumber"):
                    await UploadPartAsync(context, storage, query["uploadId"]!, query["partNumber"]!);
                    break;
                case "PUT":
                    var stored = storage.Put(key, await ReadBodyAsync(context));
                    context.Response.Headers.ETag = stored.ETag;
                    context.Response.StatusCode = 200;
                    break;
                case "POST" when query.ContainsKey("uploads"):
                    var uploadId = storage.StartUpload(key);
                    await WriteXmlAsync(context, 200, new XElement(
                        XName.Get("InitiateMultipartUploadResult", S3Namespace),
                        Element("Bucket", bucket),
                        Element("Key", key),
                        Element("UploadId", uploadId)));
                    break;
                case "POST" when query.ContainsKey("uploadId"):
                    await CompleteAsync(context, storage, bucket, key, query["uploadId"]!);
                    break;
                case "DELETE" when query.ContainsKey("uploadId"):
                    storage.AbortUpload(query["uploadId"]!);
                    context.Response.StatusCode = 204;
                    break;
                case "DELETE":
                    storage.Delete(key);
                    context.Response.StatusCode = 204;
                    break;
                case "GET":
                case "HEAD":
                    var found = storage.Get(key);
                    if (found == null)
                    {
                        await ErrorAsync(context, 404, "NoSuchKey", "The specified key does not exist.", key);
                        return;
                    }

                    context.Response.StatusCode = 200;
                    context.Response.ContentType = "application/octet-stream";
                    context.Response.ContentLength = found.Content.Length;
                    context.Response.Headers.ETag = found.ETag;
                    context.Response.Headers.LastModified = found.LastModified.ToString("R", CultureInfo.InvariantCulture);
                    if (HttpMethods.IsGet(context.Request.Method))
                    {
                        await context.Response.Body.WriteAsync(found.Content, context.RequestAborted);
                    }

                    break;
                default:
                    await ErrorAsync(context, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.", key);
                    break;
            }
        });
    }

    private static XElement Element(string name, object? value) => new(XName.Get(name, S3Namespace), value);

    private static async Task<bool> CheckAsync(HttpContext context, ObjectStorage storage, string bucket, string? key)
    {
        var accessKey = AccessKeyOf(context.Request);
        if (accessKey == null)
        {
            await ErrorAsync(context, 403, "AccessDenied", "Access Denied", key ?? bucket);
            return false;
        }

        if (!storage.IsKnownAccessKey(accessKey))
        {
            await ErrorAsync(context, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", key ?? bucket);
            return false;
        }

        if (bucket != ObjectStorage.Bucket)
        {
            await ErrorAsync(context, 404, "NoSuchBucket", "The specified bucket does not exist", bucket);
            return false;
        }

        if (key != null && !storage.MayAccess(key))
        {
            await ErrorAsync(context, 403, "AccessDenied", "Access Denied", key);
            return false;
        }

        return true;
    }

    /// <summary>The access key of a SigV4 request (Authorization header or presigned query); the signature is not checked.</summary>
    internal static string? AccessKeyOf(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.FirstOrDefault();
        string? credential = null;
        if (authorization != null && authorization.StartsWith("AWS4-HMAC-SHA256", StringComparison.Ordinal))
        {
            var at = authorization.IndexOf("Credential=", StringComparison.Ordinal);
            if (at >= 0)
            {
                credential = authorization[(at + "Credential=".Length)..].Split(',', 2)[0].Trim();
            }
        }
        else if (request.Query.TryGetValue("X-Amz-Credential", out var query))
        {
            credential = query.FirstOrDefault();
        }

        if (string.IsNullOrEmpty(credential))
        {
            return null;
        }

        var slash = credential.IndexOf('/');
        return slash > 0 ? credential[..slash] : credential;
    }

    private static async Task ListAsync(HttpContext context, ObjectStorage storage, string bucket)
    {
        var query = context.Request.Query;
        var prefix = query["prefix"].FirstOrDefault() ?? string.Empty;
        var maxKeys = int.TryParse(query["max-keys"].FirstOrDefault(), out var m) ? Math.Clamp(m, 0, 1000) : 1000;
        var after = query["continuation-token"].FirstOrDefault() ?? query["start-after"].FirstOrDefault();
        var all = storage.List(prefix).Where(o => after == null || string.CompareOrdinal(o.Key, after) > 0).ToList();
        var page = all.Take(maxKeys).ToList();
        var truncated = all.Count > page.Count;
        var result = new XElement(
            XName.Get("ListBucketResult", S3Namespace),
            Element("Name", bucket),
            Element("Prefix", prefix),
            Element("KeyCount", page.Count),
            Element("MaxKeys", maxKeys),
            Element("IsTruncated", truncated ? "true" : "false"));
        foreach (var o in page)
        {
            result.Add(new XElement(
                XName.Get("Contents", S3Namespace),
                Element("Key", o.Key),
                Element("LastModified", o.LastModified.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
                Element("ETag", o.ETag),
                Element("Size", o.Content.Length),
                Element("StorageClass", "STANDARD")));
        }

        if (truncated && page.Count > 0)
        {
            result.Add(Element("NextContinuationToken", page[^1].Key));
        }

        await WriteXmlAsync(context, 200, result);
    }

    private static async Task UploadPartAsync(HttpContext context, ObjectStorage storage, string uploadId, string partNumber)
    {
        var upload = storage.FindUpload(uploadId);
        if (upload == null)
        {
            await ErrorAsync(context, 404, "NoSuchUpload", "The specified upload does not exist.", uploadId);
            return;
        }

        if (!int.TryParse(partNumber, out var number) || number is < 1 or > 10000)
        {
            await ErrorAsync(context, 400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", partNumber);
            return;
        }

        context.Response.Headers.ETag = storage.PutPart(upload, number, await ReadBodyAsync(context));
        context.Response.StatusCode = 200;
    }

    private static async Task CompleteAsync(HttpContext context, ObjectStorage storage, string bucket, string key, string uploadId)
    {
        var parts = new List<(int, string?)>();
        var body = Encoding.UTF8.GetString(await ReadBodyAsync(context));
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                var document = XDocument.Parse(body);
                foreach (var part in document.Descendants().Where(e => e.Name.LocalName == "Part"))
                {
                    var number = part.Elements().FirstOrDefault(e => e.Name.LocalName == "PartNumber")?.Value;
                    var etag = part.Elements().FirstOrDefault(e => e.Name.LocalName == "ETag")?.Value;
                    parts.Add((int.Parse(number ?? "0", CultureInfo.InvariantCulture), etag));
                }
            }
            catch (Exception e) when (e is System.Xml.XmlException or FormatException)
            {
                await ErrorAsync(context, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.", key);
                return;
            }
        }

        if (storage.FindUpload(uploadId) == null)
        {
            await ErrorAsync(context, 404, "NoSuchUpload", "The specified upload does not exist.", uploadId);
            return;
        }

        var stored = storage.Complete(uploadId, parts);
        if (stored == null)
        {
            await ErrorAsync(context, 400, "InvalidPart", "One or more of the specified parts could not be found.", key);
            return;
        }

        var location = new Uri(new Uri(context.Request.Scheme + "://" + context.Request.Host), $"{ObjectStorage.PathPrefix}/{bucket}/{key}");
        await WriteXmlAsync(context, 200, new XElement(
            XName.Get("CompleteMultipartUploadResult", S3Namespace),
            Element("Location", location.ToString()),
            Element("Bucket", bucket),
            Element("Key", key),
            Element("ETag", stored.ETag)));
    }

    /// <summary>The request body, with aws-chunked content encoding (streaming SigV4, trailing checksums) undone.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var raw = buffer.ToArray();
        var sha = context.Request.Headers["x-amz-content-sha256"].FirstOrDefault() ?? string.Empty;
        var encoding = context.Request.Headers.ContentEncoding.FirstOrDefault() ?? string.Empty;
        if (sha.StartsWith("STREAMING-", StringComparison.Ordinal) || encoding.Contains("aws-chunked", StringComparison.OrdinalIgnoreCase))
        {
            return DecodeAwsChunked(raw);
        }

        return raw;
    }

    internal static byte[] DecodeAwsChunked(byte[] raw)
    {
        using var output = new MemoryStream();
        var position = 0;
        while (position < raw.Length)
        {
            var lineEnd = IndexOfCrLf(raw, position);
            if (lineEnd < 0)
            {
                break;
            }

            var header = Encoding.ASCII.GetString(raw, position, lineEnd - position);
            var sizeText = header.Split(';', 2)[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size))
            {
                break;
            }

            position = lineEnd + 2;
            if (size == 0)
            {
                break; // trailers (x-amz-checksum-*) follow; nothing more to keep
            }

            output.Write(raw, position, Math.Min(size, raw.Length - position));
            position += size + 2;
        }

        return output.ToArray();
    }

    private static int IndexOfCrLf(byte[] data, int from)
    {
        for (var i = from; i + 1 < data.Length; i++)
        {
            if (data[i] == '\r' && data[i + 1] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private static async Task WriteXmlAsync(HttpContext context, int status, XElement root)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        var text = new XDocument(new XDeclaration("1.0", "UTF-8", null), root).Declaration + root.ToString(SaveOptions.DisableFormatting);
        await context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static async Task ErrorAsync(HttpContext context, int status, string code, string message, string resource)
    {
        context.Response.StatusCode = status;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        context.Response.ContentType = "application/xml";
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + $"<Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message><Resource>{SecurityElement.Escape(resource)}</Resource>"
            + $"<RequestId>{Guid.NewGuid():N}</RequestId></Error>";
        await context.Response.WriteAsync(xml, context.RequestAborted);
    }
}
