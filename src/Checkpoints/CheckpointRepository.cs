using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using Daytona.Common;

namespace Daytona.Checkpoints
{
    /// <summary>Settings of a repository instance (not stored).</summary>
    public sealed class RepositoryOptions
    {
        /// <summary>How long a writer waits for another writer's lock before <c>CheckpointRepositoryLocked</c>.</summary>
        public TimeSpan LockWait { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>zstd level of new chunks.</summary>
        public int CompressionLevel { get; set; } = 1;

        /// <summary>Flush every written file to the disk before it is renamed into place.</summary>
        public bool Durable { get; set; } = true;

        /// <summary>Threads hashing and compressing (or decompressing) chunks.</summary>
        public int Workers { get; set; } = Math.Max(1, Math.Min(Environment.ProcessorCount, 8));

        /// <summary>The clock; tests may move it.</summary>
        public Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;
    }

    /// <summary>
    /// A checkpoint repository: a folder holding
    /// <list type="bullet">
    /// <item><c>format</c>: the format name and version;</item>
    /// <item><c>packs/xx/&lt;id&gt;.pack</c> and <c>.idx</c>: zstd-compressed chunks, each stored once (see <see cref="ChunkStore"/>);</item>
    /// <item><c>checkpoints/&lt;id&gt;.json</c>: one manifest per checkpoint (see <see cref="Manifest"/>), written last;</item>
    /// <item><c>catalog.json</c>: a summary of every checkpoint for fast listing, rebuilt from the manifests when stale;</item>
    /// <item><c>lock</c>: the writer lock (see <see cref="RepositoryLock"/>); <c>tmp/</c>: a writer's temporary files.</item>
    /// </list>
    /// Readers take no lock: every file they read is renamed into place complete.
    /// </summary>
    public sealed partial class CheckpointRepository
    {
        public const string FormatName = "daytona-checkpoints";
        public const int FormatVersion = 1;

        private readonly string _checkpoints;
        private readonly string _temp;
        private readonly string _catalog;
        private readonly string _dirty;

        private CheckpointRepository(string root, RepositoryOptions options)
        {
            Root = root;
            Options = options;
            _checkpoints = Path.Combine(root, "checkpoints");
            _temp = Path.Combine(root, "tmp");
            _catalog = Path.Combine(root, "catalog.json");
            _dirty = Path.Combine(root, "tmp", "dirty");
            Store = new ChunkStore(Path.Combine(root, "packs"), _temp, options.CompressionLevel, options.Durable);
        }

        public string Root { get; }

        public RepositoryOptions Options { get; }

        public ChunkStore Store { get; }

        /// <summary>Opens an existing repository; <c>CheckpointRepositoryInvalid</c> when the folder is not one.</summary>
        public static CheckpointRepository Open(string path, RepositoryOptions? options = null)
        {
            var root = Normalize(path);
            var format = Path.Combine(root, "format");
            if (!Directory.Exists(root))
            {
                throw CheckpointErrors.Create(CheckpointErrors.RepositoryInvalid, ErrorKind.ObjectNotFound,
                    $"The checkpoint repository {root} does not exist.", root, "Create it with New-Checkpoint -Repository <folder>, or pass the right folder.");
            }

            if (!File.Exists(format))
            {
                throw CheckpointErrors.Create(CheckpointErrors.RepositoryInvalid, ErrorKind.InvalidData,
                    $"The folder {root} is not a checkpoint repository (it has no 'format' file).", root, "Pass the folder New-Checkpoint created.");
            }

            var text = File.ReadAllText(format).Trim();
            var expected = FormatName + " " + FormatVersion.ToString(CultureInfo.InvariantCulture);
            if (!string.Equals(text, expected, StringComparison.Ordinal))
            {
                throw CheckpointErrors.Create(CheckpointErrors.RepositoryInvalid, ErrorKind.InvalidData,
                    $"The checkpoint repository {root} has the format '{text}'; this module reads '{expected}'.", root, "Use the module version that wrote the repository.");
            }

            return new CheckpointRepository(root, options ?? new RepositoryOptions());
        }

