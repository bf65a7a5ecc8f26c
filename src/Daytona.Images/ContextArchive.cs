using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Text;

namespace Daytona.Images
{
    /// <summary>
    /// Writes a build context as an uncompressed tar, the way the SDK packs it (node-tar with <c>portable: true</c>):
    /// ustar headers without user and group ids or names, modification times kept, a PAX extended header where a
    /// path does not fit the ustar name and prefix fields, folders before their content, symbolic links stored as
    /// links. Entry names start with the context's archive path (a leading <c>/</c> removed). The length is known
    /// before writing (<see cref="Measure"/>) so the archive can be streamed straight into an upload. No tar writer
    /// ships with netstandard2.0 (System.Formats.Tar is .NET 7+), hence this one.
    /// </summary>
    public static class ContextArchive
    {
        private const int Block = 512;
        private static readonly MethodInfo? s_getUnixFileMode = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });

        /// <summary>One tar entry to write.</summary>
        public sealed class Entry
        {
            internal Entry(string name, char type, string fullPath, long size, DateTime modifiedUtc, int mode, string? linkTarget)
            {
                Name = name;
                Type = type;
                FullPath = fullPath;
                Size = size;
                ModifiedUtc = modifiedUtc;
                Mode = mode;
                LinkTarget = linkTarget;
            }

            public string Name { get; }

            /// <summary>'0' file, '5' folder, '2' symbolic link.</summary>
            public char Type { get; }

            public string FullPath { get; }

            public long Size { get; }

            public DateTime ModifiedUtc { get; }

            public int Mode { get; }

            public string? LinkTarget { get; }
        }

        /// <summary>The entries of the context at <paramref name="fullPath"/>, archived under <paramref name="archivePath"/>.</summary>
        public static IReadOnlyList<Entry> Plan(string fullPath, string archivePath)
        {
            var name = Pathe.Normalize(archivePath.Length == 0 ? "." : archivePath).TrimEnd('/');
            while (name.StartsWith("/", StringComparison.Ordinal))
            {
                name = name.Substring(1);
            }

            if (name.Length == 0)
            {
                name = ".";
            }

            var entries = new List<Entry>();
            if (File.Exists(fullPath))
            {
                var info = new FileInfo(fullPath);
                entries.Add(new Entry(name, '0', info.FullName, info.Length, info.LastWriteTimeUtc, ModeOf(info.FullName, 0x1A4), null));
            }
            else if (Directory.Exists(fullPath))
            {
                AddDirectory(entries, new DirectoryInfo(fullPath), name);
            }
            else
            {
                throw new FileNotFoundException("Path does not exist: " + fullPath, fullPath);
            }

            return entries;
        }

        /// <summary>The archive's length in bytes.</summary>
        public static long Measure(IReadOnlyList<Entry> entries)
        {
            long total = 2 * Block;
            foreach (var entry in entries)
            {
                total += HeaderLength(entry) + Padded(entry.Type == '0' ? entry.Size : 0);
            }

            return total;
        }

        /// <summary>Writes the archive; fails if a file changed size since <see cref="Plan"/>.</summary>
        public static void Write(Stream output, IReadOnlyList<Entry> entries)
        {
            var buffer = new byte[1 << 20];
            foreach (var entry in entries)
            {
                WriteHeaders(output, entry);
                if (entry.Type != '0')
                {
                    continue;
                }

                long written = 0;
                using (var input = new FileStream(entry.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
                {
                    int read;
                    while (written < entry.Size && (read = input.Read(buffer, 0, (int)Math.Min(buffer.Length, entry.Size - written))) > 0)
                    {
                        output.Write(buffer, 0, read);
                        written += read;
                    }
                }

                if (written != entry.Size)
                {
                    throw new IOException("The file " + entry.FullPath + " changed while it was being archived.");
                }

                WritePadding(output, entry.Size);
            }

            output.Write(new byte[2 * Block], 0, 2 * Block);
        }

        private static void AddDirectory(List<Entry> entries, DirectoryInfo directory, string name)
        {
            entries.Add(new Entry(name + "/", '5', directory.FullName, 0, directory.LastWriteTimeUtc, ModeOf(directory.FullName, 0x1ED), null));
            foreach (var child in ContextHasher.ListSorted(directory))
            {
                var childName = name == "." ? "./" + child.Name : name + "/" + child.Name;
                if (ContextHasher.IsLink(child))
                {
                    entries.Add(new Entry(childName, '2', child.FullName, 0, child.LastWriteTimeUtc, 0x1FF, LinkTargetOf(child)));
                }
                else if (child is DirectoryInfo sub)
                {
                    AddDirectory(entries, sub, childName);
                }
                else if (child is FileInfo file)
                {
                    entries.Add(new Entry(childName, '0', file.FullName, file.Length, file.LastWriteTimeUtc, ModeOf(file.FullName, 0x1A4), null));
                }
            }
        }

        private static string LinkTargetOf(FileSystemInfo info) => Daytona.Common.FileSystem.FileLinks.ReadTarget(info) ?? string.Empty;

        private static int ModeOf(string path, int fallback)
        {
            // File.GetUnixFileMode is .NET 7+ (and POSIX only): COPY keeps permissions, so executable bits matter.
            if (s_getUnixFileMode != null && Path.DirectorySeparatorChar == '/')
            {
                try
                {
                    return Convert.ToInt32(s_getUnixFileMode.Invoke(null, new object[] { path })) & 0xFFF;
                }
                catch (TargetInvocationException)
                {
                }
            }

            return fallback;
        }

        private static long Padded(long size) => (size + Block - 1) / Block * Block;

        private static void WritePadding(Stream output, long size)
        {
            var pad = (int)(Padded(size) - size);
            if (pad > 0)
            {
                output.Write(new byte[pad], 0, pad);
            }
        }

        private static long HeaderLength(Entry entry)
        {
            var pax = PaxRecords(entry);
            return pax == null ? Block : Block + Padded(pax.Length) + Block;
        }

        private static byte[]? PaxRecords(Entry entry)
        {
            var records = new StringBuilder();
            if (!SplitName(entry.Name, out _, out _))
            {
                records.Append(PaxRecord("path", entry.Name));
            }

            if (entry.LinkTarget != null && Encoding.UTF8.GetByteCount(entry.LinkTarget) > 100)
            {
                records.Append(PaxRecord("linkpath", entry.LinkTarget));
            }

            return records.Length == 0 ? null : Encoding.UTF8.GetBytes(records.ToString());
        }

        private static string PaxRecord(string key, string value)
        {
            // "<length> key=value\n" where length counts itself.
            var body = " " + key + "=" + value + "\n";
            var bodyLength = Encoding.UTF8.GetByteCount(body);
            var length = bodyLength + 1;
            while (length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + bodyLength != length)
            {
                length++;
            }

            return length.ToString(System.Globalization.CultureInfo.InvariantCulture) + body;
        }

        private static bool SplitName(string name, out string prefix, out string shortName)
        {
            prefix = string.Empty;
            shortName = name;
            if (Encoding.UTF8.GetByteCount(name) <= 100)
            {
                return true;
            }

            for (var i = name.Length - 1; i > 0; i--)
            {
                if (name[i] != '/')
                {
                    continue;
                }

                var p = name.Substring(0, i);
                var n = name.Substring(i + 1);
                if (Encoding.UTF8.GetByteCount(p) <= 155 && Encoding.UTF8.GetByteCount(n) <= 100 && n.Length > 0)
                {
                    prefix = p;
                    shortName = n;
                    return true;
                }
            }

            return false;
        }

        private static void WriteHeaders(Stream output, Entry entry)
        {
            var pax = PaxRecords(entry);
            if (pax != null)
            {
                var paxName = "PaxHeader/" + Truncate(Pathe.Basename(entry.Name), 90);
                output.Write(Header(paxName, string.Empty, 'x', pax.Length, entry.ModifiedUtc, 0x1A4, null), 0, Block);
                output.Write(pax, 0, pax.Length);
                WritePadding(output, pax.Length);
            }

            if (!SplitName(entry.Name, out var prefix, out var shortName))
            {
                prefix = string.Empty;
                shortName = Truncate(entry.Name, 100);
            }

            var link = entry.LinkTarget == null ? null : Truncate(entry.LinkTarget, 100);
            output.Write(Header(shortName, prefix, entry.Type, entry.Type == '0' ? entry.Size : 0, entry.ModifiedUtc, entry.Mode, link), 0, Block);
        }

        private static string Truncate(string s, int bytes)
        {
            while (Encoding.UTF8.GetByteCount(s) > bytes)
            {
                s = s.Substring(0, s.Length - 1);
            }

            return s;
        }

        private static byte[] Header(string name, string prefix, char type, long size, DateTime modifiedUtc, int mode, string? linkName)
        {
            var header = new byte[Block];
            PutText(header, 0, 100, name);
            PutOctal(header, 100, 8, mode);
            // uid (108), gid (116): left empty in portable archives.
            PutOctal(header, 124, 12, size);
            var seconds = (long)Math.Floor((modifiedUtc - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds);
            PutOctal(header, 136, 12, Math.Max(0, seconds));
            header[156] = (byte)type;
            if (linkName != null)
            {
                PutText(header, 157, 100, linkName);
            }

            PutText(header, 257, 6, "ustar\0");
            PutText(header, 263, 2, "00");
            // uname (265), gname (297): empty in portable archives.
            PutText(header, 345, 155, prefix);
            for (var i = 148; i < 156; i++)
            {
                header[i] = (byte)' ';
            }

            long sum = 0;
            foreach (var b in header)
            {
                sum += b;
            }

            PutOctal(header, 148, 7, sum);
            header[155] = (byte)' ';
            return header;
        }

        private static void PutText(byte[] header, int offset, int length, string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Array.Copy(bytes, 0, header, offset, Math.Min(bytes.Length, length));
        }

        private static void PutOctal(byte[] header, int offset, int length, long value)
        {
            var text = Convert.ToString(value, 8).PadLeft(length - 1, '0');
            PutText(header, offset, length - 1, text);
            header[offset + length - 1] = 0;
        }
    }
}
