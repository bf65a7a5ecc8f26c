using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Security;
using System.Threading.Tasks;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Remote;
using Daytona.Checkpoints.Storage;
using Daytona.Common;
using Daytona.Snapshots.Checkpoints;
using Daytona.Snapshots.Common;
using Daytona.Snapshots.Emulator;

namespace Daytona.Snapshots.CheckpointServer
{
    /// <summary>
    /// <para type="synopsis">Serves checkpoint repositories over HTTP with timestamp URLs, as Pulp serves its checkpoints: any instant redirects to the newest checkpoint at or before it.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "CheckpointServer")]
    [OutputType(typeof(CheckpointServerInstance))]
    public sealed class StartCheckpointServerCommand : AsyncCmdlet
    {
        private readonly List<string> _repositories = new List<string>();

        /// <summary>The repositories to serve: folders or URLs (az://, https://&lt;account&gt;.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[]? Repository { get; set; }

        /// <summary>The port; 0 (the default) picks a free one.</summary>
        [Parameter]
        [ValidateRange(0, 65535)]
        public int Port { get; set; }

        /// <summary>The address to listen on: 127.0.0.1 (the default), 0.0.0.0 or :: for every interface, or one address of this machine.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ListenAddress { get; set; } = "127.0.0.1";

        /// <summary>A key every request must carry (Authorization: Bearer, or as the password of Basic auth). Use one whenever the server listens beyond loopback.</summary>
        [Parameter]
        [ValidateNotNull]
        public SecureString? ApiKey { get; set; }

        /// <summary>A path prefix to serve under, e.g. /checkpoints behind a reverse proxy.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PathBase { get; set; }

        /// <summary>How old the server's listing of the repositories may get before it lists them again (a number is seconds). Default: 2 seconds.</summary>
        [Parameter]
        [SecondsToTimeSpan]
        public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>Stays in the foreground and writes each request on the verbose stream until Ctrl+C, which stops the server.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        protected override void ProcessRecord()
        {
            if (Repository == null || Repository.Length == 0)
            {
                _repositories.Add(Resolve(null));
                return;
            }

            foreach (var value in Repository)
            {
                _repositories.Add(Resolve(value));
            }
        }

        protected override void EndProcessing()
        {
            if (!IPAddress.TryParse(ListenAddress == "localhost" ? "127.0.0.1" : ListenAddress, out var address))
            {
                ThrowTerminatingError(ErrorRecords.From(ErrorCatalog.CheckpointServerStartFailed.Create(
                    $"'{ListenAddress}' is not an IP address to listen on.", ListenAddress, recommendation: "Pass 127.0.0.1, 0.0.0.0, :: or an address of this machine."), ListenAddress));
            }

            if (RefreshInterval <= TimeSpan.Zero)
            {
                ThrowTerminatingError(ErrorRecords.From(ErrorCatalog.CheckpointServerStartFailed.Create(
                    "-RefreshInterval must be more than zero.", RefreshInterval), RefreshInterval));
            }

            var verbose = Wait.IsPresent || MyInvocation.BoundParameters.ContainsKey("Verbose") || (GetVariableValue("VerbosePreference") is ActionPreference p && p != ActionPreference.SilentlyContinue);
            var options = new CheckpointServerStartOptions
            {
                ServerPath = ServerFolder.ServerDll,
                Port = Port,
                ListenAddress = ListenAddress,
                ApiKey = ApiKey == null ? null : SecureStrings.ToPlainText(ApiKey),
                PathBase = PathBase,
                RefreshInterval = MyInvocation.BoundParameters.ContainsKey(nameof(RefreshInterval)) ? RefreshInterval : (TimeSpan?)null,
                RequestLog = verbose,
            };
            foreach (var repository in new HashSet<string>(_repositories, StringComparer.Ordinal))
            {
                options.Repositories.Add(repository);
            }

            if (ApiKey == null && !IPAddress.IsLoopback(address!))
            {
                WriteWarning($"The server listens on {ListenAddress} without a key: anyone who can reach this machine can read these checkpoints. Pass -ApiKey (Read-Host -AsSecureString).");
            }

            var owner = CheckpointServerTracking.Owner;
            WriteVerbose($"Starting the checkpoint server from {options.ServerPath} on {ListenAddress}:{(Port == 0 ? "<free port>" : Port.ToString())} for {string.Join(", ", options.Repositories.Count == 0 ? new List<string>() : new List<string>(Display(options.Repositories)))}.");
            var instance = RunAsync(token => CheckpointServerLauncher.StartAsync(options, owner, token));
            CheckpointServerTracking.NoteStarted();
            WriteVerbose($"The checkpoint server listens on {instance.Url} (process {instance.ProcessId}); it stops with Stop-CheckpointServer, Remove-Module or the end of this process.");
            WriteObject(instance);
            if (Wait)
            {
                WaitAndLog(instance);
            }
        }

