using System.IO;
using System.Management.Automation;
using Daytona.Checkpoints;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Writes one checkpoint with exactly the content it needs to a single archive file, to copy to another machine.</para>
    /// </summary>
    [Cmdlet(VerbsData.Export, "Checkpoint", SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportCheckpointCommand : CheckpointCmdlet
    {
        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public override string? Repository { get; set; }

        /// <summary>The checkpoint id.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string Id { get; set; } = string.Empty;

        /// <summary>The archive file to write; an existing folder receives &lt;id&gt;.dyckpt.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>Replaces an existing archive file.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var repository = OpenRepository();
            var target = ResolvePath(Path);
            if (Directory.Exists(target))
            {
                target = System.IO.Path.Combine(target, Id + ".dyckpt");
            }

            if (!ShouldProcess(target, $"Export checkpoint {Id}"))
            {
                return;
            }

            const int activity = 0x0C51;
            var progress = ProgressReporter(activity);
            RunForItem(Id, async token =>
            {
                var bytes = await repository.ExportAsync(Id, target, Force.IsPresent, progress, token).ConfigureAwait(false);
                CompleteProgress(activity, "Exporting");
                PostVerbose($"Exported checkpoint {Id} to {target} ({Sizes.Format(bytes)}).");
                PostObject(new FileInfo(target));
            });
        }
    }
}
