// Linux's inotify, bound here: .NET's FileSystemWatcher adds a watch per folder on a thread of its own and reports
// through events, with no way to ask "did anything happen since each folder was watched?" in one call.
using System;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.Win32.SafeHandles;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// The kernel's change notifications for the folders of a capture, as a cheaper proof that nothing changed than
    /// listing every folder again. Each folder is watched before it is listed; when the capture has been read and no
    /// notification came, no entry of any folder was written, created, removed, renamed or had its attributes changed
    /// since its listing: the listing is the folder's state at the end of the listing, as the check of every folder again
    /// would have shown (<see cref="FolderScan.Recheck"/>). Any notification at all, even one for a change made before
    /// the folder was listed, sends the capture to that full check, which decides.
    /// </summary>
    /// <remarks>
    /// Trusted only where a notification is certain for every change: a local file system of a known kind (not a network
    /// or FUSE file system, whose remote changes are not notified, nor an overlay, whose lower layers are not), no other
    /// file system mounted inside the folder, and no file with other names (hard links: a change through a name in
    /// another folder notifies that folder only). Anything else, more folders than a capture's share of the per-user limit
    /// on watches, a watch the system refuses (that limit reached), or a lost notification (queue overflow), and the
    /// capture checks every folder again as before. Linux (64-bit) only.
    /// </remarks>
    internal sealed class ChangeWatch : IDisposable
    {
        // IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF |
        // IN_MOVE_SELF, for folders only (IN_ONLYDIR), not through a link (IN_DONT_FOLLOW). IN_CLOSE_WRITE also reports a
        // writer through a memory map that closes its file, which IN_MODIFY does not.
        private const uint Changes = 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | 0x01000000 | 0x02000000;
        private const int InNonBlock = 0x800;
        private const int InCloseOnExec = 0x80000;
        private const int EAGAIN = 11;

        // File systems whose every change is made by this kernel (statfs f_type): ext2/3/4, XFS, Btrfs, tmpfs, F2FS, ZFS,
        // bcachefs.
        private static readonly long[] s_local = { 0xEF53, 0x58465342, 0x9123683E, 0x01021994, 0xF2F52010, 0x2FC12FC1, 0xCA451A4E };

        private static bool s_available = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && IntPtr.Size == 8;

        // Watches count against a per-user limit that editors and build tools share: a capture takes at most an eighth of
        // it (of 8,192, older kernels' default, 1,024 folders), and a larger tree is checked by listing it again instead.
        private static readonly Lazy<int> s_budget = new Lazy<int>(() =>
        {
            try
            {
                return int.TryParse(System.IO.File.ReadAllText("/proc/sys/fs/inotify/max_user_watches").Trim(), out var limit) && limit > 0 ? limit / 8 : 1024;
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                return 1024;
            }
        });

        private readonly Handle _handle;
        private volatile bool _trusted = true;
        private int _watches;

        private ChangeWatch(Handle handle)
        {
            _handle = handle;
        }

        /// <summary>Whether every folder so far is watched and nothing seen makes the notifications doubtful.</summary>
        public bool Trusted => _trusted;

        /// <summary>A watch for the folder tree at <paramref name="root"/>; null where notifications are not trusted.</summary>
        public static unsafe ChangeWatch? TryStart(string root)
        {
            if (!s_available)
            {
                return null;
            }

            try
            {
                var status = stackalloc byte[StatfsSize];
                if (StatFs(root, status) != 0 || Array.IndexOf(s_local, *(long*)status) < 0)
                {
                    return null;
                }

                var handle = new Handle(InotifyInit(InNonBlock | InCloseOnExec));
                if (handle.IsInvalid)
                {
                    // EMFILE: the per-user number of instances is reached.
                    handle.SetHandleAsInvalid();
                    return null;
                }

                return new ChangeWatch(handle);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                s_available = false;
                return null;
            }
        }

        /// <summary>Watches a folder (before it is listed); one the system refuses makes the whole watch untrusted.</summary>
        public void Add(string folder)
        {
            if (!_trusted)
            {
                return;
            }

            if (Interlocked.Increment(ref _watches) > s_budget.Value)
            {
                _trusted = false;
                return;
            }

            var added = false;
            _handle.DangerousAddRef(ref added);
            try
            {
                if (InotifyAddWatch(_handle.DangerousGetHandle().ToInt32(), folder, Changes) < 0)
                {
                    _trusted = false;
                }
            }
            finally
            {
                if (added)
                {
                    _handle.DangerousRelease();
                }
            }
        }

        /// <summary>Something seen while listing (another file system inside, a hard-linked file) that a notification could miss.</summary>
        public void Distrust() => _trusted = false;

        /// <summary>
        /// Whether every folder was watched, nothing made the notifications doubtful, and none came: then no folder changed
        /// since it was listed.
        /// </summary>
        public unsafe bool Quiet()
        {
            if (!_trusted || _handle.IsClosed)
            {
                return false;
            }

            var buffer = stackalloc byte[4096];
            var added = false;
            _handle.DangerousAddRef(ref added);
            try
            {
                var read = Read(_handle.DangerousGetHandle().ToInt32(), buffer, (IntPtr)4096).ToInt64();
                return read < 0 && Marshal.GetLastWin32Error() == EAGAIN;
            }
            finally
            {
                if (added)
                {
                    _handle.DangerousRelease();
                }
            }
        }

        /// <summary>
        /// Stops watching. The system frees many watches slowly (it waits for readers of them to finish: up to tens of
        /// milliseconds), so that is done on the thread pool, not on the capture's way to its end.
        /// </summary>
        public void Dispose()
        {
            _trusted = false;
            ThreadPool.QueueUserWorkItem(handle => ((Handle)handle!).Dispose(), _handle);
        }

        private sealed class Handle : SafeHandleMinusOneIsInvalid
        {
            public Handle(int fd)
                : base(ownsHandle: true)
            {
                SetHandle((IntPtr)fd);
            }

            protected override bool ReleaseHandle() => CloseFd(handle.ToInt32()) == 0;
        }

        private const int StatfsSize = 256; // struct statfs is 120 bytes on 64-bit Linux; f_type comes first

        [DllImport("libc", EntryPoint = "statfs", SetLastError = true)]
        private static extern unsafe int StatFs([MarshalAs(UnmanagedType.LPStr)] string path, byte* buffer);

        [DllImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
        private static extern int InotifyInit(int flags);

        [DllImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true)]
        private static extern int InotifyAddWatch(int fd, [MarshalAs(UnmanagedType.LPStr)] string path, uint mask);

        [DllImport("libc", EntryPoint = "read", SetLastError = true)]
        private static extern unsafe IntPtr Read(int fd, byte* buffer, IntPtr count);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        private static extern int CloseFd(int fd);
    }
}
