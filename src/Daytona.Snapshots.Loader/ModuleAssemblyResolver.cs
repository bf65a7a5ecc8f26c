using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Threading;

namespace Daytona.Snapshots.Loader
{
    /// <summary>
    /// The module's AssemblyResolve handler, free of PowerShell types so a plain .NET Framework program can install it
    /// exactly as the module does on Windows PowerShell 5.1 (the smoke suite under Mono does). Answers what
    /// <see cref="BindingPolicy"/> allows: on PowerShell 7 into the module's own AssemblyLoadContext, on .NET Framework
    /// with <c>Assembly.LoadFrom</c>. Requests it answered with another version than asked, and requests it refused
    /// for a shipped name, are kept in <see cref="Mismatches"/> for diagnostics.
    /// </summary>
    public static class ModuleAssemblyResolver
    {
        private const int MaxRecorded = 200;
        private static readonly object s_gate = new object();
        private static readonly List<Binding> s_mismatches = new List<Binding>();
        private static readonly HashSet<string> s_recorded = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private static DependencyFolder? s_folder;
        private static IsolatedLoadContext? s_loadContext;
        private static bool s_loadContextProbed;
        private static ReadyToRunFolder? s_precompiled;
        private static bool s_precompiledProbed;
        private static int s_installCount;
        private static int s_answered;

        /// <summary>The Dependencies/ folder beside this assembly.</summary>
        public static DependencyFolder Folder
        {
            get
            {
                lock (s_gate)
                {
                    return s_folder ??= new DependencyFolder(Path.Combine(Path.GetDirectoryName(typeof(ModuleAssemblyResolver).Assembly.Location) ?? ".", "Dependencies"));
                }
            }
        }

        /// <summary>
        /// The precompiled copies this process loads instead of the IL files (Dependencies/&lt;rid&gt;/), or null: none
        /// for this OS/architecture, or a runtime that could not run them (.NET Framework, .NET before 10).
        /// </summary>
        public static ReadyToRunFolder? Precompiled
        {
            get
            {
                var folder = Folder;
                lock (s_gate)
                {
                    if (!s_precompiledProbed)
                    {
                        s_precompiled = ReadyToRunFolder.ForCurrentProcess(folder);
                        s_precompiledProbed = true;
                    }

                    return s_precompiled;
                }
            }
        }

        /// <summary>The name of the load context the dependencies go into on PowerShell 7 (null on .NET Framework).</summary>
        public static string? LoadContextName => LoadContext?.Name;

        /// <summary>Requests answered with a version other than the one asked, or refused although the name is shipped.</summary>
        public static IReadOnlyList<Binding> Mismatches
        {
            get
            {
                lock (s_gate)
                {
                    return s_mismatches.ToArray();
                }
            }
        }

        /// <summary>How many requests the handler has answered with a file of Dependencies/.</summary>
        public static int AnsweredCount => Volatile.Read(ref s_answered);

        /// <summary>Hooks the handler (once per process, however many imports; each Install needs an Uninstall).</summary>
        public static void Install()
        {
            if (Interlocked.Increment(ref s_installCount) == 1)
            {
                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
            }
        }

        public static void Uninstall()
        {
            if (Interlocked.Decrement(ref s_installCount) == 0)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
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

        /// <summary>
        /// What the handler decides for a request, without loading anything: the binding, whose <see cref="Binding.Path"/>
        /// is the file it would load (null when it leaves the request alone). Null for a name that does not parse.
        /// </summary>
        public static Binding? Choose(ResolveEventArgs args, DependencyFolder folder)
        {
            if (args == null)
            {
                throw new ArgumentNullException(nameof(args));
            }

            AssemblyName requested;
            try
            {
                requested = new AssemblyName(args.Name);
            }
            catch (Exception e) when (e is ArgumentException || e is FileLoadException)
            {
                return null;
            }

            return BindingPolicy.Decide(folder, requested, args.RequestingAssembly);
        }

        private static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var binding = Choose(args, Folder);
            if (binding == null)
            {
                return null;
            }

            if (binding.Kind != BindingKind.NotShipped && binding.Kind != BindingKind.NotOurs && binding.Kind != BindingKind.Exact)
            {
                Record(binding);
            }

            var path = binding.Path;
            if (path == null)
            {
                return null;
            }

            var context = LoadContext;
            var assembly = context != null ? context.LoadFromAssemblyPath(Precompiled?.Find(binding.Shipped!) ?? path) : Assembly.LoadFrom(path);
            Interlocked.Increment(ref s_answered);
            return assembly;
        }

        private static void Record(Binding binding)
        {
            lock (s_gate)
            {
                if (s_mismatches.Count < MaxRecorded && s_recorded.Add(binding.Requested.FullName + "|" + binding.Kind))
                {
                    s_mismatches.Add(binding);
                }
            }
        }
    }
}