        /// <summary>Opens a repository, creating an empty one when the folder is missing or empty.</summary>
        public static CheckpointRepository OpenOrCreate(string path, RepositoryOptions? options = null)
        {
            var root = Normalize(path);
            if (!File.Exists(Path.Combine(root, "format")))
            {
                if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
                {
                    throw CheckpointErrors.Create(CheckpointErrors.RepositoryInvalid, ErrorKind.InvalidArgument,
                        $"The folder {root} is neither a checkpoint repository nor empty.", root, "Pass an empty or new folder, or an existing repository.");
                }

                Directory.CreateDirectory(root);
                Directory.CreateDirectory(Path.Combine(root, "packs"));
                Directory.CreateDirectory(Path.Combine(root, "checkpoints"));
                Directory.CreateDirectory(Path.Combine(root, "tmp"));
                var temp = Path.Combine(root, "tmp", "format." + Guid.NewGuid().ToString("N"));
                File.WriteAllText(temp, FormatName + " " + FormatVersion.ToString(CultureInfo.InvariantCulture) + "\n");
                try
                {
                    File.Move(temp, Path.Combine(root, "format"));
                }
                catch (IOException) when (File.Exists(Path.Combine(root, "format")))
                {
                    File.Delete(temp);
                }
            }

            return Open(root, options);
        }

        public static string Normalize(string path)
        {
            var full = Path.GetFullPath(path);
            var trimmed = full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return trimmed.Length == 0 || (trimmed.Length == 2 && trimmed[1] == ':') ? full : trimmed;
        }

        // ---------------------------------------------------------------- listing and lookup

        /// <summary>The ids of every committed checkpoint, oldest first (from the manifest file names).</summary>
        public IReadOnlyList<string> ListIds()
        {
            if (!Directory.Exists(_checkpoints))
            {
                return Array.Empty<string>();
            }

            var ids = new List<string>();
            foreach (var file in Directory.EnumerateFiles(_checkpoints, "*.json"))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (CheckpointTime.TryParse(name, out _))
                {
                    ids.Add(name);
                }
            }

            ids.Sort(StringComparer.Ordinal);
            return ids;
        }

        /// <summary>Every checkpoint, oldest first; with <paramref name="source"/>, only those of that source.</summary>
        public IReadOnlyList<Checkpoint> List(string? source = null)
        {
            var all = LoadCatalog(persist: false);
            return source == null ? all : all.Where(c => SameSource(c.Source, source)).ToList();
        }

        /// <summary>The checkpoint with this id; <c>CheckpointNotFound</c> when there is none.</summary>
        public Checkpoint Get(string id)
        {
            CheckpointTime.Parse(id);
            var manifest = ReadManifest(id);
            return Checkpoint.From(manifest, Root);
        }

        /// <summary>
        /// Pulp's lookup: the newest checkpoint at or before <paramref name="instantUtc"/> (truncated to the second), with
        /// <see cref="Checkpoint.ExactMatch"/> set. A future instant is <c>CheckpointTimeInFuture</c>; an instant before
        /// the first checkpoint is <c>CheckpointNotFound</c>.
        /// </summary>
        public Checkpoint FindAt(DateTime instantUtc, string? source = null)
        {
            var instant = CheckpointTime.Truncate(instantUtc.Kind == DateTimeKind.Local ? instantUtc.ToUniversalTime() : instantUtc);
            var now = Options.UtcNow();
            if (instant > now)
            {
                throw CheckpointErrors.Create(CheckpointErrors.TimeInFuture, ErrorKind.InvalidArgument,
                    $"{CheckpointTime.ToId(instant)} is in the future (it is {CheckpointTime.ToId(now)} now): a lookup by a future time would not be reproducible.",
                    CheckpointTime.ToId(instant), "Ask for an instant at or before now, or list the checkpoints with Get-Checkpoint.");
            }

            var index = new CheckpointIndex<Checkpoint>(List(source), c => c.Time);
            if (!index.TryFindAtOrBefore(instant, out var found, out var exact))
            {
                throw CheckpointErrors.NotFoundAt(
                    index.Count == 0
                        ? $"The repository {Root} holds no checkpoint{(source == null ? string.Empty : " of " + source)}."
                        : $"No checkpoint{(source == null ? string.Empty : " of " + source)} exists at or before {CheckpointTime.ToId(instant)}; the first is {index.Items[0].Id}.",
                    CheckpointTime.ToId(instant));
            }

            var result = found.Copy();
            result.ExactMatch = exact;
            return result;
        }

