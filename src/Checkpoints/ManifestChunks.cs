using System;
using System.Collections;
using System.Collections.Generic;

namespace Daytona.Checkpoints
{
    /// <summary>The chunks of a manifest read by <see cref="PreviousCheckpoint"/>, one after another (each file's are a range).</summary>
    internal sealed class ChunkTable
    {
        private Hash256[] _hashes;
        private int[] _sizes;
        private int[] _stored;

        /// <param name="capacity">About how many chunks it will hold (it grows past it).</param>
        public ChunkTable(int capacity = 1024)
        {
            capacity = Math.Max(16, capacity);
            _hashes = new Hash256[capacity];
            _sizes = new int[capacity];
            _stored = new int[capacity];
        }

        public int Count { get; private set; }

        public void Add(in Hash256 hash, int size, int stored)
        {
            if (Count == _hashes.Length)
            {
                Array.Resize(ref _hashes, Count * 2);
                Array.Resize(ref _sizes, Count * 2);
                Array.Resize(ref _stored, Count * 2);
            }

            _hashes[Count] = hash;
            _sizes[Count] = size;
            _stored[Count] = stored;
            Count++;
        }

        /// <summary>Forgets the chunks from <paramref name="count"/> on.</summary>
        public void Truncate(int count) => Count = count;

        public Hash256 Hash(int index) => _hashes[index];

        public int Size(int index) => _sizes[index];

        public int Stored(int index) => _stored[index];
    }

    /// <summary>
    /// A file's chunk list as a manifest holds it: the JSON text of its <c>chunks</c> array (and of the whole entry,
    /// when it has only the properties this module writes), copied as they are into the next manifest by
    /// <see cref="Manifest.WriteTo"/>, and the chunks themselves, made into <see cref="ChunkRef"/>s only when asked.
    /// </summary>
    internal sealed class ManifestChunks : IReadOnlyList<ChunkRef>
    {
        private readonly ChunkTable _table;
        private readonly int _first;

        public ManifestChunks(ChunkTable table, int first, int count, ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> entryJson, string path, long size,
            long modifiedTicks, int? mode)
        {
            _table = table;
            _first = first;
            Count = count;
            Json = json;
            EntryJson = entryJson;
            Path = path;
            Size = size;
            ModifiedTicks = modifiedTicks;
            Mode = mode;
        }

        public int Count { get; }

        /// <summary>The text of the <c>chunks</c> array; empty when it is to be written anew (read from a manifest not written as this module writes).</summary>
        public ReadOnlyMemory<byte> Json { get; }

        /// <summary>The text of the whole entry; empty when it had properties this module does not write (then it is written anew).</summary>
        public ReadOnlyMemory<byte> EntryJson { get; }

        public string Path { get; }

        public long Size { get; }

        public long ModifiedTicks { get; }

        public DateTime ModifiedUtc => new DateTime(ModifiedTicks, DateTimeKind.Utc);

        public int? Mode { get; }

        public ChunkRef this[int index]
        {
            get
            {
                if ((uint)index >= (uint)Count)
                {
                    throw new ArgumentOutOfRangeException(nameof(index));
                }

                var i = _first + index;
                return new ChunkRef(_table.Hash(i).ToHex(), _table.Size(i), _table.Stored(i));
            }
        }

        public Hash256 HashAt(int index) => _table.Hash(_first + index);

        public int StoredAt(int index) => _table.Stored(_first + index);

        public int SizeAt(int index) => _table.Size(_first + index);

        /// <summary>Whether <paramref name="entry"/> is the file this list was read with, as it was (so the entry's text can be copied whole).</summary>
        /// <remarks>Called for every file of a re-capture, usually the first in a process.</remarks>
        public bool Describes(ManifestEntry entry) =>
            !EntryJson.IsEmpty && entry.Type == EntryType.File && entry.Target == null && entry.Size == Size && entry.Mode == Mode
            && entry.ModifiedUtc != null && entry.ModifiedUtc.Value.Ticks == ModifiedTicks && string.Equals(entry.Path, Path, StringComparison.Ordinal);

        public IEnumerator<ChunkRef> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A SHA-256 as four numbers (the distinct-chunk counting of a capture compares these, not strings).</summary>
    internal readonly struct Hash256 : IEquatable<Hash256>
    {
        private static readonly sbyte[] s_nibbles = Nibbles();

        private readonly ulong _a;
        private readonly ulong _b;
        private readonly ulong _c;
        private readonly ulong _d;

        private Hash256(ulong a, ulong b, ulong c, ulong d)
        {
            _a = a;
            _b = b;
            _c = c;
            _d = d;
        }

        /// <summary>Reads 64 lower-case hex digits (UTF-8), as manifests and <see cref="ChunkStore.Hash"/> write them.</summary>
        public static bool TryParse(ReadOnlySpan<byte> hex, out Hash256 hash)
        {
            hash = default;
            if (hex.Length != 64)
            {
                return false;
            }

            if (!TryPart(hex, 0, out var a) || !TryPart(hex, 16, out var b) || !TryPart(hex, 32, out var c) || !TryPart(hex, 48, out var d))
            {
                return false;
            }

            hash = new Hash256(a, b, c, d);
            return true;
        }

        /// <summary>Reads 64 lower-case hex digits.</summary>
        public static bool TryParse(string hex, out Hash256 hash)
        {
            hash = default;
            if (hex.Length != 64)
            {
                return false;
            }

            Span<byte> bytes = stackalloc byte[64];
            for (var i = 0; i < 64; i++)
            {
                var c = hex[i];
                if (c > 127)
                {
                    return false;
                }

                bytes[i] = (byte)c;
            }

            return TryParse(bytes, out hash);
        }

        private static bool TryPart(ReadOnlySpan<byte> hex, int at, out ulong value)
        {
            value = 0;
            for (var i = at; i < at + 16; i++)
            {
                var n = s_nibbles[hex[i]];
                if (n < 0)
                {
                    return false;
                }

                value = (value << 4) | (byte)n;
            }

            return true;
        }

        public string ToHex()
        {
            var chars = new char[64];
            Put(chars, 0, _a);
            Put(chars, 16, _b);
            Put(chars, 32, _c);
            Put(chars, 48, _d);
            return new string(chars);
        }

        public bool Equals(Hash256 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

        public override bool Equals(object? obj) => obj is Hash256 other && Equals(other);

        // The bits of a SHA-256 are spread evenly: any 32 of them are a good hash code.
        public override int GetHashCode() => (int)_a;

        private static void Put(char[] chars, int at, ulong value)
        {
            for (var i = 15; i >= 0; i--)
            {
                var n = (int)(value & 0xF);
                chars[at + i] = (char)(n < 10 ? '0' + n : 'a' + n - 10);
                value >>= 4;
            }
        }

        private static sbyte[] Nibbles()
        {
            var table = new sbyte[256];
            for (var i = 0; i < table.Length; i++)
            {
                table[i] = (sbyte)(i >= '0' && i <= '9' ? i - '0' : i >= 'a' && i <= 'f' ? i - 'a' + 10 : -1);
            }

            return table;
        }
    }
}
