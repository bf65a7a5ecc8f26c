using System.IO;
using System.Linq;
using System.Management.Automation;

namespace Daytona.Snapshots.Completion
{
    /// <summary>Resolves a path typed on the command line against the PowerShell location, as the cmdlet will.</summary>
    internal static class LocalPaths
    {
        public static string? Resolve(object? bound)
        {
            var text = (bound is PSObject wrapped ? wrapped.BaseObject : bound) as string;
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            try
            {
                // Completion runs on the pipeline thread of the prompt's runspace: a nested pipeline there reads its location.
                using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
                shell.AddScript("$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($args[0])").AddArgument(text);
                return shell.Invoke().FirstOrDefault()?.BaseObject as string;
            }
            catch (System.Exception e) when (e is RuntimeException || e is PSInvalidOperationException || e is IOException || e is System.ArgumentException)
            {
                return null;
            }
        }
    }
}
