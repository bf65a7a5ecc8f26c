using System;
using System.Management.Automation;
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
    public sealed class ConnectDaytonaCommand : DaytonaCmdlet
    {
        internal const string ApiKeyVariable = ConnectionResolver.ApiKeyVariable;
        internal const string ApiUrlVariable = ConnectionResolver.ApiUrlVariable;
        internal const string OrganizationVariable = ConnectionResolver.OrganizationVariable;

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
        [ValidateNotNullOrEmpty]
        public string? OrganizationId { get; set; }

        protected override void ProcessRecord()
        {
            DaytonaConnection connection;
            try
            {
                connection = ConnectionResolver.Create(ApiUrl, ApiKey, OrganizationId);
            }
            catch (DaytonaException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, e.Target));
                return;
            }

            // Inside Azure Pipelines the key is masked in the log from the moment the module reads it.
            AzureDevOps.PipelineLog.RegisterSecret(this, connection.ApiKey);
            ConnectionStore.Current = connection;
            WriteVerbose($"Connected to {connection.ApiUrl} with the API key from {connection.ApiKeySource}.");
            WriteObject(connection);
        }
    }
}
