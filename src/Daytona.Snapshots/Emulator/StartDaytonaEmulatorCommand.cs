using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using Daytona.Api.Emulator;
using Daytona.Snapshots.Common;
using Daytona.Snapshots.Connection;
using Daytona.Common;

namespace Daytona.Snapshots.Emulator
{
    /// <summary>
    /// <para type="synopsis">Starts the local Daytona emulator (bundled with the module) and returns its URL, key and a connection.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "DaytonaEmulator")]
    [OutputType(typeof(EmulatorInstance))]
    public sealed class StartDaytonaEmulatorCommand : AsyncCmdlet
    {
        /// <summary>The port on 127.0.0.1; 0 (the default) picks a free one.</summary>
        [Parameter(Position = 0)]
        [ValidateRange(0, 65535)]
        public int Port { get; set; }

        /// <summary>The key the emulator requires. Default: a random dtn_emu_ key.</summary>
        [Parameter]
        [ValidateNotNull]
        public SecureString? ApiKey { get; set; }

        /// <summary>Multiplies every pretend duration (builds, pulls, removals); 0.05 makes a 3 s build take 150 ms.</summary>
        [Parameter]
        [ValidateRange(0.0, 1000.0)]
        public double TimeScale { get; set; } = 1.0;

        /// <summary>The default time a snapshot takes from pending to settled. A number is taken as seconds.</summary>
        [Parameter]
        [SecondsToTimeSpan]
        public TimeSpan BuildDuration { get; set; } = TimeSpan.FromSeconds(3);

        protected override void ProcessRecord()
        {
            if (BuildDuration < TimeSpan.Zero)
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorCatalog.InvalidBuildDuration.Id, Daytona.Common.ErrorKind.InvalidArgument,
                    "-BuildDuration must not be negative.", BuildDuration));
            }

            var options = new EmulatorStartOptions
            {
                EmulatorPath = EmulatorFolder.EmulatorDll,
                Port = Port,
                ApiKey = ApiKey == null ? null : Common.SecureStrings.ToPlainText(ApiKey),
                TimeScale = TimeScale,
                BuildDuration = MyInvocation.BoundParameters.ContainsKey(nameof(BuildDuration)) ? BuildDuration : (TimeSpan?)null,
            };

            var owner = EmulatorTracking.Owner;
            WriteVerbose($"Starting the emulator from {options.EmulatorPath} on 127.0.0.1:{(Port == 0 ? "<free port>" : Port.ToString())}, time scale {TimeScale}.");
            var instance = RunAsync(token => EmulatorLauncher.StartAsync(options, owner, token));
            EmulatorTracking.NoteStarted();
            WriteVerbose($"The emulator listens on {instance.ApiUrl} (process {instance.ProcessId}); it stops with Stop-DaytonaEmulator, Remove-Module or the end of this process.");
            WriteObject(instance);
        }
    }

    /// <summary>Accepts a number of seconds (or a string like '00:00:05') for a TimeSpan parameter.</summary>
    internal sealed class SecondsToTimeSpanAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case int i:
                    return TimeSpan.FromSeconds(i);
                case long l:
                    return TimeSpan.FromSeconds(l);
                case double d:
                    return TimeSpan.FromSeconds(d);
                case decimal m:
                    return TimeSpan.FromSeconds((double)m);
                case string s when double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds):
                    return TimeSpan.FromSeconds(seconds);
                default:
                    return inputData;
            }
        }
    }

    /// <summary>Where the module keeps the emulator: &lt;module folder&gt;/Emulator/Daytona.Emulator.dll.</summary>
    internal static class EmulatorFolder
    {
        public static string EmulatorDll =>
            Path.Combine(Path.GetDirectoryName(typeof(EmulatorFolder).Assembly.Location) ?? ".", "Emulator", "Daytona.Emulator.dll");
    }

    /// <summary>
    /// Which emulators belong to which runspace, so Remove-Module stops the ones its runspace started (and no other
    /// runspace's). Touches the engine assembly only once an emulator was started.
    /// </summary>
    internal static class EmulatorTracking
    {
        private static volatile bool s_anyStarted;

        /// <summary>The current runspace, the owner of what Start-DaytonaEmulator starts in it.</summary>
        public static object Owner => (object?)Runspace.DefaultRunspace ?? typeof(EmulatorTracking);

        public static void NoteStarted() => s_anyStarted = true;

        /// <summary>Called by the module's cleanup on Remove-Module: stops what this runspace started.</summary>
        public static void StopForCurrentRunspace()
        {
            if (s_anyStarted)
            {
                StopOwnedBy(Owner);
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void StopOwnedBy(object owner) => EmulatorLauncher.StopAll(owner);
    }
}
