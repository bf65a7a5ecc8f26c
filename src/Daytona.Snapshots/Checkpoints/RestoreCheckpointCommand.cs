using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Security;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Api;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Remote;
using Daytona.Common;
using Daytona.Snapshots.Common;
using Daytona.Snapshots.Connection;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Restores a checkpoint: a folder checkpoint into a destination folder, a snapshot checkpoint by re-creating the snapshots missing from the organization.</para>
    /// </summary>
    [Cmdlet(VerbsData.Restore, "Checkpoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DirectoryInfo), typeof(Snapshot))]
    public sealed class RestoreCheckpointCommand : CheckpointCmdlet
    {
        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public override string? Repository { get; set; }

        /// <summary>The checkpoint id (with -Repository); not needed with -Uri.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string? Id { get; set; }

        /// <summary>
        /// A checkpoint's URL on a checkpoint server, with any instant: http://host/&lt;source&gt;/&lt;yyyyMMddTHHmmssZ&gt;/.
        /// The server's redirect picks the newest checkpoint at or before it; every byte is checked against the checkpoint's
        /// manifest before the restored folder is swapped in. Checkpoints from Get-Checkpoint -Uri bind it by property name.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Url")]
        public Uri? Uri { get; set; }

        /// <summary>The checkpoint server's key, when it has one.</summary>
        [Parameter]
        public SecureString? ApiKey { get; set; }

        /// <summary>The folder to restore into (folder checkpoints): new or empty, or any folder with -Force.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? Destination { get; set; }

        /// <summary>Replaces the content of a destination that is not empty (staged, then swapped in).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>The Daytona connection used to re-create snapshots. Default: the current one.</summary>
        [Parameter]
        public DaytonaConnection? Connection { get; set; }

        protected override void ProcessRecord()
        {
            if (Uri != null)
            {
                ProcessUri(Uri);
                return;
            }

            if (string.IsNullOrEmpty(Id))
            {
                WriteFailure(ErrorCatalog.CheckpointIdMissing.Create("Name the checkpoint to restore: -Id with -Repository, or its URL with -Uri."), null);
                return;
            }

            var repository = OpenRepository();
            Checkpoint checkpoint;
            try
            {
                checkpoint = repository.Get(Id!);
            }
            catch (DaytonaException e)
            {
                WriteFailure(e, Id);
                return;
            }

            if (checkpoint.Kind == Manifest.DocumentKind && checkpoint.Source.StartsWith("daytona:", StringComparison.Ordinal))
            {
                RestoreSnapshots(checkpoint.Id, () => repository.ReadFile(checkpoint.Id, NewCheckpointCommand.SnapshotsDocument));
                return;
            }

            var destination = DestinationFor(checkpoint.Id, Force);
            if (destination == null)
            {
                return;
            }

            const int activity = 0x0C4F;
            var progress = ProgressReporter(activity);
            RunAsync(async token =>
            {
                await repository.RestoreAsync(checkpoint.Id, destination, new RestoreOptions { Force = Force.IsPresent, Progress = progress }, token).ConfigureAwait(false);
                CompleteProgress(activity, "Restoring");
                PostVerbose($"Restored checkpoint {checkpoint.Id} ({checkpoint.Files} files, {Sizes.Format(checkpoint.Size)}) into {destination}.");
                PostObject(new DirectoryInfo(destination));
            });
        }

        /// <summary>From a checkpoint server: the manifest first (through the server's redirect), then every file, verified.</summary>
        private void ProcessUri(Uri url)
        {
            var client = CheckpointServerClient.Create(ApiKey == null ? null : SecureStrings.ToPlainText(ApiKey));
            if (!IsCheckpointUrl(url))
            {
                return;
            }

            RemoteCheckpoint? found = null;
            RunForItem(url, async token => found = await client.GetAsync(url, token).ConfigureAwait(false));
            if (found == null)
            {
                return;
            }

            var checkpoint = found;
            var manifest = checkpoint.Manifest;
            PostVerbose($"{url} is checkpoint {manifest.Id} ({(checkpoint.ExactMatch ? "exactly" : "the newest at or before that instant")}) at {checkpoint.Url}.");
            if (manifest.Kind == Manifest.DocumentKind && manifest.Source.StartsWith("daytona:", StringComparison.Ordinal))
            {
                RestoreSnapshots(manifest.Id, () => RunAsync(token => client.ReadFileAsync(checkpoint, NewCheckpointCommand.SnapshotsDocument, token)));
                return;
            }

            var destination = DestinationFor(manifest.Id, Force);
            if (destination == null)
            {
                return;
            }

            const int activity = 0x0C50;
            var progress = ProgressReporter(activity);
            RunForItem(url, async token =>
            {
                await client.RestoreAsync(checkpoint, destination, new RestoreOptions { Force = Force.IsPresent, Progress = progress }, token).ConfigureAwait(false);
                CompleteProgress(activity, "Restoring");
                PostVerbose($"Restored checkpoint {manifest.Id} ({manifest.Files} files, {Sizes.Format(manifest.Size)}) from {checkpoint.Url} into {destination}.");
                PostObject(new DirectoryInfo(destination));
            });
        }

        /// <summary>A URL that names no checkpoint is refused before any request.</summary>
        private bool IsCheckpointUrl(Uri url)
        {
            if (CheckpointServerClient.CheckpointRoot(url, out _, out var subPath) == null || subPath.Length > 0)
            {
                var error = subPath.Length > 0
                    ? ErrorCatalog.CheckpointUriInvalid.Create($"{url} names '{subPath}' inside a checkpoint; a restore takes a whole checkpoint.", url.ToString(),
                        recommendation: "Pass the checkpoint's URL, ending at its time: http://<server>/<source>/<yyyyMMddTHHmmssZ>/.")
                    : ErrorCatalog.CheckpointUriInvalid.Create($"{url} names no checkpoint: its path has no yyyyMMddTHHmmssZ segment after the source.", url.ToString());
                WriteFailure(error, url);
                return false;
            }

            return true;
        }

        /// <summary>The destination of a folder checkpoint, after ShouldProcess; null when there is none or the user declined.</summary>
        private string? DestinationFor(string id, bool force)
        {
            if (string.IsNullOrEmpty(Destination))
            {
                WriteFailure(ErrorCatalog.CheckpointDestinationMissing.Create(
                    $"Checkpoint {id} holds a folder: say where to restore it with -Destination."), id);
                return null;
            }

            var destination = ResolvePath(Destination!);
            return ShouldProcess(destination, $"Restore checkpoint {id}{(force ? " (replacing the content)" : string.Empty)}") ? destination : null;
        }

        private void RestoreSnapshots(string checkpointId, Func<byte[]> readDocument)
        {
            DaytonaConnection connection;
            try
            {
                connection = ConnectionResolver.Resolve(Connection);
            }
            catch (DaytonaException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, checkpointId));
                return;
            }

            List<CreateSnapshotRequest> requests;
            try
            {
                requests = ReadRequests(readDocument(), checkpointId);
            }
            catch (DaytonaException e)
            {
                WriteFailure(e, checkpointId);
                return;
            }

            var client = DaytonaClient.For(connection);
            var recording = Recording.CommandRecording.Capture(this);
            RunAsync(async token =>
            {
                foreach (var request in requests)
                {
                    using var calls = recording?.Observe(new[] { request.Name });
                    var existing = await client.FindSnapshotAsync(request.Name, token).ConfigureAwait(false);
                    if (existing != null)
                    {
                        PostVerbose($"Snapshot '{request.Name}' exists in the organization; left as it is.");
                        continue;
                    }

                    if (!OnPipelineThread(() => ShouldProcess($"{request.Name} at {connection.ApiUrl}", $"Re-create snapshot from checkpoint {checkpointId}")))
                    {
                        continue;
                    }

                    await ForItemAsync(request.Name, async () =>
                    {
                        var created = await client.CreateSnapshotAsync(request, token).ConfigureAwait(false);
                        PostVerbose($"Re-created snapshot '{request.Name}' from checkpoint {checkpointId}.");
                        PostObject(created);
                    }).ConfigureAwait(false);
                }
            });
        }

        /// <summary>The create requests of the snapshot document written by New-Checkpoint.</summary>
        internal static List<CreateSnapshotRequest> ReadRequests(byte[] json, string id)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                var result = new List<CreateSnapshotRequest>();
                foreach (var item in document.RootElement.GetProperty("snapshots").EnumerateArray())
                {
                    var request = new CreateSnapshotRequest(item.GetProperty("name").GetString()!);
                    if (item.TryGetProperty("imageName", out var image) && image.ValueKind == JsonValueKind.String)
                    {
                        request.ImageName = image.GetString();
                    }

                    if (item.TryGetProperty("buildInfo", out var build) && build.ValueKind == JsonValueKind.Object)
                    {
                        if (build.TryGetProperty("dockerfileContent", out var dockerfile) && dockerfile.ValueKind == JsonValueKind.String)
                        {
                            request.DockerfileContent = dockerfile.GetString();
                        }

                        if (build.TryGetProperty("contextHashes", out var hashes) && hashes.ValueKind == JsonValueKind.Array)
                        {
                            var list = new List<string>();
                            foreach (var hash in hashes.EnumerateArray())
                            {
                                list.Add(hash.GetString() ?? string.Empty);
                            }

                            request.ContextHashes = list;
                        }

                        if (request.DockerfileContent != null)
                        {
                            request.ImageName = null;
                        }
                    }

                    request.Cpu = Whole(item, "cpu");
                    request.Gpu = Whole(item, "gpu");
                    request.Memory = Whole(item, "mem");
                    request.Disk = Whole(item, "disk");
                    if (item.TryGetProperty("entrypoint", out var entrypoint) && entrypoint.ValueKind == JsonValueKind.Array)
                    {
                        var list = new List<string>();
                        foreach (var part in entrypoint.EnumerateArray())
                        {
                            list.Add(part.GetString() ?? string.Empty);
                        }

                        // Daytona refuses an entrypoint beside build info: a built image's entrypoint is its Dockerfile's.
                        request.Entrypoint = list.Count == 0 || request.DockerfileContent != null ? null : list;
                    }

                    result.Add(request);
                }

                return result;
            }
            catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException || e is ArgumentException)
            {
                throw new DaytonaException(CheckpointErrors.Corrupt, ErrorKind.InvalidData,
                    $"The snapshot definitions of checkpoint {id} cannot be read: {e.Message}", id, e);
            }
        }

        private static int? Whole(JsonElement item, string name)
        {
            if (!item.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number)
            {
                return null;
            }

            var number = value.GetDouble();
            return number > 0 ? (int)Math.Round(number) : (int?)null;
        }
    }
}
