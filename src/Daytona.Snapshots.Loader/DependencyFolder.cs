using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace Daytona.Snapshots.Loader
{
    /// <summary>
    /// What the module carries in its <c>Dependencies/</c> folder: each assembly's simple name, file and identity
    /// (version, public key token), read once from the files' metadata without loading them.
    /// </summary>
    public sealed class DependencyFolder
    {
        private readonly Dictionary<string, ShippedAssembly> _assemblies;

        public DependencyFolder(string folder)
        {
            Folder = Path.GetFullPath(folder);
            _assemblies = new Dictionary<string, ShippedAssembly>(StringComparer.OrdinalIgnoreCase);
            if (Directory.Exists(Folder))
            {
                foreach (var file in Directory.GetFiles(Folder, "*.dll"))
                {
                    AssemblyName identity;
                    try
                    {
                        identity = AssemblyName.GetAssemblyName(file);
                    }
                    catch (Exception e) when (e is BadImageFormatException || e is IOException || e is UnauthorizedAccessException)
                    {
                        continue; // not a managed assembly: nothing to resolve to
                    }

                    _assemblies[identity.Name ?? Path.GetFileNameWithoutExtension(file)] = new ShippedAssembly(file, identity);
                }
            }

            ModuleRoot = Path.GetDirectoryName(Folder) ?? Folder;
        }

        /// <summary>The full path of the Dependencies/ folder.</summary>
        public string Folder { get; }

        /// <summary>The module's root folder (the parent of Dependencies/), where the cmdlet assembly and this loader sit.</summary>
        public string ModuleRoot { get; }

        public IReadOnlyDictionary<string, ShippedAssembly> Assemblies => _assemblies;

        public bool TryGet(string simpleName, out ShippedAssembly shipped) => _assemblies.TryGetValue(simpleName, out shipped!);

        /// <summary>
        /// True for a file loaded from the module's root, its Dependencies/ folder or one of that folder's precompiled
        /// copies (Dependencies/&lt;rid&gt;/, see <see cref="ReadyToRunFolder"/>).
        /// </summary>
        public bool Holds(string? location)
        {
            if (string.IsNullOrEmpty(location))
            {
                return false;
            }

            string? directory;
            try
            {
                directory = Path.GetDirectoryName(Path.GetFullPath(location));
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
            {
                return false;
            }

            if (directory == null)
            {
                return false;
            }

            var parent = Path.GetDirectoryName(directory);
            return SamePath(directory, Folder) || SamePath(directory, ModuleRoot) || (parent != null && SamePath(parent, Folder));
        }

        private static bool SamePath(string a, string b) =>
            string.Equals(a.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), b.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar),
                Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>One assembly file in Dependencies/ and the identity its metadata declares.</summary>
    public sealed class ShippedAssembly
    {
        public ShippedAssembly(string path, AssemblyName identity)
        {
            Path = path;
            Identity = identity;
        }

        public string Path { get; }

        public AssemblyName Identity { get; }

        public Version Version => Identity.Version ?? new Version(0, 0, 0, 0);
    }
}
