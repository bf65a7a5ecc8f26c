using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using System.Threading;
using ZstdSharp;

namespace Daytona.Checkpoints.Catalog
{
    /// <summary>
    /// One generation of the compacted catalog (<c>catalog/&lt;generation&gt;.cat</c>): the summary of every checkpoint
    /// whose id is at or before <see cref="ThroughTicks"/>, sorted by id, and the ids removed (tombstones, so a compaction
    /// racing a removal never brings a removed checkpoint back). Immutable and written create-only: generation n+1 is
    /// made from generation n by whoever gets there first.
    /// <para>
    /// Binary, made for a lookup by time in a new process: the id column is stored apart and uncompressed (varint
    /// deltas), so a reader decodes it alone, binary-searches it, and inflates only the block of 4,096 records that holds
    /// the hit (Deflate, which the runtime does natively, where zstd would have the JIT compile a decoder first).
    /// Format 2 (written), little-endian, varints unsigned LEB128 (longs zigzagged):
    /// <code>
    /// "DYCATLG2", int64 generation, int64 through (ticks; 0 = nothing), int32 count, int32 tombstones, int32 strings,
    /// int64 tick unit (ticks per id step: 10,000,000 when every id is a whole second), int32 ids length,
    /// int32 strings-and-tombstones length, int32 blocks, blocks x int32 block length,
    /// ids:      count x varint (the first id in units, then the difference to the one before),
    /// deflated: tombstones x varint (ticks; ascending, differences), strings x { varint length, UTF-8 },
    /// blocks x deflated { up to 4,096 x { varint source, name + 1, label + 1, kind (string indexes; 0 = none),
    ///                     zigzag files, size, storedSize, newData } },
    /// uint64 xxHash64 of everything before
    /// </code>
    /// Format 1 (read, for repositories written before): one zstd frame of "DYCATLG1", int64 generation, int64 through,
    /// int32 count, int32 tombstones, int32 strings, count x { int64 ticks, int32 source, int32 name, int32 label,
    /// int32 kind, int64 files, int64 size, int64 storedSize, int64 newData } (strings by index, -1 = none),
    /// tombstones x int64 ticks, strings x { int32 length, UTF-8 }, uint64 xxHash64 of everything before.
    /// </para>
    /// </summary>
    public sealed class CatalogSnapshot
    {
        private static readonly byte[] s_magicV1 = Encoding.ASCII.GetBytes("DYCATLG1");
        private static readonly byte[] s_magicV2 = Encoding.ASCII.GetBytes("DYCATLG2");
        private const int RecordSizeV1 = 56;
        private const int BlockRecords = 4096;

        // Format 2: records are decoded a block at a time, on first use (a lookup decodes one block of 4,096); null
        // where every record is decoded (format 1, the empty catalog).
        private readonly byte[]? _data;
        private readonly int[]? _blockStarts;
        private readonly int[]? _blockLengths;
        private readonly Records?[] _blocks;

        /// <summary>Decoded records: of every checkpoint (format 1), or of one block (format 2).</summary>
        private sealed class Records
        {
            public Records(int count)
            {
                Sources = new int[count];
                Names = new int[count];
                Labels = new int[count];
                Kinds = new int[count];
                Files = new long[count];
                Sizes = new long[count];
                Stored = new long[count];
                NewData = new long[count];
            }

            public int[] Sources { get; }

            public int[] Names { get; }

            public int[] Labels { get; }

            public int[] Kinds { get; }

            public long[] Files { get; }

            public long[] Sizes { get; }

            public long[] Stored { get; }

            public long[] NewData { get; }
        }

        private CatalogSnapshot(long generation, long through, long[] ticks, Records? all, long[] tombstones, string[] strings,
            byte[]? data = null, int[]? blockStarts = null, int[]? blockLengths = null)
        {
            Generation = generation;
            ThroughTicks = through;
            Ticks = ticks;
            Tombstones = new HashSet<long>(tombstones);
            Strings = strings;
            _data = data;
            _blockStarts = blockStarts;
            _blockLengths = blockLengths;
            _blocks = all != null ? new[] { all } : new Records?[blockStarts!.Length];
        }

