using System;
using System.ComponentModel;
using System.IO;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Daytona.Common.FileSystem
{
    /// <summary>
    /// Links, the same on every runtime the module runs on. Only symbolic links and junctions are links: a OneDrive
    /// placeholder or a deduplicated file is a reparse point too, but its content is read like any file's.
    /// On PowerShell 7 the runtime's own link API is used (FileSystemInfo.LinkTarget, File.CreateSymbolicLink, found by
    /// reflection: netstandard2.0 does not declare them); on Windows PowerShell 5.1 (.NET Framework), Win32.
    /// </summary>
    public static class FileLinks
    {
        private static readonly bool s_windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private static readonly Func<FileSystemInfo, string?>? s_linkTarget = BindLinkTarget();
        private static readonly Func<string, string, FileSystemInfo>? s_createFileLink = BindCreate(typeof(File));
        private static readonly Func<string, string, FileSystemInfo>? s_createDirectoryLink = BindCreate(typeof(Directory));

        /// <summary>Whether links can be read and created here (PowerShell 7 anywhere; Windows PowerShell on Windows).</summary>
        public static bool Supported => (s_linkTarget != null && s_createFileLink != null) || s_windows;

        public static LinkKind Classify(FileSystemInfo info)
        {
            if (info == null)
            {
                throw new ArgumentNullException(nameof(info));
            }

            var attributes = info.Attributes;
            if ((int)attributes == -1 || (attributes & FileAttributes.ReparsePoint) == 0)
            {
                return LinkKind.None;
            }

            // Elsewhere the runtime marks only symbolic links as reparse points; on Windows the tag says what it is.
            return s_windows ? ReparsePoints.KindOf(Win32.ReparseTag(LongPaths.ForIo(info.FullName))) : LinkKind.SymbolicLink;
        }

        public static bool IsLink(FileSystemInfo info)
        {
            var kind = Classify(info);
            return kind == LinkKind.SymbolicLink || kind == LinkKind.Junction;
        }

        /// <summary>The target a link names, as stored (relative targets stay relative); null when it cannot be read.</summary>
        public static string? ReadTarget(FileSystemInfo info)
        {
            if (info == null)
            {
                throw new ArgumentNullException(nameof(info));
            }

            if (s_linkTarget != null)
            {
                return s_linkTarget(info);
            }

            if (!s_windows)
            {
                return null;
            }

            var data = Win32.ReadReparseData(LongPaths.ForIo(info.FullName), out _);
            return data == null ? null : ReparsePoints.TargetOf(data);
        }

        /// <summary>
        /// Creates a symbolic link at <paramref name="path"/>. On Windows a link whose target is an existing folder is a
        /// folder link (a junction captured elsewhere comes back as one); without Developer Mode or the privilege, Windows
        /// refuses, and the error says so.
        /// </summary>
        public static void CreateSymbolicLink(string path, string target)
        {
            var resolved = Path.IsPathRooted(target) ? target : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", target);
            var isFolder = s_windows && Directory.Exists(resolved);
            var create = isFolder ? s_createDirectoryLink : s_createFileLink;
            if (create != null)
            {
                create(path, target);
                return;
            }

            if (!s_windows)
            {
                throw new PlatformNotSupportedException("Symbolic links need PowerShell 7 or later here.");
            }

            var flags = Win32.SymbolicLinkFlagAllowUnprivilegedCreate | (isFolder ? Win32.SymbolicLinkFlagDirectory : 0);
            if (!Win32.CreateSymbolicLink(LongPaths.ForIo(Path.GetFullPath(path)), target, flags))
            {
                var error = Marshal.GetLastWin32Error();
                var message = $"The symbolic link '{path}' -> '{target}' could not be created: {new Win32Exception(error).Message}";
                throw error == Win32.ErrorAccessDenied || error == 1314 // ERROR_PRIVILEGE_NOT_HELD
                    ? new UnauthorizedAccessException(message + " (Windows creates symbolic links only with Developer Mode on, or as an administrator.)")
                    : new IOException(message, error);
            }
        }

        private static Func<FileSystemInfo, string?>? BindLinkTarget()
        {
            var property = typeof(FileSystemInfo).GetProperty("LinkTarget", BindingFlags.Public | BindingFlags.Instance);
            if (property == null)
            {
                return null;
            }

            var info = Expression.Parameter(typeof(FileSystemInfo), "info");
            return Expression.Lambda<Func<FileSystemInfo, string?>>(Expression.Property(info, property), info).Compile();
        }

        private static Func<string, string, FileSystemInfo>? BindCreate(Type type)
        {
            var method = type.GetMethod("CreateSymbolicLink", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(string) }, null);
            return method == null ? null : (Func<string, string, FileSystemInfo>)Delegate.CreateDelegate(typeof(Func<string, string, FileSystemInfo>), method);
        }
    }
}
