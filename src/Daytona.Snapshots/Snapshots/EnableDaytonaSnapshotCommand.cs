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
                // The state is read now, not taken from a piped object: a snapshot read while active may have been
                // deactivated since (Daytona deactivates unused ones), and one read inactive may be active by now.
                var key = target.Snapshot != null && target.Snapshot.Id.Length > 0 ? target.Snapshot.Id : target.Key;
                var snapshot = await client.GetSnapshotAsync(key, token).ConfigureAwait(false);
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
