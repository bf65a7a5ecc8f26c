using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using Daytona.Checkpoints.Compression;
using Daytona.Checkpoints.Storage;
using ZstdSharp;

namespace Daytona.Checkpoints
{
    /// <summary>Where a chunk's zstd frame lies: a pack, an offset and a length.</summary>
    public readonly struct ChunkLocation
    {
        public ChunkLocation(string pack, long offset, int length)
        {
            Pack = pack;
            Offset = offset;
            Length = length;
        }

        /// <summary>The pack's id.</summary>
        public string Pack { get; }

        /// <summary>The key of the pack object.</summary>
        public string PackKey => RepositoryLayout.PackKey(Pack);

        public long Offset { get; }

        public int Length { get; }
    }

    /// <summary>
    /// Content-addressed chunk storage in packs: each chunk is one zstd frame of its bytes, named by the SHA-256 of the
    /// uncompressed bytes, appended to a pack (<c>packs/xx/&lt;pack id&gt;.pack</c>, up to ~16 MiB; the id is random,
    /// written create-only, so "already exists" can only be a retry of the same write). Beside each pack,
    /// <c>&lt;pack id&gt;.idx</c> lists its chunks (<c>DYPKIDX1</c>, a uint32 count, then per chunk 32 bytes of SHA-256,
    /// a uint64 offset and a uint32 length, little-endian), committed after the pack: a chunk is visible only when it
    /// is complete. Packs and indexes are immutable; only a prune deletes them (see <see cref="Pruner"/>). Packing many
    /// small chunks into few objects keeps a capture of many small files as fast as writing one archive.
    /// </summary>
    public sealed class ChunkStore
    {
        /// <summary>The largest chunk this store accepts (the chunker's maximum).</summary>
        public const int MaxChunkSize = Chunker.DefaultMaxSize;

        internal const long PackTarget = 16L * 1024 * 1024;
        private static readonly byte[] s_indexMagic = { (byte)'D', (byte)'Y', (byte)'P', (byte)'K', (byte)'I', (byte)'D', (byte)'X', (byte)'1' };
        private static readonly ThreadLocal<SHA256> s_sha = new ThreadLocal<SHA256>(SHA256.Create);
        private static readonly ThreadLocal<Decompressor> s_decompressor = new ThreadLocal<Decompressor>(() => new Decompressor());

        private readonly ChunkCompressor _compressor;
        private readonly object _loadGate = new object();
        private ConcurrentDictionary<string, ChunkLocation>? _index;
        private HashSet<string> _loadedPacks = new HashSet<string>(StringComparer.Ordinal);
        private volatile HashSet<string>? _excluded;

        public ChunkStore(IObjectStorage storage, int level, bool nativeCompression = true)
        {
            Storage = storage;
            _compressor = new ChunkCompressor(level, nativeCompression);
        }

        public IObjectStorage Storage { get; }

        /// <summary>What compresses new chunks: "libzstd 1.5.4" (the system's) or "ZstdSharp".</summary>
        public string Compression => _compressor.Engine;

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

        /// <summary>
        /// Packs a prune under way is about to delete (its plan): chunks found only in them count as absent, so a
        /// capture writes them again rather than reference them.
        /// </summary>
        internal void Exclude(IEnumerable<string>? packs) => _excluded = packs == null ? null : new HashSet<string>(packs, StringComparer.Ordinal);

        internal bool IsExcluded(string pack) => _excluded is HashSet<string> excluded && (excluded.Contains(pack) || excluded.Contains(Pruning.PrunePlan.AllPacks));

        /// <summary>Whether some packs are excluded (a prune is under way).</summary>
        internal bool HasExclusions => _excluded != null;

        /// <summary>Where a chunk is stored; reads new pack indexes once when the chunk is not known yet.</summary>
        public bool TryLocate(string hash, out ChunkLocation location)
        {
            if (TryLocateKnown(hash, out location))
            {
                return true;
            }

            Refresh();
            return TryLocateKnown(hash, out location);
        }

        private bool TryLocateKnown(string hash, out ChunkLocation location) =>
            Index.TryGetValue(hash, out location) && !IsExcluded(location.Pack);

        /// <summary>Whether a chunk is stored (in the indexes read so far).</summary>
        public bool Exists(string hash) => TryLocateKnown(hash, out _);

        /// <summary>Every stored chunk's hash.</summary>
        public IReadOnlyCollection<string> ListChunks()
        {
            Refresh();
            return Index.Keys.ToList();
        }