        /// <summary>The manifest of a checkpoint; <c>CheckpointNotFound</c> or <c>CheckpointCorrupt</c>.</summary>
        public Manifest ReadManifest(string id)
        {
            CheckpointTime.Parse(id);
            var path = ManifestPath(id);
            byte[]? buffer = null;
            try
            {
                // Read into a pooled buffer: a manifest of many files is megabytes, read once and dropped.
                int length;
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1))
                {
                    if (stream.Length > int.MaxValue - 1)
                    {
                        throw CheckpointErrors.CorruptData($"The manifest {path} is too large to be one.", path);
                    }

                    buffer = ArrayPool<byte>.Shared.Rent((int)stream.Length + 1);
                    length = 0;
                    int read;
                    while ((read = stream.Read(buffer, length, buffer.Length - length)) > 0)
                    {
                        length += read;
                        if (length == buffer.Length)
                        {
                            throw CheckpointErrors.CorruptData($"The manifest {path} grew while it was read.", path);
                        }
                    }
                }

                var manifest = Manifest.Parse(new ReadOnlySpan<byte>(buffer, 0, length), path);
                if (manifest.Id != id)
                {
                    throw CheckpointErrors.CorruptData($"The manifest {path} describes checkpoint {manifest.Id}, not {id}.", path);
                }

                return manifest;
            }
            catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
            {
                throw CheckpointErrors.NotFoundAt($"The repository {Root} holds no checkpoint {id}.", id);
            }
            finally
            {
                if (buffer != null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        internal string ManifestPath(string id) => Path.Combine(_checkpoints, id + ".json");

        internal static bool SameSource(string a, string b)
        {
            if (string.Equals(a, b, StringComparison.Ordinal))
            {
                return true;
            }

            return Platform.IsWindows && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        }

        // ---------------------------------------------------------------- rename and remove

        /// <summary>Changes the label of a checkpoint (its time never changes).</summary>
        public Checkpoint Rename(string id, string? name, CancellationToken cancellationToken = default)
        {
            using var writer = BeginWrite(cancellationToken);
            var manifest = ReadManifest(id);
            manifest.Name = string.IsNullOrEmpty(name) ? null : name;
            // The catalog goes first so a crash between the two writes leaves it to be rebuilt, never stale.
            DeleteIfExists(_catalog);
            WriteFileAtomically(ManifestPath(id), manifest.WriteTo);
            LoadCatalog(persist: true);
            return Checkpoint.From(manifest, Root);
        }

        /// <summary>Removes a checkpoint and reclaims every chunk no other checkpoint references; returns the bytes freed.</summary>
        public long Remove(string id, CancellationToken cancellationToken = default)
        {
            using var writer = BeginWrite(cancellationToken);
            var path = ManifestPath(id);
            if (!File.Exists(path))
            {
                throw CheckpointErrors.NotFoundAt($"The repository {Root} holds no checkpoint {id}.", id);
            }

            File.Delete(path);
            LoadCatalog(persist: true);
            return Sweep(cancellationToken);
        }

        /// <summary>Deletes every chunk no manifest references; returns the bytes freed. Runs under the writer lock.</summary>
        private long Sweep(CancellationToken cancellationToken)
        {
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in ListIds())
            {
                cancellationToken.ThrowIfCancellationRequested();
                Manifest manifest;
                try
                {
                    manifest = ReadManifest(id);
                }
                catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.Corrupt)
                {
                    // A manifest that cannot be read could reference anything: reclaim nothing.
                    return 0;
                }

                foreach (var entry in manifest.Entries)
                {
                    foreach (var chunk in entry.Chunks)
                    {
                        referenced.Add(chunk.Hash);
                    }
                }
            }

            return Store.Sweep(referenced, cancellationToken);
        }

