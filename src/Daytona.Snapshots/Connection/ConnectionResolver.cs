using System;
using System.Security;
using Daytona.Api;
using Daytona.Common;

namespace Daytona.Snapshots.Connection
{
    /// <summary>
    /// Which connection a cmdlet uses: the explicit <c>-Connection</c>, else the connection the piped snapshot was
    /// read through, else the runspace's last <c>Connect-Daytona</c>, else one made from the environment exactly as
    /// <c>Connect-Daytona</c> without parameters makes it.
    /// </summary>
    internal static class ConnectionResolver
    {
        internal const string ApiKeyVariable = "DAYTONA_API_KEY";
        internal const string ApiUrlVariable = "DAYTONA_API_URL";
        internal const string OrganizationVariable = "DAYTONA_ORGANIZATION_ID";

        private static readonly object s_gate = new object();
        private static DaytonaConnection? s_fromEnvironment;

        public static DaytonaConnection Resolve(DaytonaConnection? explicitConnection, Snapshot? piped = null)
        {
            if (explicitConnection != null) return explicitConnection;
            if (piped?.Source != null) return piped.Source;
            var current = ConnectionStore.Current;
            if (current != null) return current;

            // The same environment gives the same connection, so its HTTP client (and its pooled connections) is reused.
            var created = Create(null, null, null);
            lock (s_gate)
            {
                var previous = s_fromEnvironment;
                if (previous != null && previous.ApiUrl == created.ApiUrl && previous.OrganizationId == created.OrganizationId && previous.SameKey(created))
                {
                    return previous;
                }

                s_fromEnvironment = created;
                return created;
            }
        }

        /// <summary>Builds a connection from parameters, each falling back to its environment variable. Throws <see cref="DaytonaException"/>.</summary>
        public static DaytonaConnection Create(Uri? apiUrl, SecureString? apiKey, string? organizationId)
        {
            var url = apiUrl;
            if (url == null)
            {
                var fromEnvironment = Environment.GetEnvironmentVariable(ApiUrlVariable);
                if (string.IsNullOrWhiteSpace(fromEnvironment))
                {
                    url = DaytonaConnection.DefaultApiUrl;
                }
                else if (!Uri.TryCreate(fromEnvironment, UriKind.Absolute, out url))
                {
                    throw new DaytonaException(ErrorCatalog.DaytonaApiUrlInvalid.Id, ErrorKind.InvalidArgument,
                        $"The environment variable {ApiUrlVariable} holds '{fromEnvironment}', which is not an absolute URL.", fromEnvironment)
                    {
                        RecommendedAction = $"Set {ApiUrlVariable} to a URL such as https://app.daytona.io/api, or pass -ApiUrl.",
                    };
                }
            }

            string key;
            string source;
            if (apiKey != null)
            {
                key = Common.SecureStrings.ToPlainText(apiKey);
                source = "the -ApiKey parameter";
            }
            else
            {
                key = Environment.GetEnvironmentVariable(ApiKeyVariable) ?? string.Empty;
                source = $"the environment variable {ApiKeyVariable}";
            }

            if (key.Length == 0)
            {
                throw new DaytonaException(ErrorCatalog.DaytonaApiKeyMissing.Id, ErrorKind.AuthenticationError,
                    $"No Daytona API key: no connection was given or made with Connect-Daytona, -ApiKey was not given and {ApiKeyVariable} is not set.", url)
                {
                    RecommendedAction = $"Run Connect-Daytona -ApiKey (Read-Host -AsSecureString), or set {ApiKeyVariable}. For the local emulator, pipe Start-DaytonaEmulator into Connect-Daytona.",
                };
            }

            var organization = organizationId ?? Environment.GetEnvironmentVariable(OrganizationVariable);
            try
            {
                return new DaytonaConnection(url!, key, organization, source);
            }
            catch (ArgumentException e)
            {
                throw new DaytonaException(ErrorCatalog.DaytonaApiUrlInvalid.Id, ErrorKind.InvalidArgument, e.Message, url);
            }
        }

    }
}