        /// <summary>-Wait: the request log on the verbose stream until Ctrl+C (or the server ends); then the server stops.</summary>
        private void WaitAndLog(CheckpointServerInstance instance)
        {
            try
            {
                RunAsync(async token =>
                {
                    while (!token.IsCancellationRequested && !instance.HasExited)
                    {
                        foreach (var line in instance.ReadNewLog())
                        {
                            PostVerbose(line);
                        }

                        await Task.Delay(200, token).ConfigureAwait(false);
                    }
                });
            }
            finally
            {
                instance.Stop(TimeSpan.FromSeconds(5));
            }
        }

        private static IEnumerable<string> Display(IEnumerable<string> locations)
        {
            foreach (var location in locations)
            {
                yield return RepositoryLocation.LooksLikeUrl(location) ? RepositoryLocation.Redact(location) : location;
            }
        }

        /// <summary>A -Repository value as the server process takes it (a full folder path, or the URL with its SAS); it must open.</summary>
        private string Resolve(string? value)
        {
            try
            {
                var location = RepositoryResolver.Resolve(value, path =>
                {
                    var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
                    return (resolved, string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase));
                });
                if (location.SasToken != null)
                {
                    AzureDevOps.PipelineLog.RegisterSecret(this, location.SasToken);
                }

                // Opened here first, so a wrong location fails with the repository's own error rather than a failed start.
                CheckpointRepository.Open(location);
                return location.Kind == StorageKind.Folder ? location.Path! : location.SasToken != null ? location.Display + "?" + location.SasToken : location.Display;
            }
            catch (DaytonaException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, value == null ? null : RepositoryLocation.Redact(value)));
                throw;
            }
            catch (Exception e) when (e is ItemNotFoundException || e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException || e is NotSupportedException)
            {
                ThrowTerminatingError(ErrorRecords.From(StorageErrors.BadLocation(value ?? string.Empty, e.Message), value));
                throw;
            }
        }
    }

    /// <summary>Where the module keeps the server: &lt;module folder&gt;/CheckpointServer/Daytona.Checkpoints.Server.dll.</summary>
    internal static class ServerFolder
    {
        public static string ServerDll =>
            Path.Combine(Path.GetDirectoryName(typeof(ServerFolder).Assembly.Location) ?? ".", "CheckpointServer", "Daytona.Checkpoints.Server.dll");
    }

    /// <summary>Which servers belong to which runspace, so Remove-Module stops the ones its runspace started.</summary>
    internal static class CheckpointServerTracking
    {
        private static volatile bool s_anyStarted;

        public static object Owner => (object?)Runspace.DefaultRunspace ?? typeof(CheckpointServerTracking);

        public static void NoteStarted() => s_anyStarted = true;

        public static void StopForCurrentRunspace()
        {
            if (s_anyStarted)
            {
                StopOwnedBy(Owner);
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void StopOwnedBy(object owner) => CheckpointServerLauncher.StopAll(owner);
    }
}
