using System.Management.Automation;
using Daytona.Api;
using Daytona.Common;

namespace Daytona.Snapshots.Snapshots
{
    /// <summary>
    /// <para type="synopsis">Activates inactive Daytona snapshots; an already active snapshot passes through unchanged.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Enable, "DaytonaSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(Snapshot))]
    public sealed class EnableDaytonaSnapshotCommand : SnapshotTargetCmdlet
    {
        private protected override void ProcessTarget(SnapshotTarget target)
        {
            var client = ClientOrThrow(target.Snapshot);
            RunForTarget(target, async token =>
            {
                // A piped snapshot already says its state; anything else is read first (activation needs the id).
                var snapshot = target.Snapshot ?? await client.GetSnapshotAsync(target.Key, token).ConfigureAwait(false);
                if (snapshot.State == SnapshotState.Active)
                {
                    PostVerbose($"Snapshot '{snapshot.Name}' is already active.");
                    PostObject(snapshot);
                    return;
                }

                if (!OnPipelineThread(() => ShouldProcess($"{snapshot.Name} ({snapshot.Id}, {snapshot.StateText})", "Activate Daytona snapshot")))
                {
                    return;
                }

                var activated = await client.ActivateSnapshotAsync(snapshot.Id, token).ConfigureAwait(false);
                PostVerbose($"Activated snapshot '{activated.Name}': now {activated.StateText}.");
                PostObject(activated);
            });
        }
    }
}
