using System;

namespace Daytona.Api.Emulator
{
    /// <summary>How <see cref="EmulatorLauncher"/> starts the emulator process.</summary>
    public sealed class EmulatorStartOptions
    {
        /// <summary>The emulator assembly, e.g. <c>&lt;module&gt;/Emulator/Daytona.Emulator.dll</c>.</summary>
        public string EmulatorPath { get; set; } = string.Empty;

        /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
        public int Port { get; set; }

        /// <summary>The key the emulator requires; null: it makes a random one. Passed through the environment, never the command line.</summary>
        public string? ApiKey { get; set; }

        public string? OrganizationId { get; set; }

        /// <summary>Multiplies every pretend duration.</summary>
        public double TimeScale { get; set; } = 1.0;

        /// <summary>Default time from pending to settled; null: the emulator's default (3 s).</summary>
        public TimeSpan? BuildDuration { get; set; }

        /// <summary>How long to wait for the emulator to say it is listening.</summary>
        public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>The process the emulator watches: it exits when that one ends. Default: this process.</summary>
        public int? ParentProcessId { get; set; }
    }
}