        /// <summary>The stored (compressed) length of a chunk, or -1 when it is absent.</summary>
        public long StoredLength(string hash) => TryLocate(hash, out var location) ? location.Length : -1;

        /// <summary>
        /// Reads the stored frame of a chunk; null when it is absent or its pack is cut short. A pack a prune rewrote
        /// meanwhile is looked up again in the current indexes.
        /// </summary>
        public byte[]? ReadStored(string hash)
        {
            for (var attempt = 0; attempt < 2; attempt++)
            {
                if (!TryLocate(hash, out var location))
                {
                    return null;
                }

                var frame = ReadFrame(location);
                if (frame != null)
                {
                    return frame;
                }

                if (attempt == 0)
                {
                    Reload();
                }
            }

            return null;
        }

        private byte[]? ReadFrame(ChunkLocation location)
        {
            var frame = new byte[location.Length];
            var read = Storage.ReadRange(location.PackKey, location.Offset, frame, 0, frame.Length);
            return read == frame.Length ? frame : null;
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

        /// <summary>A writer appending new chunks to packs; one per capture or import.</summary>
        internal PackWriter OpenWriter(Action<CheckpointProgress>? uploaded = null) => new PackWriter(this, uploaded);

        /// <summary>Compresses a chunk into a frame (thread-safe; one compressor per thread).</summary>
        internal int Compress(byte[] data, int offset, int count, byte[] destination) =>
            _compressor.Compress(data, offset, count, destination);

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
                _loadedPacks = new HashSet<string>(StringComparer.Ordinal);
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
                foreach (var pack in ListPacks())
                {
                    if (_loadedPacks.Contains(pack))
                    {
                        continue;
                    }

                    var entries = ReadIndex(pack);
                    if (entries == null)
                    {
                        continue;
                    }

                    foreach (var entry in entries)
                    {
                        index.TryAdd(entry.Hash, new ChunkLocation(pack, entry.Offset, entry.Length));
                    }

                    _loadedPacks.Add(pack);
                }

                _index = index;
            }
        }

        /// <summary>Records chunks this process just committed in a pack.</summary>
        internal void Learn(string pack, IReadOnlyList<IndexEntry> entries)
        {
            var index = Index;
            foreach (var entry in entries)
            {
                index[entry.Hash] = new ChunkLocation(pack, entry.Offset, entry.Length);
            }

            lock (_loadGate)
            {
                _loadedPacks.Add(pack);
            }
        }

        /// <summary>The ids of every pack whose index is committed, sorted.</summary>
        internal IReadOnlyList<string> ListPacks()
        {
            var packs = new List<string>();
            foreach (var info in Storage.List(RepositoryLayout.PacksPrefix))
            {
                var pack = RepositoryLayout.PackOfIndexKey(info.Key);
                if (pack != null)
                {
                    packs.Add(pack);
                }
            }

            return packs;
        }

        /// <summary>Deletes a pack: its index first, so its chunks stop being visible before their bytes go.</summary>
        internal void DeletePack(string pack)
        {
            Storage.Delete(RepositoryLayout.PackIndexKey(pack));
            Storage.Delete(RepositoryLayout.PackKey(pack));
        }

        /// <summary>The stored frame of an entry of a given pack; null when the pack is gone or cut short.</summary>
        internal byte[]? ReadFrame(string pack, IndexEntry entry) => ReadFrame(new ChunkLocation(pack, entry.Offset, entry.Length));

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

        /// <summary>The entries of a pack index; null when it is missing, unreadable or malformed (its chunks then count as missing).</summary>
        internal List<IndexEntry>? ReadIndex(string pack)
        {
            using var stored = Storage.Read(RepositoryLayout.PackIndexKey(pack));
            if (stored == null)
            {
                return null;
            }

            var bytes = stored.Buffer;
            var length = stored.Length;
            if (length < 12 || !new ReadOnlySpan<byte>(bytes, 0, 8).SequenceEqual(s_indexMagic))
            {
                return null;
            }

            var count = BitConverter.ToUInt32(bytes, 8);
            if (length != 12 + (count * 44L))
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
                var frameLength = BitConverter.ToUInt32(bytes, at + 40);
                if (offset < 0 || frameLength > int.MaxValue)
                {
                    return null;
                }

                entries.Add(new IndexEntry(ToHex(raw), offset, (int)frameLength));
            }

            return entries;
        }

        internal static byte[] WriteIndex(IReadOnlyList<IndexEntry> entries)
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
    }
}
