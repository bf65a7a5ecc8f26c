using System.Management.Automation;
using Daytona.Checkpoints;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Shows a checkpoint repository: where it is, its settings (KeepLast) and how many checkpoints of which sources it holds.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "CheckpointRepository")]
    [OutputType(typeof(CheckpointRepositoryInfo))]
    public sealed class GetCheckpointRepositoryCommand : CheckpointCmdlet
    {
        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        public override string? Repository { get; set; }

        protected override void ProcessRecord()
        {
            var repository = OpenRepository();
            RunForItem(repository.Location, token =>
            {
                PostObject(repository.GetInfo(token));
                return System.Threading.Tasks.Task.CompletedTask;
            });
        }
    }
}
