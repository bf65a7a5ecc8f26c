using System.Collections.Generic;
using System.Management.Automation;
using Daytona.Checkpoints;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Re-reads and re-hashes checkpoints, reporting every missing or damaged piece by path.</para>
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "Checkpoint")]
    [OutputType(typeof(CheckpointVerification))]
    public sealed class TestCheckpointCommand : CheckpointCmdlet
    {
        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        public override string? Repository { get; set; }

        /// <summary>The checkpoint to verify. Default: every checkpoint of the repository.</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Id { get; set; }

        protected override void ProcessRecord()
        {
            var repository = OpenRepository();
            IReadOnlyList<string> ids = string.IsNullOrEmpty(Id) ? repository.ListIds() : new[] { Id! };
            const int activity = 0x0C50;
            var progress = ProgressReporter(activity);
            RunAsync(async token =>
            {
                foreach (var id in ids)
                {
                    await ForItemAsync(id, () =>
                    {
                        var result = repository.Verify(id, progress, token);
                        foreach (var problem in result.Problems)
                        {
                            PostError(ErrorRecords.Create(ErrorCatalog.CheckpointCorrupt,
                                $"Checkpoint {id}: '{problem.Path}': {problem.Problem}", problem,
                                "Restore the repository from a copy, or import the checkpoint again from an archive."));
                        }

                        PostObject(result);
                        return System.Threading.Tasks.Task.CompletedTask;
                    }).ConfigureAwait(false);
                }

                CompleteProgress(activity, "Verifying");
            });
        }
    }
}
