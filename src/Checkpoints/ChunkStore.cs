using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using ZstdSharp;

namespace Daytona.Checkpoints
{
    /// <summary>Where a chunk's zstd frame lies: a pack file, an offset and a length.</summary>
    public readonly struct ChunkLocation
    {
        public ChunkLocation(string pack, long offset, int length)
        {
            Pack = pack;
            Offset = offset;
            Length = length;
        }

        /// <summary>The full path of the pack file.</summary>
        public string Pack { get; }

        public long Offset { get; }

        public int Length { get; }
    }

    /// <summary>
    /// Content-addressed chunk storage in pack files: each chunk is one zstd frame of its bytes, named by the SHA-256 of
    /// the uncompressed bytes, appended to a pack (<c>packs/xx/&lt;pack id&gt;.pack</c>, up to ~16 MiB). Beside each pack,
    /// <c>&lt;pack id&gt;.idx</c> lists its chunks (<c>DYPKIDX1</c>, a uint32 count, then per chunk 32 bytes of SHA-256,
    /// a uint64 offset and a uint32 length, little-endian). Packs are written in <c>tmp/</c>, flushed (all together
    /// when the writer finishes), renamed into place, and their index is renamed last: a chunk is visible only when it
    /// is complete. Packing many small chunks into few files keeps a capture of many small files as fast as writing
    /// one archive.
    /// </summary>
    public sealed class ChunkStore
    {
        /// <summary>The largest chunk this store accepts (the chunker's maximum).</summary>
        public const int MaxChunkSize = Chunker.DefaultMaxSize;

        internal const long PackTarget = 16L * 1024 * 1024;
        private static readonly byte[] s_indexMagic = { (byte)'D', (byte)'Y', (byte)'P', (byte)'K', (byte)'I', (byte)'D', (byte)'X', (byte)'1' };
        private static readonly ThreadLocal<SHA256> s_sha = new ThreadLocal<SHA256>(SHA256.Create);
        private static readonly ThreadLocal<Decompressor> s_decompressor = new ThreadLocal<Decompressor>(() => new Decompressor());

        private readonly ThreadLocal<Compressor> _compressor;
        private readonly string _packs;
        private readonly string _temp;
        private readonly object _loadGate = new object();
        private ConcurrentDictionary<string, ChunkLocation>? _index;
        private HashSet<string> _indexFiles = new HashSet<string>(StringComparer.Ordinal);

        public ChunkStore(string packs, string temp, int level, bool durable)
        {
            _packs = packs;
            _temp = temp;
            Durable = durable;
            _compressor = new ThreadLocal<Compressor>(() => new Compressor(level));
        }

        public bool Durable { get; }

        [MethodImpl(Jit.OptimizeAtFirstCall)]
        public static bool IsHash(string text)
        {
            if (text.Length != 64)
            {
                return false;
            }

            foreach (var c in text)
            {
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                {
                    return false;
                }
            }

            return true;
        }

        public static string Hash(byte[] data, int offset, int count) => ToHex(s_sha.Value!.ComputeHash(data, offset, count));

        /// <summary>Where a chunk is stored; reads new pack indexes once when the chunk is not known yet.</summary>
        public bool TryLocate(string hash, out ChunkLocation location)
        {
            if (Index.TryGetValue(hash, out location))
            {
                return true;
            }

            Refresh();
            return Index.TryGetValue(hash, out location);
        }

        public bool Exists(string hash) => Index.ContainsKey(hash);

        /// <summary>Every stored chunk's hash.</summary>
        public IReadOnlyCollection<string> ListChunks()
        {
            Refresh();
            return Index.Keys.ToList();
        }

        /// <summary>The stored (compressed) length of a chunk, or -1 when it is absent.</summary>
        public long StoredLength(string hash) => TryLocate(hash, out var location) ? location.Length : -1;

