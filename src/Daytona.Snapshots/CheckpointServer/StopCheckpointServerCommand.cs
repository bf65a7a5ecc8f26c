using System;
using System.Collections.Generic;
using System.Management.Automation;
using Daytona.Checkpoints.Remote;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.CheckpointServer
{
    /// <summary>
    /// <para type="synopsis">Stops checkpoint servers started with Start-CheckpointServer.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "CheckpointServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(CheckpointServerInstance))]
    public sealed class StopCheckpointServerCommand : DaytonaCmdlet
    {
        private readonly List<CheckpointServerInstance> _targets = new List<CheckpointServerInstance>();
        private bool _anyPiped;

        /// <summary>Servers from Start-CheckpointServer. Without any: every server started in this session.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [Alias("Server")]
        [ValidateNotNull]
        public CheckpointServerInstance[]? InputObject { get; set; }

        /// <summary>Returns each stopped server.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null)
            {
                return;
            }

            _anyPiped = true;
            foreach (var instance in InputObject)
            {
                if (instance != null)
                {
                    _targets.Add(instance);
                }
            }
        }

        protected override void EndProcessing()
        {
            var targets = _anyPiped ? _targets : new List<CheckpointServerInstance>(CheckpointServerLauncher.Started(CheckpointServerTracking.Owner));
            if (!_anyPiped && targets.Count == 0)
            {
                WriteVerbose("No checkpoint server started in this session is running.");
            }

            foreach (var instance in targets)
            {
                if (!ShouldProcess($"{instance.Url} (process {instance.ProcessId})", "Stop the checkpoint server"))
                {
                    continue;
                }

                var stopped = instance.HasExited || instance.Stop(TimeSpan.FromSeconds(5));
                foreach (var line in instance.ReadNewLog())
                {
                    WriteVerbose(line);
                }

                if (!stopped)
                {
                    WriteError(ErrorRecords.From(ErrorCatalog.CheckpointServerStopFailed.Create($"The checkpoint server process {instance.ProcessId} did not stop.", instance), instance));
                    continue;
                }

                instance.Stop(TimeSpan.Zero);
                WriteVerbose($"Stopped the checkpoint server at {instance.Url} (process {instance.ProcessId}).");
                if (PassThru)
                {
                    WriteObject(instance);
                }
            }
        }
    }
}
