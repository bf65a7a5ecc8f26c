using System.IO;
using System.Linq;
using System.Management.Automation;

namespace Daytona.Snapshots.Completion
{
    /// <summary>Resolves a path typed on the command line against the PowerShell location, as the cmdlet will.</summary>
    internal static class LocalPaths
    {
        /// <summary>A PowerShell path as its provider path, and whether that provider is the file system (for <see cref="Checkpoints.RepositoryResolver"/>).</summary>
        public static (string Path, bool IsFileSystem) ResolveWithProvider(string text)
        {
            System.Collections.ObjectModel.Collection<PSObject> result;
            using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
            shell.AddScript("$p = $null; $d = $null; $r = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($args[0], [ref]$p, [ref]$d); $r; $p.Name").AddArgument(text);
            try
            {
                result = shell.Invoke();
            }
            catch (System.Exception e) when (e is RuntimeException || e is PSInvalidOperationException)
            {
                throw new IOException($"'{text}' cannot be resolved.", e);
            }

            if (shell.HadErrors || result.Count < 2)
            {
                throw new IOException($"'{text}' cannot be resolved.");
            }

            return ((string)result[0].BaseObject, string.Equals(result[1].BaseObject as string, "FileSystem", System.StringComparison.OrdinalIgnoreCase));
        }

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
