using System.Management.Automation;
using Daytona.Checkpoints;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Changes the label of a checkpoint. Its time (the id) never changes.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Rename, "Checkpoint", SupportsShouldProcess = true)]
    [OutputType(typeof(Checkpoint))]
    public sealed class RenameCheckpointCommand : CheckpointCmdlet
    {
        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public override string? Repository { get; set; }

        /// <summary>The checkpoint id.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string Id { get; set; } = string.Empty;

        /// <summary>The new label (an empty string removes it).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [AllowEmptyString]
        public string NewName { get; set; } = string.Empty;

        protected override void ProcessRecord()
        {
            var repository = OpenRepository();
            if (!ShouldProcess($"checkpoint {Id} in {repository.Root}", $"Rename to '{NewName}'"))
            {
                return;
            }

            RunForItem(Id, token =>
            {
                PostObject(repository.Rename(Id, NewName, token));
                return System.Threading.Tasks.Task.CompletedTask;
            });
        }
    }
}
