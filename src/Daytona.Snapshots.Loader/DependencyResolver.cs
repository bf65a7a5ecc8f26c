using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace Daytona.Snapshots.Loader
{
    /// <summary>
    /// Keeps the module's dependencies to itself. The cmdlet assembly sits at the module root; the engine assemblies
    /// and their third-party dependencies (YamlDotNet, Microsoft.OpenApi, …) sit in <c>Dependencies/</c>, where no
    /// load context probes. When one of them is asked for, <see cref="ModuleAssemblyResolver"/> loads it:
    /// on PowerShell 7 into the module's own AssemblyLoadContext, so another version of the same assembly already
    /// loaded by another module (powershell-yaml, Microsoft.Graph) does not clash; on Windows PowerShell 5.1 with
    /// <c>Assembly.LoadFrom</c>, answering a reference to an older version with the shipped one (no binding redirects
    /// exist for a module). Nothing is loaded here eagerly: an engine assembly loads the first time a command needs it.
    /// This assembly is a nested module imported before the root module, so the resolver is hooked before PowerShell
    /// analyzes the cmdlet assembly; it must never reference the cmdlet or engine assemblies itself.
    /// </summary>
    public sealed class DependencyResolver : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        /// <summary>The simple names of the assemblies this module carries in Dependencies/.</summary>
        public static IReadOnlyCollection<string> DependencyNames => ModuleAssemblyResolver.Folder.Assemblies.Keys.ToList();

        /// <summary>The name of the load context the dependencies go into on PowerShell 7 (null on 5.1).</summary>
        public static string? LoadContextName => ModuleAssemblyResolver.LoadContextName;

        // Imports in several runspaces of one process share one resolver, hooked once.
        public void OnImport() => ModuleAssemblyResolver.Install();

        public void OnRemove(PSModuleInfo module) => ModuleAssemblyResolver.Uninstall();
    }
}