        /// <summary>An empty catalog (generation 0, covering nothing).</summary>
        public static CatalogSnapshot Empty { get; } = new CatalogSnapshot(0, 0, Array.Empty<long>(), new Records(0), Array.Empty<long>(), Array.Empty<string>());

        public long Generation { get; }

        /// <summary>Every checkpoint with an id at or before this (ticks) is here, or was removed; 0 when none is covered.</summary>
        public long ThroughTicks { get; }

        public int Count => Ticks.Length;

        /// <summary>The ids (ticks), ascending.</summary>
        internal long[] Ticks { get; }

        /// <summary>Ids removed (ticks): never listed again, whatever a manifest listing still shows.</summary>
        public HashSet<long> Tombstones { get; }

        internal string[] Strings { get; }

        /// <summary>The string index of the source of the checkpoint at <paramref name="i"/>.</summary>
        internal int SourceAt(int i)
        {
            var records = Decode(i, out var r);
            return records.Sources[r];
        }

        /// <summary>The summary at position <paramref name="i"/> (sorted by id).</summary>
        public Checkpoint At(int i, string repository)
        {
            var records = Decode(i, out var r);
            return new Checkpoint
            {
                Id = CheckpointTime.ToId(new DateTime(Ticks[i], DateTimeKind.Utc)),
                Time = new DateTime(Ticks[i], DateTimeKind.Utc),
                Source = Strings[records.Sources[r]],
                Name = records.Names[r] < 0 ? null : Strings[records.Names[r]],
                Label = records.Labels[r] < 0 ? null : Strings[records.Labels[r]],
                Kind = Strings[records.Kinds[r]],
                Files = records.Files[r],
                Size = records.Sizes[r],
                StoredSize = records.Stored[r],
                NewData = records.NewData[r],
                Repository = repository,
            };
        }

        /// <summary>Builds generation <paramref name="generation"/> from summaries (any order) and tombstones.</summary>
        public static byte[] Write(long generation, long throughTicks, IEnumerable<Checkpoint> checkpoints, IEnumerable<long> tombstones)
        {
            var sorted = new List<Checkpoint>(checkpoints);
            sorted.Sort((a, b) => a.Time.Ticks.CompareTo(b.Time.Ticks));
            var strings = new List<string>();
            var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
            int Intern(string? text)
            {
                if (text == null)
                {
                    return -1;
                }

                if (!indexOf.TryGetValue(text, out var index))
                {
                    index = strings.Count;
                    strings.Add(text);
                    indexOf[text] = index;
                }

                return index;
            }

            var unit = TimeSpan.TicksPerSecond;
            foreach (var c in sorted)
            {
                if (c.Time.Ticks % unit != 0)
                {
                    unit = 1;
                    break;
                }
            }

            var ids = new MemoryStream();
            var previous = 0L;
            foreach (var c in sorted)
            {
                PutVarint(ids, (ulong)((c.Time.Ticks - previous) / unit));
                previous = c.Time.Ticks;
            }

            var blocks = new List<byte[]>();
            for (var start = 0; start < sorted.Count; start += BlockRecords)
            {
                var records = new MemoryStream();
                for (var i = start; i < Math.Min(sorted.Count, start + BlockRecords); i++)
                {
                    var c = sorted[i];
                    PutVarint(records, (ulong)(Intern(c.Source) + 1));
                    PutVarint(records, (ulong)(Intern(c.Name) + 1));
                    PutVarint(records, (ulong)(Intern(c.Label) + 1));
                    PutVarint(records, (ulong)(Intern(c.Kind) + 1));
                    PutZigzag(records, c.Files);
                    PutZigzag(records, c.Size);
                    PutZigzag(records, c.StoredSize);
                    PutZigzag(records, c.NewData);
                }

                blocks.Add(Deflate(records));
            }

            var graves = new List<long>(tombstones);
            graves.Sort();
            var meta = new MemoryStream();
            previous = 0;
            foreach (var grave in graves)
            {
                PutVarint(meta, (ulong)(grave - previous));
                previous = grave;
            }

            foreach (var text in strings)
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                PutVarint(meta, (ulong)bytes.Length);
                meta.Write(bytes, 0, bytes.Length);
            }

