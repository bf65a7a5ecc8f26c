using System;
using System.Collections.Generic;
using System.Reflection;

namespace Daytona.Snapshots.Loader
{
    /// <summary>
    /// A System.Runtime.Loader.AssemblyLoadContext of the module's own, created and driven by reflection because the
    /// type does not exist in netstandard2.0 (nor on .NET Framework, where <see cref="TryCreate"/> returns null).
    /// Assemblies are loaded into it by path, once each.
    /// </summary>
    internal sealed class IsolatedLoadContext
    {
        private readonly object _context;
        private readonly MethodInfo _loadFromAssemblyPath;
        private readonly Dictionary<string, Assembly> _loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);

        private IsolatedLoadContext(string name, object context, MethodInfo loadFromAssemblyPath)
        {
            Name = name;
            _context = context;
            _loadFromAssemblyPath = loadFromAssemblyPath;
        }

        public string Name { get; }

        public static IsolatedLoadContext? TryCreate(string name)
        {
            var type = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext", throwOnError: false);
            if (type == null)
            {
                return null; // .NET Framework: Windows PowerShell 5.1
            }

            var constructor = type.GetConstructor(
                BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic,
                binder: null,
                new[] { typeof(string), typeof(bool) },
                modifiers: null);
            var load = type.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) });
            if (constructor == null || load == null)
            {
                return null;
            }

            var context = constructor.Invoke(new object[] { name, false });
            return new IsolatedLoadContext(name, context, load);
        }

        public Assembly LoadFromAssemblyPath(string path)
        {
            lock (_loaded)
            {
                if (!_loaded.TryGetValue(path, out var assembly))
                {
                    assembly = (Assembly)_loadFromAssemblyPath.Invoke(_context, new object[] { path });
                    _loaded[path] = assembly;
                }

                return assembly;
            }
        }
    }
}
