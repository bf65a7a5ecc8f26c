using System.Management.Automation;
using Daytona.Checkpoints;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Lists what was added, removed or changed between two checkpoints, or between a checkpoint and a folder.</para>
    /// </summary>
    [Cmdlet(VerbsData.Compare, "Checkpoint", DefaultParameterSetName = CheckpointSet)]
    [OutputType(typeof(CheckpointDifference))]
    public sealed class CompareCheckpointCommand : CheckpointCmdlet
    {
        private const string CheckpointSet = "Checkpoint";
        private const string FolderSet = "Folder";

        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public override string? Repository { get; set; }

        /// <summary>The reference checkpoint (the older state).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ReferenceId")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string Id { get; set; } = string.Empty;

        /// <summary>The checkpoint to compare with (the newer state).</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = CheckpointSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string DifferenceId { get; set; } = string.Empty;

        /// <summary>A folder to compare with the checkpoint (files of equal size are read and hashed).</summary>
        [Parameter(Mandatory = true, ParameterSetName = FolderSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        protected override void ProcessRecord()
        {
            var repository = OpenRepository();
            var folder = ParameterSetName == FolderSet ? ResolvePath(Path) : null;
            RunForItem(Id, token =>
            {
                var differences = folder == null ? repository.Compare(Id, DifferenceId) : repository.CompareWithFolder(Id, folder, token);
                foreach (var difference in differences)
                {
                    PostObject(difference);
                }

                return System.Threading.Tasks.Task.CompletedTask;
            });
        }
    }
}
