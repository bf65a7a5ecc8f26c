using System;
using System.IO;
using System.Reflection;

namespace NetFramework.Smoke
{
    /// <summary>
    /// Starts the way Windows PowerShell 5.1 imports the module: <c>LoadFrom</c> of the built module's
    /// Daytona.Snapshots.Loader.dll, whose resolver then answers for everything in Dependencies/. Only BCL types here:
    /// nothing of the engine may load before the resolver is in place.
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            string? results = null;
            string? module = null;
            for (var i = 0; i < args.Length; i++)
            {
                if (string.Equals(args[i], "-Results", StringComparison.OrdinalIgnoreCase) && i + 1 < args.Length)
                {
                    results = Path.GetFullPath(args[++i]);
                }
                else if (string.Equals(args[i], "-Module", StringComparison.OrdinalIgnoreCase) && i + 1 < args.Length)
                {
                    module = Path.GetFullPath(args[++i]);
                }
                else
                {
                    Console.Error.WriteLine("usage: NetFramework.Smoke.exe [-Module <built module folder>] [-Results <nunit.xml>]");
                    return 2;
                }
            }

            var repoRoot = FindRepoRoot();
            module ??= Path.Combine(repoRoot, "out", "Daytona.Snapshots");
            var loaderPath = Path.Combine(module, "Daytona.Snapshots.Loader.dll");
            if (!File.Exists(loaderPath))
            {
                Console.Error.WriteLine($"The module is not built: {loaderPath} does not exist (dotnet build Module.sln -c Release).");
                return 2;
            }

            // What PowerShell 5.1 does with the manifest's NestedModules: LoadFrom, then the initializer's OnImport.
            // (DependencyResolver itself implements a PowerShell interface; its OnImport only calls Install.)
            var loader = Assembly.LoadFrom(loaderPath);
            var resolver = loader.GetType("Daytona.Snapshots.Loader.ModuleAssemblyResolver", throwOnError: true)!;
            resolver.GetMethod("Install")!.Invoke(null, null);

            // This program stands where the cmdlet assembly stands (at the module root, "ours" to the resolver): its
            // own references to shipped third-party assemblies (System.Text.Json for workflow inputs, the async
            // interfaces) are loaded from Dependencies/ too. It compiled against those very files: no version differs.
            var dependencies = Path.Combine(module, "Dependencies");
            var self = typeof(Program).Assembly;
            AppDomain.CurrentDomain.AssemblyResolve += (_, e) =>
            {
                if (e.RequestingAssembly != self)
                {
                    return null;
                }

                var path = Path.Combine(dependencies, new AssemblyName(e.Name).Name + ".dll");
                return File.Exists(path) ? Assembly.LoadFrom(path) : null;
            };

            return Suite.Run(new SuiteContext(repoRoot, module, resolver), results);
        }

        private static string FindRepoRoot()
        {
            var directory = new DirectoryInfo(AppDomain.CurrentDomain.BaseDirectory);
            while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Module.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Module.sln not found above " + AppDomain.CurrentDomain.BaseDirectory);
        }
    }
}
