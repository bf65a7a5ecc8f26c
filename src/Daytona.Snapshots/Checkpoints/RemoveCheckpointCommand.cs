using System.Management.Automation;
using Daytona.Checkpoints;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Removes checkpoints and reclaims the stored content no other checkpoint uses. Asks for confirmation.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "Checkpoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(Checkpoint))]
    public sealed class RemoveCheckpointCommand : CheckpointCmdlet
    {
        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public override string? Repository { get; set; }

        /// <summary>The checkpoint id.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string Id { get; set; } = string.Empty;

        /// <summary>Removes without asking (-WhatIf still only reports).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Emits the removed checkpoint.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

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

            var description = $"checkpoint {checkpoint.Id}{(checkpoint.Name == null ? string.Empty : $" '{checkpoint.Name}'")} of {checkpoint.Source}";
            var confirm = !Force.IsPresent || MyInvocation.BoundParameters.ContainsKey("WhatIf") || MyInvocation.BoundParameters.ContainsKey("Confirm");
            if (confirm && !ShouldProcess(description, "Remove checkpoint"))
            {
                return;
            }

            RunForItem(Id, token =>
            {
                var freed = repository.Remove(checkpoint.Id, token);
                PostVerbose($"Removed {description}; reclaimed {Sizes.Format(freed)}.");
                if (PassThru.IsPresent)
                {
                    PostObject(checkpoint);
                }

                return System.Threading.Tasks.Task.CompletedTask;
            });
        }
    }
}
