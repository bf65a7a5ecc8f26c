using System;
using System.Diagnostics;
using System.IO;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.InteropServices;
using Daytona.Common.FileSystem;
using Microsoft.Win32.SafeHandles;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// File-system features that netstandard2.0 does not declare but the runtime under pwsh 7 has (Unix modes), bound
    /// once by reflection; links, atomic replace and long paths come from Daytona.Common.FileSystem, which does the
    /// same on Windows PowerShell 5.1 with Win32.
    /// </summary>
    internal static class Platform
    {
        /// <summary>
        /// The most a file is handed in one write: a larger write lets Linux put it in large page-cache folios, whose
        /// fresh memory can cost a virtual machine far more to touch (a 3.6 MB manifest in one write: 1 to 28 ms; in
        /// 64 KiB writes: 1.4 to 1.6 ms, measured on the same machine).
        /// </summary>
        internal const int WritePieceBytes = 1 << 16;

        private static readonly Func<string, int>? s_getMode = BindGetMode();
        private static readonly Func<FileSystemInfo, int>? s_infoMode = BindInfoMode();
        private static readonly Action<string, int>? s_setMode = BindSetMode();

        public static bool IsWindows { get; } = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static bool SupportsModes => !IsWindows && s_getMode != null && s_setMode != null;

        public static bool SupportsSymlinks => FileLinks.Supported;

        /// <summary>Only symbolic links and junctions: a OneDrive placeholder or a deduplicated file is read as a file.</summary>
        public static bool IsLink(FileSystemInfo info) => FileLinks.IsLink(info);

        public static string? LinkTarget(FileSystemInfo info) => FileLinks.ReadTarget(info);

        public static void CreateSymlink(string path, string target) => FileLinks.CreateSymbolicLink(path, target);

        /// <summary>The form of a full path to read or write under (extended <c>\\?\</c> on Windows PowerShell 5.1, for paths over 260 characters).</summary>
        public static string ForIo(string path) => LongPaths.ForIo(path);

        public static int? GetMode(string path)
        {
            if (!SupportsModes)
            {
                return null;
            }

            return s_getMode!(path);
        }

        /// <summary>The mode from the status an enumeration already read (no extra system call on .NET 7+).</summary>
        public static int? GetMode(FileSystemInfo info)
        {
            if (!SupportsModes)
            {
                return null;
            }

            return s_infoMode != null ? s_infoMode(info) : s_getMode!(info.FullName);
        }

        public static void SetMode(string path, int mode)
        {
            if (SupportsModes)
            {
                s_setMode!(path, mode & 0xFFF);
            }
        }

        private static readonly Lazy<(int Id, DateTime? Started)> s_currentProcess = new Lazy<(int, DateTime?)>(() =>
        {
            using var process = Process.GetCurrentProcess();
            return (process.Id, ProcessStartUtc(process));
        });

        /// <summary>This process's id (read once: the system reads it from /proc on Linux, which a capture should not pay for).</summary>
        public static int CurrentProcessId => s_currentProcess.Value.Id;

        /// <summary>When this process started (UTC), or null where the system does not say; read once.</summary>
        public static DateTime? CurrentProcessStartUtc => s_currentProcess.Value.Started;

        /// <summary>True when a process with this id runs here and (when known) started at that time.</summary>
        public static bool IsProcessAlive(int pid, DateTime? startedUtc)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (process.HasExited)
                {
                    return false;
                }

                if (startedUtc != null)
                {
                    try
                    {
                        var started = process.StartTime.ToUniversalTime();
                        return Math.Abs((started - startedUtc.Value).TotalSeconds) < 2;
                    }
                    catch (Exception e) when (e is InvalidOperationException || e is System.ComponentModel.Win32Exception || e is NotSupportedException)
                    {
                        return true;
                    }
                }

                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        public static DateTime? ProcessStartUtc(int pid)
        {
            if (pid == CurrentProcessId)
            {
                return CurrentProcessStartUtc;
            }

            try
            {
                using var process = Process.GetProcessById(pid);
                return ProcessStartUtc(process);
            }
            catch (Exception)
            {
                return null;
            }
        }

        private static DateTime? ProcessStartUtc(Process process)
        {
            try
            {
                return process.StartTime.ToUniversalTime();
            }
            catch (Exception)
            {
                return null;
            }
        }

        /// <summary>
        /// Starts writing a file's dirty pages to the disk without waiting for them (Linux: sync_file_range with
        /// SYNC_FILE_RANGE_WRITE). Only a head start: durability comes from the flush that follows. Elsewhere, or when
        /// the file is gone, this does nothing.
        /// </summary>
        public static void StartWriteBack(string path, bool thenDrop = false)
        {
            if (!s_isLinux)
            {
                return;
            }

            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
                if (!thenDrop)
                {
                    SyncFileRange(stream.SafeFileHandle, 0, 0, SyncFileRangeWrite);
                    return;
                }

                // Written out (not durable: the commit still flushes), then its now clean pages leave the page cache:
                // a pack is not read again soon, and the next packs reuse those pages instead of taking new memory.
                if (SyncFileRange(stream.SafeFileHandle, 0, 0, SyncFileRangeWaitBefore | SyncFileRangeWrite | SyncFileRangeWaitAfter) == 0)
                {
                    FileAdvise(stream.SafeFileHandle, 0, 0, AdviseDontNeed);
                }
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                s_isLinux = false;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private const uint SyncFileRangeWaitBefore = 1;
        private const uint SyncFileRangeWrite = 2;
        private const uint SyncFileRangeWaitAfter = 4;
        private const int AdviseDontNeed = 4; // POSIX_FADV_DONTNEED

        private static bool s_isLinux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

        [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
        private static extern int SyncFileRange(SafeFileHandle fd, long offset, long count, uint flags);

        [DllImport("libc", EntryPoint = "posix_fadvise")]
        private static extern int FileAdvise(SafeFileHandle fd, long offset, long length, int advice);

        /// <summary>Renames <paramref name="source"/> over <paramref name="destination"/> in one step (rename(2) / MoveFileEx).</summary>
        public static void MoveReplacing(string source, string destination) => FileMoves.MoveReplacing(source, destination);

        /// <summary>Create-only move: false when the destination exists (see FileMoves.MoveIfAbsent).</summary>
        public static bool MoveIfAbsent(string source, string destination) => FileMoves.MoveIfAbsent(source, destination);

        private static Func<string, int>? BindGetMode()
        {
            var method = typeof(File).GetMethod("GetUnixFileMode", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string) }, null);
            if (method == null)
            {
                return null;
            }

            var path = Expression.Parameter(typeof(string), "path");
            return Expression.Lambda<Func<string, int>>(Expression.Convert(Expression.Call(method, path), typeof(int)), path).Compile();
        }

        private static Func<FileSystemInfo, int>? BindInfoMode()
        {
            var property = typeof(FileSystemInfo).GetProperty("UnixFileMode", BindingFlags.Public | BindingFlags.Instance);
            if (property == null)
            {
                return null;
            }

            var info = Expression.Parameter(typeof(FileSystemInfo), "info");
            return Expression.Lambda<Func<FileSystemInfo, int>>(Expression.Convert(Expression.Property(info, property), typeof(int)), info).Compile();
        }

        private static Action<string, int>? BindSetMode()
        {
            var modeType = typeof(File).Assembly.GetType("System.IO.UnixFileMode");
            if (modeType == null)
            {
                return null;
            }

            var method = typeof(File).GetMethod("SetUnixFileMode", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), modeType }, null);
            if (method == null)
            {
                return null;
            }

            var path = Expression.Parameter(typeof(string), "path");
            var mode = Expression.Parameter(typeof(int), "mode");
            return Expression.Lambda<Action<string, int>>(Expression.Call(method, path, Expression.Convert(mode, modeType)), path, mode).Compile();
        }
    }
}
