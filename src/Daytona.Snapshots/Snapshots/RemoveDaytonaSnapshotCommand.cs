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
    public sealed class RemoveDaytonaSnapshotCommand : SnapshotCmdlet
    {
        /// <summary>A snapshot from Get-DaytonaSnapshot.</summary>
        [Parameter(ValueFromPipeline = true)]
        [Alias("Snapshot")]
        public Snapshot? InputObject { get; set; }

        /// <summary>The snapshot's name (or id).</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(Completion.SnapshotNameCompleter))]
        public string? Name { get; set; }

        /// <summary>The snapshot's id.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("SnapshotId")]
        public string? Id { get; set; }

        /// <summary>Removes without asking for confirmation (-WhatIf still only reports).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Emits the removed snapshot (as it was just before removal).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var target = TargetOrError(InputObject, Id, Name);
            if (target == null)
            {
                return;
            }

            var client = ClientOrThrow(target.Value.Snapshot);
            var confirm = !Force.IsPresent || MyInvocation.BoundParameters.ContainsKey("WhatIf") || MyInvocation.BoundParameters.ContainsKey("Confirm");
            RunAsync(async token =>
            {
                using var log = RequestLog();
                try
                {
                    var snapshot = target.Value.Snapshot != null && target.Value.Snapshot.Id.Length > 0
                        ? target.Value.Snapshot
                        : await client.GetSnapshotAsync(target.Value.Key, token).ConfigureAwait(false);
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
                }
                catch (DaytonaException e) when (e.Kind != ErrorKind.AuthenticationError && e.ErrorId != DaytonaErrorIds.Unreachable)
                {
                    PostError(e, (object?)target.Value.Snapshot ?? target.Value.Key);
                }
            });
        }
    }
}
