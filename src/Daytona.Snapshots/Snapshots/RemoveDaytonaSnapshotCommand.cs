using System.Management.Automation;
using Daytona.Api;
using Daytona.Common;

namespace Daytona.Snapshots.Snapshots
{
    /// <summary>
    /// <para type="synopsis">Removes Daytona snapshots. Asks for confirmation unless -Force (or -Confirm:$false) is given.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "DaytonaSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(Snapshot))]
    public sealed class RemoveDaytonaSnapshotCommand : SnapshotTargetCmdlet
    {
        /// <summary>Removes without asking for confirmation (-WhatIf still only reports).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Emits the removed snapshot (as it was just before removal).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private protected override void ProcessTarget(SnapshotTarget target)
        {
            var client = ClientOrThrow(target.Snapshot);
            var confirm = !Force.IsPresent || MyInvocation.BoundParameters.ContainsKey("WhatIf") || MyInvocation.BoundParameters.ContainsKey("Confirm");
            RunForTarget(target, async token =>
            {
                var snapshot = target.Snapshot != null && target.Snapshot.Id.Length > 0
                    ? target.Snapshot
                    : await client.GetSnapshotAsync(target.Key, token).ConfigureAwait(false);
                var description = $"{snapshot.Name} ({snapshot.Id})";
                if (confirm && !OnPipelineThread(() => ShouldProcess(description, "Remove Daytona snapshot")))
                {
                    return;
                }

                await client.DeleteSnapshotAsync(snapshot.Id, token).ConfigureAwait(false);
                PostVerbose($"Removed snapshot {description}.");
                if (PassThru.IsPresent)
                {
                    PostObject(snapshot);
                }
            });
        }
    }
}
