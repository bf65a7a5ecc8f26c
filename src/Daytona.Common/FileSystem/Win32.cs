using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Daytona.Common.FileSystem
{
    /// <summary>The few Win32 file calls .NET Framework does not expose (reparse tags and targets, MoveFileEx flags).</summary>
    internal static class Win32
    {
        public const int ErrorFileNotFound = 2;
        public const int ErrorPathNotFound = 3;
        public const int ErrorAccessDenied = 5;
        public const int ErrorSharingViolation = 32;
        public const int ErrorFileExists = 80;
        public const int ErrorAlreadyExists = 183;
        public const int ErrorLockViolation = 33;
        public const int ErrorNotAReparsePoint = 4390;

        public const uint MoveFileReplaceExisting = 0x1;
        public const uint MoveFileWriteThrough = 0x8;

        public const uint FileFlagBackupSemantics = 0x02000000;
        public const uint FileFlagOpenReparsePoint = 0x00200000;
        public const uint FsctlGetReparsePoint = 0x000900A8;
        public const int MaximumReparseDataBufferSize = 16 * 1024;

        public const int SymbolicLinkFlagDirectory = 0x1;
        public const int SymbolicLinkFlagAllowUnprivilegedCreate = 0x2;

        private const int FindExInfoBasic = 1;
        private const int FindExSearchNameMatch = 0;
        private const uint OpenExisting = 3;
        private const uint FileShareAll = 0x1 | 0x2 | 0x4;

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct Win32FindData
        {
            public uint FileAttributes;
            public System.Runtime.InteropServices.ComTypes.FILETIME CreationTime;
            public System.Runtime.InteropServices.ComTypes.FILETIME LastAccessTime;
            public System.Runtime.InteropServices.ComTypes.FILETIME LastWriteTime;
            public uint FileSizeHigh;
            public uint FileSizeLow;
            public uint Reserved0; // the reparse tag, when FileAttributes has FILE_ATTRIBUTE_REPARSE_POINT
            public uint Reserved1;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 260)]
            public string FileName;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 14)]
            public string AlternateFileName;
        }

        [DllImport("kernel32.dll", EntryPoint = "FindFirstFileExW", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr FindFirstFileEx(string fileName, int infoLevel, out Win32FindData data, int searchOp, IntPtr filter, int flags);

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool FindClose(IntPtr handle);

        [DllImport("kernel32.dll", EntryPoint = "MoveFileExW", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern bool MoveFileEx(string existingFileName, string newFileName, uint flags);

        [DllImport("kernel32.dll", EntryPoint = "CreateSymbolicLinkW", CharSet = CharSet.Unicode, SetLastError = true)]
        [return: MarshalAs(UnmanagedType.I1)]
        public static extern bool CreateSymbolicLink(string linkPath, string targetPath, int flags);

        [DllImport("kernel32.dll", EntryPoint = "CreateFileW", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern SafeFileHandle CreateFile(string fileName, uint access, uint share, IntPtr security, uint creation, uint flags, IntPtr template);

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool DeviceIoControl(SafeFileHandle device, uint code, IntPtr inBuffer, int inSize, byte[] outBuffer, int outSize, out int returned, IntPtr overlapped);

        /// <summary>The reparse tag of a file or folder (0 when it is no reparse point), without opening it.</summary>
        public static uint ReparseTag(string path)
        {
            var handle = FindFirstFileEx(path, FindExInfoBasic, out var data, FindExSearchNameMatch, IntPtr.Zero, 0);
            if (handle == new IntPtr(-1))
            {
                return 0;
            }

            FindClose(handle);
            return (data.FileAttributes & 0x400) != 0 ? data.Reserved0 : 0;
        }

        /// <summary>The raw REPARSE_DATA_BUFFER of a reparse point, or null (with the Win32 error) when it cannot be read.</summary>
        public static byte[]? ReadReparseData(string path, out int error)
        {
            using var handle = CreateFile(path, 0, FileShareAll, IntPtr.Zero, OpenExisting, FileFlagOpenReparsePoint | FileFlagBackupSemantics, IntPtr.Zero);
            if (handle.IsInvalid)
            {
                error = Marshal.GetLastWin32Error();
                return null;
            }

            var buffer = new byte[MaximumReparseDataBufferSize];
            if (!DeviceIoControl(handle, FsctlGetReparsePoint, IntPtr.Zero, 0, buffer, buffer.Length, out var returned, IntPtr.Zero))
            {
                error = Marshal.GetLastWin32Error();
                return null;
            }

            error = 0;
            var data = new byte[returned];
            Buffer.BlockCopy(buffer, 0, data, 0, returned);
            return data;
        }
    }
}
