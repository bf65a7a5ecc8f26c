using System;
using System.Collections.Generic;
using System.Management.Automation;
using Daytona.Common;

namespace Daytona.Snapshots.AzureDevOps
{
    /// <summary>
    /// Writes Azure Pipelines logging commands through the PowerShell host (never to the output stream), and only
    /// inside an Azure Pipelines job. Outside one every method does nothing.
    /// </summary>
    internal static class PipelineLog
    {
        private static readonly object s_secretGate = new object();
        private static readonly HashSet<string> s_registeredSecrets = new HashSet<string>(StringComparer.Ordinal);

        public static bool IsActive => AzurePipelines.IsActive;

        public static void WriteLine(PSCmdlet cmdlet, string line)
        {
            if (IsActive)
            {
                cmdlet.Host.UI.WriteLine(line);
            }
        }

        /// <summary>
        /// Masks a secret in the rest of the job's log. Done once per value and process, as soon as the module
        /// reads the secret, before anything could print it.
        /// </summary>
        public static void RegisterSecret(PSCmdlet cmdlet, string secret)
        {
            if (!IsActive || string.IsNullOrEmpty(secret))
            {
                return;
            }

            lock (s_secretGate)
            {
                if (!s_registeredSecrets.Add(secret))
                {
                    return;
                }
            }

            cmdlet.Host.UI.WriteLine(AzurePipelines.SetSecret(secret));
        }

        /// <summary>Opens a collapsible section of the log; disposing it closes the section.</summary>
        public static IDisposable Group(PSCmdlet cmdlet, string title)
        {
            if (!IsActive)
            {
                return NoGroup.Instance;
            }

            cmdlet.Host.UI.WriteLine(AzurePipelines.GroupStart(title));
            return new OpenGroup(cmdlet);
        }

        private sealed class OpenGroup : IDisposable
        {
            private PSCmdlet? _cmdlet;

            public OpenGroup(PSCmdlet cmdlet) => _cmdlet = cmdlet;

            public void Dispose()
            {
                _cmdlet?.Host.UI.WriteLine(AzurePipelines.GroupEnd());
                _cmdlet = null;
            }
        }

        private sealed class NoGroup : IDisposable
        {
            public static readonly NoGroup Instance = new NoGroup();

            public void Dispose()
            {
            }
        }
    }
}
