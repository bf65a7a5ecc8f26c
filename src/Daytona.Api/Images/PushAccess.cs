using System;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common.Http;

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

        /// <summary>
        /// Asks the API for push access, with the connection's key and organization, through the client's send path
        /// (its resilience pipeline and its status mapping).
        /// </summary>
        public static async Task<PushAccess> RequestAsync(DaytonaClient client, CancellationToken cancellationToken)
        {
            var transport = client.Transport;
            const string path = "object-storage/push-access";
            using var response = await transport.SendAsync(HttpMethod.Get, new Uri(transport.BaseUri, path), path, null, RetryPolicy.Idempotent, stream: false, subject: null, cancellationToken).ConfigureAwait(false);
            await transport.EnsureSuccessAsync(response, "GET", path, subject: null).ConfigureAwait(false);
            var connection = client.Connection;
            using var document = await DaytonaTransport.ReadJsonAsync(response, "GET", path).ConfigureAwait(false);
            var root = document.RootElement;
            string? Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var accessKey = Str("accessKey");
            var secret = Str("secret");
            var storageUrl = Str("storageUrl");
            var organizationId = Str("organizationId") ?? connection.OrganizationId;
            if (accessKey == null || secret == null || storageUrl == null || organizationId == null || !Uri.TryCreate(storageUrl, UriKind.Absolute, out var storage))
            {
                throw DaytonaTransport.Unexpected("The push-access answer lacks accessKey, secret, storageUrl or organizationId.", response.StatusCode, connection.ApiUrl);
            }

            return new PushAccess(accessKey, secret, Str("sessionToken"), storage, organizationId, Str("bucket"), Str("region"));
        }
    }
}
