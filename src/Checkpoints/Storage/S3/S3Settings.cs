using System;
using System.Collections.Generic;
using System.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Daytona.Common;
using Daytona.Common.Http;

namespace Daytona.Checkpoints.Storage.S3
{
    /// <summary>
    /// What the environment supplies for an S3 repository (<see cref="RepositoryLocation"/> names the bucket and
    /// prefix), the way the AWS SDKs and AWS.Tools read it: keys from <c>AWS_ACCESS_KEY_ID</c>,
    /// <c>AWS_SECRET_ACCESS_KEY</c> and <c>AWS_SESSION_TOKEN</c>, else the SDK's default chain (<c>AWS_PROFILE</c> and
    /// the shared files, web identity, container and instance roles); the region from <c>AWS_REGION</c> or
    /// <c>AWS_DEFAULT_REGION</c> (else the profile's, else us-east-1); <c>AWS_ENDPOINT_URL_S3</c> or
    /// <c>AWS_ENDPOINT_URL</c> for an S3-compatible server (addressed path-style) unless
    /// <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is true.
    /// </summary>
    public sealed class S3Settings
    {
        private readonly List<string> _secrets = new List<string>();
        private AWSCredentials? _credentials;

        private S3Settings(RepositoryLocation location)
        {
            Location = location;
        }

        public RepositoryLocation Location { get; }

        /// <summary>The S3-compatible endpoint, or null for AWS itself.</summary>
        public Uri? Endpoint { get; private set; }

        public string? Region { get; private set; }

        /// <summary>Which credential was chosen (a variable's name, never its value).</summary>
        public string Source { get; private set; } = string.Empty;

        public IReadOnlyList<string> Secrets => _secrets;

        public string Display => Location.Display + (Endpoint == null ? string.Empty : " at " + Redaction.Url(Endpoint));

        public static S3Settings From(RepositoryLocation location, Func<string, string?> environment)
        {
            var settings = new S3Settings(location);
            var endpoint = First(environment, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
            if (endpoint != null && !string.Equals(environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw StorageErrors.BadLocation("AWS_ENDPOINT_URL", "the S3 endpoint in AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL is not an http(s) URL.");
                }

                settings.Endpoint = uri;
            }

            settings.Region = First(environment, "AWS_REGION", "AWS_DEFAULT_REGION");
            var accessKey = environment("AWS_ACCESS_KEY_ID");
            var secretKey = environment("AWS_SECRET_ACCESS_KEY");
            var token = environment("AWS_SESSION_TOKEN");
            if (!string.IsNullOrEmpty(accessKey) && !string.IsNullOrEmpty(secretKey))
            {
                // The SDK's chain reads the same variables first; reading them here makes the environment given the one used.
                settings._credentials = string.IsNullOrEmpty(token) ? new BasicAWSCredentials(accessKey, secretKey) : new SessionAWSCredentials(accessKey, secretKey, token);
                settings.Source = "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY" + (string.IsNullOrEmpty(token) ? string.Empty : "/AWS_SESSION_TOKEN");
                settings._secrets.Add(secretKey!);
                if (!string.IsNullOrEmpty(token))
                {
                    settings._secrets.Add(token!);
                }
            }
            else
            {
                var profile = environment("AWS_PROFILE");
                settings.Source = "the AWS SDK's default chain" + (string.IsNullOrEmpty(profile) ? string.Empty : " (profile " + profile + ")");
            }

            return settings;
        }

        /// <summary>
        /// A client with the module's retry settings. Chunked signing and optional checksums are off, so a plain-http
        /// S3-compatible server stores exactly the bytes sent.
        /// </summary>
        public AmazonS3Client CreateClient(StorageOptions options)
        {
            var retry = options.Resilience.SdkRetry;
            var config = new AmazonS3Config
            {
                MaxErrorRetry = retry.MaxRetries,
                RetryMode = RequestRetryMode.Standard,
                Timeout = retry.NetworkTimeout,
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            };
            if (HttpHandlerFactory.CreateForSdk(options.Resilience) != null)
            {
                // Windows PowerShell 5.1: the module's handler (TLS 1.2+, connect timeout), not one that follows ServicePointManager.
                config.HttpClientFactory = new S3HttpClients(options.Resilience);
            }

            if (Endpoint != null)
            {
                config.ServiceURL = Endpoint.ToString();
                config.ForcePathStyle = true;
                config.AuthenticationRegion = Region ?? "us-east-1";
            }
            else if (Region != null)
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
            }

            try
            {
                return _credentials != null ? new AmazonS3Client(_credentials, config) : new AmazonS3Client(config);
            }
            catch (AmazonClientException) when (Endpoint == null && Region == null)
            {
                // Neither the environment, a profile nor the instance names a region: S3's global default.
                config.RegionEndpoint = RegionEndpoint.USEast1;
                options.Verbose?.Invoke("S3: no region is configured (AWS_REGION, a profile); using us-east-1.");
                return _credentials != null ? new AmazonS3Client(_credentials, config) : new AmazonS3Client(config);
            }
        }

        private static string? First(Func<string, string?> environment, params string[] names) =>
            names.Select(environment).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
    }
}
