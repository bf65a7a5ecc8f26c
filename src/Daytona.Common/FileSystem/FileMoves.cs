using System;
using System.ComponentModel;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;

namespace Daytona.Common.FileSystem
{
    /// <summary>
    /// Renaming a finished temporary file over its destination in one step, so a reader sees the old file or the new
    /// one, never neither. On Windows: MoveFileEx(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) — one call, on
    /// every runtime (.NET Framework has no overwriting File.Move, and its File.Replace fails while antivirus or an
    /// indexer holds the destination) — retried briefly on a sharing violation. Elsewhere: rename(2).
    /// <see cref="MoveIfAbsent"/> is the create-only move: exactly one of many movers to one destination wins.
    /// </summary>
    public static class FileMoves
    {
        /// <summary>Waits between attempts while the destination is held open (about 1.3 s in all).</summary>
        internal static readonly int[] SharingRetryDelaysMs = { 20, 50, 100, 200, 400, 500 };

        private static readonly bool s_windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private static readonly Action<string, string, bool>? s_moveOverwrite = BindMoveOverwrite();

        public static void MoveReplacing(string source, string destination)
        {
            if (s_windows)
            {
                MoveFileEx(source, destination);
            }
            else if (s_moveOverwrite != null)
            {
                s_moveOverwrite(source, destination, true);
            }
            else
            {
                Rename(source, destination);
            }
        }

        /// <summary>
        /// Moves <paramref name="source"/> to <paramref name="destination"/> only if nothing is there, in one atomic step:
        /// true when moved, false when the destination exists (the source is left in place). .NET's File.Move checks for
        /// the destination and then renames on Unix, so two movers can both "win"; link(2) + unlink(2) cannot (the
        /// link fails with EEXIST). On Windows MoveFileEx without MOVEFILE_REPLACE_EXISTING is atomic.
        /// Throws <see cref="DirectoryNotFoundException"/> when the destination's folder does not exist.
        /// </summary>
        public static bool MoveIfAbsent(string source, string destination)
        {
            if (s_windows)
            {
                var from = LongPaths.ForIo(Path.GetFullPath(source));
                var to = LongPaths.ForIo(Path.GetFullPath(destination));
                if (Win32.MoveFileEx(from, to, Win32.MoveFileWriteThrough))
                {
                    return true;
                }

                var error = Marshal.GetLastWin32Error();
                if (error == Win32.ErrorAlreadyExists || error == Win32.ErrorFileExists)
                {
                    return false;
                }

                throw Failure(error, source, destination, 0);
            }

            int result;
            try
            {
                result = link(source, destination);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                return MoveChecked(source, destination);
            }

            if (result == 0)
            {
                File.Delete(source);
                return true;
            }

            var errno = Marshal.GetLastWin32Error();
            switch (errno)
            {
                case UnixEExist:
                    return false;
                case UnixENoEnt:
                    if (!File.Exists(source))
                    {
                        throw new FileNotFoundException($"'{source}' could not be moved to '{destination}': it does not exist.", source);
                    }

                    throw new DirectoryNotFoundException($"'{source}' could not be moved to '{destination}': its folder does not exist.");
                default:
                    // A file system without hard links (some network and FUSE mounts): the best the runtime offers.
                    return MoveChecked(source, destination);
            }
        }

        private static bool MoveChecked(string source, string destination)
        {
            try
            {
                File.Move(source, destination);
                return true;
            }
            catch (IOException) when (File.Exists(destination) && File.Exists(source))
            {
                return false;
            }
        }

        private const int UnixENoEnt = 2;
        private const int UnixEExist = 17;

        private static void MoveFileEx(string source, string destination)
        {
            var from = LongPaths.ForIo(Path.GetFullPath(source));
            var to = LongPaths.ForIo(Path.GetFullPath(destination));
            for (var attempt = 0; ; attempt++)
            {
                if (Win32.MoveFileEx(from, to, Win32.MoveFileReplaceExisting | Win32.MoveFileWriteThrough))
                {
                    return;
                }

                var error = Marshal.GetLastWin32Error();
                var held = error == Win32.ErrorSharingViolation || error == Win32.ErrorLockViolation || error == Win32.ErrorAccessDenied;
                if (!held || attempt >= SharingRetryDelaysMs.Length)
                {
                    throw Failure(error, source, destination, attempt);
                }

                Thread.Sleep(SharingRetryDelaysMs[attempt]);
            }
        }

        private static Exception Failure(int error, string source, string destination, int retries)
        {
            var reason = new Win32Exception(error).Message;
            var message = $"'{source}' could not replace '{destination}': {reason}" + (retries > 0 ? $" (after {retries} retries while the file was held open)" : string.Empty);
            return error switch
            {
                Win32.ErrorFileNotFound => new FileNotFoundException(message, source),
                Win32.ErrorPathNotFound => new DirectoryNotFoundException(message),
                Win32.ErrorAccessDenied => new UnauthorizedAccessException(message),
                _ => new IOException(message, unchecked((int)0x80070000) | error),
            };
        }

        // Mono on Unix: no overwriting File.Move, but rename(2) replaces atomically.
        private static void Rename(string source, string destination)
        {
            try
            {
                if (rename(source, destination) == 0)
                {
                    return;
                }

                throw new IOException($"'{source}' could not replace '{destination}' (errno {Marshal.GetLastWin32Error()}).");
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                if (File.Exists(destination))
                {
                    File.Replace(source, destination, null);
                }
                else
                {
                    File.Move(source, destination);
                }
            }
        }

        [DllImport("libc", SetLastError = true)]
#pragma warning disable SA1300, IDE1006 // the C name
        private static extern int rename(string oldpath, string newpath);

        [DllImport("libc", SetLastError = true)]
        private static extern int link(string oldpath, string newpath);
#pragma warning restore SA1300, IDE1006

        private static Action<string, string, bool>? BindMoveOverwrite()
        {
            var method = typeof(File).GetMethod("Move", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(string), typeof(bool) }, null);
            return method == null ? null : (Action<string, string, bool>)Delegate.CreateDelegate(typeof(Action<string, string, bool>), method);
        }
    }
}
