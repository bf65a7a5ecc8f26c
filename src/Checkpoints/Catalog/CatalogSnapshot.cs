using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Hashing;
using System.Text;
using ZstdSharp;

namespace Daytona.Checkpoints.Catalog
{
    /// <summary>
    /// One generation of the compacted catalog (<c>catalog/&lt;generation&gt;.cat</c>): the summary of every checkpoint
    /// whose id is at or before <see cref="Through"/>, sorted by id, and the ids removed (tombstones, so a compaction
    /// racing a removal never brings a removed checkpoint back). Immutable and written create-only: generation n+1 is
    /// made from generation n by whoever gets there first. Binary (a lookup over 100,000 checkpoints reads one object
    /// and binary-searches its id column), one zstd frame of:
    /// <code>
    /// "DYCATLG1", int64 generation, int64 through (ticks; 0 = nothing), int32 count, int32 tombstones, int32 strings,
    /// count x { int64 ticks, int32 source, int32 name, int32 label, int32 kind, int64 files, int64 size,
    ///           int64 storedSize, int64 newData }          (strings by index, -1 = none)
    /// tombstones x int64 ticks, strings x { int32 length, UTF-8 }, uint64 xxHash64 of everything before
    /// </code>
    /// little-endian throughout.
    /// </summary>
    public sealed class CatalogSnapshot
    {
        private static readonly byte[] s_magic = Encoding.ASCII.GetBytes("DYCATLG1");
        private const int RecordSize = 56;

        private CatalogSnapshot(long generation, long through, long[] ticks, int[] sources, int[] names, int[] labels, int[] kinds,
            long[] files, long[] sizes, long[] stored, long[] newData, long[] tombstones, string[] strings)
        {
            Generation = generation;
            ThroughTicks = through;
            Ticks = ticks;
            Sources = sources;
            Names = names;
            Labels = labels;
            Kinds = kinds;
            Files = files;
            Sizes = sizes;
            Stored = stored;
            NewData = newData;
            Tombstones = new HashSet<long>(tombstones);
            Strings = strings;
        }

        /// <summary>An empty catalog (generation 0, covering nothing).</summary>
        public static CatalogSnapshot Empty { get; } = new CatalogSnapshot(0, 0, Array.Empty<long>(), Array.Empty<int>(), Array.Empty<int>(), Array.Empty<int>(),
            Array.Empty<int>(), Array.Empty<long>(), Array.Empty<long>(), Array.Empty<long>(), Array.Empty<long>(), Array.Empty<long>(), Array.Empty<string>());

        public long Generation { get; }

        /// <summary>Every checkpoint with an id at or before this (ticks) is here, or was removed; 0 when none is covered.</summary>
        public long ThroughTicks { get; }

        public int Count => Ticks.Length;

        internal long[] Ticks { get; }

        internal int[] Sources { get; }

        internal int[] Names { get; }

        internal int[] Labels { get; }

        internal int[] Kinds { get; }

        internal long[] Files { get; }

        internal long[] Sizes { get; }

        internal long[] Stored { get; }

        internal long[] NewData { get; }

        /// <summary>Ids removed (ticks): never listed again, whatever a manifest listing still shows.</summary>
        public HashSet<long> Tombstones { get; }

        internal string[] Strings { get; }

        /// <summary>The summary at position <paramref name="i"/> (sorted by id).</summary>
        public Checkpoint At(int i, string repository) => new Checkpoint
        {
            Id = CheckpointTime.ToId(new DateTime(Ticks[i], DateTimeKind.Utc)),
            Time = new DateTime(Ticks[i], DateTimeKind.Utc),
            Source = Strings[Sources[i]],
            Name = Names[i] < 0 ? null : Strings[Names[i]],
            Label = Labels[i] < 0 ? null : Strings[Labels[i]],
            Kind = Strings[Kinds[i]],
            Files = Files[i],
            Size = Sizes[i],
            StoredSize = Stored[i],
            NewData = NewData[i],
            Repository = repository,
        };

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

