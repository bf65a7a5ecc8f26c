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
    public sealed class DisableDaytonaSnapshotCommand : SnapshotCmdlet
    {
        /// <summary>A snapshot from Get-DaytonaSnapshot.</summary>
        [Parameter(ValueFromPipeline = true)]
        [Alias("Snapshot")]
        public Snapshot? InputObject { get; set; }

        /// <summary>Snapshot names (or ids).</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(Completion.SnapshotNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Snapshot ids.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("SnapshotId")]
        public string[]? Id { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var target in TargetsOrError(InputObject, Id, Name))
            {
                Process(target);
            }
        }

        private void Process(SnapshotTarget target)
        {
            var client = ClientOrThrow(target.Snapshot);
            RunAsync(async token =>
            {
                using var log = RequestLog();
                try
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
                }
                catch (DaytonaException e) when (e.Kind != ErrorKind.AuthenticationError && e.ErrorId != DaytonaErrorIds.Unreachable)
                {
                    PostError(e, (object?)target.Snapshot ?? target.Key);
                }
            });
        }
    }
}
