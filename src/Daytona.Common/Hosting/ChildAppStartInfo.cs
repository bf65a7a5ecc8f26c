using System;
using System.Collections.Generic;

namespace Daytona.Common.Hosting
{
    /// <summary>What <see cref="ChildAppLauncher"/> starts: a bundled ASP.NET Core app as <c>dotnet &lt;app&gt;.dll</c>.</summary>
    public sealed class ChildAppStartInfo
    {
        /// <summary>The app's assembly, e.g. <c>&lt;module&gt;/Emulator/Daytona.Emulator.dll</c>.</summary>
        public string AppPath { get; set; } = string.Empty;

        /// <summary>How messages name the app, e.g. "emulator" ("The emulator did not report…").</summary>
        public string DisplayName { get; set; } = "app";

        /// <summary>The catalog entries its failures raise, e.g. <see cref="ChildAppErrors.Emulator"/>.</summary>
        public ChildAppErrors Errors { get; set; } = ChildAppErrors.Emulator;

        /// <summary>What to do when the app's assembly is missing (the recommended action of <c>…NotFound</c>).</summary>
        public string? MissingAction { get; set; }

        /// <summary>Arguments after the assembly; the launcher adds <c>--parent-pid P --ready-json</c>.</summary>
        public IList<string> Arguments { get; } = new List<string>();

        /// <summary>Environment changes for the child: a value sets the variable, null removes it (secrets go here, never in arguments).</summary>
        public IDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>(StringComparer.Ordinal);

        /// <summary>How long to wait for the app's ready line.</summary>
        public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>The process the app watches: it exits when that one ends. Default: this process.</summary>
        public int? ParentProcessId { get; set; }

        /// <summary>Called (on a pool thread) with each line the app writes on standard output after its ready line.</summary>
        public Action<string>? OutputLine { get; set; }
    }
}