        // ---------------------------------------------------------------- writer session

        /// <summary>Takes the writer lock and cleans what a writer that died left behind.</summary>
        internal WriterSession BeginWrite(CancellationToken cancellationToken)
        {
            var writerLock = RepositoryLock.Acquire(Root, Options.LockWait, cancellationToken);
            try
            {
                Directory.CreateDirectory(_temp);
                var dirty = File.Exists(_dirty);
                foreach (var entry in Directory.EnumerateFileSystemEntries(_temp))
                {
                    if (string.Equals(entry, _dirty, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (Directory.Exists(entry))
                    {
                        Directory.Delete(entry, recursive: true);
                    }
                    else
                    {
                        File.Delete(entry);
                    }
                }

                if (dirty)
                {
                    // A capture or import died after writing chunks: reclaim the ones no checkpoint references.
                    Sweep(cancellationToken);
                    File.Delete(_dirty);
                }

                // Packs other writers added since this store read its indexes; a store that has read none reads them
                // all at its first lookup (a capture of files unchanged since the previous checkpoint needs none).
                Store.RefreshIfLoaded();
                return new WriterSession(this, writerLock);
            }
            catch
            {
                writerLock.Dispose();
                throw;
            }
        }

        internal sealed class WriterSession : IDisposable
        {
            private readonly CheckpointRepository _repository;
            private readonly RepositoryLock _lock;

            public WriterSession(CheckpointRepository repository, RepositoryLock writerLock)
            {
                _repository = repository;
                _lock = writerLock;
            }

            /// <summary>Marks that chunks may be written that no manifest references yet (cleared by <see cref="Clean"/>).</summary>
            public void MarkDirty()
            {
                using var stream = new FileStream(_repository._dirty, FileMode.Create, FileAccess.Write);
                stream.WriteByte((byte)'1');
                stream.Flush(_repository.Options.Durable);
            }

            public void Clean() => DeleteIfExists(_repository._dirty);

            public void Dispose() => _lock.Dispose();
        }

        /// <summary>Writes a whole file through tmp/: write, flush to disk, rename over the target.</summary>
        internal void WriteFileAtomically(string path, byte[] content, bool durable = true) =>
            WriteFileAtomically(path, stream => stream.Write(content, 0, content.Length), durable);

        /// <summary>Writes a whole file through tmp/ with <paramref name="write"/>: write, flush to disk, rename over the target.</summary>
        internal void WriteFileAtomically(string path, Action<Stream> write, bool durable = true)
        {
            Directory.CreateDirectory(_temp);
            var temp = Path.Combine(_temp, Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N"));
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    write(stream);
                    stream.Flush(durable && Options.Durable);
                }

                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                ReplaceFile(temp, path);
            }
            catch
            {
                DeleteIfExists(temp);
                throw;
            }
        }

        internal static void ReplaceFile(string temp, string path) => Platform.MoveReplacing(temp, path);

        internal static void DeleteIfExists(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        // ---------------------------------------------------------------- catalog

        /// <summary>
        /// The summaries of every committed checkpoint, oldest first: <c>catalog.json</c> reconciled with the manifest
        /// file names (manifests are the truth; a crash between a manifest and the catalog only costs a re-read).
        /// </summary>
        private List<Checkpoint> LoadCatalog(bool persist, Manifest? committed = null)
        {
            var ids = ListIds();
            var known = ReadCatalogFile();
            var result = new List<Checkpoint>(ids.Count);
            var changed = known == null;
            var byId = known ?? new Dictionary<string, Checkpoint>(StringComparer.Ordinal);
            foreach (var id in ids)
            {
                if (byId.TryGetValue(id, out var summary))
                {
                    result.Add(summary);
                    continue;
                }

                changed = true;
                if (committed != null && string.Equals(committed.Id, id, StringComparison.Ordinal))
                {
                    // The manifest just written: summarized from memory rather than read back.
                    result.Add(Checkpoint.From(committed, Root));
                    continue;
                }

                try
                {
                    result.Add(Checkpoint.From(ReadManifest(id), Root));
                }
                catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.Corrupt || e.ErrorId == CheckpointErrors.NotFound)
                {
                    // Unreadable: left out of listings; Test-Checkpoint reports it.
                }
            }

            if (byId.Count != result.Count)
            {
                changed = true;
            }

            if (persist && changed)
            {
                // The catalog is a cache of the manifests: it needs no flush to the disk.
                WriteFileAtomically(_catalog, WriteCatalog(result), durable: false);
            }

            return result;
        }

        private Dictionary<string, Checkpoint>? ReadCatalogFile()
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(_catalog);
            }
            catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
            {
                return null;
            }

