using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Daytona.Checkpoints
{
    internal enum ChildKind
    {
        File,
        Directory,
        Symlink,
    }

    /// <summary>One entry of a folder as a capture sees it: what <see cref="FileSystemInfo"/> would say, without one.</summary>
    internal readonly struct FolderChild
    {
        public FolderChild(string name, ChildKind kind, long size, DateTime modifiedUtc, int? mode)
        {
            Name = name;
            Kind = kind;
            Size = size;
            ModifiedUtc = modifiedUtc;
            Mode = mode;
        }

        public string Name { get; }

        public ChildKind Kind { get; }

        /// <summary>The length of a file (0 for folders and links).</summary>
        public long Size { get; }

        public DateTime ModifiedUtc { get; }

        /// <summary>Unix permission bits; null where the platform has none.</summary>
        public int? Mode { get; }
    }

    /// <summary>
    /// Lists a folder's direct children with their type, size, modification time and mode, sorted by name (ordinal), and
    /// checks a folder against such a listing. A capture reads every folder twice (once to list it, once to check nothing
    /// changed), so on Linux this asks the C library directly: readdir, then statx of each name relative to the open
    /// folder. Written here because .NET's enumeration looks each entry up again by its full path (a path walk per
    /// entry, half the time of a listing) and allocates an object per entry; netstandard2.0 offers nothing closer.
    /// Elsewhere, or when the C library lacks statx (or a sandbox refuses it), the .NET enumeration does the work.
    /// </summary>
    internal static unsafe class FolderLister
    {
        private const int AtSymlinkNoFollow = 0x100;
        private const uint StatxWanted = 0x1 | 0x2 | 0x4 | 0x40 | 0x200; // STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_MTIME | STATX_SIZE
        private const ulong StatxAttrMountRoot = 0x2000;
        private const int StatxSize = 256;
        private const int DirentNameOffset = 19; // struct dirent64: d_ino, d_off, d_reclen, d_type, then d_name
        private const int NameMax = 256; // a name is at most 255 bytes, so at most 255 UTF-16 units
        private const int ENOENT = 2;
        private const int EACCES = 13;
        private const int ENOTDIR = 20;

        private static readonly long s_unixEpochTicks = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        private static bool s_native = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && IntPtr.Size == 8;

        private static readonly Comparison<FolderChild> s_byName = (a, b) => string.CompareOrdinal(a.Name, b.Name);

        // Children are gathered here, then copied out at their exact number (a capture holds every folder's listing).
        [ThreadStatic]
        private static List<FolderChild>? t_gathered;

        public static FolderChild[] List(string folder) => List(folder, null, out _);

        /// <summary>
        /// A folder's children, and whether a change notification would come for every change of them
        /// (<see cref="ChangeWatch"/>): no file has other names (hard links) and no folder is another file system's mount.
        /// False where folders are not read natively.
        /// </summary>
        public static FolderChild[] List(string folder, out bool watchable) => List(folder, null, out watchable);

        /// <summary>
        /// The children that sort after <paramref name="after"/> (ordinal), or whose name <paramref name="after"/> starts
        /// with (a folder holding later names): a listing of a folder of 100,000 manifests "after the newest generation"
        /// looks up and sorts only the few names that follow, not every one.
        /// </summary>
        public static FolderChild[] List(string folder, string? after) => List(folder, after, out _);

        private static FolderChild[] List(string folder, string? after, out bool watchable)
        {
            watchable = false;
            var gathered = t_gathered ??= new List<FolderChild>(64);
            gathered.Clear();
            var listed = false;
            if (s_native)
            {
                try
                {
                    var chars = stackalloc char[NameMax];
                    var gather = new Gather { Children = gathered, After = after, Chars = chars };
                    watchable = ReadNative(folder, ref gather);
                    listed = true;
                }
                catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is NotSupportedException)
                {
                    s_native = false;
                    gathered.Clear();
                }
            }

            if (!listed)
            {
                ListManaged(folder, gathered);
                if (after != null)
                {
                    gathered.RemoveAll(c => !Follows(c.Name.AsSpan(), after));
                }
            }

            var children = gathered.ToArray();
            gathered.Clear();
            Sort(children);
            return children;
        }

        /// <summary>
        /// Whether a folder still has exactly the children of an earlier <see cref="List"/> (same names and kinds, files of
        /// the same size and modification time), leaving out the child named <paramref name="skip"/>. Answers only where
        /// folders are read natively (false otherwise: list the folder and compare); allocates nothing.
        /// </summary>
        public static bool TryMatch(string folder, FolderChild[] expected, string? skip, out bool same) =>
            TryMatch(folder, expected, skip, exact: false, out same, out _);

        /// <summary>
        /// Whether a folder still has exactly the children of an earlier <see cref="List(string, out bool)"/>, each as it
        /// was listed (kind, size, modification time, mode), leaving out the child named <paramref name="skip"/>; and, as
        /// that listing tells, whether a change notification would come for every change of them. False where folders are
        /// not read natively; allocates nothing.
        /// </summary>
        public static bool Unchanged(string folder, FolderChild[] expected, string? skip, out bool watchable) =>
            TryMatch(folder, expected, skip, exact: true, out var same, out watchable) && same;

        /// <summary>Compiles the check of a folder against its listing (see <see cref="Jit.PrepareReCapture"/>).</summary>
        internal static void PrepareChecks()
        {
            var read = typeof(FolderLister).GetMethod(nameof(ReadNative), BindingFlags.NonPublic | BindingFlags.Static)!;
            RuntimeHelpers.PrepareMethod(read.MethodHandle, new[] { typeof(Match).TypeHandle });
            RuntimeHelpers.PrepareMethod(typeof(Match).GetMethod(nameof(Match.Take))!.MethodHandle);
        }

        private static bool TryMatch(string folder, FolderChild[] expected, string? skip, bool exact, out bool same, out bool watchable)
        {
            same = false;
            watchable = false;
            if (!s_native)
            {
                return false;
            }

            var chars = stackalloc char[NameMax];
            var match = new Match { Expected = expected, Skip = skip, Chars = chars, Exact = exact };
            try
            {
                watchable = ReadNative(folder, ref match);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is NotSupportedException)
            {
                s_native = false;
                return false;
            }

            same = !match.Differs && match.Found == expected.Length;
            return true;
        }

        /// <summary>Sorts children by name (ordinal): by insertion for the few children most folders have.</summary>
        [MethodImpl(Jit.OptimizeAtFirstCall)]
        private static void Sort(FolderChild[] children)
        {
            if (children.Length > 48)
            {
                Array.Sort(children, s_byName);
                return;
            }

            for (var i = 1; i < children.Length; i++)
            {
                var child = children[i];
                var j = i - 1;
                while (j >= 0 && Compare(children[j].Name.AsSpan(), child.Name.AsSpan()) > 0)
                {
                    children[j + 1] = children[j];
                    j--;
                }

                children[j + 1] = child;
            }
        }

        /// <summary>Ordinal order (of UTF-16 units), as <see cref="string.CompareOrdinal(string, string)"/>.</summary>
        [MethodImpl(Jit.OptimizeAtFirstCall)]
        private static int Compare(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
        {
            var count = Math.Min(a.Length, b.Length);
            for (var i = 0; i < count; i++)
            {
                if (a[i] != b[i])
                {
                    return a[i] - b[i];
                }
            }

            return a.Length - b.Length;
        }

        /// <summary>
        /// A name's UTF-8 bytes as UTF-16 in <paramref name="chars"/> (room for <see cref="NameMax"/>): widened here when
        /// they are ASCII, the common case; decoded otherwise.
        /// </summary>
        [MethodImpl(Jit.OptimizeAtFirstCall)]
        private static int Decode(byte* name, int length, char* chars)
        {
            for (var i = 0; i < length; i++)
            {
                var b = name[i];
                if (b >= 0x80)
                {
                    return Encoding.UTF8.GetChars(name, length, chars, NameMax);
                }

                chars[i] = (char)b;
            }

            return length;
        }

        /// <summary>Whether a child named <paramref name="name"/> can hold a name after <paramref name="after"/> (see <see cref="List(string, string)"/>).</summary>
        private static bool Follows(ReadOnlySpan<char> name, string after)
        {
            var bound = after.AsSpan();
            return name.SequenceCompareTo(bound) >= 0 || bound.StartsWith(name);
        }

        private static void ListManaged(string folder, List<FolderChild> children)
        {
            foreach (var info in new DirectoryInfo(folder).EnumerateFileSystemInfos())
            {
                if (Platform.IsLink(info))
                {
                    children.Add(new FolderChild(info.Name, ChildKind.Symlink, 0, info.LastWriteTimeUtc, null));
                }
                else if (info is DirectoryInfo)
                {
                    children.Add(new FolderChild(info.Name, ChildKind.Directory, 0, info.LastWriteTimeUtc, Platform.GetMode(info)));
                }
                else if (info is FileInfo file)
                {
                    children.Add(new FolderChild(info.Name, ChildKind.File, file.Length, file.LastWriteTimeUtc, Platform.GetMode(info)));
                }
            }
        }

        /// <summary>
        /// Hands every child of a folder to <paramref name="sink"/> until it asks to stop. Tells whether every child a
        /// change notification covers (see <see cref="List(string, out bool)"/>).
        /// </summary>
        [MethodImpl(Jit.OptimizeAtFirstCall)]
        private static bool ReadNative<TSink>(string folder, ref TSink sink)
            where TSink : struct, IEntrySink
        {
            var dir = OpenDir(folder);
            if (dir == IntPtr.Zero)
            {
                var error = Marshal.GetLastWin32Error();
                throw error == ENOENT || error == ENOTDIR ? new DirectoryNotFoundException($"Could not find a part of the path '{folder}'.")
                    : error == EACCES ? new UnauthorizedAccessException($"Access to the path '{folder}' is denied.")
                    : (Exception)new IOException($"The folder '{folder}' could not be listed (error {error}).");
            }

            try
            {
                var fd = DirFd(dir);
                var status = stackalloc byte[StatxSize];
                var modes = Platform.SupportsModes;
                var watchable = true;
                IntPtr entry;
                while ((entry = ReadDir(dir)) != IntPtr.Zero)
                {
                    var name = (byte*)entry + DirentNameOffset;
                    var length = 0;
                    while (name[length] != 0)
                    {
                        length++;
                    }

                    if ((length == 1 && name[0] == '.') || (length == 2 && name[0] == '.' && name[1] == '.') || !sink.Wants(name, length))
                    {
                        continue;
                    }

                    if (Statx(fd, name, AtSymlinkNoFollow, StatxWanted, status) != 0)
                    {
                        var error = Marshal.GetLastWin32Error();
                        if (error == ENOENT)
                        {
                            // Gone since it was listed: not a child any more (a recheck then sees the listing changed).
                            continue;
                        }

                        // ENOSYS or EPERM: no statx here (an old kernel, a sandbox's filter): .NET lists instead.
                        throw new NotSupportedException($"statx failed with error {error}.");
                    }

                    var type = *(ushort*)(status + 28) & 0xF000;
                    var kind = type == 0x4000 ? ChildKind.Directory : type == 0xA000 ? ChildKind.Symlink : ChildKind.File;
                    var seconds = *(long*)(status + 112);
                    var nanoseconds = *(uint*)(status + 120);
                    var modified = new DateTime(s_unixEpochTicks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100), DateTimeKind.Utc);
                    int? mode = modes && kind != ChildKind.Symlink ? *(ushort*)(status + 28) & 0xFFF : (int?)null;
                    var size = kind == ChildKind.File ? *(long*)(status + 40) : 0;

                    // A file of more than one name (stx_nlink), or a folder that is the root of a mount (or a kernel that
                    // cannot tell: stx_attributes_mask without STATX_ATTR_MOUNT_ROOT).
                    if (kind == ChildKind.File ? *(uint*)(status + 16) > 1
                        : kind == ChildKind.Directory && ((*(ulong*)(status + 56) & StatxAttrMountRoot) == 0 || (*(ulong*)(status + 8) & StatxAttrMountRoot) != 0))
                    {
                        watchable = false;
                    }

                    if (!sink.Take(name, length, kind, size, modified, mode))
                    {
                        return watchable;
                    }
                }

                return watchable;
            }
            finally
            {
                CloseDir(dir);
            }
        }

        private interface IEntrySink
        {
            /// <summary>Whether the child is wanted at all (asked before it is looked up).</summary>
            bool Wants(byte* name, int length);

            /// <summary>One child (its name as UTF-8 bytes); false stops the listing.</summary>
            bool Take(byte* name, int length, ChildKind kind, long size, DateTime modified, int? mode);
        }

        private struct Gather : IEntrySink
        {
            public List<FolderChild> Children;
            public string? After;
            public char* Chars;

            public bool Wants(byte* name, int length) =>
                After == null || Follows(new ReadOnlySpan<char>(Chars, Encoding.UTF8.GetChars(name, length, Chars, NameMax)), After);

            [MethodImpl(Jit.OptimizeAtFirstCall)]
            public bool Take(byte* name, int length, ChildKind kind, long size, DateTime modified, int? mode)
            {
                Children.Add(new FolderChild(new string(Chars, 0, Decode(name, length, Chars)), kind, size, modified, mode));
                return true;
            }
        }

        /// <summary>Checks children against an earlier listing without making a string of any name.</summary>
        private struct Match : IEntrySink
        {
            public FolderChild[] Expected;
            public string? Skip;
            public char* Chars;
            public int Found;
            public bool Differs;

            /// <summary>Every field compared (folders' and links' times, modes), not only what tells a change of content.</summary>
            public bool Exact;

            public bool Wants(byte* name, int length) => true;

            [MethodImpl(Jit.OptimizeAtFirstCall)]
            public bool Take(byte* name, int length, ChildKind kind, long size, DateTime modified, int? mode)
            {
                var text = new ReadOnlySpan<char>(Chars, Decode(name, length, Chars));
                if (Skip != null && text.SequenceEqual(Skip.AsSpan()))
                {
                    return true;
                }

                // The earlier listing is sorted by ordinal order of its names, which is the order of their UTF-16 units.
                int low = 0, high = Expected.Length - 1;
                while (low <= high)
                {
                    var middle = low + ((high - low) >> 1);
                    var order = Compare(text, Expected[middle].Name.AsSpan());
                    if (order == 0)
                    {
                        var before = Expected[middle];
                        if (before.Kind != kind || (kind == ChildKind.File && (before.Size != size || before.ModifiedUtc != modified))
                            || (Exact && (before.ModifiedUtc != modified || before.Mode != mode)))
                        {
                            Differs = true;
                            return false;
                        }

                        Found++;
                        return true;
                    }

                    if (order < 0)
                    {
                        high = middle - 1;
                    }
                    else
                    {
                        low = middle + 1;
                    }
                }

                Differs = true;
                return false;
            }
        }

        [DllImport("libc", EntryPoint = "opendir", SetLastError = true)]
        private static extern IntPtr OpenDir([MarshalAs(UnmanagedType.LPStr)] string name);

        [DllImport("libc", EntryPoint = "readdir64")]
        private static extern IntPtr ReadDir(IntPtr dir);

        [DllImport("libc", EntryPoint = "dirfd")]
        private static extern int DirFd(IntPtr dir);

        [DllImport("libc", EntryPoint = "closedir")]
        private static extern int CloseDir(IntPtr dir);

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static extern int Statx(int dirfd, byte* path, int flags, uint mask, byte* buffer);
    }
}