        /// <summary>Reads the stored frame of a chunk; null when it is absent or its pack is cut short.</summary>
        public byte[]? ReadStored(string hash)
        {
            if (!TryLocate(hash, out var location))
            {
                return null;
            }

            try
            {
                using var stream = new FileStream(location.Pack, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
                if (location.Offset + location.Length > stream.Length)
                {
                    return null;
                }

                stream.Position = location.Offset;
                var frame = new byte[location.Length];
                var read = 0;
                while (read < frame.Length)
                {
                    var n = stream.Read(frame, read, frame.Length - read);
                    if (n == 0)
                    {
                        return null;
                    }

                    read += n;
                }

                return frame;
            }
            catch (FileNotFoundException)
            {
                return null;
            }
            catch (DirectoryNotFoundException)
            {
                return null;
            }
        }

        /// <summary>
        /// Reads, decompresses and verifies a chunk into <paramref name="destination"/> (at least <paramref name="size"/>
        /// bytes); a missing, undecodable or mismatching chunk is <c>CheckpointCorrupt</c>.
        /// </summary>
        public void Read(string hash, int size, byte[] destination, string? forPath)
        {
            var frame = ReadStored(hash) ?? throw CheckpointErrors.CorruptData(
                $"The chunk {hash}{Of(forPath)} is missing from the repository.", forPath ?? hash);
            Decode(hash, size, frame, frame.Length, destination, forPath);
        }

        /// <summary>Decompresses a stored frame and checks its length and SHA-256.</summary>
        public static void Decode(string hash, int size, byte[] frame, int frameLength, byte[] destination, string? forPath, int frameOffset = 0)
        {
            int length;
            try
            {
                length = s_decompressor.Value!.Unwrap(new ReadOnlySpan<byte>(frame, frameOffset, frameLength - frameOffset), new Span<byte>(destination, 0, size));
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                throw CheckpointErrors.CorruptData($"The chunk {hash}{Of(forPath)} cannot be decompressed: {e.Message}", forPath ?? hash, e);
            }

            if (length != size)
            {
                throw CheckpointErrors.CorruptData($"The chunk {hash}{Of(forPath)} holds {length} bytes instead of {size}.", forPath ?? hash);
            }

            var actual = Hash(destination, 0, length);
            if (!string.Equals(actual, hash, StringComparison.Ordinal))
            {
                throw CheckpointErrors.CorruptData($"The chunk {hash}{Of(forPath)} does not match its hash (its content hashes to {actual}).", forPath ?? hash);
            }
        }

        /// <summary>A writer appending new chunks to packs; one per writer session.</summary>
        internal PackWriter OpenWriter(Action? beforeFirstPack = null) => new PackWriter(this, beforeFirstPack);

        /// <summary>Compresses a chunk into a frame (thread-safe; one compressor per thread).</summary>
        internal int Compress(byte[] data, int offset, int count, byte[] destination) =>
            _compressor.Value!.Wrap(new ReadOnlySpan<byte>(data, offset, count), new Span<byte>(destination));

        /// <summary>
        /// Keeps only the chunks in <paramref name="referenced"/>: packs without any are deleted, packs with some are
        /// rewritten with those alone. Runs under the writer lock. Returns the bytes freed.
        /// </summary>
        internal long Sweep(HashSet<string> referenced, CancellationToken cancellationToken)
        {
            Refresh();
            long freed = 0;
            var kept = new HashSet<string>(StringComparer.Ordinal);
            foreach (var indexFile in ListIndexFiles())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entries = ReadIndexFile(indexFile);
                var pack = PackOf(indexFile);
                if (entries == null)
                {
                    continue;
                }

                var live = entries.Where(e => referenced.Contains(e.Hash) && !kept.Contains(e.Hash)).ToList();
                var packLength = File.Exists(pack) ? new FileInfo(pack).Length : 0;
                if (live.Count == entries.Count)
                {
                    kept.UnionWith(live.Select(e => e.Hash));
                    continue;
                }

                long rewritten = 0;
                if (live.Count > 0)
                {
                    using var writer = OpenWriter();
                    foreach (var entry in live)
                    {
                        var frame = ReadStored(entry.Hash, pack, entry.Offset, entry.Length);
                        if (frame != null)
                        {
                            writer.Append(entry.Hash, frame, frame.Length, isNew: false);
                            rewritten += frame.Length;
                        }
                    }

                    writer.Finish();
                    writer.Keep();
                    kept.UnionWith(live.Select(e => e.Hash));
                }

                // The index goes first: its chunks stop being visible before their bytes disappear.
                DeleteQuietly(indexFile);
                DeleteQuietly(pack);
                freed += Math.Max(0, packLength - rewritten);
            }

            Reload();
            return freed;
        }

