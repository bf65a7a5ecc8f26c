using System;

namespace Daytona.Api
{
    /// <summary>
    /// Where the Daytona API is and how to authenticate to it. The API key is held here but never exposed:
    /// no public member returns it and <see cref="ToString"/> does not show it.
    /// </summary>
    public sealed class DaytonaConnection
    {
        /// <summary>Daytona's public API, the default when no URL is given (the official SDKs use the same).</summary>
        public static readonly Uri DefaultApiUrl = new Uri("https://app.daytona.io/api");

        public DaytonaConnection(Uri apiUrl, string apiKey, string? organizationId, string apiKeySource)
        {
            if (apiUrl == null)
            {
                throw new ArgumentNullException(nameof(apiUrl));
            }

            if (!apiUrl.IsAbsoluteUri || (apiUrl.Scheme != Uri.UriSchemeHttp && apiUrl.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"The API URL '{apiUrl}' is not an absolute http or https URL.", nameof(apiUrl));
            }

            ApiUrl = apiUrl;
            ApiKey = apiKey ?? throw new ArgumentNullException(nameof(apiKey));
            OrganizationId = string.IsNullOrWhiteSpace(organizationId) ? null : organizationId;
            ApiKeySource = apiKeySource;
        }

        /// <summary>The API base URL, e.g. <c>https://app.daytona.io/api</c>.</summary>
        public Uri ApiUrl { get; }

        /// <summary>Sent as <c>X-Daytona-Organization-ID</c> when set.</summary>
        public string? OrganizationId { get; }

        /// <summary>Where the API key came from (a parameter or an environment variable), for error messages.</summary>
        public string ApiKeySource { get; }

        /// <summary>True when an API key is present (the key itself is never shown).</summary>
        public bool HasApiKey => ApiKey.Length > 0;

        internal string ApiKey { get; }

        /// <summary>The bearer token, for the client's request pipeline only.</summary>
        internal string AuthorizationValue => "Bearer " + ApiKey;

        /// <summary>True when both connections carry the same key (compared without exposing it).</summary>
        public bool SameKey(DaytonaConnection other) => other != null && string.Equals(ApiKey, other.ApiKey, StringComparison.Ordinal);

        public override string ToString() => OrganizationId == null ? $"Daytona at {ApiUrl}" : $"Daytona at {ApiUrl} (organization {OrganizationId})";
    }
}
