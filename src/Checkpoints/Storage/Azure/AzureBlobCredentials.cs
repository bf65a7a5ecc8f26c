using System;
using System.Collections.Generic;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Daytona.Common;
using Daytona.Common.Http;

namespace Daytona.Checkpoints.Storage.Azure
{
    /// <summary>
    /// The account and credentials of an Azure Blob repository (<see cref="RepositoryLocation"/> says where), read from
    /// the environment the way Az and the az CLI read them, first found wins:
    /// <list type="number">
    /// <item>a SAS as the query of the https location;</item>
    /// <item><c>AZURE_STORAGE_CONNECTION_STRING</c> (for an https location, only when it names the same account);
    ///   Azurite's <c>UseDevelopmentStorage=true</c> works too;</item>
    /// <item><c>AZURE_STORAGE_ACCOUNT</c> (for az://) with <c>AZURE_STORAGE_KEY</c>, else <c>AZURE_STORAGE_SAS_TOKEN</c>;</item>
    /// <item>Entra ID through DefaultAzureCredential: a service principal or workload identity from the environment,
    ///   managed identity, or the Azure CLI / Azure PowerShell / azd sign-in (the AzureCLI pipeline task's included).</item>
    /// </list>
    /// Every secret read is listed in <see cref="Secrets"/> (for <c>##vso[task.setsecret]</c>) and never shown.
    /// </summary>
    public sealed class AzureBlobCredentials
    {
        private readonly List<string> _secrets = new List<string>();
        private string? _connectionString;
        private StorageSharedKeyCredential? _sharedKey;
        private AzureSasCredential? _sas;

        private AzureBlobCredentials(RepositoryLocation location)
        {
            Location = location;
        }

        public RepositoryLocation Location { get; }

        public string? AccountName { get; private set; }

        /// <summary>The blob service endpoint; null when a connection string names it implicitly.</summary>
        public Uri? ServiceUri { get; private set; }

        /// <summary>The container's URL as the SDK builds it, known without the SDK (null when a connection string names no endpoint).</summary>
        public Uri? ContainerUri => ServiceUri == null ? null : new Uri(ServiceUri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + Location.Container);

        /// <summary>Which credential was chosen (a variable's name, never its value).</summary>
        public string Source { get; private set; } = string.Empty;

        public IReadOnlyList<string> Secrets => _secrets;

        /// <summary>Where the repository is, for messages: the endpoint when known, else the az:// form.</summary>
        public string Display =>
            Location.ServiceUri != null || ServiceUri == null
                ? Location.Display
                : Redaction.Url(ServiceUri).TrimEnd('/') + "/" + Location.Container + "/" + Location.Prefix;

        public static AzureBlobCredentials From(RepositoryLocation location, Func<string, string?> environment)
        {
            var result = new AzureBlobCredentials(location) { AccountName = location.Account, ServiceUri = location.ServiceUri };
            result.Choose(environment);
            return result;
        }

        /// <summary>A client for the container, with the module's retry settings and each retry reported on the verbose stream.</summary>
        public BlobContainerClient CreateClient(StorageOptions options)
        {
            var clientOptions = new BlobClientOptions();
            var retry = options.Resilience.SdkRetry;
            clientOptions.Retry.MaxRetries = retry.MaxRetries;
            clientOptions.Retry.Delay = retry.Delay;
            clientOptions.Retry.MaxDelay = retry.MaxDelay;
            clientOptions.Retry.NetworkTimeout = retry.NetworkTimeout;
            clientOptions.Retry.Mode = RetryMode.Exponential;
            clientOptions.Diagnostics.IsLoggingEnabled = false;
            clientOptions.Diagnostics.IsDistributedTracingEnabled = false;
            clientOptions.Diagnostics.IsTelemetryEnabled = false;
            if (options.Verbose != null)
            {
                clientOptions.AddPolicy(new AzureRetryReport(options.Verbose), HttpPipelinePosition.PerRetry);
            }

            // Windows PowerShell 5.1: the module's handler (TLS 1.2+, connect timeout), not one that follows ServicePointManager.
            var transport = HttpHandlerFactory.CreateForSdk(options.Resilience) is { } handler ? new HttpClientTransport(handler) : null;
            if (transport != null)
            {
                clientOptions.Transport = transport;
            }

            BlobServiceClient service;
            if (_connectionString != null)
            {
                service = new BlobServiceClient(_connectionString, clientOptions);
            }
            else if (_sharedKey != null)
            {
                service = new BlobServiceClient(ServiceUri!, _sharedKey, clientOptions);
            }
            else if (_sas != null)
            {
                service = new BlobServiceClient(ServiceUri!, _sas, clientOptions);
            }
            else
            {
                var credentialOptions = new DefaultAzureCredentialOptions { ExcludeInteractiveBrowserCredential = true };
                if (transport != null)
                {
                    credentialOptions.Transport = transport;
                }

                TokenCredential entra = new DefaultAzureCredential(credentialOptions);
                service = new BlobServiceClient(ServiceUri!, entra, clientOptions);
            }

            return service.GetBlobContainerClient(Location.Container);
        }