        private static byte[]? ReadStored(string hash, string pack, long offset, int length)
        {
            try
            {
                using var stream = new FileStream(pack, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
                if (offset + length > stream.Length)
                {
                    return null;
                }

                stream.Position = offset;
                var frame = new byte[length];
                var read = 0;
                while (read < length)
                {
                    var n = stream.Read(frame, read, length - read);
                    if (n == 0)
                    {
                        return null;
                    }

                    read += n;
                }

                return frame;
            }
            catch (IOException)
            {
                return null;
            }
        }

        private ConcurrentDictionary<string, ChunkLocation> Index
        {
            get
            {
                var index = _index;
                if (index != null)
                {
                    return index;
                }

                Refresh();
                return _index!;
            }
        }

        /// <summary>Forgets every index read; the next use reads them all again.</summary>
        internal void Reload()
        {
            lock (_loadGate)
            {
                _index = null;
                _indexFiles = new HashSet<string>(StringComparer.Ordinal);
            }

            Refresh();
        }

        /// <summary>Reads the pack indexes not read yet, when some were read already (else the first lookup reads them all).</summary>
        internal void RefreshIfLoaded()
        {
            if (_index != null)
            {
                Refresh();
            }
        }

        /// <summary>Reads the pack indexes not read yet.</summary>
        internal void Refresh()
        {
            lock (_loadGate)
            {
                var index = _index ?? new ConcurrentDictionary<string, ChunkLocation>(StringComparer.Ordinal);
                foreach (var indexFile in ListIndexFiles())
                {
                    if (_indexFiles.Contains(indexFile))
                    {
                        continue;
                    }

                    var entries = ReadIndexFile(indexFile);
                    if (entries == null)
                    {
                        continue;
                    }

                    var pack = PackOf(indexFile);
                    foreach (var entry in entries)
                    {
                        index[entry.Hash] = new ChunkLocation(pack, entry.Offset, entry.Length);
                    }

                    _indexFiles.Add(indexFile);
                }

                _index = index;
            }
        }

        private IEnumerable<string> ListIndexFiles() =>
            Directory.Exists(_packs) ? Directory.EnumerateFiles(_packs, "*.idx", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList() : Enumerable.Empty<string>();

        private static string PackOf(string indexFile) => indexFile.Substring(0, indexFile.Length - 4) + ".pack";

        internal readonly struct IndexEntry
        {
            public IndexEntry(string hash, long offset, int length)
            {
                Hash = hash;
                Offset = offset;
                Length = length;
            }

            public string Hash { get; }

            public long Offset { get; }

            public int Length { get; }
        }

        /// <summary>The entries of a pack index; null when the file is unreadable or malformed (its chunks then count as missing).</summary>
        private static List<IndexEntry>? ReadIndexFile(string path)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (IOException)
            {
                return null;
            }

            if (bytes.Length < 12 || !bytes.Take(8).SequenceEqual(s_indexMagic))
            {
                return null;
            }

            var count = BitConverter.ToUInt32(bytes, 8);
            if (bytes.Length != 12 + (count * 44L))
            {
                return null;
            }

            var entries = new List<IndexEntry>((int)count);
            var raw = new byte[32];
            for (var i = 0; i < count; i++)
            {
                var at = 12 + (i * 44);
                Buffer.BlockCopy(bytes, at, raw, 0, 32);
                var offset = (long)BitConverter.ToUInt64(bytes, at + 32);
                var length = BitConverter.ToUInt32(bytes, at + 40);
                if (offset < 0 || length > int.MaxValue)
                {
                    return null;
                }

                entries.Add(new IndexEntry(ToHex(raw), offset, (int)length));
            }

            return entries;
        }

        private static byte[] WriteIndex(IReadOnlyList<IndexEntry> entries)
        {
            var bytes = new byte[12 + (entries.Count * 44)];
            Buffer.BlockCopy(s_indexMagic, 0, bytes, 0, 8);
            WriteLittleEndian(bytes, 8, (ulong)entries.Count, 4);
            for (var i = 0; i < entries.Count; i++)
            {
                var at = 12 + (i * 44);
                for (var j = 0; j < 32; j++)
                {
                    bytes[at + j] = (byte)((Nibble(entries[i].Hash[j * 2]) << 4) | Nibble(entries[i].Hash[(j * 2) + 1]));
                }

                WriteLittleEndian(bytes, at + 32, (ulong)entries[i].Offset, 8);
                WriteLittleEndian(bytes, at + 40, (ulong)entries[i].Length, 4);
            }

            return bytes;
        }

        private static void WriteLittleEndian(byte[] buffer, int offset, ulong value, int bytes)
        {
            for (var i = 0; i < bytes; i++)
            {
                buffer[offset + i] = (byte)(value >> (8 * i));
            }
        }

        private static int Nibble(char c) => c <= '9' ? c - '0' : c - 'a' + 10;

        internal static string ToHex(byte[] bytes)
        {
            var chars = new char[bytes.Length * 2];
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i];
                chars[i * 2] = Digit(b >> 4);
                chars[(i * 2) + 1] = Digit(b & 15);
            }

