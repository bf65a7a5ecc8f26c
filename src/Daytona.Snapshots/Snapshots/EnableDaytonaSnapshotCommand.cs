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
    public sealed class EnableDaytonaSnapshotCommand : SnapshotCmdlet
    {
        /// <summary>A snapshot from Get-DaytonaSnapshot or Wait-DaytonaSnapshot.</summary>
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
                }
                catch (DaytonaException e) when (e.Kind != ErrorKind.AuthenticationError && e.ErrorId != DaytonaErrorIds.Unreachable)
                {
                    PostError(e, (object?)target.Snapshot ?? target.Key);
                }
            });
        }
    }
}
