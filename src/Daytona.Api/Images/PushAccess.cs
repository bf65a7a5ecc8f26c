using System;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Daytona.Common.Http;
using RetryPolicy = Daytona.Common.Http.RetryPolicy;

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

        /// <summary>
        /// An AWS SDK client for this storage (path-style, the region above, these keys) that sends through
        /// <paramref name="http"/> and retries by <paramref name="options"/>' numbers: it signs every request.
        /// </summary>
        internal AmazonS3Client CreateClient(HttpClient http, HttpResilienceOptions options)
        {
            var retry = options.SdkRetry;
            var config = new AmazonS3Config
            {
                ServiceURL = StorageUrl.AbsoluteUri,
                ForcePathStyle = true,
                AuthenticationRegion = Region,
                UseHttp = StorageUrl.Scheme == Uri.UriSchemeHttp,
                MaxErrorRetry = retry.MaxRetries,
                RetryMode = RequestRetryMode.Standard,
                Timeout = retry.NetworkTimeout,
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
                HttpClientFactory = new GivenHttpClient(http),
            };
            AWSCredentials credentials = string.IsNullOrEmpty(SessionToken)
                ? new BasicAWSCredentials(AccessKey, Secret)
                : new SessionAWSCredentials(AccessKey, Secret, SessionToken);
            return new AmazonS3Client(credentials, config);
        }

        /// <summary>The SDK sends through the module's client (HttpHandlerFactory's handler), not one of its own.</summary>
        private sealed class GivenHttpClient : HttpClientFactory
        {
            private readonly HttpClient _http;

            public GivenHttpClient(HttpClient http) => _http = http;

            public override HttpClient CreateHttpClient(IClientConfig clientConfig) => _http;

            public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

            public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
        }

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
