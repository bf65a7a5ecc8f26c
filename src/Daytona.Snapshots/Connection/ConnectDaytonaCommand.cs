using System;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using Daytona.Api;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Connection
{
    /// <summary>
    /// <para type="synopsis">Connects to the Daytona API (or the local emulator) and makes it the default for this session.</para>
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "Daytona")]
    [OutputType(typeof(DaytonaConnection))]
    public sealed class ConnectDaytonaCommand : PSCmdlet
    {
        internal const string ApiKeyVariable = "DAYTONA_API_KEY";
        internal const string ApiUrlVariable = "DAYTONA_API_URL";
        internal const string OrganizationVariable = "DAYTONA_ORGANIZATION_ID";

        /// <summary>The API base URL. Default: $env:DAYTONA_API_URL, else https://app.daytona.io/api.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Url")]
        [ValidateNotNull]
        public Uri? ApiUrl { get; set; }

        /// <summary>The API key. Default: $env:DAYTONA_API_KEY.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public SecureString? ApiKey { get; set; }

        /// <summary>The organization, sent as X-Daytona-Organization-ID. Default: $env:DAYTONA_ORGANIZATION_ID.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? OrganizationId { get; set; }

        protected override void ProcessRecord()
        {
            var url = ApiUrl;
            if (url == null)
            {
                var fromEnvironment = Environment.GetEnvironmentVariable(ApiUrlVariable);
                if (string.IsNullOrWhiteSpace(fromEnvironment))
                {
                    url = DaytonaConnection.DefaultApiUrl;
                }
                else if (!Uri.TryCreate(fromEnvironment, UriKind.Absolute, out url))
                {
                    Fail(ErrorRecords.Create(
                        "DaytonaApiUrlInvalid", ErrorKind.InvalidArgument,
                        $"The environment variable {ApiUrlVariable} holds '{fromEnvironment}', which is not an absolute URL.",
                        fromEnvironment, $"Set {ApiUrlVariable} to a URL such as https://app.daytona.io/api, or pass -ApiUrl."));
                }
            }

            string key;
            string source;
            if (ApiKey != null)
            {
                key = ToPlainText(ApiKey);
                source = "the -ApiKey parameter";
            }
            else
            {
                key = Environment.GetEnvironmentVariable(ApiKeyVariable) ?? string.Empty;
                source = $"the environment variable {ApiKeyVariable}";
            }

            // Inside Azure Pipelines the key is masked in the log from the moment the module reads it.
            AzureDevOps.PipelineLog.RegisterSecret(this, key);

            if (key.Length == 0)
            {
                Fail(ErrorRecords.Create(
                    "DaytonaApiKeyMissing", ErrorKind.AuthenticationError,
                    $"No Daytona API key: -ApiKey was not given and {ApiKeyVariable} is not set.",
                    url,
                    $"Pass -ApiKey (Read-Host -AsSecureString), or set {ApiKeyVariable}. For the local emulator, pipe Start-DaytonaEmulator into Connect-Daytona."));
            }

            var organization = OrganizationId ?? Environment.GetEnvironmentVariable(OrganizationVariable);
            DaytonaConnection connection;
            try
            {
                connection = new DaytonaConnection(url!, key, organization, source);
            }
            catch (ArgumentException e)
            {
                Fail(ErrorRecords.Create("DaytonaApiUrlInvalid", ErrorKind.InvalidArgument, e.Message, url));
                return;
            }

            ConnectionStore.Current = connection;
            WriteVerbose($"Connected to {connection.ApiUrl} with the API key from {source}.");
            WriteObject(connection);
        }

        private void Fail(ErrorRecord record)
        {
            AzureDevOps.PipelineLog.Error(this, record);
            ThrowTerminatingError(record);
        }

        internal static string ToPlainText(SecureString secure)
        {
            var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
            try
            {
                return Marshal.PtrToStringUni(pointer) ?? string.Empty;
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }
}
