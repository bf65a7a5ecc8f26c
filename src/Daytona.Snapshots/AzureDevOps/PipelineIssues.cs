using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using Daytona.Common;

namespace Daytona.Snapshots.AzureDevOps
{
    /// <summary>
    /// Azure Pipelines issues that follow PowerShell's error semantics: an error becomes an issue
    /// (<c>##vso[task.logissue type=error]</c>) when it reaches the user as an error — a non-terminating error that is
    /// shown, or a terminating one (including one that -ErrorAction Stop makes terminating) that nothing catches — and
    /// never when the user silenced it (-ErrorAction SilentlyContinue or Ignore, $ErrorActionPreference, <c>2&gt;</c>)
    /// or caught it (try/catch around the command, in any calling frame). Each error is raised once, with its ErrorId
    /// and the script, line and column of the command, which the run's summary links to. A shown warning becomes
    /// <c>type=warning</c>. Outside a job nothing is written.
    /// </summary>
    internal static class PipelineIssues
    {
        private static readonly ConditionalWeakTable<object, object> s_raised = new ConditionalWeakTable<object, object>();

        public static void BeforeError(PSCmdlet cmdlet, ErrorRecord record, bool terminating)
        {
            if (!AzurePipelines.IsActive)
            {
                return;
            }

            var action = ErrorReach.Preference(cmdlet, "ErrorAction", "ErrorActionPreference");
            if (!terminating && action == ActionPreference.Stop)
            {
                // -ErrorAction Stop turns the error into a terminating one: it reaches the user unless it is caught.
                terminating = true;
            }
            else if (!terminating && (action == ActionPreference.SilentlyContinue || action == ActionPreference.Ignore))
            {
                return;
            }

            if (ErrorReach.StreamRedirected(cmdlet, 2) || (terminating && ErrorReach.Caught(cmdlet, record.Exception)))
            {
                return;
            }

            var key = (object?)record.Exception ?? record;
            lock (s_raised)
            {
                if (s_raised.TryGetValue(key, out _))
                {
                    return;
                }

                s_raised.Add(key, key);
            }

            var message = record.ErrorDetails?.Message ?? record.Exception?.Message ?? record.ToString();
            var id = record.FullyQualifiedErrorId.Split(',')[0];
            Write(cmdlet, "error", $"{cmdlet.MyInvocation.MyCommand?.Name}: {message}", id);
        }

        public static void BeforeWarning(PSCmdlet cmdlet, string text)
        {
            if (!AzurePipelines.IsActive)
            {
                return;
            }

            var action = ErrorReach.Preference(cmdlet, "WarningAction", "WarningPreference");
            if (action == ActionPreference.SilentlyContinue || action == ActionPreference.Ignore || ErrorReach.StreamRedirected(cmdlet, 3))
            {
                return;
            }

            Write(cmdlet, "warning", $"{cmdlet.MyInvocation.MyCommand?.Name}: {text}", null);
        }

        private static void Write(PSCmdlet cmdlet, string type, string message, string? code)
        {
            var invocation = cmdlet.MyInvocation;
            var script = invocation.ScriptName;
            string? source = null;
            int? line = null;
            int? column = null;
            if (!string.IsNullOrEmpty(script))
            {
                source = SourcePath(script);
                line = invocation.ScriptLineNumber > 0 ? invocation.ScriptLineNumber : (int?)null;
                column = invocation.OffsetInLine > 0 ? invocation.OffsetInLine : (int?)null;
            }

            cmdlet.Host.UI.WriteLine(AzurePipelines.LogIssue(type, message, code, source, line, column));
        }

        /// <summary>The script's path as the run links it: relative to the sources folder when it lies inside it.</summary>
        private static string SourcePath(string script)
        {
            var sources = Environment.GetEnvironmentVariable("BUILD_SOURCESDIRECTORY");
            if (!string.IsNullOrEmpty(sources))
            {
                var root = Path.GetFullPath(sources!).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
                var full = Path.GetFullPath(script);
                if (full.StartsWith(root, StringComparison.Ordinal))
                {
                    return full.Substring(root.Length).Replace('\\', '/');
                }
            }

            return script;
        }
    }
}