            return new string(chars);
        }

        private static char Digit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

        private static string Of(string? path) => path == null ? string.Empty : $" (of '{path}')";

        private static void DeleteQuietly(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
        }

        /// <summary>
        /// Appends chunk frames to a pack in <c>tmp/</c> and commits full packs (pack, then index, renamed into place).
        /// Thread-safe. Disposing without <see cref="Keep"/> deletes every pack this writer committed: a failed capture
        /// leaves nothing behind.
        /// </summary>
        internal sealed class PackWriter : IDisposable
        {
            private readonly ChunkStore _store;
            private readonly object _gate = new object();
            private readonly List<(string Index, string Pack)> _committed = new List<(string, string)>();
            private readonly List<IndexEntry> _entries = new List<IndexEntry>();
            private FileStream? _current;
            private string? _currentPath;
            private readonly Action? _beforeFirstPack;
            private readonly List<(string Pack, string Index, Action Commit)> _flushing = new List<(string, string, Action)>();
            private bool _keep;
            private Task _writeBack = Task.CompletedTask;

            public PackWriter(ChunkStore store, Action? beforeFirstPack)
            {
                _store = store;
                _beforeFirstPack = beforeFirstPack;
            }

            /// <summary>Compressed bytes of the new chunks appended.</summary>
            public long NewBytes { get; private set; }

            /// <summary>Compresses and appends a chunk; returns its stored length.</summary>
            public int Put(string hash, byte[] data, int count) => Put(hash, data, 0, count);

            /// <summary>Compresses and appends a chunk at <paramref name="offset"/> of <paramref name="data"/>; returns its stored length.</summary>
            public int Put(string hash, byte[] data, int offset, int count)
            {
                var bound = Compressor.GetCompressBound(count);
                var frame = ArrayPool<byte>.Shared.Rent(bound);
                try
                {
                    var length = _store.Compress(data, offset, count, frame);
                    Append(hash, frame, length, isNew: true);
                    return length;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame);
                }
            }