        private void Choose(Func<string, string?> environment)
        {
            if (!string.IsNullOrEmpty(Location.SasToken))
            {
                _sas = new AzureSasCredential(Location.SasToken!);
                _secrets.Add(Location.SasToken!);
                Source = "the SAS token in the location";
                return;
            }

            var connectionString = environment("AZURE_STORAGE_CONNECTION_STRING");
            if (!string.IsNullOrWhiteSpace(connectionString))
            {
                var parts = ParseConnectionString(connectionString!);
                var named = parts.TryGetValue("AccountName", out var a) ? a : parts.ContainsKey("UseDevelopmentStorage") ? "devstoreaccount1" : null;
                if (AccountName == null || string.Equals(AccountName, named, StringComparison.OrdinalIgnoreCase))
                {
                    _connectionString = connectionString;
                    AccountName = named;
                    if (ServiceUri == null && parts.TryGetValue("BlobEndpoint", out var endpoint) && Uri.TryCreate(endpoint.TrimEnd('/') + "/", UriKind.Absolute, out var blob))
                    {
                        ServiceUri = blob;
                    }
                    else if (ServiceUri == null && parts.ContainsKey("UseDevelopmentStorage"))
                    {
                        ServiceUri = new Uri("http://127.0.0.1:10000/devstoreaccount1/");
                    }
                    else if (ServiceUri == null && named != null)
                    {
                        var suffix = parts.TryGetValue("EndpointSuffix", out var s) ? s : "core.windows.net";
                        var protocol = parts.TryGetValue("DefaultEndpointsProtocol", out var p) ? p : "https";
                        ServiceUri = new Uri($"{protocol}://{named}.blob.{suffix}/");
                    }

                    foreach (var secret in new[] { "AccountKey", "SharedAccessSignature" })
                    {
                        if (parts.TryGetValue(secret, out var value) && value.Length > 0)
                        {
                            _secrets.Add(value);
                        }
                    }

                    _secrets.Add(connectionString!);
                    Source = "AZURE_STORAGE_CONNECTION_STRING";
                    return;
                }
            }

            AccountName ??= environment("AZURE_STORAGE_ACCOUNT");
            if (string.IsNullOrWhiteSpace(AccountName))
            {
                throw new DaytonaException(StorageErrors.AccessDenied, ErrorKind.InvalidArgument,
                    $"The repository {Location.Display} names no storage account.", Location.Display)
                {
                    RecommendedAction = "Set AZURE_STORAGE_ACCOUNT (or AZURE_STORAGE_CONNECTION_STRING), or write the location as https://<account>.blob.core.windows.net/<container>/<prefix>.",
                };
            }

            ServiceUri ??= new Uri($"https://{AccountName}.blob.core.windows.net/");
            var key = environment("AZURE_STORAGE_KEY");
            if (!string.IsNullOrWhiteSpace(key))
            {
                try
                {
                    _sharedKey = new StorageSharedKeyCredential(AccountName, key);
                }
                catch (FormatException e)
                {
                    throw new DaytonaException(StorageErrors.AccessDenied, ErrorKind.InvalidArgument, "AZURE_STORAGE_KEY is not a base64 storage account key.", "AZURE_STORAGE_KEY", e)
                    {
                        RecommendedAction = "Copy the key again from the storage account's access keys, or unset AZURE_STORAGE_KEY to sign in with Entra ID.",
                    };
                }

                _secrets.Add(key!);
                Source = "AZURE_STORAGE_KEY";
                return;
            }

            var sas = environment("AZURE_STORAGE_SAS_TOKEN");
            if (!string.IsNullOrWhiteSpace(sas))
            {
                _sas = new AzureSasCredential(sas!.TrimStart('?'));
                _secrets.Add(sas);
                Source = "AZURE_STORAGE_SAS_TOKEN";
                return;
            }

            Source = "Entra ID (DefaultAzureCredential)";
        }

        /// <summary>The fields of a connection string (names case-insensitive).</summary>
        internal static Dictionary<string, string> ParseConnectionString(string text)
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var part in text.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = part.IndexOf('=');
                if (equals > 0)
                {
                    map[part.Substring(0, equals).Trim()] = part.Substring(equals + 1).Trim();
                }
            }

            return map;
        }
    }
}
