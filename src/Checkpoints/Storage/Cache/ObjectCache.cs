using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Hashing;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace Daytona.Checkpoints.Storage.Cache
{
    /// <summary>
    /// This machine's cache of one remote repository's objects (restic's cache is the model): objects that never change
    /// once written (pack indexes, catalog generations, the format), and entries the engine keys by an object's version
    /// (manifests and their summaries, by ETag). It lives in the platform's cache folder
    /// (<c>$XDG_CACHE_HOME</c> or <c>~/.cache</c>, <c>~/Library/Caches</c>, <c>%LOCALAPPDATA%</c>, or
    /// <c>$DAYTONA_CHECKPOINT_CACHE</c>), one sub-folder per repository (a hash of its resolved endpoint, container or
    /// bucket, and prefix), marked with a <c>CACHEDIR.TAG</c> so backup tools skip it.
    /// <para>
    /// Safe to delete at any time, by anyone: every entry is written to a temporary file and renamed into place, carries
    /// its length and an xxHash64 of its bytes, and an entry that is missing, cut short or damaged is a miss (and is
    /// removed). Several processes may share the folder. Bounded: when the folder grows past <see cref="Limit"/>, the
    /// entries least recently used (their modification time is refreshed on use) go first, whatever repository they
    /// belong to.
    /// </para>
    /// </summary>
    public sealed class ObjectCache
    {
        /// <summary>The size the whole cache folder is kept under by default: 1 GiB.</summary>
        public const long DefaultLimit = 1L << 30;

        /// <summary>The environment variable naming the cache folder ("off" turns caching off).</summary>
        public const string FolderVariable = "DAYTONA_CHECKPOINT_CACHE";

        private static readonly byte[] s_magic = Encoding.ASCII.GetBytes("DYCACHE1");
        private static readonly TimeSpan s_touchAfter = TimeSpan.FromMinutes(10);
        private static long s_writtenSinceTrim;
        private static int s_trimming;

        private ObjectCache(string root, string folder, long limit)
        {
            Root = root;
            Folder = folder;
            Limit = limit;
        }

        /// <summary>The cache folder of every repository.</summary>
        public string Root { get; }

        /// <summary>This repository's folder.</summary>
        public string Folder { get; }

        /// <summary>The size the whole cache folder is kept under.</summary>
        public long Limit { get; }

        /// <summary>
        /// The platform's cache folder for checkpoint repositories, or null when caching is off or there is no home to put
        /// it in. <paramref name="configured"/>: null for the default, empty for off, else a folder.
        /// </summary>
        public static string? ResolveRoot(string? configured, Func<string, string?> environment)
        {
            if (configured != null)
            {
                return configured.Length == 0 ? null : Path.GetFullPath(configured);
            }

            var fromEnvironment = environment(FolderVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                return IsOff(fromEnvironment!) ? null : Path.GetFullPath(fromEnvironment!.Trim());
            }

            string? baseFolder;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                baseFolder = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
                return string.IsNullOrEmpty(baseFolder) ? null : Path.Combine(baseFolder, "Daytona.Snapshots", "Cache", "checkpoints");
            }

            var home = environment("HOME");
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                return string.IsNullOrEmpty(home) ? null : Path.Combine(home, "Library", "Caches", "Daytona.Snapshots", "checkpoints");
            }

            baseFolder = environment("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(baseFolder) || !Path.IsPathRooted(baseFolder))
            {
                baseFolder = string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache");
            }

            return baseFolder == null ? null : Path.Combine(baseFolder, "daytona-snapshots", "checkpoints");
        }

        private static bool IsOff(string value)
        {
            var text = value.Trim();
            return text.Equals("off", StringComparison.OrdinalIgnoreCase) || text.Equals("false", StringComparison.OrdinalIgnoreCase)
                || text.Equals("0", StringComparison.Ordinal) || text.Equals("none", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>
        /// Opens the cache of the repository <paramref name="identity"/> (what tells it apart from every other: resolved
        /// endpoint, container or bucket, prefix; never a secret) under <paramref name="root"/>; null when the folder
        /// cannot be made (a read-only home: the repository is then used without a cache, said on <paramref name="verbose"/>).
        /// </summary>
        public static ObjectCache? Open(string root, string identity, string display, long limit = DefaultLimit, Action<string>? verbose = null)
        {
            try
            {
                Directory.CreateDirectory(root);
                var tag = Path.Combine(root, "CACHEDIR.TAG");
                if (!File.Exists(tag))
                {
                    WriteAtomically(tag, Encoding.ASCII.GetBytes("Signature: 8a477f597d28d172789f06886806bc55\n# This folder is a cache of Daytona.Snapshots checkpoint repositories; it may be deleted at any time.\n"));
                }

                var folder = Path.Combine(root, FolderName(identity));
                Directory.CreateDirectory(folder);
                var about = Path.Combine(folder, "repository.txt");
                if (!File.Exists(about))
                {
                    WriteAtomically(about, Encoding.UTF8.GetBytes(display + "\n"));
                }

                var cache = new ObjectCache(root, folder, limit);
                Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow);
                verbose?.Invoke($"Cache of {display}: {folder}.");
                cache.TrimIfDue(opening: true);
                return cache;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
            {
                verbose?.Invoke($"No cache for {display}: {root} cannot be used ({e.Message}).");
                return null;
            }
        }

        /// <summary>The folder name of a repository: 32 hex digits of the SHA-256 of its identity.</summary>
        public static string FolderName(string identity)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(identity));
            return ChunkStore.ToHex(hash).Substring(0, 32);
        }

        /// <summary>
        /// The entry <paramref name="name"/> ('/'-separated) and the version it was stored with; null when it is not
        /// cached, or damaged (then it is removed).
        /// </summary>
        public byte[]? Get(string name, out string? version)
        {
            version = null;
            var path = PathOf(name);
            byte[]? content;
            try
            {
                // Read as it lies (header, content, hash) into one array of the content's size: a manifest of a few
                // hundred KiB is not read whole and then copied out (two large-object allocations on a re-capture's path).
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
                content = Decode(stream, out version);
            }
            catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
            {
                return null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }

            if (content == null)
            {
                Remove(name);
                return null;
            }

            Touch(path);
            return content;
        }

        /// <summary>The entry <paramref name="name"/> when it was stored with <paramref name="version"/> (compared without quotes); else null.</summary>
        public byte[]? Get(string name, string version)
        {
            var content = Get(name, out var stored);
            return content != null && SameVersion(stored, version) ? content : null;
        }

        /// <summary>Whether two versions (ETags) are the same, whether or not a server quoted them.</summary>
        public static bool SameVersion(string? a, string? b)
        {
            if (a == null || b == null)
            {
                return false;
            }

            return string.Equals(Unquote(a), Unquote(b), StringComparison.Ordinal);
        }

        private static string Unquote(string version)
        {
            var text = version.StartsWith("W/", StringComparison.Ordinal) ? version.Substring(2) : version;
            return text.Trim('"');
        }

        /// <summary>Stores an entry (replacing any); failures are ignored (a cache that cannot be written is a cache that misses).</summary>
        public void Put(string name, byte[] content, int offset, int count, string? version) =>
            Put(name, new MemoryStream(content, offset, count, writable: false), version);

        /// <summary>Stores an entry from the rest of <paramref name="content"/> (replacing any); failures are ignored.</summary>
        public void Put(string name, Stream content, string? version)
        {
            var path = PathOf(name);
            var count = content.Length - content.Position;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                WriteAtomically(path, file => Encode(content, count, version, file));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return;
            }

            if (Interlocked.Add(ref s_writtenSinceTrim, count) > Limit / 8)
            {
                TrimIfDue(opening: false);
            }
        }

        public void Put(string name, byte[] content, string? version) => Put(name, content, 0, content.Length, version);

        /// <summary>Removes an entry (absent is fine).</summary>
        public void Remove(string name)
        {
            try
            {
                File.Delete(PathOf(name));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }
        }

        /// <summary>The names of the entries under a '/'-separated folder of the cache (e.g. <c>objects/packs</c>).</summary>
        public IReadOnlyList<string> Names(string folder)
        {
            var directory = PathOf(folder);
            try
            {
                return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                    .Where(f => !Path.GetFileName(f).StartsWith(".tmp-", StringComparison.Ordinal))
                    .Select(f => f.Substring(Folder.Length + 1).Replace(Path.DirectorySeparatorChar, '/'))
                    .ToList();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return Array.Empty<string>();
            }
        }

        private string PathOf(string name)
        {
            if (name.Length == 0 || name.IndexOf('\\') >= 0 || name.IndexOf(':') >= 0 || name.Split('/').Any(s => s.Length == 0 || s == "." || s == ".."))
            {
                throw new ArgumentException($"'{name}' is not a cache entry name.", nameof(name));
            }

            return Path.Combine(Folder, name.Replace('/', Path.DirectorySeparatorChar));
        }

        // ---------------------------------------------------------------- entry format

        // "DYCACHE1", int32 version length, version (UTF-8), int64 content length, content, uint64 xxHash64 of all before.
        private static void Encode(Stream content, long count, string? version, Stream file)
        {
            var hash = new XxHash64();
            void Write(byte[] bytes, int length)
            {
                hash.Append(new ReadOnlySpan<byte>(bytes, 0, length));
                file.Write(bytes, 0, length);
            }

            var versionBytes = version == null ? Array.Empty<byte>() : Encoding.UTF8.GetBytes(version);
            var header = new byte[s_magic.Length + 4 + versionBytes.Length + 8];
            Buffer.BlockCopy(s_magic, 0, header, 0, s_magic.Length);
            WriteInt(header, s_magic.Length, version == null ? -1 : versionBytes.Length, 4);
            Buffer.BlockCopy(versionBytes, 0, header, s_magic.Length + 4, versionBytes.Length);
            WriteInt(header, header.Length - 8, count, 8);
            Write(header, header.Length);

            // In pieces: no copy of the whole content, and no single large write (Platform.WritePieceBytes).
            var buffer = new byte[(int)Math.Min(Platform.WritePieceBytes, Math.Max(1, count))];
            for (var left = count; left > 0;)
            {
                var read = content.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (read <= 0)
                {
                    throw new IOException("The content ended before its length.");
                }

                Write(buffer, read);
                left -= read;
            }

            var trailer = new byte[8];
            WriteInt(trailer, 0, (long)hash.GetCurrentHashAsUInt64(), 8);
            file.Write(trailer, 0, 8);
        }

        private static byte[]? Decode(Stream stream, out string? version)
        {
            version = null;
            var length = stream.Length;
            var hash = new XxHash64();
            var header = new byte[s_magic.Length + 4];
            if (length < s_magic.Length + 4 + 8 + 8 || !ReadExactly(stream, header, header.Length, hash) || !new ReadOnlySpan<byte>(header, 0, s_magic.Length).SequenceEqual(s_magic))
            {
                return null;
            }

            var versionLength = BitConverter.ToInt32(header, s_magic.Length);
            if (versionLength > length - header.Length - 16)
            {
                return null;
            }

            if (versionLength >= 0)
            {
                var versionBytes = new byte[versionLength];
                if (!ReadExactly(stream, versionBytes, versionLength, hash))
                {
                    return null;
                }

                version = Encoding.UTF8.GetString(versionBytes);
            }

            var number = new byte[8];
            if (!ReadExactly(stream, number, 8, hash))
            {
                return null;
            }

            var contentLength = BitConverter.ToInt64(number, 0);
            if (contentLength < 0 || contentLength > int.MaxValue || contentLength != length - stream.Position - 8)
            {
                return null;
            }

            var content = new byte[contentLength];
            if (!ReadExactly(stream, content, content.Length, hash) || !ReadExactly(stream, number, 8, null))
            {
                return null;
            }

            return (ulong)BitConverter.ToInt64(number, 0) == hash.GetCurrentHashAsUInt64() ? content : null;
        }

        /// <summary>Reads exactly <paramref name="count"/> bytes (false at an early end), adding them to <paramref name="hash"/>.</summary>
        private static bool ReadExactly(Stream stream, byte[] buffer, int count, XxHash64? hash)
        {
            var total = 0;
            int read;
            while (total < count && (read = stream.Read(buffer, total, count - total)) > 0)
            {
                total += read;
            }

            hash?.Append(new ReadOnlySpan<byte>(buffer, 0, total));
            return total == count;
        }

        private static void WriteInt(byte[] buffer, int offset, long value, int size)
        {
            for (var i = 0; i < size; i++)
            {
                buffer[offset + i] = (byte)(value >> (8 * i));
            }
        }

        private static void WriteAtomically(string path, byte[] bytes) => WriteAtomically(path, file => file.Write(bytes, 0, bytes.Length));

        private static void WriteAtomically(string path, Action<Stream> write)
        {
            var temporary = Path.Combine(Path.GetDirectoryName(path)!, ".tmp-" + Guid.NewGuid().ToString("N"));
            try
            {
                using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
                {
                    write(file);
                }

                Platform.MoveReplacing(temporary, path);
            }
            catch
            {
                try
                {
                    File.Delete(temporary);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                }

                // Another process holds the entry open (Windows): it wrote the same bytes.
                if (!File.Exists(path))
                {
                    throw;
                }
            }
        }

        private static void Touch(string path)
        {
            try
            {
                var now = DateTime.UtcNow;
                if (now - File.GetLastWriteTimeUtc(path) > s_touchAfter)
                {
                    File.SetLastWriteTimeUtc(path, now);
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }
        }

        // ---------------------------------------------------------------- bound

        /// <summary>
        /// Keeps the whole cache folder under <see cref="Limit"/>: when it is larger, deletes the entries least recently
        /// used (oldest modification time first) until it holds three quarters of the limit. Runs when a process opens the
        /// cache (at most hourly, by a stamp file) and after every eighth of the limit it wrote.
        /// </summary>
        public void Trim()
        {
            var files = new List<FileInfo>();
            long total = 0;
            try
            {
                foreach (var file in new DirectoryInfo(Root).EnumerateFiles("*", SearchOption.AllDirectories))
                {
                    if (file.Name == "CACHEDIR.TAG" || file.Name == "repository.txt" || file.Name == ".trimmed")
                    {
                        continue;
                    }

                    files.Add(file);
                    total += file.Length;
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return;
            }

            if (total <= Limit)
            {
                return;
            }

            var target = Limit / 4 * 3;
            foreach (var file in files.OrderBy(f => f.LastWriteTimeUtc))
            {
                if (total <= target)
                {
                    break;
                }

                var length = file.Length;
                try
                {
                    file.Delete();
                    total -= length;
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                }
            }
        }

        private void TrimIfDue(bool opening)
        {
            if (Interlocked.Exchange(ref s_trimming, 1) != 0)
            {
                return;
            }

            try
            {
                var stamp = Path.Combine(Root, ".trimmed");
                if (opening && File.Exists(stamp) && DateTime.UtcNow - File.GetLastWriteTimeUtc(stamp) < TimeSpan.FromHours(1))
                {
                    return;
                }

                Interlocked.Exchange(ref s_writtenSinceTrim, 0);
                Trim();
                File.WriteAllBytes(stamp, Array.Empty<byte>());
                File.SetLastWriteTimeUtc(stamp, DateTime.UtcNow);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }
            finally
            {
                Interlocked.Exchange(ref s_trimming, 0);
            }
        }
    }
}
