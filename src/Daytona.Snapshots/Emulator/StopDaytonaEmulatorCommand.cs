using System;
using System.Collections.Generic;
using System.Management.Automation;
using Daytona.Snapshots.Common;
using Daytona.Api.Emulator;
using Daytona.Common;

namespace Daytona.Snapshots.Emulator
{
    /// <summary>
    /// <para type="synopsis">Stops local Daytona emulators started with Start-DaytonaEmulator.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "DaytonaEmulator", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(EmulatorInstance))]
    public sealed class StopDaytonaEmulatorCommand : DaytonaCmdlet
    {
        private readonly List<EmulatorInstance> _targets = new List<EmulatorInstance>();
        private bool _anyPiped;

        /// <summary>Emulators from Start-DaytonaEmulator. Without any: every emulator started in this session.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [Alias("Emulator")]
        [ValidateNotNull]
        public EmulatorInstance[]? InputObject { get; set; }

        /// <summary>Returns each stopped emulator.</summary>
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
            var targets = _anyPiped ? _targets : new List<EmulatorInstance>(EmulatorLauncher.Started(EmulatorTracking.Owner));
            if (!_anyPiped && targets.Count == 0)
            {
                WriteVerbose("No emulator started in this session is running.");
            }

            foreach (var instance in targets)
            {
                if (!ShouldProcess($"{instance.ApiUrl} (process {instance.ProcessId})", "Stop the Daytona emulator"))
                {
                    continue;
                }

                if (instance.HasExited)
                {
                    WriteVerbose($"The emulator at {instance.ApiUrl} (process {instance.ProcessId}) had already stopped.");
                    instance.Stop(TimeSpan.Zero);
                }
                else if (instance.Stop(TimeSpan.FromSeconds(5)))
                {
                    WriteVerbose($"Stopped the emulator at {instance.ApiUrl} (process {instance.ProcessId}).");
                }
                else
                {
                    WriteError(ErrorRecords.From(ErrorCatalog.EmulatorStopFailed.Create($"The emulator process {instance.ProcessId} did not stop.", instance), instance));
                    continue;
                }

                if (PassThru)
                {
                    WriteObject(instance);
                }
            }
        }
    }
}
