using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;

namespace Daytona.Api.Images
{
    /// <summary>
    /// AWS Signature Version 4 for S3 requests (header form), as the S3 documentation specifies it: a canonical request
    /// (method, URI-encoded path, sorted query, sorted lower-case headers, signed header list, payload hash), the
    /// string to sign, and an HMAC-SHA256 key derived from the secret, date, region and service. The build-context
    /// upload needs three S3 calls (ListObjectsV2, PutObject); an AWS SDK or Minio client would bring a large
    /// dependency tree into the module for that, so the signing (about a hundred lines) is done here.
    /// </summary>
    public sealed class SigV4Signer
    {
        public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
        public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

        private readonly string _accessKey;
        private readonly string _secret;
        private readonly string? _sessionToken;

        public SigV4Signer(string accessKey, string secret, string? sessionToken, string region, string service = "s3")
        {
            _accessKey = accessKey ?? throw new ArgumentNullException(nameof(accessKey));
            _secret = secret ?? throw new ArgumentNullException(nameof(secret));
            _sessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
            Region = region;
            Service = service;
        }

        public string Region { get; }

        public string Service { get; }

        /// <summary>
        /// Adds <c>x-amz-date</c>, <c>x-amz-content-sha256</c>, <c>x-amz-security-token</c> (when there is a session
        /// token) and <c>Authorization</c> to <paramref name="request"/>. Headers already on the request whose names are
        /// in <paramref name="extraSignedHeaders"/> are signed too.
        /// </summary>
        public void Sign(HttpRequestMessage request, string payloadHash, DateTime utcNow, IEnumerable<string>? extraSignedHeaders = null)
        {
            var amzDate = utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            request.Headers.Remove("x-amz-date");
            request.Headers.Remove("x-amz-content-sha256");
            request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
            request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);
            var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["host"] = HostOf(request.RequestUri!),
                ["x-amz-content-sha256"] = payloadHash,
                ["x-amz-date"] = amzDate,
            };
            if (_sessionToken != null)
            {
                request.Headers.Remove("x-amz-security-token");
                request.Headers.TryAddWithoutValidation("x-amz-security-token", _sessionToken);
                headers["x-amz-security-token"] = _sessionToken;
            }

            foreach (var name in extraSignedHeaders ?? Enumerable.Empty<string>())
            {
                if (request.Headers.TryGetValues(name, out var values) || (request.Content != null && request.Content.Headers.TryGetValues(name, out values)))
                {
                    headers[name.ToLowerInvariant()] = string.Join(",", values.Select(v => v.Trim()));
                }
            }

            var authorization = Authorization(request.Method.Method, request.RequestUri!, headers, payloadHash, utcNow);
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        /// <summary>The Authorization header value for a request with these (lower-case) headers.</summary>
        public string Authorization(string method, Uri uri, IDictionary<string, string> headers, string payloadHash, DateTime utcNow)
        {
            var amzDate = utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var date = utcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var sorted = headers.OrderBy(h => h.Key, StringComparer.Ordinal).ToList();
            var signedHeaders = string.Join(";", sorted.Select(h => h.Key));
            var canonicalRequest = string.Join("\n", new[]
            {
                method,
                CanonicalPath(uri),
                CanonicalQuery(uri),
                string.Concat(sorted.Select(h => h.Key + ":" + CollapseSpaces(h.Value.Trim()) + "\n")),
                signedHeaders,
                payloadHash,
            });
            var scope = date + "/" + Region + "/" + Service + "/aws4_request";
            var stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + Hex(Sha256(Encoding.UTF8.GetBytes(canonicalRequest)));
            var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + _secret), date), Region), Service), "aws4_request");
            var signature = Hex(Hmac(key, stringToSign));
            return "AWS4-HMAC-SHA256 Credential=" + _accessKey + "/" + scope + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature;
        }

        public static string HostOf(Uri uri) => uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);

        /// <summary>RFC 3986 encoding as SigV4 wants it: unreserved characters stay, everything else is %XX (upper case).</summary>
        public static string UriEncode(string value, bool encodeSlash)
        {
            var sb = new StringBuilder();
            foreach (var b in Encoding.UTF8.GetBytes(value))
            {
                var c = (char)b;
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash))
                {
                    sb.Append(c);
                }
                else
                {
                    sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }

            return sb.ToString();
        }

        private static string CanonicalPath(Uri uri)
        {
            // S3 signs the path as sent (each segment encoded once); decode what Uri escaped and encode it our way.
            var path = Uri.UnescapeDataString(uri.AbsolutePath);
            return path.Length == 0 ? "/" : UriEncode(path, encodeSlash: false);
        }

        private static string CanonicalQuery(Uri uri)
        {
            var query = uri.Query.TrimStart('?');
            if (query.Length == 0)
            {
                return string.Empty;
            }

            var pairs = query.Split('&').Where(p => p.Length > 0).Select(p =>
            {
                var eq = p.IndexOf('=');
                var name = Uri.UnescapeDataString(eq < 0 ? p : p.Substring(0, eq));
                var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(p.Substring(eq + 1));
                return (Name: UriEncode(name, true), Value: UriEncode(value, true));
            });
            return string.Join("&", pairs.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal).Select(p => p.Name + "=" + p.Value));
        }

        private static string CollapseSpaces(string value)
        {
            var sb = new StringBuilder(value.Length);
            var space = false;
            foreach (var c in value)
            {
                if (c == ' ')
                {
                    if (!space)
                    {
                        sb.Append(c);
                    }

                    space = true;
                }
                else
                {
                    sb.Append(c);
                    space = false;
                }
            }

            return sb.ToString();
        }

        public static byte[] Sha256(byte[] data)
        {
            using (var sha = SHA256.Create())
            {
                return sha.ComputeHash(data);
            }
        }

        private static byte[] Hmac(byte[] key, string data)
        {
            using (var hmac = new HMACSHA256(key))
            {
                return hmac.ComputeHash(Encoding.UTF8.GetBytes(data));
            }
        }

        public static string Hex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes)
            {
                sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }
    }
}
