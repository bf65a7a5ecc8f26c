using System.Management.Automation;
using Daytona.Checkpoints;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Imports a checkpoint archive into a repository after verifying every hash; the checkpoint keeps its time.</para>
    /// </summary>
    [Cmdlet(VerbsData.Import, "Checkpoint", SupportsShouldProcess = true)]
    [OutputType(typeof(Checkpoint))]
    public sealed class ImportCheckpointCommand : CheckpointCmdlet
    {
        /// <summary>The archive file written by Export-Checkpoint.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://); created when it does not exist. Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(Position = 1)]
        public override string? Repository { get; set; }

        protected override void ProcessRecord()
        {
            var archive = ResolvePath(Path);
            var root = ResolveRepository();
            if (!ShouldProcess(root.Display, $"Import checkpoint archive {archive}"))
            {
                return;
            }

            const int activity = 0x0C52;
            var progress = ProgressReporter(activity);
            RunForItem(archive, async token =>
            {
                var repository = OpenOrCreateRepository(root);
                var checkpoint = await repository.ImportAsync(archive, progress, token).ConfigureAwait(false);
                CompleteProgress(activity, "Importing");
                PostVerbose($"Imported checkpoint {checkpoint.Id} from {archive} ({Sizes.Format(checkpoint.NewData)} new data).");
                PostObject(checkpoint);
            });
        }
    }
}
