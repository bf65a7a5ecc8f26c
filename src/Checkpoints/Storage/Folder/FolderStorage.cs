using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.IO.Hashing;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;

namespace Daytona.Checkpoints.Storage.Folder
{
    /// <summary>
    /// A repository in a folder: each object is the file at its key (<c>packs/ab/….pack</c>,
    /// <c>checkpoints/….json</c>), so repositories written before the storage seam open unchanged. A write goes to
    /// <c>tmp/</c>, is flushed to the disk (when durable), and is renamed into place: a create-only write renames without
    /// replacing (an atomic create-if-absent on Linux, macOS and Windows), a compare-and-swap renames over the file while
    /// it holds that key's lock (an open file nobody else may open; the system drops it when its process dies).
    /// A version is the xxHash64 and length of the content. Requests are local and cheap.
    /// </summary>
    public sealed class FolderStorage : IObjectStorage
    {
        /// <summary>The folder of temporary files, at the root (the same file system as every key, so renames stay renames).</summary>
        internal const string TempFolder = "tmp";

        /// <summary>Writes hash their content on the fly up to this size, so small objects know their version at once.</summary>
        internal const int VersionedWriteLimit = 1 << 20;

        private static readonly StorageTraits s_traits = new StorageTraits
        {
            HonoursCreateOnly = true,
            HonoursIfVersion = true,
            IsLocal = true,
            Connections = 16,
        };

        private readonly ConcurrentDictionary<string, SemaphoreSlim> _keyGates = new ConcurrentDictionary<string, SemaphoreSlim>(StringComparer.Ordinal);
        private readonly object _writeBackGate = new object();
        private int _cleaned;
        private Task _writeBack = Task.CompletedTask;

        public FolderStorage(string root, bool durable = true)
        {
            Root = Path.GetFullPath(root);
            Durable = durable;
            Temp = Path.Combine(Root, TempFolder);
        }

        /// <summary>The full path of the folder.</summary>
        public string Root { get; }

        public string Location => Root;

        /// <summary>Whether durable writes are flushed to the disk before they become visible.</summary>
        public bool Durable { get; }

        public StorageTraits Traits => s_traits;

        internal string Temp { get; }

        /// <summary>
        /// A stamp of the folders of these prefixes (their modification times: a file added, removed or renamed in one
        /// changes it), or null when one changed too recently to tell a later change in the same clock tick apart.
        /// </summary>
        internal string? FoldersStamp(params string[] prefixes)
        {
            var stamp = new System.Text.StringBuilder();
            var recent = DateTime.UtcNow - TimeSpan.FromSeconds(2);
            foreach (var prefix in prefixes)
            {
                var folder = new DirectoryInfo(Path.Combine(Root, prefix.TrimEnd('/').Replace('/', Path.DirectorySeparatorChar)));
                if (!folder.Exists)
                {
                    stamp.Append(prefix).Append("-;");
                    continue;
                }

                var modified = folder.LastWriteTimeUtc;
                if (modified > recent)
                {
                    return null;
                }

                stamp.Append(prefix).Append(modified.Ticks).Append(';');
            }

            return stamp.ToString();
        }

