using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Daytona.Emulator.Engine;

/// <summary>
/// An in-memory, S3-compatible object store: what Daytona's build-context upload needs (push access credentials,
/// ListObjectsV2, PutObject, multipart upload, HeadObject, GetObject). Objects live as long as the emulator.
/// </summary>
internal sealed class ObjectStorage
{
    public const string PathPrefix = "/s3";
    public const string Bucket = "daytona-volume-builds";
    public const string Region = "us-east-1";

    private readonly EmulatorSettings _settings;
    private readonly ConcurrentDictionary<string, (string Secret, string SessionToken)> _credentials = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MultipartUpload> _uploads = new(StringComparer.Ordinal);

    public ObjectStorage(EmulatorSettings settings)
    {
        _settings = settings;
    }

    public sealed record StoredObject(string Key, byte[] Content, string ETag, DateTime LastModified);

    public sealed class MultipartUpload
    {
        public required string Key { get; init; }
        public ConcurrentDictionary<int, (byte[] Content, string ETag)> Parts { get; } = new();
    }

    /// <summary>Temporary credentials for the organization's folder, as Daytona's STS AssumeRole hands out.</summary>
    public (string AccessKey, string Secret, string SessionToken) IssueCredentials()
    {
        var accessKey = "EMU" + RandomNumberGenerator.GetHexString(17, lowercase: false);
        var secret = RandomNumberGenerator.GetHexString(40, lowercase: true);
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        _credentials[accessKey] = (secret, token);
        return (accessKey, secret, token);
    }

    public bool IsKnownAccessKey(string accessKey) => _credentials.ContainsKey(accessKey);

    /// <summary>Keys a client may write and read: the organization's own folder.</summary>
    public bool MayAccess(string key) => key.StartsWith(_settings.OrganizationId + "/", StringComparison.Ordinal);

    public StoredObject Put(string key, byte[] content)
    {
        var stored = new StoredObject(key, content, "\"" + Convert.ToHexStringLower(MD5.HashData(content)) + "\"", DateTime.UtcNow);
        _objects[key] = stored;
        return stored;
    }

    public StoredObject? Get(string key) => _objects.TryGetValue(key, out var o) ? o : null;

    public bool Delete(string key) => _objects.TryRemove(key, out _);

    public IReadOnlyList<StoredObject> List(string prefix) =>
        _objects.Values.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(o => o.Key, StringComparer.Ordinal).ToList();

    public string StartUpload(string key)
    {
        var id = RandomNumberGenerator.GetHexString(32, lowercase: true);
        _uploads[id] = new MultipartUpload { Key = key };
        return id;
    }

    public MultipartUpload? FindUpload(string uploadId) => _uploads.TryGetValue(uploadId, out var u) ? u : null;

    public bool AbortUpload(string uploadId) => _uploads.TryRemove(uploadId, out _);

    public string PutPart(MultipartUpload upload, int partNumber, byte[] content)
    {
        var etag = "\"" + Convert.ToHexStringLower(MD5.HashData(content)) + "\"";
        upload.Parts[partNumber] = (content, etag);
        return etag;
    }

    /// <summary>Joins the listed parts in order; null when a part is missing or its ETag does not match.</summary>
    public StoredObject? Complete(string uploadId, IReadOnlyList<(int Number, string? ETag)> parts)
    {
        if (!_uploads.TryGetValue(uploadId, out var upload))
        {
            return null;
        }

        var chosen = parts.Count > 0 ? parts.OrderBy(p => p.Number).ToList() : upload.Parts.Keys.OrderBy(n => n).Select(n => (n, (string?)null)).ToList();
        using var joined = new MemoryStream();
        using var md5s = new MemoryStream();
        foreach (var (number, etag) in chosen)
        {
            if (!upload.Parts.TryGetValue(number, out var part) || (etag != null && etag.Trim('"') != part.ETag.Trim('"')))
            {
                return null;
            }

            joined.Write(part.Content);
            md5s.Write(MD5.HashData(part.Content));
        }

        _uploads.TryRemove(uploadId, out _);
        var content = joined.ToArray();
        var stored = new StoredObject(upload.Key, content, $"\"{Convert.ToHexStringLower(MD5.HashData(md5s.ToArray()))}-{chosen.Count}\"", DateTime.UtcNow);
        _objects[upload.Key] = stored;
        return stored;
    }
}