            public void Append(string hash, byte[] frame, int length, bool isNew)
            {
                lock (_gate)
                {
                    if (_current == null)
                    {
                        if (_committed.Count == 0 && _currentPath == null)
                        {
                            _beforeFirstPack?.Invoke();
                        }

                        Directory.CreateDirectory(_store._temp);
                        _currentPath = Path.Combine(_store._temp, Guid.NewGuid().ToString("N") + ".pack");
                        _current = new FileStream(_currentPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
                    }

                    _entries.Add(new IndexEntry(hash, _current.Position, length));
                    _current.Write(frame, 0, length);
                    if (isNew)
                    {
                        NewBytes += length;
                    }

                    if (_current.Position >= PackTarget)
                    {
                        CommitCurrent();
                    }
                }
            }

            /// <summary>Commits the pack being written, if any.</summary>
            public void Finish()
            {
                lock (_gate)
                {
                    CommitCurrent();
                }

                WaitFlushing();
            }

            /// <summary>The packs written stay (the manifest referencing them is committed).</summary>
            public void Keep() => _keep = true;

            private void CommitCurrent()
            {
                if (_current == null)
                {
                    return;
                }

                _current.Dispose();
                _current = null;
                var id = Path.GetFileNameWithoutExtension(_currentPath!);
                var packTemp = _currentPath!;
                if (_store.Durable)
                {
                    // The pack's write-back to the disk starts now, while the capture goes on compressing, so the flush
                    // when the writer finishes mostly finds the writes done. Started one pack at a time off this lock:
                    // starting write-back can wait for the disk, and compressing threads wait for this lock.
                    _writeBack = _writeBack.ContinueWith(_ => Platform.StartWriteBack(packTemp), CancellationToken.None,
                        TaskContinuationOptions.None, TaskScheduler.Default);
                }

                var indexTemp = Path.Combine(_store._temp, id + ".idx");
                File.WriteAllBytes(indexTemp, WriteIndex(_entries));
                var entries = _entries.ToList();
                _entries.Clear();
                _currentPath = null;

                // The pack becomes visible (pack renamed, then its index) only once both files are on the disk. The
                // flushes of all packs run together when the writer finishes: the file system commits concurrent
                // flushes at once, where one flush per pack as it fills costs a journal commit and a disk cache flush
                // each (on a 1 GiB capture, 64 of them took longer than the whole data's write-back).
                _flushing.Add((packTemp, indexTemp, () =>
                {
                    if (_store.Durable)
                    {
                        FlushToDisk(packTemp);
                        FlushToDisk(indexTemp);
                    }

                    var folder = Path.Combine(_store._packs, id.Substring(0, 2));
                    Directory.CreateDirectory(folder);
                    var pack = Path.Combine(folder, id + ".pack");
                    var index = Path.Combine(folder, id + ".idx");
                    File.Move(packTemp, pack);
                    File.Move(indexTemp, index);
                    lock (_gate)
                    {
                        _committed.Add((index, pack));
                    }

                    foreach (var entry in entries)
                    {
                        _store.Index[entry.Hash] = new ChunkLocation(pack, entry.Offset, entry.Length);
                    }

                    lock (_store._loadGate)
                    {
                        _store._indexFiles.Add(index);
                    }
                }));
            }

            private static void FlushToDisk(string path)
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
                stream.Flush(true);
            }

            /// <summary>Flushes and commits the packs written, many at once; the first failure is thrown.</summary>
            private void WaitFlushing()
            {
                var pending = new ConcurrentQueue<Action>();
                lock (_gate)
                {
                    foreach (var item in _flushing)
                    {
                        pending.Enqueue(item.Commit);
                    }

                    _flushing.Clear();
                }

                _writeBack.Wait();

                // Flushing waits on the disk, not the processor: up to 16 flushes are in flight at once.
                var workers = Enumerable.Range(0, Math.Min(16, pending.Count)).Select(_ => Task.Factory.StartNew(() =>
                {
                    while (pending.TryDequeue(out var commit))
                    {
                        commit();
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
                try
                {
                    Task.WaitAll(workers);
                }
                catch (AggregateException e)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                }
            }

            public void Dispose()
            {
                lock (_gate)
                {
                    if (!_keep)
                    {
                        // A failed capture: packs not flushed yet are never committed.
                        foreach (var (pack, index, _) in _flushing)
                        {
                            DeleteQuietly(index);
                            DeleteQuietly(pack);
                        }

                        _flushing.Clear();
                    }
                }

                try
                {
                    WaitFlushing();
                }
                catch (Exception)
                {
                    // Cleaning up after a failure: the packs that did get committed are deleted below.
                }

                lock (_gate)
                {
                    if (_current != null)
                    {
                        _current.Dispose();
                        _current = null;
                        DeleteQuietly(_currentPath!);
                    }

                    if (_keep)
                    {
                        return;
                    }

                    foreach (var (index, pack) in _committed)
                    {
                        DeleteQuietly(index);
                        DeleteQuietly(pack);
                    }

                    if (_committed.Count > 0)
                    {
                        _store.Reload();
                    }
                }
            }
        }
    }
}