        /// <summary>The full path of the file of a key.</summary>
        public string PathOf(string key)
        {
            StorageKeys.Check(key);
            if (key.StartsWith(TempFolder + "/", StringComparison.Ordinal))
            {
                throw new ArgumentException($"'{key}' lies in the folder's temporary files.", nameof(key));
            }

            return Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));
        }

        public Task<StoredObject?> ReadAsync(string key, CancellationToken cancellationToken)
        {
            var path = PathOf(key);
            return Task.FromResult(Guard(key, "read", () => ReadFile(path)));
        }

        private static StoredObject? ReadFile(string path)
        {
            byte[]? buffer = null;
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
                if (stream.Length > int.MaxValue - 1)
                {
                    throw new IOException($"The file {path} is too large to be read whole.");
                }

                // One byte more than the length: a file that grew while read says so.
                buffer = ArrayPool<byte>.Shared.Rent((int)stream.Length + 1);
                var length = 0;
                int read;
                while ((read = stream.Read(buffer, length, buffer.Length - length)) > 0)
                {
                    length += read;
                    if (length == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Buffer.BlockCopy(buffer, 0, larger, 0, length);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                var result = new StoredObject(buffer, length, VersionOf(new ReadOnlySpan<byte>(buffer, 0, length)), pooled: true);
                buffer = null;
                return result;
            }
            catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
            {
                return null;
            }
            finally
            {
                if (buffer != null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        public Task<int> ReadRangeAsync(string key, long position, byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            var path = PathOf(key);
            return Task.FromResult(Guard(key, "read", () =>
            {
                try
                {
                    using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
                    if (position >= stream.Length)
                    {
                        return 0;
                    }

                    stream.Position = position;
                    var total = 0;
                    while (total < count)
                    {
                        var n = stream.Read(buffer, offset + total, count - total);
                        if (n == 0)
                        {
                            break;
                        }

                        total += n;
                    }

                    return total;
                }
                catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
                {
                    return -1;
                }
            }));
        }

        public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
        {
            var path = PathOf(key);
            return Task.FromResult(Guard(key, "read", () =>
            {
                try
                {
                    return (Stream?)new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
                }
                catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
                {
                    return null;
                }
            }));
        }

        public Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken)
        {
            var path = PathOf(key);
            return Task.FromResult(Guard(key, "read", () =>
            {
                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    return null;
                }

                string? version = null;
                if (info.Length <= VersionedWriteLimit)
                {
                    using var content = ReadFile(path);
                    if (content == null)
                    {
                        return null;
                    }

                    version = content.Version;
                }

                return new ObjectInfo(key, info.Length, info.LastWriteTimeUtc, version);
            }));
        }

        public ObjectWriter CreateWriter(string key, WriteCondition condition) => new FolderObjectWriter(this, key, PathOf(key), condition);

        public Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken)
        {
            StorageKeys.CheckPrefix(prefix);
            return Task.FromResult(Guard(prefix, "listed", () =>
            {
                // The deepest folder the prefix names, and the start of names in it.
                var slash = prefix.LastIndexOf('/');
                var folderKey = slash < 0 ? string.Empty : prefix.Substring(0, slash);
                var result = new List<ObjectInfo>();
                var folder = folderKey.Length == 0 ? Root : Path.Combine(Root, folderKey.Replace('/', Path.DirectorySeparatorChar));
                Collect(folder, folderKey.Length == 0 ? string.Empty : folderKey + "/", prefix, startAfter, result, cancellationToken);
                result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                return (IReadOnlyList<ObjectInfo>)result;
            }));
        }

        private void Collect(string folder, string keyPrefix, string prefix, string? startAfter, List<ObjectInfo> result, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            FolderChild[] children;
            try
            {
                // Keys under keyPrefix compare with startAfter as their names compare with the rest of it.
                var after = startAfter != null && startAfter.StartsWith(keyPrefix, StringComparison.Ordinal) ? startAfter.Substring(keyPrefix.Length) : null;
                children = FolderLister.List(folder, after);
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }

            foreach (var child in children)
            {
                var key = keyPrefix + child.Name;
                if (child.Kind == ChildKind.Directory)
                {
                    if (keyPrefix.Length == 0 && child.Name == TempFolder)
                    {
                        continue;
                    }

                    // Descend only where keys under the folder can start with the prefix.
                    var sub = key + "/";
                    if (sub.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(sub, StringComparison.Ordinal))
                    {
                        Collect(Path.Combine(folder, child.Name), sub, prefix, startAfter, result, cancellationToken);
                    }

                    continue;
                }

                if (child.Kind != ChildKind.File || !key.StartsWith(prefix, StringComparison.Ordinal) || !StorageKeys.IsValid(key))
                {
                    continue;
                }

                if (startAfter != null && string.CompareOrdinal(key, startAfter) <= 0)
                {
                    continue;
                }

                result.Add(new ObjectInfo(key, child.Size, child.ModifiedUtc, null));
            }
        }

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
        {
            var path = PathOf(key);
            return Task.FromResult(Guard(key, "deleted", () =>
            {
                try
                {
                    if (!File.Exists(path))
                    {
                        return false;
                    }

                    File.Delete(path);
                    return true;
                }
                catch (DirectoryNotFoundException)
                {
                    return false;
                }
            }));
        }

        public Task<LeaseAttempt> TryAcquireLeaseAsync(string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken) =>
            ObjectLease.TryAcquireAsync(this, key, holder, duration, cancellationToken);

        public void Dispose()
        {
        }

        /// <summary>
        /// The name of a temporary file: the key's last segment, this host, this process and a random part —
        /// <c>&lt;name&gt;.&lt;host&gt;.&lt;pid&gt;.&lt;random&gt;.tmp</c> — so the files a killed writer left are known as such.
        /// </summary>
        internal static string TemporaryName(string key)
        {
            var name = key.Substring(key.LastIndexOf('/') + 1);
            return name + "." + SafeHost + "." + Platform.CurrentProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N") + ".tmp";
        }

        private static readonly string SafeHost = MakeSafe(Environment.MachineName);

        private static string MakeSafe(string host)
        {
            var chars = host.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (!char.IsLetterOrDigit(chars[i]) && chars[i] != '-')
                {
                    chars[i] = '-';
                }
            }

            return new string(chars);
        }

        /// <summary>
        /// Once per instance, before its first write: deletes the temporary files writers of this host left when they
        /// were killed (their process is gone), and any temporary file older than a day (a host that never came back).
        /// </summary>
        internal void CleanTemporaryFilesOnce()
        {
            if (Interlocked.Exchange(ref _cleaned, 1) != 0)
            {
                return;
            }

            try
            {
                foreach (var file in new DirectoryInfo(Temp).EnumerateFiles("*.tmp"))
                {
                    var parts = file.Name.Split('.');
                    var mine = parts.Length >= 5 && parts[parts.Length - 4] == SafeHost
                        && int.TryParse(parts[parts.Length - 3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                        && !Platform.IsProcessAlive(pid, null);
                    if (mine || DateTime.UtcNow - file.LastWriteTimeUtc > TimeSpan.FromDays(1))
                    {
                        file.Delete();
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Cleaning is best effort: the next writer tries again.
            }
        }

        /// <summary>The version of some content: its xxHash64 and length.</summary>
        internal static string VersionOf(ReadOnlySpan<byte> content) => VersionOf(XxHash64.HashToUInt64(content), content.Length);

        internal static string VersionOf(ulong hash, long length) => hash.ToString("x16") + "-" + length.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Starts a file's write-back to the disk, one file at a time, off the caller's thread.</summary>
        internal Task StartWriteBack(string path, bool thenDrop = false)
        {
            lock (_writeBackGate)
            {
                _writeBack = _writeBack.ContinueWith(_ => Platform.StartWriteBack(path, thenDrop), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                return _writeBack;
            }
        }

        /// <summary>Runs <paramref name="action"/> holding the lock of <paramref name="key"/> (this process and every other).</summary>
        internal async Task<T> WithKeyLockAsync<T>(string key, Func<T> action, CancellationToken cancellationToken)
        {
            var gate = _keyGates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var locks = Path.Combine(Temp, "locks");
                var lockPath = Path.Combine(locks, key.Replace('/', '~') + ".lock");
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                var delay = 1;
                while (true)
                {
                    FileStream held;
                    try
                    {
                        Directory.CreateDirectory(locks);
                        held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
                    }
                    catch (IOException) when (DateTime.UtcNow < deadline)
                    {
                        // Held by another process for the moment a swap takes.
                        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                        delay = Math.Min(delay * 2, 50);
                        continue;
                    }

                    using (held)
                    {
                        return action();
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }

        private T Guard<T>(string key, string what, Func<T> action)
        {
            try
            {
                return action();
            }
            catch (UnauthorizedAccessException e)
            {
                throw StorageErrors.Denied(Root, what + " (" + key + ")", e);
            }
            catch (IOException e) when (!(e is FileNotFoundException) && !(e is DirectoryNotFoundException))
            {
                throw StorageErrors.Unreachable(Root, what + " (" + key + ")", e);
            }
        }

        internal T GuardWrite<T>(string key, Func<T> action) => Guard(key, "written", action);
    }
}
