using System.Management.Automation;
using Daytona.Checkpoints;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Changes the settings a checkpoint repository carries for every agent that writes to it: -KeepLast keeps the newest N checkpoints of each source after each capture. Creates the repository when nothing is there yet.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "CheckpointRepository", SupportsShouldProcess = true)]
    [OutputType(typeof(CheckpointRepositoryInfo))]
    public sealed class SetCheckpointRepositoryCommand : CheckpointCmdlet
    {
        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        public override string? Repository { get; set; }

        /// <summary>
        /// Keep the newest this many checkpoints of each source: every capture then removes older checkpoints of its
        /// source and reclaims what only they used. 0 keeps every checkpoint (no retention).
        /// </summary>
        [Parameter(Mandatory = true)]
        [ValidateRange(0, int.MaxValue)]
        public int KeepLast { get; set; }

        /// <summary>Emits the repository with its new settings.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var location = ResolveRepository();
            var what = KeepLast == 0 ? "Keep every checkpoint" : $"Keep the last {KeepLast} checkpoints of each source after each capture";
            if (!ShouldProcess(location.Display, what))
            {
                return;
            }

            RunForItem(location.Display, token =>
            {
                var repository = OpenOrCreateRepository(location);
                repository.ChangeSettings(settings => settings.KeepLast = KeepLast == 0 ? (int?)null : KeepLast, token);
                PostVerbose(KeepLast == 0
                    ? $"{repository.Location} keeps every checkpoint."
                    : $"{repository.Location} keeps the last {KeepLast} checkpoints of each source: older ones go with the next capture of their source (Remove-Checkpoint -KeepLast {KeepLast} removes them now).");
                if (PassThru.IsPresent)
                {
                    PostObject(repository.GetInfo(token));
                }

                return System.Threading.Tasks.Task.CompletedTask;
            });
        }
    }
}
