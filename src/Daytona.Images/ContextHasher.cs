using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Daytona.Images
{
    /// <summary>
    /// The build-context hash Daytona stores a context under (<c>ObjectStorage.computeHashForPathMd5</c> in the SDK):
    /// MD5 over the archive path, then for a file its bytes; for a folder, walking it depth first, each file's path
    /// relative to the folder followed by its bytes, and the relative path of every folder that holds no file and no
    /// folder. Symbolic links are neither files nor folders there and are skipped. Entries are taken in the order Node
    /// lists them: on POSIX systems byte order of the UTF-8 names (libuv sorts <c>scandir</c> with strcmp), on Windows the
    /// file system's order.
    /// </summary>
    public static class ContextHasher
    {
        private const int BufferSize = 1 << 20;

        /// <summary>The lowercase hex MD5 of the context at <paramref name="fullPath"/> under <paramref name="archivePath"/>.</summary>
        public static string ComputeMd5(string fullPath, string archivePath)
        {
            using (var md5 = MD5.Create())
            {
                var buffer = new byte[BufferSize];
                Update(md5, archivePath);
                if (File.Exists(fullPath))
                {
                    HashFile(md5, fullPath, buffer);
                }
                else if (Directory.Exists(fullPath))
                {
                    HashDirectory(md5, new DirectoryInfo(fullPath), string.Empty, buffer);
                }
                else
                {
                    throw new FileNotFoundException("Path does not exist: " + fullPath, fullPath);
                }

                md5.TransformFinalBlock(Array.Empty<byte>(), 0, 0);
                return ToHex(md5.Hash!);
            }
        }

        /// <summary>
        /// A folder's entries in the order Node's <c>readdir</c> returns them: on POSIX systems libuv sorts them by the
        /// bytes of their UTF-8 names (strcmp); on Windows it returns the file system's own order, as we do.
        /// </summary>
        public static IReadOnlyList<FileSystemInfo> ListSorted(DirectoryInfo directory)
        {
            var entries = directory.EnumerateFileSystemInfos().ToList();
            if (!IsWindows)
            {
                entries.Sort((a, b) => CompareUtf8(a.Name, b.Name));
            }

            return entries;
        }

        private static readonly bool IsWindows = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows);

        public static int CompareUtf8(string a, string b)
        {
            // UTF-16 ordinal order equals UTF-8 byte order except for surrogates against U+E000..U+FFFF.
            var n = Math.Min(a.Length, b.Length);
            for (var i = 0; i < n; i++)
            {
                var x = a[i];
                var y = b[i];
                if (x == y)
                {
                    continue;
                }

                var xs = char.IsSurrogate(x);
                var ys = char.IsSurrogate(y);
                if (xs != ys && (x >= '\uE000' || y >= '\uE000'))
                {
                    return xs ? 1 : -1;
                }

                return x < y ? -1 : 1;
            }

            return a.Length.CompareTo(b.Length);
        }

        // As Node's lstat (what Daytona's SDK hashes with): symbolic links and junctions are links, any other reparse
        // point (a OneDrive placeholder, a deduplicated file) is the file it stands for.
        internal static bool IsLink(FileSystemInfo info) => Daytona.Common.FileSystem.FileLinks.IsLink(info);

        private static void HashDirectory(HashAlgorithm md5, DirectoryInfo directory, string relative, byte[] buffer)
        {
            var entries = ListSorted(directory);
            var hasSubdirs = entries.Any(e => !IsLink(e) && e is DirectoryInfo);
            var hasFiles = entries.Any(e => !IsLink(e) && e is FileInfo);
            if (!hasSubdirs && !hasFiles)
            {
                Update(md5, relative);
            }

            foreach (var entry in entries)
            {
                if (IsLink(entry))
                {
                    continue;
                }

                var path = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                if (entry is DirectoryInfo dir)
                {
                    HashDirectory(md5, dir, path, buffer);
                }
                else if (entry is FileInfo)
                {
                    Update(md5, path);
                    HashFile(md5, entry.FullName, buffer);
                }
            }
        }

        private static void HashFile(HashAlgorithm md5, string path, byte[] buffer)
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
            {
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    md5.TransformBlock(buffer, 0, read, null, 0);
                }
            }
        }

        private static void Update(HashAlgorithm md5, string text)
        {
            if (text.Length == 0)
            {
                return;
            }

            var bytes = Encoding.UTF8.GetBytes(text);
            md5.TransformBlock(bytes, 0, bytes.Length, null, 0);
        }

        internal static string ToHex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes)
            {
                sb.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }
    }
}
