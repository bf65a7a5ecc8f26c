using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Daytona.Common.FileSystem
{
    /// <summary>
    /// Paths longer than 260 characters (a deep node_modules) on Windows PowerShell 5.1. .NET Framework passes a path to
    /// Windows as given, and Windows refuses a long one unless it is in the extended form <c>\\?\C:\…</c>
    /// (<c>\\?\UNC\server\share\…</c>); PowerShell 7 adds that form itself. So on .NET Framework on Windows, the folders
    /// the engine reads and writes under are passed in the extended form, and every path made under them inherits it.
    /// Where it is not needed (PowerShell 7, Linux, macOS), paths pass through unchanged.
    /// </summary>
    public static class LongPaths
    {
        private const string Prefix = @"\\?\";
        private const string UncPrefix = @"\\?\UNC\";

        /// <summary>True where paths given to System.IO must be in the extended form to exceed 260 characters.</summary>
        public static bool Needed { get; } = RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            && RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal)
            && AcceptsExtendedPaths();

        /// <summary>The form of a full path to hand to System.IO: extended where <see cref="Needed"/>, else as given.</summary>
        public static string ForIo(string path) => Needed ? ToExtended(path) : path;

        /// <summary>
        /// The extended form of a full Windows path: <c>C:\a</c> → <c>\\?\C:\a</c>, <c>\\server\share\a</c> →
        /// <c>\\?\UNC\server\share\a</c>; an extended or device path, or a relative one, is returned as given.
        /// </summary>
        public static string ToExtended(string path)
        {
            if (path == null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            if (path.StartsWith(Prefix, StringComparison.Ordinal) || path.StartsWith(@"\\.\", StringComparison.Ordinal))
            {
                return path;
            }

            var windows = path.Replace('/', '\\');
            if (windows.StartsWith(@"\\", StringComparison.Ordinal))
            {
                return UncPrefix + windows.Substring(2);
            }

            return windows.Length >= 3 && windows[1] == ':' && windows[2] == '\\' && char.IsLetter(windows[0]) ? Prefix + windows : path;
        }

        /// <summary>A path as a user writes it: the extended prefix removed.</summary>
        public static string ForDisplay(string path)
        {
            if (path == null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            if (path.StartsWith(UncPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return @"\\" + path.Substring(UncPrefix.Length);
            }

            return path.StartsWith(Prefix, StringComparison.Ordinal) ? path.Substring(Prefix.Length) : path;
        }

        // With legacy path handling (a host that opted back into .NET 4.6.1 paths), System.IO rejects "\\?\" itself:
        // then paths stay as they are, and one over 260 characters fails as it always did there.
        private static bool AcceptsExtendedPaths()
        {
            try
            {
                Path.GetFullPath(@"\\?\C:\probe");
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
            catch (NotSupportedException)
            {
                return false;
            }
        }
    }
}