            var metaDeflated = Deflate(meta);
            using var body = new MemoryStream();
            using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(s_magicV2);
                writer.Write(generation);
                writer.Write(throughTicks);
                writer.Write(sorted.Count);
                writer.Write(graves.Count);
                writer.Write(strings.Count);
                writer.Write(unit);
                writer.Write((int)ids.Length);
                writer.Write(metaDeflated.Length);
                writer.Write(blocks.Count);
                foreach (var block in blocks)
                {
                    writer.Write(block.Length);
                }

                writer.Write(ids.GetBuffer(), 0, (int)ids.Length);
                writer.Write(metaDeflated);
                foreach (var block in blocks)
                {
                    writer.Write(block);
                }

                writer.Flush();
                writer.Write(XxHash64.HashToUInt64(new ReadOnlySpan<byte>(body.GetBuffer(), 0, (int)body.Length)));
            }

            return body.ToArray();
        }

        /// <summary>Reads a generation (format 2, or format 1 of repositories written before); null when it is damaged (a reader then uses the one before, or the manifests).</summary>
        public static CatalogSnapshot? TryRead(ReadOnlySpan<byte> stored)
        {
            return stored.Length >= 8 && stored.Slice(0, 8).SequenceEqual(s_magicV2) ? TryReadV2(stored.ToArray()) : TryReadV1(stored);
        }

        // Runs once per generation a process reads, over every id (precompiled on pwsh 7.6+: Dependencies/<rid>/).
        private static CatalogSnapshot? TryReadV2(byte[] data)
        {
            const int fixedHeader = 8 + 8 + 8 + 4 + 4 + 4 + 8 + 4 + 4 + 4;
            if (data.Length < fixedHeader + 8)
            {
                return null;
            }

            if (!EndsWithItsHash(data))
            {
                return null;
            }

            try
            {
                var at = 8;
                var generation = Long(data, ref at);
                var through = Long(data, ref at);
                var count = Int(data, ref at);
                var graveCount = Int(data, ref at);
                var stringCount = Int(data, ref at);
                var unit = Long(data, ref at);
                var idsLength = Int(data, ref at);
                var metaLength = Int(data, ref at);
                var blockCount = Int(data, ref at);
                if (count < 0 || graveCount < 0 || stringCount < 0 || unit <= 0 || idsLength < 0 || metaLength < 0
                    || blockCount != (count + BlockRecords - 1) / BlockRecords || (long)blockCount * 4 > data.Length)
                {
                    return null;
                }

                var blockLengths = new int[blockCount];
                for (var b = 0; b < blockCount; b++)
                {
                    blockLengths[b] = Int(data, ref at);
                    if (blockLengths[b] < 0)
                    {
                        return null;
                    }
                }

                var end = data.Length - 8;
                var idsEnd = Check(at + (long)idsLength, end);
                var ticks = new long[count];
                var previous = 0L;
                for (var i = 0; i < count; i++)
                {
                    var step = at < idsEnd && data[at] < 0x80 ? data[at++] : (long)Varint(data, ref at, idsEnd);
                    previous = checked(previous + (step * unit));
                    if (i > 0 && previous <= ticks[i - 1])
                    {
                        return null;
                    }

                    ticks[i] = previous;
                }

                var metaEnd = Check(idsEnd + (long)metaLength, end);
                var meta = Inflate(data, idsEnd, metaLength);
                var m = 0;
                var graves = new long[graveCount];
                previous = 0;
                for (var i = 0; i < graveCount; i++)
                {
                    previous += (long)Varint(meta, ref m, meta.Length);
                    graves[i] = previous;
                }

                var strings = new string[stringCount];
                for (var i = 0; i < stringCount; i++)
                {
                    var length = (long)Varint(meta, ref m, meta.Length);
                    if (m + length > meta.Length)
                    {
                        return null;
                    }

                    strings[i] = Encoding.UTF8.GetString(meta, m, (int)length);
                    m += (int)length;
                }

                var blockStarts = new int[blockCount];
                at = metaEnd;
                for (var b = 0; b < blockCount; b++)
                {
                    blockStarts[b] = at;
                    at = Check(at + (long)blockLengths[b], end);
                }

                if (at != end)
                {
                    return null;
                }

                return new CatalogSnapshot(generation, through, ticks, null, graves, strings, data, blockStarts, blockLengths);
            }
            catch (Exception e) when (e is ArgumentOutOfRangeException || e is InvalidDataException || e is OverflowException)
            {
                return null;
            }
        }

        /// <summary>The records holding position <paramref name="i"/>, and its place <paramref name="r"/> in them (format 2: its block, decoded once).</summary>
        private Records Decode(int i, out int r)
        {
            if (_data == null)
            {
                r = i;
                return _blocks[0]!;
            }

            var b = i / BlockRecords;
            r = i - (b * BlockRecords);
            var records = Volatile.Read(ref _blocks[b]);
            if (records == null)
            {
                records = DecodeBlock(b);
                Volatile.Write(ref _blocks[b], records);
            }

            return records;
        }

        private Records DecodeBlock(int b)
        {
            // Checked when the generation was read (its hash covers every block), so a failure here is a bug, not damage.
            var raw = Inflate(_data!, _blockStarts![b], _blockLengths![b]);
            var first = b * BlockRecords;
            var records = new Records(Math.Min(Count, first + BlockRecords) - first);
            var at = 0;
            var strings = Strings.Length;
            for (var r = 0; r < records.Sources.Length; r++)
            {
                var source = (int)Varint(raw, ref at, raw.Length) - 1;
                var name = (int)Varint(raw, ref at, raw.Length) - 1;
                var label = (int)Varint(raw, ref at, raw.Length) - 1;
                var kind = (int)Varint(raw, ref at, raw.Length) - 1;
                if (source < 0 || source >= strings || kind < 0 || kind >= strings || name >= strings || label >= strings)
                {
                    throw new InvalidDataException($"Catalog generation {Generation}: record {first + r} names a string it does not hold.");
                }

                records.Sources[r] = source;
                records.Names[r] = name;
                records.Labels[r] = label;
                records.Kinds[r] = kind;
                records.Files[r] = Zigzag(Varint(raw, ref at, raw.Length));
                records.Sizes[r] = Zigzag(Varint(raw, ref at, raw.Length));
                records.Stored[r] = Zigzag(Varint(raw, ref at, raw.Length));
                records.NewData[r] = Zigzag(Varint(raw, ref at, raw.Length));
            }

            return records;
        }

        private static CatalogSnapshot? TryReadV1(ReadOnlySpan<byte> stored)
        {
            byte[] data;
            try
            {
                using var decompressor = new Decompressor();
                data = decompressor.Unwrap(stored).ToArray();
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                return null;
            }

            if (data.Length < 8 + 8 + 8 + 12 + 8 || !new ReadOnlySpan<byte>(data, 0, 8).SequenceEqual(s_magicV1))
            {
                return null;
            }

            if (!EndsWithItsHash(data))
            {
                return null;
            }

            try
            {
                var at = 8;
                var generation = Long(data, ref at);
                var through = Long(data, ref at);
                var count = Int(data, ref at);
                var graveCount = Int(data, ref at);
                var stringCount = Int(data, ref at);
                if (count < 0 || graveCount < 0 || stringCount < 0 || (long)count * RecordSizeV1 > data.Length)
                {
                    return null;
                }

                var ticks = new long[count];
                var all = new Records(count);
                for (var i = 0; i < count; i++)
                {
                    ticks[i] = Long(data, ref at);
                    all.Sources[i] = Int(data, ref at);
                    all.Names[i] = Int(data, ref at);
                    all.Labels[i] = Int(data, ref at);
                    all.Kinds[i] = Int(data, ref at);
                    all.Files[i] = Long(data, ref at);
                    all.Sizes[i] = Long(data, ref at);
                    all.Stored[i] = Long(data, ref at);
                    all.NewData[i] = Long(data, ref at);
                }

                var graves = new long[graveCount];
                for (var i = 0; i < graveCount; i++)
                {
                    graves[i] = Long(data, ref at);
                }

                var strings = new string[stringCount];
                for (var i = 0; i < stringCount; i++)
                {
                    var length = Int(data, ref at);
                    if (length < 0 || at + length > data.Length - 8)
                    {
                        return null;
                    }

                    strings[i] = Encoding.UTF8.GetString(data, at, length);
                    at += length;
                }

                for (var i = 0; i < count; i++)
                {
                    if (all.Sources[i] < 0 || all.Sources[i] >= stringCount || all.Kinds[i] < 0 || all.Kinds[i] >= stringCount || all.Names[i] >= stringCount
                        || all.Labels[i] >= stringCount || (i > 0 && ticks[i] <= ticks[i - 1]))
                    {
                        return null;
                    }
                }

                return new CatalogSnapshot(generation, through, ticks, all, graves, strings);
            }
            catch (ArgumentOutOfRangeException)
            {
                return null;
            }
        }

        private static byte[] Deflate(MemoryStream raw)
        {
            using var packed = new MemoryStream();
            using (var deflate = new DeflateStream(packed, CompressionLevel.Optimal, leaveOpen: true))
            {
                deflate.Write(raw.GetBuffer(), 0, (int)raw.Length);
            }

            return packed.ToArray();
        }

        private static byte[] Inflate(byte[] data, int offset, int length)
        {
            using var inflate = new DeflateStream(new MemoryStream(data, offset, length, writable: false), CompressionMode.Decompress);
            using var raw = new MemoryStream(length * 4);
            inflate.CopyTo(raw);
            return raw.ToArray();
        }

        private static int Check(long at, int end) => at <= end ? (int)at : throw new ArgumentOutOfRangeException(nameof(at));

        private static void PutVarint(MemoryStream stream, ulong value)
        {
            while (value >= 0x80)
            {
                stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            stream.WriteByte((byte)value);
        }

        private static void PutZigzag(MemoryStream stream, long value) => PutVarint(stream, (ulong)((value << 1) ^ (value >> 63)));

        private static long Zigzag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

        private static ulong Varint(byte[] data, ref int at, int end)
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (at >= end)
                {
                    throw new ArgumentOutOfRangeException(nameof(at));
                }

                var b = data[at++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("A varint runs past 64 bits.");
        }

        /// <summary>Both formats end with the xxHash64 of everything before it; a generation whose hash differs is damaged.</summary>
        private static bool EndsWithItsHash(byte[] data) =>
            BitConverter.ToUInt64(data, data.Length - 8) == XxHash64.HashToUInt64(new ReadOnlySpan<byte>(data, 0, data.Length - 8));

        private static long Long(byte[] data, ref int at)
        {
            if (at + 8 > data.Length - 8)
            {
                throw new ArgumentOutOfRangeException(nameof(at));
            }

            var value = BitConverter.ToInt64(data, at);
            at += 8;
            return value;
        }

        private static int Int(byte[] data, ref int at)
        {
            if (at + 4 > data.Length - 8)
            {
                throw new ArgumentOutOfRangeException(nameof(at));
            }

            var value = BitConverter.ToInt32(data, at);
            at += 4;
            return value;
        }
    }
}
