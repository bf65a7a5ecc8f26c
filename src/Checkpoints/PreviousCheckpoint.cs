using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// The files of the previous checkpoint of a source, as a re-capture needs them: each file's size, modification time
    /// and mode, and its chunk list as the manifest's own JSON text (<see cref="ManifestChunks"/>). An unchanged file's
    /// list goes into the next manifest as that text, so a re-capture neither decodes nor encodes a hash.
    /// </summary>
    /// <remarks>
    /// The entries are read by <see cref="CompactEntries"/> when they are written as <see cref="Manifest.WriteTo"/> writes
    /// them (and only then is their text copied), else by <see cref="Utf8JsonReader"/>; either way as strictly as <see cref="Manifest.Parse(ReadOnlySpan{byte}, string)"/>
    /// (lower-case SHA-256 hashes, chunk sizes that add up to the file's). A manifest that is not so is not used at all:
    /// the re-capture then reads every file, as without a previous checkpoint.
    /// </remarks>
    internal sealed class PreviousCheckpoint
    {
        // Every file entry, in the manifest's order; whether a capture can trust one is its time against Started.
        private readonly ManifestChunks[] _inOrder;

        // Where each path's file is in _inOrder (of a path given twice, the last; none when the last is not trusted): made
        // only when a lookup by path is needed (a file not where the order says, or a manifest not in the order of a scan).
        private readonly Lazy<Dictionary<string, int>> _byPath;

        private PreviousCheckpoint(string id, DateTime started, ManifestChunks[] inOrder, byte[]? text, int entriesAt, ManifestStats? stats)
            : this(id, started, inOrder, ScanOrder.IsStrictlyIncreasing(inOrder), text, entriesAt, stats)
        {
        }

        private PreviousCheckpoint(string id, DateTime started, ManifestChunks[] inOrder, bool inScanOrder, byte[]? text, int entriesAt, ManifestStats? stats)
        {
            Id = id;
            Started = started;
            _inOrder = inOrder;
            InScanOrder = inScanOrder;
            Text = text;
            EntriesAt = text == null ? -1 : entriesAt;
            Stats = stats;
            _byPath = new Lazy<Dictionary<string, int>>(IndexByPath);
        }

        public string Id { get; }

        /// <summary>
        /// The manifest's text, when its entries are as this module writes them (the files' texts are parts of it): a
        /// manifest whose entries are all as there takes them from it (<see cref="Manifest.EntriesAre"/>). Else null.
        /// </summary>
        internal byte[]? Text { get; }

        /// <summary>Where the first entry begins in <see cref="Text"/> (just after <c>"entries":[</c>); -1 without a text.</summary>
        internal int EntriesAt { get; }

        /// <summary>The numbers of the manifest's header (which its entries make), when it gives them all.</summary>
        internal ManifestStats? Stats { get; }

        /// <summary>
        /// What <see cref="Read(byte[])"/> makes of a manifest whose entries are this one's, text for text, under another id
        /// and start: the same files, read no more (the texts they point at are this manifest's, the same bytes).
        /// </summary>
        internal PreviousCheckpoint As(string id, DateTime started) => new PreviousCheckpoint(id, started, _inOrder, InScanOrder, Text, EntriesAt, Stats);

        /// <summary>When that capture started reading: only files modified before it can be trusted by size and time alone.</summary>
        public DateTime Started { get; }

        /// <summary>
        /// Whether the files are in the order a capture lists them (<see cref="ScanOrder"/>), each path once: then the file a
        /// capture asks for next is usually the next one (<see cref="Lookup"/>), found without a lookup by path.
        /// </summary>
        internal bool InScanOrder { get; }

        /// <summary>Files the previous checkpoint holds that were modified before it started.</summary>
        public int Count => InScanOrder ? CountTrusted() : _byPath.Value.Count;

        /// <summary>Every file <see cref="TryGet"/> finds.</summary>
        internal IEnumerable<ManifestChunks> Files
        {
            get
            {
                if (InScanOrder)
                {
                    foreach (var file in _inOrder)
                    {
                        if (IsTrusted(file))
                        {
                            yield return file;
                        }
                    }

                    yield break;
                }

                foreach (var at in _byPath.Value.Values)
                {
                    yield return _inOrder[at];
                }
            }
        }

        /// <summary>The file at <paramref name="path"/>, if the previous checkpoint holds it and it was modified before that capture started.</summary>
        public bool TryGet(string path, out ManifestChunks file)
        {
            if (_byPath.Value.TryGetValue(path, out var at))
            {
                file = _inOrder[at];
                return true;
            }

            file = null!;
            return false;
        }

        /// <summary>Finds files as <see cref="TryGet"/> does, for one capture asking in the order it listed them.</summary>
        internal Lookup StartLookup() => new Lookup(this);

        private bool IsTrusted(ManifestChunks file) => file.ModifiedTicks < Started.Ticks;

        private int CountTrusted()
        {
            var count = 0;
            foreach (var file in _inOrder)
            {
                if (IsTrusted(file))
                {
                    count++;
                }
            }

            return count;
        }

        private Dictionary<string, int> IndexByPath()
        {
            var byPath = new Dictionary<string, int>(_inOrder.Length, StringComparer.Ordinal);
            for (var i = 0; i < _inOrder.Length; i++)
            {
                // Of a path given twice, the last counts: a later one not to be trusted hides an earlier one.
                if (IsTrusted(_inOrder[i]))
                {
                    byPath[_inOrder[i].Path] = i;
                }
                else
                {
                    byPath.Remove(_inOrder[i].Path);
                }
            }

            return byPath;
        }

        /// <summary>
        /// One capture's lookups: the capture asks for its files in the order it listed them, the order the previous
        /// manifest was written in, so the file asked for is usually the one after the last found, compared by path alone.
        /// Anything else (a file added or removed since, a manifest in another order) is looked up by path. Not shared
        /// between threads.
        /// </summary>
        internal sealed class Lookup
        {
            private readonly PreviousCheckpoint _previous;
            private int _next;

            public Lookup(PreviousCheckpoint previous)
            {
                _previous = previous;
            }

            [System.Runtime.CompilerServices.MethodImpl(Jit.OptimizeAtFirstCall)]
            public bool TryGet(string path, out ManifestChunks file)
            {
                var files = _previous._inOrder;
                if (_previous.InScanOrder && _next < files.Length && string.Equals(files[_next].Path, path, StringComparison.Ordinal))
                {
                    // Each path once: the file found in order is the one a lookup by path finds.
                    file = files[_next++];
                    return _previous.IsTrusted(file);
                }

                if (_previous._byPath.Value.TryGetValue(path, out var at))
                {
                    _next = at + 1;
                    file = files[at];
                    return true;
                }

                file = null!;
                return false;
            }
        }

        /// <summary>
        /// Reads a manifest's files; null when it is not one this module writes (another format, no start time, anything
        /// malformed).
        /// </summary>
        public static PreviousCheckpoint? Read(byte[] json) => Read(json, compact: true);

        /// <summary>As <see cref="Read(byte[])"/>; <paramref name="compact"/> false reads the entries with <see cref="Utf8JsonReader"/> only (for tests).</summary>
        internal static PreviousCheckpoint? Read(byte[] json, bool compact)
        {
            try
            {
                return ReadCore(json, compact);
            }
            catch (JsonException)
            {
                return null;
            }
            catch (InvalidOperationException)
            {
                return null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        private static PreviousCheckpoint? ReadCore(byte[] json, bool compact)
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            int? format = null;
            string? id = null;
            long? started = null;
            long files = 0;
            var hasFiles = false;
            long? size = null;
            long? storedSize = null;
            var sink = (EntrySink?)null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("format"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var f))
                    {
                        return null;
                    }

                    format = f;
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return null;
                    }

                    id = reader.GetString();
                }
                else if (reader.ValueTextEquals("started"u8))
                {
                    if (!Number(ref reader, out var ticks))
                    {
                        return null;
                    }

                    started = ticks;
                }
                else if (reader.ValueTextEquals("files"u8))
                {
                    if (!Number(ref reader, out files))
                    {
                        return null;
                    }

                    hasFiles = true;
                }
                else if (reader.ValueTextEquals("size"u8))
                {
                    if (!Number(ref reader, out var value))
                    {
                        return null;
                    }

                    size = value;
                }
                else if (reader.ValueTextEquals("storedSize"u8))
                {
                    if (!Number(ref reader, out var value))
                    {
                        return null;
                    }

                    storedSize = value;
                }
                else if (reader.ValueTextEquals("entries"u8))
                {
                    if ((format != null && format != Manifest.CurrentFormat) || sink != null)
                    {
                        return null;
                    }

                    sink = new EntrySink(files);
                    if (compact && format != null && id != null && started != null
                        && CompactEntries.TryRead(json, (int)reader.BytesConsumed, sink))
                    {
                        // Written as this module writes manifests, with the entries last: read whole.
                        break;
                    }

                    sink.Clear();
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !ReadEntries(ref reader, sink))
                    {
                        return null;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // The rest must be well-formed (the reader throws on anything else); the compact reader checked its part.
            if (sink == null || !sink.Complete)
            {
                while (reader.Read())
                {
                }
            }

            if (format != Manifest.CurrentFormat || id == null || started == null || sink == null
                || started.Value < DateTime.MinValue.Ticks || started.Value > DateTime.MaxValue.Ticks)
            {
                return null;
            }

            return new PreviousCheckpoint(id, new DateTime(started.Value, DateTimeKind.Utc), sink.InOrder(json),
                sink.Compact && sink.EntriesAt >= 0 ? json : null, sink.EntriesAt,
                hasFiles && size != null && storedSize != null ? new ManifestStats(files, size.Value, storedSize.Value) : (ManifestStats?)null);
        }

        /// <summary>The value of the property just read, a whole number; false when it is anything else.</summary>
        private static bool Number(ref Utf8JsonReader reader, out long value)
        {
            value = 0;
            return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
        }

        /// <summary>The entries array, from its start to its end; false when an entry is malformed.</summary>
        private static bool ReadEntries(ref Utf8JsonReader reader, EntrySink sink)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                var entry = sink.Begin((int)reader.TokenStartIndex);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("type"u8))
                    {
                        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                        {
                            return false;
                        }

                        entry.IsFile = reader.ValueTextEquals("file"u8);
                    }
                    else if (reader.ValueTextEquals("path"u8))
                    {
                        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                        {
                            return false;
                        }

                        entry.Path = reader.GetString();
                    }
                    else if (reader.ValueTextEquals("size"u8))
                    {
                        if (!Number(ref reader, out var s) || s < 0)
                        {
                            return false;
                        }

                        entry.Size = s;
                    }
                    else if (reader.ValueTextEquals("mode"u8))
                    {
                        if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var m))
                        {
                            return false;
                        }

                        entry.Mode = m;
                    }
                    else if (reader.ValueTextEquals("mtime"u8))
                    {
                        if (!Number(ref reader, out var t))
                        {
                            return false;
                        }

                        entry.ModifiedTicks = t;
                    }
                    else if (reader.ValueTextEquals("chunks"u8))
                    {
                        if (!reader.Read())
                        {
                            return false;
                        }

                        if (reader.TokenType != JsonTokenType.StartArray)
                        {
                            reader.Skip();
                            entry.Plain = false;
                            continue;
                        }

                        sink.BeginChunks(ref entry, (int)reader.TokenStartIndex);
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.String
                                || reader.ValueIsEscaped || !Hash256.TryParse(reader.ValueSpan, out var hash)
                                || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var size)
                                || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var stored)
                                || !reader.Read() || reader.TokenType != JsonTokenType.EndArray
                                || !sink.AddChunk(ref entry, hash, size, stored))
                            {
                                return false;
                            }
                        }

                        entry.ChunksEnd = (int)reader.TokenStartIndex + 1;
                    }
                    else
                    {
                        // "target" or a property this module does not know: the entry is written anew, not copied.
                        reader.Read();
                        reader.Skip();
                        entry.Plain = false;
                    }
                }

                if (!sink.End(ref entry, (int)reader.TokenStartIndex + 1))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>What a reader found of one entry.</summary>
        internal struct EntryFields
        {
            public int Start;
            public bool IsFile;
            public bool Plain;
            public string? Path;
            public long? Size;
            public int? Mode;
            public long? ModifiedTicks;
            public int FirstChunk;
            public int ChunksStart;
            public int ChunksEnd;
            public long ChunkBytes;
        }

        /// <summary>Collects the files the readers find (the same checks whichever reads).</summary>
        internal sealed class EntrySink
        {
            private readonly int _capacity;
            private ChunkTable _table;
            private Found[] _files;
            private int _count;

            public EntrySink(long files)
            {
                _capacity = files > 0 && files < 1 << 24 ? (int)files : 0;
                _table = new ChunkTable(_capacity + 16);
                _files = new Found[Math.Max(16, _capacity)];
            }

            /// <summary>Whether the compact reader read the rest of the manifest (so nothing is left to check).</summary>
            public bool Complete { get; set; }

            /// <summary>Where the compact reader found the first entry (just after <c>[</c>); -1 when it did not read them.</summary>
            public int EntriesAt { get; set; } = -1;

            /// <summary>
            /// Whether the entries are text as this module writes it (read by <see cref="CompactEntries"/>, or recorded by
            /// <see cref="Manifest.WriteTo(System.IO.Stream, EntrySink)"/> as it writes them), which the next manifest copies;
            /// others are written anew there.
            /// </summary>
            public bool Compact { get; private set; } = true;

            /// <summary>Forgets what the compact reader found: <see cref="Utf8JsonReader"/> reads the entries instead.</summary>
            public void Clear()
            {
                _table = new ChunkTable(_capacity + 16);
                _files = new Found[Math.Max(16, _capacity)];
                _count = 0;
                Complete = false;
                Compact = false;
                EntriesAt = -1;
            }

            public EntryFields Begin(int start) => new EntryFields { Start = start, Plain = true, ChunksStart = -1, FirstChunk = _table.Count };

            public void BeginChunks(ref EntryFields entry, int start)
            {
                // Given twice: the last one counts, as for every reader.
                _table.Truncate(entry.FirstChunk);
                entry.ChunkBytes = 0;
                entry.ChunksStart = start;
            }

            public bool AddChunk(ref EntryFields entry, in Hash256 hash, int size, int stored)
            {
                if (size <= 0 || size > ChunkStore.MaxChunkSize || stored < 0)
                {
                    return false;
                }

                _table.Add(hash, size, stored);
                entry.ChunkBytes += size;
                return true;
            }

            /// <summary>The entry ends (its text ends before <paramref name="end"/>); false when it is a malformed file entry.</summary>
            public bool End(ref EntryFields entry, int end)
            {
                if (!entry.IsFile)
                {
                    _table.Truncate(entry.FirstChunk);
                    return true;
                }

                if (entry.Path == null || entry.Size == null || entry.ChunksStart < 0 || entry.ChunkBytes != entry.Size.Value)
                {
                    return false;
                }

                if (entry.ModifiedTicks == null)
                {
                    _table.Truncate(entry.FirstChunk);
                    return true;
                }

                if (entry.ModifiedTicks.Value < DateTime.MinValue.Ticks || entry.ModifiedTicks.Value > DateTime.MaxValue.Ticks)
                {
                    return false;
                }

                if (_count == _files.Length)
                {
                    var larger = new Found[_files.Length * 2];
                    Array.Copy(_files, larger, _count);
                    _files = larger;
                }

                _files[_count++] = new Found(entry, end, _table.Count - entry.FirstChunk);
                return true;
            }

            /// <summary>
            /// How far the text recorded lies from where it was recorded to be: the entries of a manifest written before its
            /// header (<see cref="Manifest.WriteEntriesTo"/>) begin after it.
            /// </summary>
            public int Offset { get; set; }

            /// <summary>Every file entry found, in the order of the manifest, with its text in <paramref name="json"/> (the manifest's).</summary>
            public ManifestChunks[] InOrder(byte[] json)
            {
                var files = new ManifestChunks[_count];
                var at = Offset;
                for (var i = 0; i < _count; i++)
                {
                    var (fields, end, count) = (_files[i].Fields, _files[i].End, _files[i].Count);
                    files[i] = new ManifestChunks(_table, fields.FirstChunk, count,
                        Compact ? new ReadOnlyMemory<byte>(json, at + fields.ChunksStart, fields.ChunksEnd - fields.ChunksStart) : default,
                        Compact && fields.Plain ? new ReadOnlyMemory<byte>(json, at + fields.Start, end - fields.Start) : default,
                        fields.Path!, fields.Size!.Value, fields.ModifiedTicks!.Value, fields.Mode);
                }

                return files;
            }

            /// <summary>A file entry found, its text not yet cut out.</summary>
            private readonly struct Found
            {
                public Found(EntryFields fields, int end, int count)
                {
                    Fields = fields;
                    End = end;
                    Count = count;
                }

                public EntryFields Fields { get; }

                public int End { get; }

                public int Count { get; }
            }
        }

        /// <summary>
        /// What <see cref="Read(byte[])"/> makes of a manifest this module has just written, from what the writer recorded
        /// as it wrote each entry (<see cref="Manifest.WriteTo(System.IO.Stream, EntrySink)"/>) instead of reading the text
        /// again — put together when first asked (by the next capture, if one comes); null where it would read nothing.
        /// </summary>
        internal static Lazy<PreviousCheckpoint?>? Recorded(Manifest manifest, EntrySink sink, byte[] json) =>
            Later(manifest, (id, started) => new PreviousCheckpoint(id, started, sink.InOrder(json), sink.Compact ? json : null, sink.Offset, ManifestStats.Of(manifest)));

        /// <summary>
        /// What <see cref="Read(byte[])"/> makes of a manifest this module has just written with the entries of
        /// <paramref name="previous"/>, text for text (<see cref="Manifest.EntriesAre"/>): its files, under the new id and start.
        /// </summary>
        internal static Lazy<PreviousCheckpoint?>? Reused(Manifest manifest, PreviousCheckpoint previous) => Later(manifest, previous.As);

        /// <summary>The reading of a manifest just written, made when first asked; null where a reader would find nothing.</summary>
        private static Lazy<PreviousCheckpoint?>? Later(Manifest manifest, Func<string, DateTime, PreviousCheckpoint> make)
        {
            if (manifest.Format != Manifest.CurrentFormat || manifest.Id == null || manifest.Started == null)
            {
                return null;
            }

            var id = manifest.Id;
            var started = new DateTime(manifest.Started.Value.Ticks, DateTimeKind.Utc);
            return new Lazy<PreviousCheckpoint?>(() => make(id, started));
        }

        /// <summary>
        /// Reads the entries of a manifest written as <see cref="Manifest.WriteTo"/> writes it (compact, its properties in
        /// its order, the entries last), byte by byte; anything else makes it give up, and <see cref="Utf8JsonReader"/>
        /// reads the manifest instead.
        /// </summary>
        /// <remarks>
        /// Written here because a re-capture runs once per process: the JSON reader of the module's System.Text.Json runs
        /// unoptimized code at its first use in a process (tiered compilation), ~100 ms more for 20,000 files, while this
        /// loop runs the module's precompiled code on pwsh 7.6+ (Dependencies/&lt;rid&gt;/). It accepts a subset of JSON only.
        /// </remarks>
        internal static class CompactEntries
        {
            private static readonly UTF8Encoding s_strict = new UTF8Encoding(false, throwOnInvalidBytes: true);

            /// <summary>
            /// Reads from <paramref name="at"/> (just past <c>"entries":</c>) to the end of the manifest into <paramref name="sink"/>;
            /// false when the text is not as this module writes it (the sink then holds a part: clear it).
            /// </summary>
            public static bool TryRead(byte[] json, int at, EntrySink sink)
            {
                try
                {
                    return TryReadCore(json, at, sink);
                }
                catch (DecoderFallbackException)
                {
                    return false;
                }
                catch (ArgumentException)
                {
                    return false;
                }
            }

            private static bool TryReadCore(byte[] json, int at, EntrySink sink)
            {
                var p = at;
                var n = json.Length;
                if (p < n && json[p] == (byte)':')
                {
                    p++;
                }

                if (p >= n || json[p] != (byte)'[')
                {
                    return false;
                }

                p++;
                sink.EntriesAt = p;
                if (p < n && json[p] == (byte)']')
                {
                    p++;
                }
                else
                {
                    while (true)
                    {
                        if (!Entry(json, ref p, sink))
                        {
                            return false;
                        }

                        if (p >= n)
                        {
                            return false;
                        }

                        if (json[p] == (byte)']')
                        {
                            p++;
                            break;
                        }

                        if (json[p] != (byte)',')
                        {
                            return false;
                        }

                        p++;
                    }
                }

                // The root object ends, then only white space.
                if (p >= n || json[p] != (byte)'}')
                {
                    return false;
                }

                for (p++; p < n; p++)
                {
                    var b = json[p];
                    if (b != (byte)' ' && b != (byte)'\n' && b != (byte)'\r' && b != (byte)'\t')
                    {
                        return false;
                    }
                }

                sink.Complete = true;
                return true;
            }

            private static bool Entry(byte[] json, ref int p, EntrySink sink)
            {
                if (p >= json.Length || json[p] != (byte)'{')
                {
                    return false;
                }

                var entry = sink.Begin(p);
                p++;
                while (true)
                {
                    if (!Name(json, ref p, out var nameStart, out var nameLength))
                    {
                        return false;
                    }

                    var name = new ReadOnlySpan<byte>(json, nameStart, nameLength);
                    if (name.SequenceEqual("type"u8))
                    {
                        if (!RawString(json, ref p, out var start, out var length))
                        {
                            return false;
                        }

                        entry.IsFile = new ReadOnlySpan<byte>(json, start, length).SequenceEqual("file"u8);
                    }
                    else if (name.SequenceEqual("path"u8))
                    {
                        if (!Text(json, ref p, out var path))
                        {
                            return false;
                        }

                        entry.Path = path;
                    }
                    else if (name.SequenceEqual("size"u8))
                    {
                        if (!Integer(json, ref p, out var size) || size < 0)
                        {
                            return false;
                        }

                        entry.Size = size;
                    }
                    else if (name.SequenceEqual("mode"u8))
                    {
                        if (!Integer(json, ref p, out var mode) || mode < int.MinValue || mode > int.MaxValue)
                        {
                            return false;
                        }

                        entry.Mode = (int)mode;
                    }
                    else if (name.SequenceEqual("mtime"u8))
                    {
                        if (!Integer(json, ref p, out var ticks))
                        {
                            return false;
                        }

                        entry.ModifiedTicks = ticks;
                    }
                    else if (name.SequenceEqual("chunks"u8))
                    {
                        if (!Chunks(json, ref p, sink, ref entry))
                        {
                            return false;
                        }
                    }
                    else if (name.SequenceEqual("target"u8))
                    {
                        if (!Text(json, ref p, out _))
                        {
                            return false;
                        }

                        entry.Plain = false;
                    }
                    else
                    {
                        return false;
                    }

                    if (p >= json.Length)
                    {
                        return false;
                    }

                    if (json[p] == (byte)'}')
                    {
                        p++;
                        return sink.End(ref entry, p);
                    }

                    if (json[p] != (byte)',')
                    {
                        return false;
                    }

                    p++;
                }
            }

            /// <summary>[["hash",size,stored],...]</summary>
            private static bool Chunks(byte[] json, ref int p, EntrySink sink, ref EntryFields entry)
            {
                if (p >= json.Length || json[p] != (byte)'[')
                {
                    return false;
                }

                sink.BeginChunks(ref entry, p);
                p++;
                if (p < json.Length && json[p] == (byte)']')
                {
                    p++;
                    entry.ChunksEnd = p;
                    return true;
                }

                while (true)
                {
                    // ["<64 hex>",
                    if (p + 69 > json.Length || json[p] != (byte)'[' || json[p + 1] != (byte)'"' || json[p + 66] != (byte)'"' || json[p + 67] != (byte)',')
                    {
                        return false;
                    }

                    if (!Hash256.TryParse(new ReadOnlySpan<byte>(json, p + 2, 64), out var hash))
                    {
                        return false;
                    }

                    p += 68;
                    if (!Integer(json, ref p, out var size) || p >= json.Length || json[p] != (byte)',')
                    {
                        return false;
                    }

                    p++;
                    if (!Integer(json, ref p, out var stored) || p >= json.Length || json[p] != (byte)']'
                        || size > int.MaxValue || stored > int.MaxValue || stored < int.MinValue
                        || !sink.AddChunk(ref entry, hash, (int)size, (int)stored))
                    {
                        return false;
                    }

                    p++;
                    if (p >= json.Length)
                    {
                        return false;
                    }

                    if (json[p] == (byte)']')
                    {
                        p++;
                        entry.ChunksEnd = p;
                        return true;
                    }

                    if (json[p] != (byte)',')
                    {
                        return false;
                    }

                    p++;
                }
            }

            /// <summary>A property name and its colon (names this module writes have no escapes).</summary>
            private static bool Name(byte[] json, ref int p, out int start, out int length)
            {
                if (!RawString(json, ref p, out start, out length) || p >= json.Length || json[p] != (byte)':')
                {
                    return false;
                }

                p++;
                return true;
            }

            /// <summary>A string without escapes: where its text is.</summary>
            private static bool RawString(byte[] json, ref int p, out int start, out int length)
            {
                start = 0;
                length = 0;
                if (p >= json.Length || json[p] != (byte)'"')
                {
                    return false;
                }

                var end = Array.IndexOf(json, (byte)'"', p + 1);
                if (end < 0)
                {
                    return false;
                }

                for (var i = p + 1; i < end; i++)
                {
                    if (json[i] < 0x20 || json[i] == (byte)'\\')
                    {
                        return false;
                    }
                }

                start = p + 1;
                length = end - start;
                p = end + 1;
                return true;
            }

            /// <summary>A string value, escapes and all (one with escapes is decoded by the JSON reader).</summary>
            private static bool Text(byte[] json, ref int p, out string? text)
            {
                text = null;
                if (p >= json.Length || json[p] != (byte)'"')
                {
                    return false;
                }

                var escaped = false;
                var i = p + 1;
                for (; i < json.Length; i++)
                {
                    var b = json[i];
                    if (b == (byte)'"')
                    {
                        break;
                    }

                    if (b < 0x20)
                    {
                        return false;
                    }

                    if (b == (byte)'\\')
                    {
                        escaped = true;
                        i++; // the escaped character (a quote among them) is not the end
                    }
                }

                if (i >= json.Length)
                {
                    return false;
                }

                if (!escaped)
                {
                    text = s_strict.GetString(json, p + 1, i - p - 1);
                }
                else
                {
                    var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(json, p, i + 1 - p));
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    text = reader.GetString();
                }

                p = i + 1;
                return true;
            }

            /// <summary>An integer as JSON writes it (no fraction, no exponent, no leading zero), up to 18 digits.</summary>
            private static bool Integer(byte[] json, ref int p, out long value)
            {
                value = 0;
                var negative = p < json.Length && json[p] == (byte)'-';
                var i = negative ? p + 1 : p;
                var start = i;
                while (i < json.Length && json[i] >= (byte)'0' && json[i] <= (byte)'9')
                {
                    value = (value * 10) + (json[i] - '0');
                    i++;
                }

                var digits = i - start;
                if (digits == 0 || digits > 18 || (digits > 1 && json[start] == (byte)'0')
                    || (i < json.Length && (json[i] == (byte)'.' || json[i] == (byte)'e' || json[i] == (byte)'E')))
                {
                    return false;
                }

                if (negative)
                {
                    value = -value;
                }

                p = i;
                return true;
            }
        }
    }
}