            var graves = new List<long>(tombstones);
            using var body = new MemoryStream();
            using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(s_magic);
                writer.Write(generation);
                writer.Write(throughTicks);
                var records = new byte[sorted.Count * RecordSize];
                var at = 0;
                foreach (var c in sorted)
                {
                    Put(records, ref at, c.Time.Ticks);
                    Put(records, ref at, Intern(c.Source));
                    Put(records, ref at, Intern(c.Name));
                    Put(records, ref at, Intern(c.Label));
                    Put(records, ref at, Intern(c.Kind));
                    Put(records, ref at, c.Files);
                    Put(records, ref at, c.Size);
                    Put(records, ref at, c.StoredSize);
                    Put(records, ref at, c.NewData);
                }

                writer.Write(sorted.Count);
                writer.Write(graves.Count);
                writer.Write(strings.Count);
                writer.Write(records);
                foreach (var grave in graves)
                {
                    writer.Write(grave);
                }

                foreach (var text in strings)
                {
                    var bytes = Encoding.UTF8.GetBytes(text);
                    writer.Write(bytes.Length);
                    writer.Write(bytes);
                }

                writer.Flush();
                writer.Write(XxHash64.HashToUInt64(new ReadOnlySpan<byte>(body.GetBuffer(), 0, (int)body.Length)));
            }

            using var compressor = new Compressor(3);
            return compressor.Wrap(new ReadOnlySpan<byte>(body.GetBuffer(), 0, (int)body.Length)).ToArray();
        }

        /// <summary>Reads a generation; null when it is damaged (a reader then uses the one before, or the manifests).</summary>
        public static CatalogSnapshot? TryRead(ReadOnlySpan<byte> stored)
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

            if (data.Length < 8 + 8 + 8 + 12 + 8 || !new ReadOnlySpan<byte>(data, 0, 8).SequenceEqual(s_magic))
            {
                return null;
            }

            var hash = BitConverter.ToUInt64(data, data.Length - 8);
            if (hash != XxHash64.HashToUInt64(new ReadOnlySpan<byte>(data, 0, data.Length - 8)))
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
                if (count < 0 || graveCount < 0 || stringCount < 0 || (long)count * RecordSize > data.Length)
                {
                    return null;
                }

                var ticks = new long[count];
                var sources = new int[count];
                var names = new int[count];
                var labels = new int[count];
                var kinds = new int[count];
                var files = new long[count];
                var sizes = new long[count];
                var storedSizes = new long[count];
                var newData = new long[count];
                for (var i = 0; i < count; i++)
                {
                    ticks[i] = Long(data, ref at);
                    sources[i] = Int(data, ref at);
                    names[i] = Int(data, ref at);
                    labels[i] = Int(data, ref at);
                    kinds[i] = Int(data, ref at);
                    files[i] = Long(data, ref at);
                    sizes[i] = Long(data, ref at);
                    storedSizes[i] = Long(data, ref at);
                    newData[i] = Long(data, ref at);
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
                    if (sources[i] < 0 || sources[i] >= stringCount || kinds[i] < 0 || kinds[i] >= stringCount || names[i] >= stringCount || labels[i] >= stringCount
                        || (i > 0 && ticks[i] <= ticks[i - 1]))
                    {
                        return null;
                    }
                }

                return new CatalogSnapshot(generation, through, ticks, sources, names, labels, kinds, files, sizes, storedSizes, newData, graves, strings);
            }
            catch (ArgumentOutOfRangeException)
            {
                return null;
            }
        }

        private static void Put(byte[] buffer, ref int at, long value)
        {
            for (var i = 0; i < 8; i++)
            {
                buffer[at++] = (byte)(value >> (8 * i));
            }
        }

        private static void Put(byte[] buffer, ref int at, int value)
        {
            for (var i = 0; i < 4; i++)
            {
                buffer[at++] = (byte)(value >> (8 * i));
            }
        }

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
