using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Daytona.Checkpoints
{
    public enum EntryType
    {
        File,
        Directory,
        Symlink,
    }

    /// <summary>One chunk of a file: SHA-256 of the uncompressed bytes, their length and the stored (compressed) length.</summary>
    public readonly struct ChunkRef : IEquatable<ChunkRef>
    {
        public ChunkRef(string hash, int size, int stored)
        {
            Hash = hash;
            Size = size;
            Stored = stored;
        }

        public string Hash { get; }

        public int Size { get; }

        public int Stored { get; }

        public bool Equals(ChunkRef other) => Hash == other.Hash && Size == other.Size;

        public override bool Equals(object? obj) => obj is ChunkRef other && Equals(other);

        public override int GetHashCode() => Hash.GetHashCode();
    }

    /// <summary>A file, folder or symbolic link of a checkpoint. Paths are relative, '/'-separated.</summary>
    public sealed class ManifestEntry
    {
        public EntryType Type { get; set; }

        public string Path { get; set; } = string.Empty;

        public long Size { get; set; }

        /// <summary>Unix permission bits (e.g. 0644); null where the platform has none.</summary>
        public int? Mode { get; set; }

        public DateTime? ModifiedUtc { get; set; }

        /// <summary>The link text of a symbolic link, stored as written, never followed.</summary>
        public string? Target { get; set; }

        public IReadOnlyList<ChunkRef> Chunks { get; set; } = Array.Empty<ChunkRef>();
    }

    /// <summary>
    /// The manifest of one checkpoint (<c>checkpoints/&lt;id&gt;.json</c>): what it is, and every entry with its chunks.
    /// Written last, atomically; a checkpoint exists exactly when its manifest does.
    /// </summary>
    public sealed class Manifest
    {
        public const int CurrentFormat = 1;
        public const string FolderKind = "folder";
        public const string DocumentKind = "document";

        public int Format { get; set; } = CurrentFormat;

        public string Id { get; set; } = string.Empty;

        public DateTime Time { get; set; }

        public string Source { get; set; } = string.Empty;

        public string? Name { get; set; }

        public string Kind { get; set; } = FolderKind;

        public string? Host { get; set; }

        /// <summary>
        /// An optional label given at capture (e.g. the URL base path a checkpoint server publishes the source under);
        /// unlike <see cref="Name"/> it never changes.
        /// </summary>
        public string? Label { get; set; }

        /// <summary>The writer that committed the manifest (its marker under <c>writers/</c>); null before markers existed.</summary>
        public string? Writer { get; set; }

        /// <summary>When the capture started reading (files modified before it and unchanged since may be reused unread).</summary>
        public DateTime? Started { get; set; }

        public long Files { get; set; }

        public long Size { get; set; }

        public long StoredSize { get; set; }

        public long NewData { get; set; }

        public List<ManifestEntry> Entries { get; set; } = new List<ManifestEntry>();

        // Property names, encoded once: a manifest repeats them for every entry and chunk.
        private static readonly JsonEncodedText s_type = JsonEncodedText.Encode("type");
        private static readonly JsonEncodedText s_path = JsonEncodedText.Encode("path");
        private static readonly JsonEncodedText s_size = JsonEncodedText.Encode("size");
        private static readonly JsonEncodedText s_mode = JsonEncodedText.Encode("mode");
        private static readonly JsonEncodedText s_mtime = JsonEncodedText.Encode("mtime");
        private static readonly JsonEncodedText s_target = JsonEncodedText.Encode("target");
        private static readonly JsonEncodedText s_chunks = JsonEncodedText.Encode("chunks");
        private static readonly JsonEncodedText s_file = JsonEncodedText.Encode("file");
        private static readonly JsonEncodedText s_dir = JsonEncodedText.Encode("dir");
        private static readonly JsonEncodedText s_symlink = JsonEncodedText.Encode("symlink");

        /// <summary>Writes the manifest as JSON (UTF-8, compact) to <paramref name="stream"/>.</summary>
        public void WriteTo(Stream stream) => WriteTo(stream, null);

        /// <summary>
        /// Writes the manifest and, into <paramref name="record"/> (a stream that tells its position), each file entry as
        /// <see cref="PreviousCheckpoint"/>'s readers find it in the text written: the next capture's reading of it, without
        /// reading it (see <see cref="PreviousCheckpoint.Recorded"/>). False when an entry is not as a reader would take
        /// it (then that reading is of no use).
        /// </summary>
        internal bool WriteTo(Stream stream, PreviousCheckpoint.EntrySink? record)
        {
            WriteHeaderTo(stream);
            return WriteEntriesTo(stream, record != null && stream.CanSeek ? record : null, stream.CanSeek ? stream.Position : 0);
        }

        /// <summary>The manifest's text up to its entries (<c>{"format":…,"entries":[</c>): <see cref="WriteTo(Stream, PreviousCheckpoint.EntrySink)"/>'s first part.</summary>
        internal void WriteHeaderTo(Stream stream)
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
            writer.WriteStartObject();
            writer.WriteNumber("format", Format);
            writer.WriteString("id", Id);
            writer.WriteString("time", Time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("source", Source);
            if (Name != null)
            {
                writer.WriteString("name", Name);
            }

            if (Label != null)
            {
                writer.WriteString("label", Label);
            }

            writer.WriteString("kind", Kind);
            if (Host != null)
            {
                writer.WriteString("host", Host);
            }

            if (Writer != null)
            {
                writer.WriteString("writer", Writer);
            }

            if (Started != null)
            {
                writer.WriteNumber("started", Started.Value.Ticks);
            }

            writer.WriteNumber("files", Files);
            writer.WriteNumber("size", Size);
            writer.WriteNumber("storedSize", StoredSize);
            writer.WriteNumber("newData", NewData);
            writer.WriteStartArray("entries");
            writer.Flush();
        }

        /// <summary>
        /// The rest of the manifest's text, its entries to the end (<see cref="WriteTo(Stream, PreviousCheckpoint.EntrySink)"/>'s
        /// second part, which needs none of the header's numbers), recorded into <paramref name="record"/> as if the text
        /// began at <paramref name="entriesAt"/> of the manifest.
        /// </summary>
        internal bool WriteEntriesTo(Stream stream, PreviousCheckpoint.EntrySink? record, long entriesAt)
        {
            // The entries go to the stream one by one, each a JSON object as the writer writes it alone (the same text as
            // inside the array), separated by commas: an unchanged file's entry is its previous text, copied, without
            // passing through the writer (most entries of a re-capture, usually the first in a process).
            var buffer = new EntryBuffer(stream);
            var recorded = record != null;
            using var single = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false });
            for (var i = 0; i < Entries.Count; i++)
            {
                if (i > 0)
                {
                    buffer.Add((byte)',');
                }

                var entry = Entries[i];
                var at = entriesAt + buffer.Total;
                var stored = entry.Chunks as ManifestChunks;
                if (Copies(entry, stored))
                {
                    // A file unchanged since the previous checkpoint: its entry, as that manifest wrote it.
                    buffer.Add(stored!.EntryJson.Span);
                    var chunksAt = ChunksOffset(stored);
                    if (recorded && !Record(record!, entry, stored, at, at + stored.EntryJson.Length, chunksAt, at + chunksAt + stored.Json.Length))
                    {
                        recorded = false;
                    }

                    continue;
                }

                single.Reset(buffer);
                var written = WriteEntry(single, entry, stored);
                single.Flush();
                if (recorded && entry.Type == EntryType.File
                    && !Record(record!, entry, stored != null && !stored.Json.IsEmpty ? stored : null, at, at + single.BytesCommitted, written, at + single.BytesCommitted - 1))
                {
                    recorded = false;
                }
            }

            buffer.Add((byte)']');
            buffer.Add((byte)'}');
            buffer.Flush();
            return recorded;
        }

        /// <summary>
        /// The previous checkpoint whose entries this manifest's are, text for text (set by a capture once
        /// <see cref="EntriesAre"/> said so): its text is that manifest's entries, taken as they are.
        /// </summary>
        internal PreviousCheckpoint? EntriesFrom { get; set; }

        /// <summary>
        /// Whether the text <see cref="WriteEntriesTo"/> would write is <paramref name="text"/> from <paramref name="at"/> to
        /// its end. Entry by entry, the same choice as there (a file's previous text, or the entry written anew), compared
        /// instead of written; a file whose previous text lies at that very place of <paramref name="text"/> is not compared
        /// again. An unchanged re-capture's manifest then takes the previous one's entries whole.
        /// </summary>
        internal bool EntriesAre(byte[] text, int at)
        {
            var p = at;
            MemoryStream? scratch = null;
            EntryBuffer? buffer = null;
            Utf8JsonWriter? single = null;
            try
            {
                for (var i = 0; i < Entries.Count; i++)
                {
                    if (i > 0)
                    {
                        if (p >= text.Length || text[p] != (byte)',')
                        {
                            return false;
                        }

                        p++;
                    }

                    var entry = Entries[i];
                    ReadOnlySpan<byte> expected;
                    var stored = entry.Chunks as ManifestChunks;
                    if (Copies(entry, stored))
                    {
                        if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(stored!.EntryJson, out var copied)
                            && copied.Array == text && copied.Offset == p)
                        {
                            p += copied.Count;
                            continue;
                        }

                        expected = stored.EntryJson.Span;
                    }
                    else
                    {
                        scratch ??= new MemoryStream(1024);
                        buffer ??= new EntryBuffer(scratch);
                        single ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false });
                        scratch.SetLength(0);
                        single.Reset(buffer);
                        WriteEntry(single, entry, stored);
                        single.Flush();
                        buffer.Flush();
                        expected = new ReadOnlySpan<byte>(scratch.GetBuffer(), 0, (int)scratch.Length);
                    }

                    if (text.Length - p < expected.Length || !expected.SequenceEqual(new ReadOnlySpan<byte>(text, p, expected.Length)))
                    {
                        return false;
                    }

                    p += expected.Length;
                }

                return text.Length - p == 2 && text[p] == (byte)']' && text[p + 1] == (byte)'}';
            }
            finally
            {
                single?.Dispose();
            }
        }

        /// <summary>
        /// Whether an entry's text is <paramref name="stored"/>'s (its chunk list as read, if it has one), copied whole: a file
        /// unchanged since the previous checkpoint. Else the entry is written.
        /// </summary>
        private static bool Copies(ManifestEntry entry, ManifestChunks? stored) => stored != null && stored.Describes(entry);

        /// <summary>About the length of the text <see cref="WriteTo(Stream)"/> writes (a buffer that size is seldom grown).</summary>
        public int EstimateLength()
        {
            long length = 1024 + (Name?.Length ?? 0) * 6 + (Label?.Length ?? 0) * 6 + Source.Length * 6;
            foreach (var entry in Entries)
            {
                if (entry.Chunks is ManifestChunks stored && !stored.EntryJson.IsEmpty)
                {
                    length += stored.EntryJson.Length + 1;
                    continue;
                }

                length += 120 + (entry.Path.Length * 2) + (entry.Target?.Length * 2 ?? 0) + (entry.Chunks.Count * 90);
            }

            return (int)Math.Min(length, 1 << 30);
        }

        /// <summary>Where the <c>chunks</c> array lies in the text of an entry copied from the previous manifest (-1: unknown).</summary>
        private static long ChunksOffset(ManifestChunks stored) =>
            System.Runtime.InteropServices.MemoryMarshal.TryGetArray(stored.Json, out var chunks)
            && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(stored.EntryJson, out var whole)
                ? chunks.Offset - whole.Offset
                : -1;

        /// <summary>
        /// One file entry written from <paramref name="start"/> to <paramref name="end"/>, its <c>chunks</c> array from
        /// <paramref name="chunksAt"/> (relative to the start) to <paramref name="chunksEnd"/>, recorded as a reader finds
        /// it; false when a reader would not take it.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(Jit.OptimizeAtFirstCall)]
        private static bool Record(PreviousCheckpoint.EntrySink record, ManifestEntry entry, ManifestChunks? stored, long start, long end, long chunksAt, long chunksEnd)
        {
            if (end > int.MaxValue || chunksAt < 0)
            {
                return false;
            }

            var fields = record.Begin((int)start);
            fields.IsFile = true;
            fields.Plain = entry.Target == null;
            fields.Path = entry.Path;
            fields.Size = entry.Size;
            fields.Mode = entry.Mode;
            fields.ModifiedTicks = entry.ModifiedUtc?.Ticks;
            record.BeginChunks(ref fields, (int)(start + chunksAt));
            if (stored != null)
            {
                for (var i = 0; i < stored.Count; i++)
                {
                    if (!record.AddChunk(ref fields, stored.HashAt(i), stored.SizeAt(i), stored.StoredAt(i)))
                    {
                        return false;
                    }
                }
            }
            else
            {
                foreach (var chunk in entry.Chunks)
                {
                    if (!Hash256.TryParse(chunk.Hash, out var hash) || !record.AddChunk(ref fields, hash, chunk.Size, chunk.Stored))
                    {
                        return false;
                    }
                }
            }

            fields.ChunksEnd = (int)chunksEnd;
            return record.End(ref fields, (int)end);
        }

        /// <summary>
        /// Writes an entry; for a file, returns where its <c>chunks</c> array begins in the entry's text (else -1). The chunks
        /// come last: the array ends where the entry's closing brace begins.
        /// </summary>
        private static long WriteEntry(Utf8JsonWriter writer, ManifestEntry entry, ManifestChunks? stored)
        {
            long chunksAt = -1;
            writer.WriteStartObject();
            writer.WriteString(s_type, entry.Type == EntryType.File ? s_file : entry.Type == EntryType.Directory ? s_dir : s_symlink);
            writer.WriteString(s_path, entry.Path);
            if (entry.Type == EntryType.File)
            {
                writer.WriteNumber(s_size, entry.Size);
            }

            if (entry.Mode != null)
            {
                writer.WriteNumber(s_mode, entry.Mode.Value);
            }

            if (entry.ModifiedUtc != null)
            {
                writer.WriteNumber(s_mtime, entry.ModifiedUtc.Value.Ticks);
            }

            if (entry.Target != null)
            {
                writer.WriteString(s_target, entry.Target);
            }

            if (entry.Type == EntryType.File && stored != null && !stored.Json.IsEmpty)
            {
                writer.WritePropertyName(s_chunks);
                chunksAt = writer.BytesCommitted + writer.BytesPending;
                writer.WriteRawValue(stored.Json.Span, skipInputValidation: true);
            }
            else if (entry.Type == EntryType.File)
            {
                writer.WritePropertyName(s_chunks);
                chunksAt = writer.BytesCommitted + writer.BytesPending;
                writer.WriteStartArray();
                foreach (var chunk in entry.Chunks)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(chunk.Hash);
                    writer.WriteNumberValue(chunk.Size);
                    writer.WriteNumberValue(chunk.Stored);
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            return chunksAt;
        }

        /// <summary>
        /// The text of the entries on its way to the stream: bytes gathered in one buffer and handed over as it fills (a
        /// manifest of many files is megabytes).
        /// </summary>
        private sealed class EntryBuffer : System.Buffers.IBufferWriter<byte>
        {
            private readonly Stream _stream;
            private byte[] _buffer = new byte[1 << 16];
            private int _used;
            private long _handed;

            public EntryBuffer(Stream stream)
            {
                _stream = stream;
            }

            public void Add(byte value)
            {
                if (_used == _buffer.Length)
                {
                    Flush();
                }

                _buffer[_used++] = value;
            }

            public void Add(ReadOnlySpan<byte> bytes)
            {
                while (bytes.Length > _buffer.Length - _used)
                {
                    var part = _buffer.Length - _used;
                    bytes.Slice(0, part).CopyTo(new Span<byte>(_buffer, _used, part));
                    _used += part;
                    Flush();
                    bytes = bytes.Slice(part);
                }

                bytes.CopyTo(new Span<byte>(_buffer, _used, bytes.Length));
                _used += bytes.Length;
            }

            /// <summary>Bytes added so far (handed over or not).</summary>
            public long Total => _handed + _used;

            public void Flush()
            {
                if (_used > 0)
                {
                    _stream.Write(_buffer, 0, _used);
                    _handed += _used;
                    _used = 0;
                }
            }

            public void Advance(int count) => _used += count;

            public Memory<byte> GetMemory(int sizeHint = 0)
            {
                Ensure(sizeHint);
                return new Memory<byte>(_buffer, _used, _buffer.Length - _used);
            }

            public Span<byte> GetSpan(int sizeHint = 0)
            {
                Ensure(sizeHint);
                return new Span<byte>(_buffer, _used, _buffer.Length - _used);
            }

            /// <summary>Room for what the writer writes next (it has handed over what it wrote before asking).</summary>
            private void Ensure(int sizeHint)
            {
                var wanted = Math.Max(sizeHint, 1);
                if (_buffer.Length - _used < wanted)
                {
                    Flush();
                    if (_buffer.Length < wanted)
                    {
                        // A very long path (up to 32,767 characters on Windows), escaped.
                        _buffer = new byte[wanted];
                    }
                }
            }
        }

        /// <summary>Reads a manifest; anything malformed is <c>CheckpointCorrupt</c> naming <paramref name="origin"/>.</summary>
        /// <remarks>
        /// Read token by token (no document tree): a manifest lists every file of a folder with its chunks, and an
        /// unchanged re-capture reads the previous one while it lists the folder. Properties may come in any order;
        /// unknown ones are skipped.
        /// </remarks>
        public static Manifest Parse(byte[] json, string origin) => Parse(new ReadOnlySpan<byte>(json), origin);

        /// <summary>Reads a manifest from UTF-8 bytes; anything malformed is <c>CheckpointCorrupt</c> naming <paramref name="origin"/>.</summary>
        public static Manifest Parse(ReadOnlySpan<byte> json, string origin) => Parse(json, origin, headerOnly: false, out _)!;

        /// <summary>
        /// Reads what a manifest says about its checkpoint, stopping before its entries (the writer puts them last), from
        /// the start of a manifest (<paramref name="json"/> may end anywhere after that). Null when the start given ends
        /// before the entries do begin: read more of it.
        /// </summary>
        public static Manifest? ParseHeader(ReadOnlySpan<byte> json, string origin) => Parse(json, origin, headerOnly: true, out var complete) is Manifest m && complete ? m : null;

        private static Manifest? Parse(ReadOnlySpan<byte> json, string origin, bool headerOnly, out bool complete)
        {
            complete = false;
            try
            {
                var reader = new Utf8JsonReader(json, isFinalBlock: !headerOnly, new JsonReaderState(new JsonReaderOptions { MaxDepth = 16 }));
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Bad("the document is not a JSON object");
                }

                var manifest = new Manifest();
                int? format = null;
                string? id = null;
                string? source = null;
                long? files = null;
                long? size = null;
                long? storedSize = null;
                long? newData = null;
                var sawEntries = false;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("format"u8))
                    {
                        format = Int(ref reader, "format");
                    }
                    else if (reader.ValueTextEquals("id"u8))
                    {
                        id = Str(ref reader, "id");
                    }
                    else if (reader.ValueTextEquals("source"u8))
                    {
                        source = Str(ref reader, "source");
                    }
                    else if (reader.ValueTextEquals("name"u8))
                    {
                        manifest.Name = OptStr(ref reader, "name");
                    }
                    else if (reader.ValueTextEquals("kind"u8))
                    {
                        manifest.Kind = OptStr(ref reader, "kind") ?? FolderKind;
                    }
                    else if (reader.ValueTextEquals("host"u8))
                    {
                        manifest.Host = OptStr(ref reader, "host");
                    }
                    else if (reader.ValueTextEquals("label"u8))
                    {
                        manifest.Label = OptStr(ref reader, "label");
                    }
                    else if (reader.ValueTextEquals("writer"u8))
                    {
                        manifest.Writer = OptStr(ref reader, "writer");
                    }
                    else if (reader.ValueTextEquals("files"u8))
                    {
                        files = Long(ref reader, "files");
                        if (manifest.Entries.Count == 0 && files.Value < 1 << 24)
                        {
                            // As many entries at least: the list is sized once.
                            manifest.Entries.Capacity = (int)files.Value;
                        }
                    }
                    else if (reader.ValueTextEquals("size"u8))
                    {
                        size = Long(ref reader, "size");
                    }
                    else if (reader.ValueTextEquals("storedSize"u8))
                    {
                        storedSize = Long(ref reader, "storedSize");
                    }
                    else if (reader.ValueTextEquals("newData"u8))
                    {
                        newData = Long(ref reader, "newData");
                    }
                    else if (reader.ValueTextEquals("started"u8))
                    {
                        var ticks = Number(ref reader, "started");
                        manifest.Started = ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks ? new DateTime(ticks, DateTimeKind.Utc) : (DateTime?)null;
                    }
                    else if (reader.ValueTextEquals("entries"u8))
                    {
                        if (headerOnly)
                        {
                            sawEntries = true;
                            break;
                        }

                        if (format != null && format != CurrentFormat)
                        {
                            // A format this module does not read: its entries are not looked at.
                            break;
                        }

                        reader.Read();
                        if (reader.TokenType != JsonTokenType.StartArray)
                        {
                            throw Bad("'entries' is missing");
                        }

                        ReadEntries(ref reader, manifest.Entries);
                        sawEntries = true;
                    }
                    else
                    {
                        // TrySkip, not Skip: Skip refuses any reader over a start of a document (ParseHeader's), even for a
                        // plain value such as "time"; TrySkip says false only when the value runs past the bytes given.
                        reader.Read();
                        if (!reader.TrySkip())
                        {
                            throw new InvalidOperationException("the start given ends inside a value");
                        }
                    }
                }

                if (headerOnly && !sawEntries)
                {
                    return null; // the start given ends before the entries: the caller reads more
                }

                // The rest must be well-formed JSON, and past the root object only white space may follow (the
                // reader throws on anything else).
                while (!headerOnly && reader.Read())
                {
                }

                manifest.Format = format ?? throw Bad("'format' is missing or not a number");
                if (manifest.Format != CurrentFormat)
                {
                    throw Bad($"format {manifest.Format} is not supported (this module reads format {CurrentFormat})");
                }

                manifest.Id = id ?? throw Bad("'id' is missing or not a string");
                manifest.Source = source ?? throw Bad("'source' is missing or not a string");
                manifest.Files = files ?? throw Bad("'files' is missing or not a number");
                manifest.Size = size ?? throw Bad("'size' is missing or not a number");
                manifest.StoredSize = storedSize ?? throw Bad("'storedSize' is missing or not a number");
                manifest.NewData = newData ?? throw Bad("'newData' is missing or not a number");

                if (!CheckpointTime.TryParse(manifest.Id, out var time))
                {
                    throw Bad($"the id '{manifest.Id}' is not a checkpoint time");
                }

                manifest.Time = time;
                if (!sawEntries)
                {
                    throw Bad("'entries' is missing");
                }

                complete = true;
                return manifest;
            }
            catch (Exception e) when (headerOnly && (e is JsonException || e is InvalidOperationException || e is FormatException || e is ManifestFormatException))
            {
                // A start cut inside a value, or a damaged manifest: reading it whole says which.
                return null;
            }
            catch (JsonException e)
            {
                throw CheckpointErrors.CorruptData($"The manifest {origin} is not valid JSON: {e.Message}", origin, e);
            }
            catch (InvalidOperationException e)
            {
                throw CheckpointErrors.CorruptData($"The manifest {origin} is malformed: {e.Message}", origin, e);
            }
            catch (FormatException e)
            {
                throw CheckpointErrors.CorruptData($"The manifest {origin} is malformed: {e.Message}", origin, e);
            }
            catch (ManifestFormatException e)
            {
                throw CheckpointErrors.CorruptData($"The manifest {origin} is malformed: {e.Message}.", origin, e);
            }
        }

        /// <summary>The entries array, from its start to its end.</summary>
        private static void ReadEntries(ref Utf8JsonReader reader, List<ManifestEntry> entries)
        {
            var chunkList = new List<ChunkRef>(); // reused: each file's chunks are copied out into an array
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Bad("an entry is not an object");
                }

                string? path = null;
                string? type = null;
                string? target = null;
                long? size = null;
                int? mode = null;
                long? mtime = null;
                ChunkRef[]? chunks = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    // In the order the writer puts them.
                    if (reader.ValueTextEquals("type"u8))
                    {
                        type = Str(ref reader, "type");
                    }
                    else if (reader.ValueTextEquals("path"u8))
                    {
                        path = Str(ref reader, "path");
                    }
                    else if (reader.ValueTextEquals("size"u8))
                    {
                        size = Long(ref reader, "size");
                    }
                    else if (reader.ValueTextEquals("mode"u8))
                    {
                        mode = Int(ref reader, "mode");
                    }
                    else if (reader.ValueTextEquals("mtime"u8))
                    {
                        mtime = Number(ref reader, "mtime");
                    }
                    else if (reader.ValueTextEquals("target"u8))
                    {
                        target = Str(ref reader, "target");
                    }
                    else if (reader.ValueTextEquals("chunks"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            chunks = ReadChunks(ref reader, path, chunkList);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                    else
                    {
                        // TrySkip, not Skip: Skip refuses any reader over a start of a document (ParseHeader's), even for a
                        // plain value such as "time"; TrySkip says false only when the value runs past the bytes given.
                        reader.Read();
                        if (!reader.TrySkip())
                        {
                            throw new InvalidOperationException("the start given ends inside a value");
                        }
                    }
                }

                var entry = new ManifestEntry { Path = path ?? throw Bad("'path' is missing or not a string") };
                entry.Type = (type ?? throw Bad("'type' is missing or not a string")) switch
                {
                    "file" => EntryType.File,
                    "dir" => EntryType.Directory,
                    "symlink" => EntryType.Symlink,
                    _ => throw Bad($"entry '{entry.Path}' has the unknown type '{type}'"),
                };
                entry.Mode = mode;
                if (mtime != null)
                {
                    if (mtime.Value < DateTime.MinValue.Ticks || mtime.Value > DateTime.MaxValue.Ticks)
                    {
                        throw Bad($"entry '{entry.Path}' has an impossible modification time");
                    }

                    entry.ModifiedUtc = new DateTime(mtime.Value, DateTimeKind.Utc);
                }

                if (entry.Type == EntryType.Symlink)
                {
                    entry.Target = target ?? throw Bad("'target' is missing or not a string");
                }

                if (entry.Type == EntryType.File)
                {
                    entry.Size = size ?? throw Bad("'size' is missing or not a number");
                    if (chunks == null)
                    {
                        throw Bad($"file '{entry.Path}' has no chunk list");
                    }

                    long total = 0;
                    foreach (var chunk in chunks)
                    {
                        total += chunk.Size;
                    }

                    if (total != entry.Size)
                    {
                        throw Bad($"file '{entry.Path}' is {entry.Size} bytes but its chunks add up to {total}");
                    }

                    entry.Chunks = chunks;
                }

                entries.Add(entry);
            }
        }

        /// <summary>A chunk list, from its start to its end: [hash, size, stored] each.</summary>
        private static ChunkRef[] ReadChunks(ref Utf8JsonReader reader, string? path, List<ChunkRef> list)
        {
            list.Clear();
            var file = path ?? "(unnamed)";
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    throw Bad($"file '{file}' has a malformed chunk reference");
                }

                var hash = reader.GetString() ?? string.Empty;
                if (!ChunkStore.IsHash(hash))
                {
                    throw Bad($"file '{file}' names the chunk '{hash}', which is not a SHA-256 in lower-case hex");
                }

                if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
                {
                    throw Bad($"file '{file}' has a malformed chunk reference");
                }

                var size = reader.GetInt32();
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
                {
                    throw Bad($"file '{file}' has a malformed chunk reference");
                }

                var stored = reader.GetInt32();
                if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                {
                    throw Bad($"file '{file}' has a malformed chunk reference");
                }

                if (size <= 0 || size > ChunkStore.MaxChunkSize || stored < 0)
                {
                    throw Bad($"file '{file}' has a chunk of impossible size {size}");
                }

                list.Add(new ChunkRef(hash, size, stored));
            }

            return list.ToArray();
        }

        /// <summary>
        /// Refuses entries that could write outside a destination: absolute or rooted paths, drive letters, '..' or
        /// '.' segments, empty segments, duplicates, and any entry beneath a symbolic link of the same checkpoint.
        /// </summary>
        public void EnsureSafePaths()
        {
            var seen = new HashSet<string>(Platform.IsWindows ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
            var links = new HashSet<string>(seen.Comparer);
            foreach (var entry in Entries)
            {
                var why = PathProblem(entry.Path);
                if (why != null)
                {
                    throw CheckpointErrors.Unsafe(entry.Path, why, Id);
                }

                if (!seen.Add(entry.Path))
                {
                    throw CheckpointErrors.Unsafe(entry.Path, "it appears twice in the checkpoint", Id);
                }

                if (entry.Type == EntryType.Symlink)
                {
                    links.Add(entry.Path);
                }
            }

            if (links.Count == 0)
            {
                return;
            }

            foreach (var entry in Entries)
            {
                var slash = entry.Path.LastIndexOf('/');
                while (slash > 0)
                {
                    var parent = entry.Path.Substring(0, slash);
                    if (links.Contains(parent))
                    {
                        throw CheckpointErrors.Unsafe(entry.Path, $"it lies beneath the symbolic link '{parent}', so writing it would follow the link", Id);
                    }

                    slash = parent.LastIndexOf('/');
                }
            }
        }

        internal static string? PathProblem(string path)
        {
            if (string.IsNullOrEmpty(path))
            {
                return "the path is empty";
            }

            if (path.IndexOf('\0') >= 0)
            {
                return "the path contains a NUL character";
            }

            if (path[0] == '/' || path[0] == '\\')
            {
                return "the path is absolute";
            }

            if (path.Length >= 2 && path[1] == ':' && ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')))
            {
                return "the path starts with a drive letter";
            }

            if (Platform.IsWindows && (path.IndexOf('\\') >= 0 || path.IndexOf(':') >= 0))
            {
                return "the path contains a backslash or colon";
            }

            foreach (var segment in path.Split('/'))
            {
                if (segment.Length == 0)
                {
                    return "the path has an empty segment";
                }

                if (segment == "." || segment == "..")
                {
                    return "the path has a '" + segment + "' segment";
                }

                if (Platform.IsWindows && segment.Trim(' ', '.').Length == 0)
                {
                    return "the path has a segment of dots and spaces";
                }
            }

            return null;
        }

        private static ManifestFormatException Bad(string message) => new ManifestFormatException(message);

        // The value of the property the reader is on (the reader moves onto it).
        private static string Str(ref Utf8JsonReader reader, string name)
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.String)
            {
                throw Bad($"'{name}' is missing or not a string");
            }

            return reader.GetString()!;
        }

        private static string? OptStr(ref Utf8JsonReader reader, string name)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                throw Bad($"'{name}' is not a string");
            }

            return reader.GetString();
        }

        private static int Int(ref Utf8JsonReader reader, string name)
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
            {
                throw Bad($"'{name}' is missing or not a number");
            }

            return reader.GetInt32();
        }

        private static long Number(ref Utf8JsonReader reader, string name)
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
            {
                throw Bad($"'{name}' is not a number");
            }

            return reader.GetInt64();
        }

        private static long Long(ref Utf8JsonReader reader, string name)
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
            {
                throw Bad($"'{name}' is missing or not a number");
            }

            var number = reader.GetInt64();
            if (number < 0)
            {
                throw Bad($"'{name}' is negative");
            }

            return number;
        }

        private sealed class ManifestFormatException : Exception
        {
            public ManifestFormatException(string message) : base(message)
            {
            }
        }
    }
}
