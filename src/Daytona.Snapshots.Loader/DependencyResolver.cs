using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Threading;

namespace Daytona.Snapshots.Loader
{
    /// <summary>
    /// Keeps the module's dependencies to itself. The cmdlet assembly sits at the module root; the engine assemblies
    /// and their third-party dependencies (YamlDotNet, Microsoft.OpenApi, …) sit in <c>Dependencies/</c>, where no
    /// load context probes. When one of them is asked for, this resolver loads it:
    /// on PowerShell 7 into the module's own AssemblyLoadContext, so another version of the same assembly already
    /// loaded by another module (powershell-yaml, Microsoft.Graph) does not clash; on Windows PowerShell 5.1 with
    /// <c>Assembly.LoadFrom</c>. The load context is reached by reflection so this assembly stays netstandard2.0.
    /// Nothing is loaded here eagerly: an engine assembly loads the first time a command needs it.
    /// This assembly is a nested module imported before the root module, so the resolver is hooked before PowerShell
    /// analyzes the cmdlet assembly; it must never reference the cmdlet or engine assemblies itself.
    /// </summary>
    public sealed class DependencyResolver : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly object s_gate = new object();
        private static readonly string s_dependencyFolder =
            Path.Combine(Path.GetDirectoryName(typeof(DependencyResolver).Assembly.Location) ?? ".", "Dependencies");
        private static Dictionary<string, string>? s_dependencies;
        private static IsolatedLoadContext? s_loadContext;
        private static bool s_loadContextProbed;
        private static int s_importCount;

        /// <summary>The simple names of the assemblies this module carries in Dependencies/.</summary>
        public static IReadOnlyCollection<string> DependencyNames => Dependencies.Keys;

        /// <summary>The name of the load context the dependencies go into on PowerShell 7 (null on 5.1).</summary>
        public static string? LoadContextName => LoadContext?.Name;

        public void OnImport()
        {
            // Imports in several runspaces of one process share one resolver, hooked once.
            if (Interlocked.Increment(ref s_importCount) == 1)
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
            }
        }

        public void OnRemove(PSModuleInfo module)
        {
            if (Interlocked.Decrement(ref s_importCount) == 0)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
            }
        }

        private static Dictionary<string, string> Dependencies
        {
            get
            {
                lock (s_gate)
                {
                    if (s_dependencies == null)
                    {
                        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                        if (Directory.Exists(s_dependencyFolder))
                        {
                            foreach (var file in Directory.GetFiles(s_dependencyFolder, "*.dll"))
                            {
                                map[Path.GetFileNameWithoutExtension(file)] = file;
                            }
                        }

                        s_dependencies = map;
                    }

                    return s_dependencies;
                }
            }
        }

        private static IsolatedLoadContext? LoadContext
        {
            get
            {
                lock (s_gate)
                {
                    if (!s_loadContextProbed)
                    {
                        s_loadContext = IsolatedLoadContext.TryCreate("Daytona.Snapshots");
                        s_loadContextProbed = true;
                    }

                    return s_loadContext;
                }
            }
        }

        private static Assembly? ResolveDependency(object? sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name);
            if (name.Name == null || !Dependencies.TryGetValue(name.Name, out var path))
            {
                return null;
            }

            // The module's own engine assemblies are answered for anyone (a script may use their types); a third-party
            // dependency only for this module and its own dependencies, never on behalf of another module.
            var requester = args.RequestingAssembly;
            var ownEngine = name.Name.StartsWith("Daytona.", StringComparison.Ordinal);
            if (!ownEngine && requester != null && !IsOurs(requester))
            {
                return null;
            }

            var context = LoadContext;
            return context != null ? context.LoadFromAssemblyPath(path) : Assembly.LoadFrom(path);
        }

        private static bool IsOurs(Assembly assembly)
        {
            var name = assembly.GetName().Name;
            if (assembly == typeof(DependencyResolver).Assembly || name == "Daytona.Snapshots")
            {
                return true;
            }

            return name != null && Dependencies.ContainsKey(name);
        }
    }
}
