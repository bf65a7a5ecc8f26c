using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Daytona.Api;
using Daytona.Recording;

namespace Daytona.Snapshots.Recording
{
    /// <summary>
    /// Where a command's API calls go while a recording runs: captured on the pipeline thread when the command begins
    /// (null when nothing is recording, or when the command runs under -WhatIf, whose calls are not recorded), then
    /// attached to each unit of its work. When nothing records, a command pays one lookup.
    /// </summary>
    internal sealed class CommandRecording
    {
        private readonly RecordingSession _session;
        private readonly string _command;

        private CommandRecording(RecordingSession session, string command)
        {
            _session = session;
            _command = command;
        }

        /// <summary>The recording <paramref name="cmdlet"/>'s calls go to; call it on the pipeline thread.</summary>
        public static CommandRecording? Capture(PSCmdlet cmdlet)
        {
            var session = RecordingStore.Current;
            if (session == null || WhatIf(cmdlet))
            {
                return null;
            }

            return new CommandRecording(session, cmdlet.MyInvocation.MyCommand?.Name ?? cmdlet.GetType().Name);
        }

        /// <summary>Attaches a unit of the command's work (the snapshots it acts on) to the client's send path until disposed.</summary>
        public IDisposable Observe(IEnumerable<string>? targets)
        {
            var unit = _session.BeginCommand(_command, targets);
            var observing = DaytonaClient.Observe(unit);
            return new Both(observing, unit);
        }

        private static bool WhatIf(PSCmdlet cmdlet)
        {
            var attribute = cmdlet.GetType().GetCustomAttributes(typeof(CmdletAttribute), true).OfType<CmdletAttribute>().FirstOrDefault();
            if (attribute == null || !attribute.SupportsShouldProcess)
            {
                return false;
            }

            if (cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out var bound))
            {
                return bound is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(bound);
            }

            return LanguagePrimitives.IsTrue(cmdlet.GetVariableValue("WhatIfPreference"));
        }

        /// <summary>Detaches the observer, then hands the unit's calls to the recording.</summary>
        private sealed class Both : IDisposable
        {
            private readonly IDisposable _first;
            private readonly IDisposable _second;

            public Both(IDisposable first, IDisposable second)
            {
                _first = first;
                _second = second;
            }

            public void Dispose()
            {
                _first.Dispose();
                _second.Dispose();
            }
        }
    }
}
