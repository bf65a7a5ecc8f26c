using System;
using System.Runtime.InteropServices;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// Reads a small file whole into the caller's buffer. A capture reads every small file once, and on Linux a
    /// FileStream costs six system calls per file (open, fstat, flock, read, flock, close) and a handful of objects;
    /// here the C library does it in three (open, read, close) and nothing is allocated. Written here because
    /// netstandard2.0 offers nothing closer (no File.OpenHandle/RandomAccess). Elsewhere, or on any failure (a file
    /// gone, refused, a folder now), it answers "not read" and the caller opens the file with a FileStream, which
    /// reads it or raises the error a FileStream raises.
    /// </summary>
    internal static unsafe class WholeFileReader
    {
        private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC (the same value on x64 and arm64)
        private const int EINTR = 4;

        private static bool s_native = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && IntPtr.Size == 8;

        /// <summary>
        /// Reads <paramref name="path"/> into <paramref name="buffer"/> at <paramref name="offset"/> until
        /// <paramref name="wanted"/> bytes or its end, asking for up to <paramref name="room"/> bytes (one more than
        /// expected tells at once that a file grew); returns the bytes read, or -1 when it was not read here.
        /// </summary>
        public static int TryRead(string path, byte[] buffer, int offset, int wanted, int room)
        {
            if (!s_native)
            {
                return -1;
            }

            if (offset < 0 || room < wanted || offset + room > buffer.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(room));
            }

            int fd;
            try
            {
                do
                {
                    fd = Open(path, ReadOnlyCloseOnExec);
                }
                while (fd < 0 && Marshal.GetLastWin32Error() == EINTR);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is NotSupportedException)
            {
                s_native = false;
                return -1;
            }

            if (fd < 0)
            {
                return -1;
            }

            var total = 0;
            try
            {
                fixed (byte* start = buffer)
                {
                    while (total < wanted)
                    {
                        var n = (long)Read(fd, start + offset + total, (IntPtr)(room - total));
                        if (n < 0)
                        {
                            if (Marshal.GetLastWin32Error() == EINTR)
                            {
                                continue;
                            }

                            return -1;
                        }

                        if (n == 0)
                        {
                            break;
                        }

                        total += (int)n;
                    }
                }
            }
            finally
            {
                Close(fd);
            }

            return total;
        }

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int Open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);

        [DllImport("libc", EntryPoint = "read", SetLastError = true)]
        private static extern IntPtr Read(int fd, byte* buffer, IntPtr count);

        [DllImport("libc", EntryPoint = "close")]
        private static extern int Close(int fd);
    }
}
