using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Checkpoints.Catalog;
using Daytona.Checkpoints.Pruning;
using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Cache;
using Daytona.Checkpoints.Storage.Folder;
using Daytona.Common;
using Daytona.Common.Diagnostics;

namespace Daytona.Checkpoints
{
    /// <summary>Settings of a repository instance (not stored).</summary>
    public sealed class RepositoryOptions
    {
        /// <summary>How long an exclusive operation (prune, removal, rename) waits for another's lease before <c>CheckpointRepositoryLocked</c>.</summary>
        public TimeSpan LockWait { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>zstd level of new chunks.</summary>
        public int CompressionLevel { get; set; } = 1;

        /// <summary>Compress with the system's libzstd where it can be used (64-bit Linux); false: always with ZstdSharp.</summary>
        public bool NativeCompression { get; set; } = true;

        /// <summary>Flush every written file to the disk before it is renamed into place (folder repositories).</summary>
        public bool Durable { get; set; } = true;

        /// <summary>Threads hashing and compressing (or decompressing) chunks.</summary>
        public int Workers { get; set; } = Math.Max(1, Math.Min(Environment.ProcessorCount, 8));

        /// <summary>The clock; tests may move it.</summary>
        public Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;

        /// <summary>How long a writer's marker stands without renewal before a prune takes the writer for dead (it renews every quarter of it).</summary>
        public TimeSpan WriterMarkerLifetime { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>How long a prune waits for captures under way before it leaves reclaiming to a later one.</summary>
        public TimeSpan PruneWait { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>Lines for the verbose stream (what a prune waits for, what it reclaims).</summary>
        public Action<string>? Verbose { get; set; }
    }

    /// <summary>
    /// A checkpoint repository on any storage (a folder, Azure Blob Storage, S3; see <see cref="IObjectStorage"/> and
    /// <see cref="RepositoryLayout"/> for its objects). Capture, restore, verify, compare, export, import, rename, remove
    /// and lookup go through the storage interface only, so they work the same on every backend.
    /// <para>
    /// Many processes may capture into one repository at once, without a lock: everything a capture writes is new
    /// (packs named at random, the manifest created create-only under its id), nothing it writes is ever overwritten,
    /// and ids are unique because a manifest's creation decides (the later writer takes the next free second). Only
    /// the exclusive operations — reclaiming content (<see cref="Pruner"/>, which states the invariant that keeps
    /// captures safe from it), removal and rename — take the repository's lease. Readers take nothing: every object
    /// appears whole.
    /// </para>
    /// </summary>
    public sealed partial class CheckpointRepository
    {
        public const string FormatName = "daytona-checkpoints";
        public const int FormatVersion = 1;

        /// <summary>
        /// The format of repositories created on storage that ignores create-only writes: each writer's marker lies under
        /// <c>checkpoints/~writers/</c> and claims the id it commits (see <see cref="Commit(WriterSession, Manifest, CancellationToken)"/>).
        /// Modules that read only format 1 refuse such a repository: they would look for markers in <c>writers/</c> (a
        /// prune could delete content a capture is about to reference) and create manifests under the commit lock, which
        /// does not exclude a claim.
        /// </summary>
        public const int ClaimingFormatVersion = 2;

        private CheckpointRepository(IObjectStorage storage, string? localPath, RepositoryOptions options, int format)
        {
            Format = format;
            Storage = storage;
            LocalPath = localPath;
            Options = options;
            Store = new ChunkStore(storage, options.CompressionLevel, options.NativeCompression);
            Catalog = new CheckpointCatalog(this);
            Manifests = new ManifestCache(this);
        }

        /// <summary>The storage the repository lives on.</summary>
        public IObjectStorage Storage { get; }

        /// <summary>The repository's format version (<see cref="FormatVersion"/> or <see cref="ClaimingFormatVersion"/>).</summary>
        public int Format { get; }

        /// <summary>Whether writers claim their ids in their markers (format 2) instead of creating manifests create-only.</summary>
        internal bool ClaimsIds => Format >= ClaimingFormatVersion;

        /// <summary>Where writer markers lie: <c>writers/</c> (format 1) or <c>checkpoints/~writers/</c> (format 2).</summary>
        internal string MarkersPrefix => ClaimsIds ? RepositoryLayout.WriterRecordsPrefix : RepositoryLayout.WritersPrefix;

        /// <summary>Where the repository is, as shown to users (a folder's full path or a URL; never a secret).</summary>
        public string Location => Storage.Location;

        /// <summary>The same as <see cref="Location"/> (the folder's full path for a folder repository).</summary>
        public string Root => Location;

        /// <summary>The folder of a folder repository (to keep captures and restores out of it); null on object storage.</summary>
        public string? LocalPath { get; }

        public RepositoryOptions Options { get; }

        public ChunkStore Store { get; }

        internal CheckpointCatalog Catalog { get; }

        /// <summary>Manifests in this machine's cache (object storage only).</summary>
        internal ManifestCache Manifests { get; }

        /// <summary>Opens an existing folder repository; <c>CheckpointRepositoryInvalid</c> when the folder is not one.</summary>
        public static CheckpointRepository Open(string path, RepositoryOptions? options = null)
        {
            options ??= new RepositoryOptions();
            var root = Normalize(path);
            return Open(new FolderStorage(root, options.Durable), options, root);
        }

        /// <summary>Opens the repository at a location (any storage).</summary>
        public static CheckpointRepository Open(RepositoryLocation location, RepositoryOptions? options = null, StorageOptions? storageOptions = null)
        {
            options ??= new RepositoryOptions();
            return Open(OpenStorage(location, options, storageOptions), options, location.Path);
        }

        /// <summary>Opens the repository a storage holds; <paramref name="localPath"/> is its folder when it is one.</summary>
        public static CheckpointRepository Open(IObjectStorage storage, RepositoryOptions? options = null, string? localPath = null)
        {
            options ??= new RepositoryOptions();
            using (var format = storage.Read(RepositoryLayout.FormatKey))
            {
                if (format == null)
                {
                    RefuseFile(localPath);
                    var empty = storage.List(string.Empty).Count == 0;
                    throw empty
                        ? CheckpointErrors.Create(CheckpointErrors.RepositoryInvalid, ErrorKind.ObjectNotFound,
                            $"The checkpoint repository {storage.Location} does not exist.", storage.Location, "Create it with New-Checkpoint -Repository <location>, or pass the right one.")
                        : CheckpointErrors.Create(CheckpointErrors.RepositoryInvalid, ErrorKind.InvalidData,
                            $"{storage.Location} is not a checkpoint repository (it has no 'format' object).", storage.Location, "Pass the location New-Checkpoint created.");
                }

                var version = CheckFormat(storage, Encoding.UTF8.GetString(format.Buffer, 0, format.Length));
                return new CheckpointRepository(storage, localPath, options, version);
            }
        }

        /// <summary>A repository is a folder (or object storage): a file given for one is refused as such.</summary>
        private static void RefuseFile(string? localPath)
        {
            if (localPath != null && File.Exists(localPath))
            {
                throw CheckpointErrors.Create(CheckpointErrors.RepositoryInvalid, ErrorKind.InvalidArgument,
                    $"{localPath} is a file, not a checkpoint repository (a repository is a folder).", localPath,
                    "Pass the repository's folder (or an az:// or s3:// URL), not a file.");
            }
        }

        /// <summary>Opens a folder repository, creating an empty one when the folder is missing or empty.</summary>
        public static CheckpointRepository OpenOrCreate(string path, RepositoryOptions? options = null)
        {
            options ??= new RepositoryOptions();
            var root = Normalize(path);
            return OpenOrCreate(new FolderStorage(root, options.Durable), options, root);
        }

        /// <summary>Opens the repository at a location, creating an empty one where there is nothing yet.</summary>
        public static CheckpointRepository OpenOrCreate(RepositoryLocation location, RepositoryOptions? options = null, StorageOptions? storageOptions = null)
        {
            options ??= new RepositoryOptions();
            return OpenOrCreate(OpenStorage(location, options, storageOptions), options, location.Path);
        }

        /// <summary>Opens the repository a storage holds, creating it when the storage is empty.</summary>
        public static CheckpointRepository OpenOrCreate(IObjectStorage storage, RepositoryOptions? options = null, string? localPath = null)
        {
            options ??= new RepositoryOptions();

            // A writer's storage is probed for create-only writes before its first write (unless this machine knows the
            // verdict): started now, the probe's requests run while the format is read (and a new repository listed).
            if (storage is CachingStorage caching)
            {
                Task.Run(() => caching.EnsureProbedAsync(CancellationToken.None)).ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            }

            bool exists;
            using (var format = storage.Read(RepositoryLayout.FormatKey))
            {
                // A read, not a stat: the format never changes, so this machine's cache answers it (no request).
                exists = format != null;
                Timings.Mark("repository: format read");
            }

            if (!exists)
            {
                RefuseFile(localPath);

                // Not empty: unless another process created the repository since the read above (it writes the format
                // first, so the format is there now).
                // Another writer's create-only probe (written before its first write, the format) is not content.
                if (storage.List(string.Empty).Any(o => !o.Key.StartsWith(ConditionalWriteProbe.Folder, StringComparison.Ordinal))
                    && storage.Stat(RepositoryLayout.FormatKey) == null)
                {
                    throw CheckpointErrors.Create(CheckpointErrors.RepositoryInvalid, ErrorKind.InvalidArgument,
                        $"{storage.Location} is neither a checkpoint repository nor empty.", storage.Location, "Pass an empty or new location, or an existing repository.");
                }

                // Storage that ignores create-only writes gets format 2 (writers claim ids in their markers): the probe's
                // verdict is needed first.
                if (storage is CachingStorage probed)
                {
                    probed.EnsureProbedAsync(CancellationToken.None).GetAwaiter().GetResult();
                }

                var version = storage.Traits.HonoursCreateOnly ? FormatVersion : ClaimingFormatVersion;
                var text = FormatName + " " + version.ToString(CultureInfo.InvariantCulture) + "\n";
                storage.Write(RepositoryLayout.FormatKey, Encoding.UTF8.GetBytes(text), WriteCondition.CreateOnly);
            }

            return Open(storage, options, localPath);
        }

        private static IObjectStorage OpenStorage(RepositoryLocation location, RepositoryOptions options, StorageOptions? storageOptions)
        {
            storageOptions ??= new StorageOptions();
            storageOptions.Durable = options.Durable;
            Timings.Mark("storage: opening");
            var opened = StorageFactory.Open(location, storageOptions);
            Timings.Mark("storage: opened");
            return opened;
        }

        /// <summary>The repository's format version (1 or 2); <c>CheckpointRepositoryInvalid</c> for any other.</summary>
        private static int CheckFormat(IObjectStorage storage, string content)
        {
            var text = content.Trim();
            foreach (var version in new[] { FormatVersion, ClaimingFormatVersion })
            {
                if (string.Equals(text, FormatName + " " + version.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
                {
                    return version;
                }
            }

            var expected = FormatName + " " + FormatVersion.ToString(CultureInfo.InvariantCulture) + "' or '" + FormatName + " " + ClaimingFormatVersion.ToString(CultureInfo.InvariantCulture);
            throw CheckpointErrors.Create(CheckpointErrors.RepositoryInvalid, ErrorKind.InvalidData,
                $"The checkpoint repository {storage.Location} has the format '{text}'; this module reads '{expected}'.", storage.Location, "Use the module version that wrote the repository.");
        }

        public static string Normalize(string path)
        {
            var full = Path.GetFullPath(path);
            var trimmed = full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return trimmed.Length == 0 || (trimmed.Length == 2 && trimmed[1] == ':') ? full : trimmed;
        }

        // ---------------------------------------------------------------- listing and lookup

        /// <summary>The ids of every committed checkpoint, oldest first (from the manifests themselves).</summary>
        public IReadOnlyList<string> ListIds()
        {
            var ids = new List<string>();
            foreach (var info in Storage.List(RepositoryLayout.CheckpointsPrefix))
            {
                var id = RepositoryLayout.IdOfManifestKey(info.Key);
                if (id != null)
                {
                    ids.Add(id);
                }
            }

            return ids;
        }

        /// <summary>Every checkpoint, oldest first; with <paramref name="source"/>, only those of that source.</summary>
        public IReadOnlyList<Checkpoint> List(string? source = null)
        {
            var all = Catalog.Load().All();
            return source == null ? all : all.Where(c => SameSource(c.Source, source)).ToList();
        }

        /// <summary>
        /// Every checkpoint, oldest first, or null when the list cannot have changed since the call that set
        /// <paramref name="version"/> (the same catalog generation and the same manifests after it, each at the same
        /// version): a server that lists a repository every few seconds re-reads nothing when nothing was written.
        /// </summary>
        public IReadOnlyList<Checkpoint>? ListIfChanged(ref string? version)
        {
            // A folder says without a listing that nothing was added, removed or renamed (read before the listing, so
            // a change during it shows next time).
            var folders = (Storage as FolderStorage)?.FoldersStamp(RepositoryLayout.CheckpointsPrefix, RepositoryLayout.CatalogPrefix);
            if (folders != null && version != null && version.StartsWith(folders + "#", StringComparison.Ordinal))
            {
                return null;
            }

            var view = Catalog.Load();
            var now = folders + "#" + view.ListingStamp;
            if (string.Equals(now.Substring(now.IndexOf('#')), version?.Substring(version.IndexOf('#')), StringComparison.Ordinal))
            {
                version = now;
                return null;
            }

            version = now;
            return view.All();
        }

        /// <summary>The checkpoint with this id; <c>CheckpointNotFound</c> when there is none.</summary>
        public Checkpoint Get(string id)
        {
            CheckpointTime.Parse(id);
            return Checkpoint.From(ReadManifestHeader(id, default), Location);
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

            // An instant the compacted catalog covers is answered from it alone (on object storage: no listing of
            // checkpoints/; in a folder: no reading of a folder holding every manifest); a recent one needs the listing too.
            var view = Catalog.LoadFor(instant.Ticks, default);
            var found = view.FindAtOrBefore(instant.Ticks, source, SameSource);
            if (found == null)
            {
                if (view.GenerationOnly)
                {
                    view = Catalog.Load(view.Snapshot, default); // for the first checkpoint in the message
                }

                var first = view.First(source, SameSource);
                throw CheckpointErrors.NotFoundAt(
                    first == null
                        ? $"The repository {Location} holds no checkpoint{(source == null ? string.Empty : " of " + source)}."
                        : $"No checkpoint{(source == null ? string.Empty : " of " + source)} exists at or before {CheckpointTime.ToId(instant)}; the first is {first.Id}.",
                    CheckpointTime.ToId(instant));
            }

            found.ExactMatch = found.Time.Ticks == instant.Ticks;
            return found;
        }

        /// <summary>The manifest of a checkpoint; <c>CheckpointNotFound</c> or <c>CheckpointCorrupt</c>.</summary>
        public Manifest ReadManifest(string id) => ReadManifest(id, out _);

        internal Manifest ReadManifest(string id, out string? version)
        {
            CheckpointTime.Parse(id);
            var key = RepositoryLayout.ManifestKey(id);
            using var stored = Storage.Read(key) ?? throw CheckpointErrors.NotFoundAt($"The repository {Location} holds no checkpoint {id}.", id);
            var manifest = Manifest.Parse(stored.Span, Describe(key));
            if (manifest.Id != id)
            {
                throw CheckpointErrors.CorruptData($"The manifest {Describe(key)} describes checkpoint {manifest.Id}, not {id}.", Describe(key));
            }

            version = stored.Version;
            return manifest;
        }

        /// <summary>What a manifest says about its checkpoint, without its entries (read from its first bytes).</summary>
        internal Manifest ReadManifestHeader(string id, CancellationToken cancellationToken) => ReadManifestHeader(id, null, cancellationToken);

        /// <summary>
        /// What a manifest says about its checkpoint, read from its first bytes, which are kept in this machine's cache under
        /// <paramref name="listedVersion"/> (the version a listing just showed) when there is one.
        /// </summary>
        internal Manifest ReadManifestHeader(string id, string? listedVersion, CancellationToken cancellationToken)
        {
            CheckpointTime.Parse(id);
            var key = RepositoryLayout.ManifestKey(id);
            var head = new byte[16 * 1024];
            var read = Storage.ReadRange(key, 0, head, 0, head.Length, cancellationToken);
            if (read < 0)
            {
                throw CheckpointErrors.NotFoundAt($"The repository {Location} holds no checkpoint {id}.", id);
            }

            var header = Manifest.ParseHeader(new ReadOnlySpan<byte>(head, 0, read), Describe(key));
            if (header == null)
            {
                return ReadManifest(id);
            }

            if (header.Id != id)
            {
                throw CheckpointErrors.CorruptData($"The manifest {Describe(key)} describes checkpoint {header.Id}, not {id}.", Describe(key));
            }

            Manifests.PutHead(id, head, read, listedVersion);
            return header;
        }

        /// <summary>An object of the repository as messages name it: the file of a folder repository, else location and key.</summary>
        internal string Describe(string key) =>
            LocalPath != null ? Path.Combine(LocalPath, key.Replace('/', Path.DirectorySeparatorChar)) : Location.TrimEnd('/') + "/" + key;

        internal string ManifestPath(string id) => Describe(RepositoryLayout.ManifestKey(id));

        internal static bool SameSource(string a, string b)
        {
            if (string.Equals(a, b, StringComparison.Ordinal))
            {
                return true;
            }

            return Platform.IsWindows && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        }

        // ---------------------------------------------------------------- rename, remove, prune

        /// <summary>Changes the name of a checkpoint (its time never changes).</summary>
        public Checkpoint Rename(string id, string? name, CancellationToken cancellationToken = default)
        {
            using var lease = RepositoryLease.Acquire(Storage, "renaming", Options.LockWait, cancellationToken);
            var manifest = ReadManifest(id, out var version);
            manifest.Name = string.IsNullOrEmpty(name) ? null : name;
            using (var stream = new MemoryStream())
            {
                manifest.WriteTo(stream);
                var condition = version == null ? WriteCondition.Unconditional : WriteCondition.IfVersion(version);
                var result = Storage.Write(RepositoryLayout.ManifestKey(id), stream.ToArray(), condition, lease.Token);
                if (!result.Written)
                {
                    throw CheckpointErrors.Create(CheckpointErrors.RepositoryLocked, ErrorKind.ResourceBusy,
                        $"Checkpoint {id} changed while it was renamed.", id, "Run the command again.");
                }
            }

            // The catalog's summaries follow (a generation covering this checkpoint, with its new name).
            Catalog.Forget(id);
            Catalog.WriteNext(rename: new Dictionary<string, string?> { [id] = manifest.Name }, cancellationToken: lease.Token);
            return Checkpoint.From(manifest, Location);
        }

        /// <summary>Removes a checkpoint and reclaims every chunk no other checkpoint references; returns the bytes freed.</summary>
        public long Remove(string id, CancellationToken cancellationToken = default) => Remove(new[] { id }, cancellationToken);

        /// <summary>Removes checkpoints and reclaims every chunk no remaining checkpoint references; returns the bytes freed.</summary>
        public long Remove(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
        {
            foreach (var id in ids)
            {
                CheckpointTime.Parse(id);
            }

            using var lease = RepositoryLease.Acquire(Storage, "removing checkpoints", Options.LockWait, cancellationToken);
            return RemoveHolding(lease, ids, skipMissing: false, writersWait: null).Freed;
        }

        /// <summary>
        /// Removes checkpoints holding the repository lease, then prunes: the ids still there (all of them, or
        /// <c>CheckpointNotFound</c>, unless <paramref name="skipMissing"/>) and the stored bytes freed.
        /// </summary>
        internal (IReadOnlyList<string> Removed, long Freed) RemoveHolding(RepositoryLease lease, IReadOnlyCollection<string> ids, bool skipMissing, TimeSpan? writersWait)
        {
            var present = new List<string>();
            var markers = new List<string>();
            foreach (var id in ids)
            {
                if (Storage.Stat(RepositoryLayout.ManifestKey(id), lease.Token) != null)
                {
                    present.Add(id);
                    if (TryReadWriter(id, lease.Token) is string writer)
                    {
                        markers.Add(ClaimsIds ? RepositoryLayout.WriterRecordKey(writer, id) : RepositoryLayout.WriterKey(writer));
                    }
                }
                else if (!skipMissing)
                {
                    throw CheckpointErrors.NotFoundAt($"The repository {Location} holds no checkpoint {id}.", id);
                }
            }

            if (present.Count == 0)
            {
                return (present, 0);
            }

            // The catalog first (with tombstones), so no listing shows a checkpoint whose manifest is going.
            Catalog.WriteNext(remove: present, cancellationToken: lease.Token);
            foreach (var id in present)
            {
                Storage.Delete(RepositoryLayout.ManifestKey(id), lease.Token);
            }

            // Their writers' markers too (on object storage a writer leaves its marker at commit, for the next prune to
            // delete once a manifest names it): with the manifests gone nothing names them, and the prune would take
            // them for captures still under way and wait for them to go stale.
            foreach (var marker in markers)
            {
                Storage.Delete(marker, lease.Token);
            }

            return (present, new Pruner(this, Options.Verbose, writersWait).Prune(lease));
        }

        /// <summary>The writer a committed checkpoint's manifest names; null when it names none or cannot be read.</summary>
        private string? TryReadWriter(string id, CancellationToken cancellationToken)
        {
            try
            {
                return ReadManifestHeader(id, cancellationToken).Writer;
            }
            catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.NotFound || e.ErrorId == CheckpointErrors.Corrupt)
            {
                return null;
            }
        }

        /// <summary>Reclaims the content no checkpoint references (left by removals that could not finish, or by writers that died); returns the bytes freed.</summary>
        public long Prune(CancellationToken cancellationToken = default)
        {
            using var lease = RepositoryLease.Acquire(Storage, "pruning", Options.LockWait, cancellationToken);
            return new Pruner(this, Options.Verbose).Prune(lease);
        }
    }
}
