using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
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

        /// <summary>When the capture started reading (files modified before it and unchanged since may be reused unread).</summary>
        public DateTime? Started { get; set; }

        public long Files { get; set; }

        public long Size { get; set; }

        public long StoredSize { get; set; }

        public long NewData { get; set; }

        public List<ManifestEntry> Entries { get; set; } = new List<ManifestEntry>();

        [MethodImpl(Jit.OptimizeAtFirstCall)]
        public byte[] ToJson()
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
            {
                writer.WriteStartObject();
                writer.WriteNumber("format", Format);
                writer.WriteString("id", Id);
                writer.WriteString("time", Time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                writer.WriteString("source", Source);
                if (Name != null)
                {
                    writer.WriteString("name", Name);
                }

                writer.WriteString("kind", Kind);
                if (Host != null)
                {
                    writer.WriteString("host", Host);
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
                foreach (var entry in Entries)
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", entry.Type == EntryType.File ? "file" : entry.Type == EntryType.Directory ? "dir" : "symlink");
                    writer.WriteString("path", entry.Path);
                    if (entry.Type == EntryType.File)
                    {
                        writer.WriteNumber("size", entry.Size);
                    }

                    if (entry.Mode != null)
                    {
                        writer.WriteNumber("mode", entry.Mode.Value);
                    }

                    if (entry.ModifiedUtc != null)
                    {
                        writer.WriteNumber("mtime", entry.ModifiedUtc.Value.Ticks);
                    }

                    if (entry.Target != null)
                    {
                        writer.WriteString("target", entry.Target);
                    }

                    if (entry.Type == EntryType.File)
                    {
                        writer.WriteStartArray("chunks");
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
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            return stream.ToArray();
        }

        /// <summary>Reads a manifest; anything malformed is <c>CheckpointCorrupt</c> naming <paramref name="origin"/>.</summary>
        [MethodImpl(Jit.OptimizeAtFirstCall)]
        public static Manifest Parse(byte[] json, string origin)
        {
            try
            {
                using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw Bad("the document is not a JSON object");
                }

                var manifest = new Manifest
                {
                    Format = Int(root, "format"),
                    Id = Str(root, "id"),
                    Source = Str(root, "source"),
                    Name = OptStr(root, "name"),
                    Kind = OptStr(root, "kind") ?? FolderKind,
                    Host = OptStr(root, "host"),
                    Files = Long(root, "files"),
                    Size = Long(root, "size"),
                    StoredSize = Long(root, "storedSize"),
                    NewData = Long(root, "newData"),
                };
                if (manifest.Format != CurrentFormat)
                {
                    throw Bad($"format {manifest.Format} is not supported (this module reads format {CurrentFormat})");
                }

                if (!CheckpointTime.TryParse(manifest.Id, out var time))
                {
                    throw Bad($"the id '{manifest.Id}' is not a checkpoint time");
                }

                manifest.Time = time;
                if (root.TryGetProperty("started", out var started))
                {
                    var ticks = started.GetInt64();
                    if (ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks)
                    {
                        manifest.Started = new DateTime(ticks, DateTimeKind.Utc);
                    }
                }

                if (!root.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
                {
                    throw Bad("'entries' is missing");
                }

                foreach (var item in entries.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        throw Bad("an entry is not an object");
                    }

                    var entry = new ManifestEntry { Path = Str(item, "path") };
                    var type = Str(item, "type");
                    entry.Type = type switch
                    {
                        "file" => EntryType.File,
                        "dir" => EntryType.Directory,
                        "symlink" => EntryType.Symlink,
                        _ => throw Bad($"entry '{entry.Path}' has the unknown type '{type}'"),
                    };
                    if (item.TryGetProperty("mode", out var mode))
                    {
                        entry.Mode = mode.GetInt32();
                    }

                    if (item.TryGetProperty("mtime", out var mtime))
                    {
                        var ticks = mtime.GetInt64();
                        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
                        {
                            throw Bad($"entry '{entry.Path}' has an impossible modification time");
                        }

                        entry.ModifiedUtc = new DateTime(ticks, DateTimeKind.Utc);
                    }

                    if (entry.Type == EntryType.Symlink)
                    {
                        entry.Target = Str(item, "target");
                    }

                    if (entry.Type == EntryType.File)
                    {
                        entry.Size = Long(item, "size");
                        if (!item.TryGetProperty("chunks", out var chunks) || chunks.ValueKind != JsonValueKind.Array)
                        {
                            throw Bad($"file '{entry.Path}' has no chunk list");
                        }

                        var list = new List<ChunkRef>(chunks.GetArrayLength());
                        long total = 0;
                        foreach (var chunk in chunks.EnumerateArray())
                        {
                            if (chunk.ValueKind != JsonValueKind.Array || chunk.GetArrayLength() != 3)
                            {
                                throw Bad($"file '{entry.Path}' has a malformed chunk reference");
                            }

                            var hash = chunk[0].GetString() ?? string.Empty;
                            if (!ChunkStore.IsHash(hash))
                            {
                                throw Bad($"file '{entry.Path}' names the chunk '{hash}', which is not a SHA-256 in lower-case hex");
                            }

                            var size = chunk[1].GetInt32();
                            var stored = chunk[2].GetInt32();
                            if (size <= 0 || size > ChunkStore.MaxChunkSize || stored < 0)
                            {
                                throw Bad($"file '{entry.Path}' has a chunk of impossible size {size}");
                            }

                            total += size;
                            list.Add(new ChunkRef(hash, size, stored));
                        }

                        if (total != entry.Size)
                        {
                            throw Bad($"file '{entry.Path}' is {entry.Size} bytes but its chunks add up to {total}");
                        }

                        entry.Chunks = list;
                    }

                    manifest.Entries.Add(entry);
                }

                return manifest;
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

        [MethodImpl(Jit.OptimizeAtFirstCall)]
        private static string Str(JsonElement element, string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
            {
                throw Bad($"'{name}' is missing or not a string");
            }

            return value.GetString()!;
        }

        [MethodImpl(Jit.OptimizeAtFirstCall)]
        private static string? OptStr(JsonElement element, string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                throw Bad($"'{name}' is not a string");
            }

            return value.GetString();
        }

        [MethodImpl(Jit.OptimizeAtFirstCall)]
        private static int Int(JsonElement element, string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number)
            {
                throw Bad($"'{name}' is missing or not a number");
            }

            return value.GetInt32();
        }

        [MethodImpl(Jit.OptimizeAtFirstCall)]
        private static long Long(JsonElement element, string name)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number)
            {
                throw Bad($"'{name}' is missing or not a number");
            }

            var number = value.GetInt64();
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
