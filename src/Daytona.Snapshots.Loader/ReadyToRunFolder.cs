using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Daytona.Snapshots.Loader
{
    /// <summary>
    /// Precompiled (ReadyToRun) copies of some assemblies of <c>Dependencies/</c>, one folder per runtime identifier
    /// (<c>Dependencies/linux-x64/</c>, <c>win-x64/</c>, <c>osx-arm64/</c>; the build decides which). A copy is the same
    /// assembly — identity, metadata and IL — with native code for one OS/architecture, compiled against .NET 10, so
    /// the runtime runs it without compiling it first. Chosen only where that code can run: .NET 10 or newer (pwsh 7.6+;
    /// an older runtime would ignore it and compile the IL anyway) on the folder's OS and architecture. Everywhere else
    /// — .NET Framework (Windows PowerShell 5.1), older pwsh, other platforms, a module built without the folders —
    /// the IL file of <c>Dependencies/</c> is loaded, as before.
    /// </summary>
    public sealed class ReadyToRunFolder
    {
        /// <summary>The .NET major version the copies are compiled against (tools/ReadyToRun targets net10.0).</summary>
        public const int CompiledForRuntime = 10;

        private ReadyToRunFolder(string path, string runtimeIdentifier)
        {
            Path = path;
            RuntimeIdentifier = runtimeIdentifier;
        }

        /// <summary>The full path of <c>Dependencies/&lt;rid&gt;/</c>.</summary>
        public string Path { get; }

        public string RuntimeIdentifier { get; }

        /// <summary>
        /// The folder for the running process, or null when it has none or could not use it: not .NET (Core) 10 or
        /// newer, an OS or architecture without precompiled copies, or no such folder in the module.
        /// </summary>
        public static ReadyToRunFolder? ForCurrentProcess(DependencyFolder dependencies)
        {
            if (dependencies == null)
            {
                throw new ArgumentNullException(nameof(dependencies));
            }

            if (!RunsPrecompiledCode())
            {
                return null;
            }

            var rid = CurrentRuntimeIdentifier();
            return rid == null ? null : At(dependencies, rid);
        }

        /// <summary>The folder of one runtime identifier, or null when the module has none for it.</summary>
        public static ReadyToRunFolder? At(DependencyFolder dependencies, string runtimeIdentifier)
        {
            if (dependencies == null)
            {
                throw new ArgumentNullException(nameof(dependencies));
            }

            var path = System.IO.Path.Combine(dependencies.Folder, runtimeIdentifier);
            return Directory.Exists(path) ? new ReadyToRunFolder(path, runtimeIdentifier) : null;
        }

        /// <summary>
        /// The runtime identifier of the running OS and architecture in the form the build names its folders
        /// (<c>linux-x64</c>, <c>osx-arm64</c>, <c>win-x64</c>, …), or null for one it never builds for.
        /// </summary>
        public static string? CurrentRuntimeIdentifier()
        {
            string os;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                os = "win";
            }
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                os = "osx";
            }
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                os = "linux"; // glibc and musl alike: the precompiled code calls no C library itself
            }
            else
            {
                return null;
            }

            switch (RuntimeInformation.ProcessArchitecture)
            {
                case Architecture.X64:
                    return os + "-x64";
                case Architecture.Arm64:
                    return os + "-arm64";
                default:
                    return null;
            }
        }

        /// <summary>
        /// The precompiled copy of <paramref name="shipped"/>, or null when there is none or it is not the same
        /// assembly (another version left by an older build: the IL file is the truth).
        /// </summary>
        public string? Find(ShippedAssembly shipped)
        {
            if (shipped == null)
            {
                throw new ArgumentNullException(nameof(shipped));
            }

            var candidate = System.IO.Path.Combine(Path, System.IO.Path.GetFileName(shipped.Path));
            if (!File.Exists(candidate))
            {
                return null;
            }

            try
            {
                var identity = AssemblyName.GetAssemblyName(candidate);
                return string.Equals(shipped.Identity.FullName, identity.FullName, StringComparison.Ordinal) && IsFor(candidate, RuntimeIdentifier)
                    ? candidate
                    : null;
            }
            catch (Exception e) when (e is BadImageFormatException || e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>
        /// Whether a precompiled file's code is for <paramref name="runtimeIdentifier"/>: its PE machine is the
        /// architecture's, combined as crossgen2 does with the OS (Linux 0x7B79, macOS 0x4644, Windows none). The runtime
        /// refuses another platform's copy with BadImageFormatException and, in that load context, the IL file of the
        /// same name after it: such a copy must never be tried.
        /// </summary>
        public static bool IsFor(string file, string runtimeIdentifier)
        {
            if (file == null)
            {
                throw new ArgumentNullException(nameof(file));
            }

            ushort architecture;
            if (runtimeIdentifier.EndsWith("-x64", StringComparison.Ordinal))
            {
                architecture = 0x8664;
            }
            else if (runtimeIdentifier.EndsWith("-arm64", StringComparison.Ordinal))
            {
                architecture = 0xAA64;
            }
            else
            {
                return false;
            }

            ushort os = runtimeIdentifier.StartsWith("linux-", StringComparison.Ordinal) ? (ushort)0x7B79
                : runtimeIdentifier.StartsWith("osx-", StringComparison.Ordinal) ? (ushort)0x4644
                : (ushort)0;
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            using var reader = new BinaryReader(stream);
            if (stream.Length < 0x40)
            {
                return false;
            }

            stream.Position = 0x3C; // e_lfanew: where the PE header starts
            var header = reader.ReadInt32();
            if (header < 0 || header > stream.Length - 6)
            {
                return false;
            }

            stream.Position = header;
            return reader.ReadUInt32() == 0x00004550 // "PE\0\0"
                && reader.ReadUInt16() == (ushort)(architecture ^ os);
        }

        private static bool RunsPrecompiledCode()
        {
            // .NET Framework and Mono report 4.0.30319.x here; .NET (Core) 5+ its own version.
            var description = RuntimeInformation.FrameworkDescription ?? string.Empty;
            return description.StartsWith(".NET ", StringComparison.Ordinal)
                && !description.StartsWith(".NET Framework", StringComparison.Ordinal)
                && !description.StartsWith(".NET Native", StringComparison.Ordinal)
                && Environment.Version.Major >= CompiledForRuntime;
        }
    }
}