            try
            {
                using var document = JsonDocument.Parse(bytes);
                var map = new Dictionary<string, Checkpoint>(StringComparer.Ordinal);
                foreach (var item in document.RootElement.GetProperty("checkpoints").EnumerateArray())
                {
                    var id = item.GetProperty("id").GetString()!;
                    if (!CheckpointTime.TryParse(id, out var time))
                    {
                        return null;
                    }

                    map[id] = new Checkpoint
                    {
                        Id = id,
                        Time = time,
                        Source = item.GetProperty("source").GetString()!,
                        Name = item.TryGetProperty("name", out var name) ? name.GetString() : null,
                        Kind = item.GetProperty("kind").GetString()!,
                        Files = item.GetProperty("files").GetInt64(),
                        Size = item.GetProperty("size").GetInt64(),
                        StoredSize = item.GetProperty("storedSize").GetInt64(),
                        NewData = item.GetProperty("newData").GetInt64(),
                        Repository = Root,
                    };
                }

                return map;
            }
            catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException || e is FormatException)
            {
                return null;
            }
        }

        private static byte[] WriteCatalog(IEnumerable<Checkpoint> checkpoints)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteStartArray("checkpoints");
                foreach (var c in checkpoints)
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", c.Id);
                    writer.WriteString("source", c.Source);
                    if (c.Name != null)
                    {
                        writer.WriteString("name", c.Name);
                    }

                    writer.WriteString("kind", c.Kind);
                    writer.WriteNumber("files", c.Files);
                    writer.WriteNumber("size", c.Size);
                    writer.WriteNumber("storedSize", c.StoredSize);
                    writer.WriteNumber("newData", c.NewData);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            return stream.ToArray();
        }

        /// <summary>Commits a manifest: picks the id (waiting for the next second if needed), writes it last, updates the catalog.</summary>
        internal Manifest Commit(Manifest manifest, CancellationToken cancellationToken)
        {
            var ids = ListIds();
            var latest = ids.Count == 0 ? (DateTime?)null : CheckpointTime.Parse(ids[ids.Count - 1]);
            var now = CheckpointTime.Truncate(Options.UtcNow());
            if (latest != null && now <= latest.Value)
            {
                var wait = latest.Value.AddSeconds(1) - Options.UtcNow();
                if (wait > TimeSpan.FromSeconds(5))
                {
                    throw CheckpointErrors.Create(CheckpointErrors.TimeInFuture, ErrorKind.InvalidOperation,
                        $"The newest checkpoint {ids[ids.Count - 1]} is in the future of this machine's clock ({CheckpointTime.ToId(now)}).",
                        Root, "Correct the system clock.");
                }

                // Two checkpoints never share a second: wait for the next one rather than shadow the earlier checkpoint.
                while (CheckpointTime.Truncate(Options.UtcNow()) <= latest.Value)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var remaining = latest.Value.AddSeconds(1) - Options.UtcNow();
                    Thread.Sleep(remaining > TimeSpan.Zero ? remaining + TimeSpan.FromMilliseconds(5) : TimeSpan.FromMilliseconds(5));
                }

                now = CheckpointTime.Truncate(Options.UtcNow());
            }

            manifest.Time = now;
            manifest.Id = CheckpointTime.ToId(now);
            manifest.Host = Environment.MachineName;
            WriteFileAtomically(ManifestPath(manifest.Id), manifest.WriteTo);
            LoadCatalog(persist: true, committed: manifest);
            return manifest;
        }
    }
}
