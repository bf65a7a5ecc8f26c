using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;

namespace Daytona.Api.Images
{
    /// <summary>
    /// Short-lived object-storage credentials from <c>GET /object-storage/push-access</c>: where build contexts go
    /// (<see cref="StorageUrl"/>, <see cref="Bucket"/>, under <c>&lt;organization&gt;/&lt;hash&gt;/</c>) and the keys to sign
    /// with. The secret and the session token are never shown by <see cref="ToString"/>.
    /// </summary>
    public sealed class PushAccess
    {
        /// <summary>The bucket the SDK uses when push-access names none.</summary>
        public const string DefaultBucket = "daytona-volume-builds";

        public PushAccess(string accessKey, string secret, string? sessionToken, Uri storageUrl, string organizationId, string? bucket, string? region)
        {
            AccessKey = accessKey;
            Secret = secret;
            SessionToken = sessionToken;
            StorageUrl = storageUrl;
            OrganizationId = organizationId;
            Bucket = string.IsNullOrEmpty(bucket) ? DefaultBucket : bucket!;
            Region = string.IsNullOrEmpty(region) ? RegionOf(storageUrl) : region!;
        }

        public string AccessKey { get; }

        internal string Secret { get; }

        internal string? SessionToken { get; }

        public Uri StorageUrl { get; }

        public string OrganizationId { get; }

        public string Bucket { get; }

        /// <summary>From push-access; else parsed from an amazonaws.com host; else us-east-1 (as the SDK does).</summary>
        public string Region { get; }

        public override string ToString() => $"{StorageUrl} bucket {Bucket} (organization {OrganizationId})";

        internal SigV4Signer CreateSigner() => new SigV4Signer(AccessKey, Secret, SessionToken, Region);

        /// <summary>The region of an AWS S3 endpoint (<c>s3.eu-west-1.amazonaws.com</c>, <c>s3-us-west-2.amazonaws.com</c>); us-east-1 otherwise.</summary>
        public static string RegionOf(Uri url)
        {
            var parts = url.Host.ToLowerInvariant().Split('.');
            var k = Array.IndexOf(parts, "amazonaws");
            if (k > 0)
            {
                var label = parts[k - 1];
                if (label.StartsWith("s3-", StringComparison.Ordinal))
                {
                    return label.Substring(3);
                }

                if (label != "s3" && !label.StartsWith("s3", StringComparison.Ordinal))
                {
                    return label;
                }
            }

            return "us-east-1";
        }

        /// <summary>Asks the API for push access, with the connection's key and organization.</summary>
        public static async Task<PushAccess> RequestAsync(DaytonaClient client, HttpClient http, CancellationToken cancellationToken)
        {
            var connection = client.Connection;
            var baseText = connection.ApiUrl.AbsoluteUri;
            var uri = new Uri(new Uri(baseText.EndsWith("/", StringComparison.Ordinal) ? baseText : baseText + "/"), "object-storage/push-access");
            for (var attempt = 1; ; attempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.TryAddWithoutValidation("Authorization", connection.AuthorizationValue);
                request.Headers.TryAddWithoutValidation("User-Agent", client.UserAgent);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (connection.OrganizationId != null)
                {
                    request.Headers.TryAddWithoutValidation("X-Daytona-Organization-ID", connection.OrganizationId);
                }

                HttpResponseMessage response;
                try
                {
                    response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException e)
                {
                    if (attempt < 3)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    throw new DaytonaApiException(DaytonaErrorIds.Unreachable, ErrorKind.ConnectionError, $"Could not reach {connection.ApiUrl} for object-storage push access: {e.Message}", null, null, connection.ApiUrl, e);
                }

                using (response)
                {
                    var status = (int)response.StatusCode;
                    if ((status == 429 || status == 502 || status == 503 || status == 504) && attempt < 4)
                    {
                        var delay = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(250 * attempt);
                        await Task.Delay(delay > TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(10) : delay, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    var text = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        throw StatusError(response.StatusCode, text, connection.ApiUrl);
                    }

                    try
                    {
                        using var document = JsonDocument.Parse(text);
                        var root = document.RootElement;
                        string? Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                        var accessKey = Str("accessKey");
                        var secret = Str("secret");
                        var storageUrl = Str("storageUrl");
                        var organizationId = Str("organizationId") ?? connection.OrganizationId;
                        if (accessKey == null || secret == null || storageUrl == null || organizationId == null || !Uri.TryCreate(storageUrl, UriKind.Absolute, out var storage))
                        {
                            throw new DaytonaApiException(DaytonaErrorIds.UnexpectedResponse, ErrorKind.InvalidData, "The push-access answer lacks accessKey, secret, storageUrl or organizationId.", response.StatusCode, null, connection.ApiUrl);
                        }

                        return new PushAccess(accessKey, secret, Str("sessionToken"), storage, organizationId, Str("bucket"), Str("region"));
                    }
                    catch (JsonException e)
                    {
                        throw new DaytonaApiException(DaytonaErrorIds.UnexpectedResponse, ErrorKind.InvalidData, "The push-access answer is not JSON: " + e.Message, response.StatusCode, null, connection.ApiUrl, e);
                    }
                }
            }
        }

        internal static DaytonaApiException StatusError(HttpStatusCode status, string body, object target)
        {
            var code = (int)status;
            var (id, kind) = code switch
            {
                401 => (DaytonaErrorIds.AuthenticationFailed, ErrorKind.AuthenticationError),
                403 => (DaytonaErrorIds.PermissionDenied, ErrorKind.PermissionDenied),
                404 => (DaytonaErrorIds.NotFound, ErrorKind.ObjectNotFound),
                409 => (DaytonaErrorIds.Conflict, ErrorKind.ResourceExists),
                400 or 422 => (DaytonaErrorIds.InvalidRequest, ErrorKind.InvalidArgument),
                429 => (DaytonaErrorIds.RateLimited, ErrorKind.LimitsExceeded),
                >= 500 => (DaytonaErrorIds.ServiceUnavailable, ErrorKind.ResourceUnavailable),
                _ => (DaytonaErrorIds.UnexpectedResponse, ErrorKind.InvalidData),
            };
            var detail = body.Length > 300 ? body.Substring(0, 300) : body;
            return new DaytonaApiException(id, kind, $"Object-storage push access failed: {code} {status}. {detail}".TrimEnd(), status, detail, target);
        }
    }
}
