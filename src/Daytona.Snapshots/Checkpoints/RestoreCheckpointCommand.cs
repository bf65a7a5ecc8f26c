using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Api;
using Daytona.Checkpoints;
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

        /// <summary>The checkpoint id.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string Id { get; set; } = string.Empty;

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
            var repository = OpenRepository();
            Checkpoint checkpoint;
            try
            {
                checkpoint = repository.Get(Id);
            }
            catch (DaytonaException e)
            {
                WriteFailure(e, Id);
                return;
            }

            if (checkpoint.Kind == Manifest.DocumentKind && checkpoint.Source.StartsWith("daytona:", StringComparison.Ordinal))
            {
                RestoreSnapshots(repository, checkpoint);
                return;
            }

            if (string.IsNullOrEmpty(Destination))
            {
                WriteError(ErrorRecords.Create(ErrorCatalog.CheckpointDestinationMissing,
                    $"Checkpoint {checkpoint.Id} holds a folder: say where to restore it with -Destination.", checkpoint.Id));
                return;
            }

            var destination = ResolvePath(Destination!);
            if (!ShouldProcess(destination, $"Restore checkpoint {checkpoint.Id}{(Force ? " (replacing the content)" : string.Empty)}"))
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

        private void RestoreSnapshots(CheckpointRepository repository, Checkpoint checkpoint)
        {
            DaytonaConnection connection;
            try
            {
                connection = ConnectionResolver.Resolve(Connection);
            }
            catch (DaytonaException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, checkpoint.Id));
                return;
            }

            List<CreateSnapshotRequest> requests;
            try
            {
                requests = ReadRequests(repository.ReadFile(checkpoint.Id, NewCheckpointCommand.SnapshotsDocument), checkpoint.Id);
            }
            catch (DaytonaException e)
            {
                WriteFailure(e, checkpoint.Id);
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

                    if (!OnPipelineThread(() => ShouldProcess($"{request.Name} at {connection.ApiUrl}", $"Re-create snapshot from checkpoint {checkpoint.Id}")))
                    {
                        continue;
                    }

                    await ForItemAsync(request.Name, async () =>
                    {
                        var created = await client.CreateSnapshotAsync(request, token).ConfigureAwait(false);
                        PostVerbose($"Re-created snapshot '{request.Name}' from checkpoint {checkpoint.Id}.");
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
