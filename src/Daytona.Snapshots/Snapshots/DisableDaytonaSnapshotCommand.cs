using System.Management.Automation;
using Daytona.Api;
using Daytona.Common;

namespace Daytona.Snapshots.Snapshots
{
    /// <summary>
    /// <para type="synopsis">Deactivates Daytona snapshots (they stay defined and can be activated again).</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Disable, "DaytonaSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(Snapshot))]
    public sealed class DisableDaytonaSnapshotCommand : SnapshotTargetCmdlet
    {
        private protected override void ProcessTarget(SnapshotTarget target)
        {
            var client = ClientOrThrow(target.Snapshot);
            RunForTarget(target, async token =>
            {
                var id = await client.ResolveIdAsync(target.Key, token).ConfigureAwait(false);
                if (!OnPipelineThread(() => ShouldProcess($"{target} ({id})", "Deactivate Daytona snapshot")))
                {
                    return;
                }

                await client.DeactivateSnapshotAsync(id, token).ConfigureAwait(false);
                var snapshot = await client.GetSnapshotAsync(id, token).ConfigureAwait(false);
                PostVerbose($"Deactivated snapshot '{snapshot.Name}': now {snapshot.StateText}.");
                PostObject(snapshot);
            });
        }
    }
}
