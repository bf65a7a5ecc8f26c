using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Cache;
using Daytona.Common;

namespace Daytona.Checkpoints.Catalog
{
    /// <summary>
    /// Reads and compacts the catalog of a repository. Design (lookups in a few requests on object storage, one small
    /// listing and one object on a folder):
    /// <list type="number">
    /// <item>Manifests are the truth: <c>checkpoints/&lt;id&gt;.json</c> exists exactly when the checkpoint does.</item>
    /// <item>Compacted generations <c>catalog/&lt;n&gt;.cat</c> (<see cref="CatalogSnapshot"/>) summarize every checkpoint up
    ///   to an id. They are immutable and created create-only; n+1 is derived from n (its summaries and tombstones) and
    ///   the manifests listed after it, so two compactions racing cannot both land, and a removal (which writes n+1
    ///   with the removed ids as tombstones before it deletes their manifests) is never undone by a compaction.</item>
    /// <item>A reader lists <c>catalog/</c> (1 request), reads the newest generation (cached forever by its key: it
    ///   never changes), and lists <c>checkpoints/</c> after the generation's last id less
    ///   <see cref="SkewMargin"/> (1 request), which also shows a prune plan; summaries of the few manifests after the
    ///   generation come from their first bytes (cached by id: the summary of a checkpoint newer than the newest
    ///   generation never changes, since a rename writes a generation that covers it). A lookup by time then reads
    ///   nothing more: 2 requests warm, 3 cold.</item>
    /// <item>A writer that sees more than <see cref="CompactAfter"/> manifests after the newest generation compacts
    ///   (best effort: losing the race is fine). Superseded generations older than the one before are deleted.</item>
    /// </list>
    /// Ids are UTC seconds chosen from each writer's clock; a writer whose clock lags could commit an id just below a
    /// generation written meanwhile, so readers list from <see cref="SkewMargin"/> before it.
    /// <para>
    /// On object storage, this machine's cache (<see cref="ObjectCache"/>) keeps the generations (immutable), the newest
    /// generation this machine saw, and the summaries of manifests by the version (ETag) the listing shows. A writer starts
    /// from the generation this machine knows instead of listing <c>catalog/</c>: an older one is harmless to a writer (it
    /// lists more manifests; ids only move forward; content is reused only from a manifest the listing shows — see
    /// <c>Capture.PreviousFiles</c>). Readers always list <c>catalog/</c>: a stale generation would show removed checkpoints.
    /// </para>
    /// </summary>
    internal sealed class CheckpointCatalog
    {
        /// <summary>How far before a generation's last id readers still list manifests (clock skew between writers).</summary>
        public static readonly TimeSpan SkewMargin = TimeSpan.FromMinutes(10);

        /// <summary>Manifests after the newest generation that make a writer compact.</summary>
        public const int CompactAfter = 64;

        private static readonly ConcurrentDictionary<string, (string Key, CatalogSnapshot Snapshot)> s_snapshots = new ConcurrentDictionary<string, (string, CatalogSnapshot)>(StringComparer.Ordinal);
        private static readonly ConcurrentDictionary<string, Checkpoint> s_summaries = new ConcurrentDictionary<string, Checkpoint>(StringComparer.Ordinal);

        private readonly CheckpointRepository _repository;

        public CheckpointCatalog(CheckpointRepository repository)
        {
            _repository = repository;
        }

        private const string NewestEntry = "state/catalog-generation";

        private IObjectStorage Storage => _repository.Storage;

        private ObjectCache? DiskCache => (Storage as CachingStorage)?.Cache;

        /// <summary>The catalog as it is now.</summary>
        public CatalogView Load(CancellationToken cancellationToken = default)
        {
            var snapshot = Newest(cancellationToken);
            return Load(snapshot, cancellationToken);
        }

        /// <summary>
        /// The catalog as a writer needs it: from the newest generation this machine knows (no listing of <c>catalog/</c>),
        /// else as <see cref="Load(CancellationToken)"/>.
        /// </summary>
        public CatalogView LoadForWriter(CancellationToken cancellationToken)
        {
            var known = DiskCache?.Get(NewestEntry, out _);
            if (known != null)
            {
                // Empty: the repository had no generation when this machine last looked.
                var key = System.Text.Encoding.UTF8.GetString(known);
                var snapshot = key.Length == 0 ? CatalogSnapshot.Empty
                    : RepositoryLayout.GenerationOfCatalogKey(key) >= 0 ? ReadGeneration(key, cancellationToken) : null;
                if (snapshot != null)
                {
                    return Load(snapshot, cancellationToken);
                }
            }

            return Load(cancellationToken);
        }

        private const string LatestEntry = "state/latest-id";

        /// <summary>The newest checkpoint id this machine saw in the repository (format 2: a writer claims a later second); null when none.</summary>
        internal string? RememberedLatest()
        {
            var known = DiskCache?.Get(LatestEntry, out _);
            var id = known == null ? null : System.Text.Encoding.UTF8.GetString(known);
            return CheckpointTime.TryParse(id, out _) ? id : null;
        }

        /// <summary>Remembers the newest checkpoint id seen (a small file in this machine's cache; no request).</summary>
        internal void RememberLatest(string? id)
        {
            if (id != null && DiskCache != null && string.CompareOrdinal(id, RememberedLatest()) > 0)
            {
                DiskCache.Put(LatestEntry, System.Text.Encoding.UTF8.GetBytes(id), null);
            }
        }

        private void Remember(string key) => DiskCache?.Put(NewestEntry, System.Text.Encoding.UTF8.GetBytes(key), null);

        /// <summary>
        /// The catalog as a lookup of the newest checkpoint at or before <paramref name="ticks"/> needs it: when the instant
        /// is at or before <see cref="ListedAfter"/> of the newest generation, the generation alone (no manifest a listing
        /// adds can be at or before it; removals and renames are in the generation), with
        /// <see cref="CatalogView.GenerationOnly"/> set; else the whole catalog, as <see cref="Load(CancellationToken)"/>.
        /// </summary>
        public CatalogView LoadFor(long ticks, CancellationToken cancellationToken)
        {
            var snapshot = Newest(cancellationToken);
            var listedAfter = ListedAfter(snapshot);
            return listedAfter != null && ticks <= listedAfter.Value
                ? new CatalogView(_repository.Location, snapshot, new List<Checkpoint>(), null, false, 0) { GenerationOnly = true }
                : Load(snapshot, cancellationToken);
        }

        /// <summary>
        /// Readers list the manifests with ids after this instant (ticks; the generation's last id less
        /// <see cref="SkewMargin"/>); null when the catalog has no generation (every manifest is listed).
        /// </summary>
        private static long? ListedAfter(CatalogSnapshot snapshot) =>
            snapshot.ThroughTicks > 0 ? snapshot.ThroughTicks - SkewMargin.Ticks : (long?)null;

        /// <summary>The catalog from <paramref name="snapshot"/> (the newest generation) and the manifests listed after it.</summary>
        internal CatalogView Load(CatalogSnapshot snapshot, CancellationToken cancellationToken)
        {
            string? startAfter = null;
            var listedAfter = ListedAfter(snapshot);
            if (listedAfter != null)
            {
                startAfter = RepositoryLayout.ManifestKey(CheckpointTime.ToId(new DateTime(listedAfter.Value, DateTimeKind.Utc)));
            }

            var listed = Storage.List(RepositoryLayout.CheckpointsPrefix, startAfter, cancellationToken);
            var recent = new List<Checkpoint>();
            var versions = new Dictionary<string, string?>(StringComparer.Ordinal);
            var pruneRunning = false;
            var hasSettings = false;
            string? latest = null;
            var uncompacted = 0;
            var markers = new List<ObjectInfo>();
            var taken = new HashSet<string>(StringComparer.Ordinal);
            var stamp = new System.Text.StringBuilder();
            stamp.Append(snapshot.Generation).Append('/').Append(snapshot.Count).Append('/').Append(snapshot.ThroughTicks);
            foreach (var info in listed)
            {
                if (info.Key == RepositoryLayout.PrunePlanKey)
                {
                    pruneRunning = true;
                    continue;
                }

                if (info.Key == RepositoryLayout.SettingsKey)
                {
                    hasSettings = true;
                    continue;
                }

                if (info.Key.StartsWith(RepositoryLayout.WriterRecordsPrefix, StringComparison.Ordinal))
                {
                    markers.Add(info);
                    continue;
                }

                var id = RepositoryLayout.IdOfManifestKey(info.Key);
                if (id == null)
                {
                    continue;
                }

                taken.Add(id);
                var ticks = CheckpointTime.Parse(id).Ticks;
                if (snapshot.Tombstones.Contains(ticks))
                {
                    continue;
                }

                latest = id;
                versions[id] = info.Version;
                stamp.Append('|').Append(id).Append('=').Append(info.Version ?? info.Length + "@" + info.LastModifiedUtc?.Ticks);
                if (ticks <= snapshot.ThroughTicks && Array.BinarySearch(snapshot.Ticks, ticks) >= 0)
                {
                    continue;
                }

                uncompacted++;
                var summary = Summary(id, info.Version, cancellationToken);
                if (summary != null)
                {
                    recent.Add(summary);
                }
            }

            if (snapshot.Count > 0)
            {
                var newestInSnapshot = CheckpointTime.ToId(new DateTime(snapshot.Ticks[snapshot.Count - 1], DateTimeKind.Utc));
                if (latest == null || string.CompareOrdinal(newestInSnapshot, latest) > 0)
                {
                    latest = newestInSnapshot;
                }
            }

            return new CatalogView(_repository.Location, snapshot, recent, latest, pruneRunning, uncompacted, versions) { HasSettings = hasSettings, ListingStamp = stamp.ToString(), Markers = markers, Taken = taken };
        }

        /// <summary>The newest readable generation (cached by key), or the empty catalog.</summary>
        public CatalogSnapshot Newest(CancellationToken cancellationToken) => NewestWithKey(cancellationToken).Snapshot;

        private (string? Key, CatalogSnapshot Snapshot) NewestWithKey(CancellationToken cancellationToken)
        {
            var generations = Storage.List(RepositoryLayout.CatalogPrefix, null, cancellationToken)
                .Select(o => o.Key)
                .Where(k => RepositoryLayout.GenerationOfCatalogKey(k) >= 0)
                .OrderByDescending(k => k, StringComparer.Ordinal)
                .ToList();
            foreach (var key in generations)
            {
                // Null: deleted by a compaction since it was listed, or damaged (the generation before still holds, with the manifests after it).
                var snapshot = ReadGeneration(key, cancellationToken);
                if (snapshot != null)
                {
                    Remember(key);
                    return (key, snapshot);
                }
            }

            Remember(string.Empty);
            return (null, CatalogSnapshot.Empty);
        }

        /// <summary>A generation (kept in memory and, through the storage, in this machine's cache: it never changes); null when absent or damaged.</summary>
        private CatalogSnapshot? ReadGeneration(string key, CancellationToken cancellationToken)
        {
            var cacheKey = _repository.Location;
            if (s_snapshots.TryGetValue(cacheKey, out var cached) && cached.Key == key)
            {
                return cached.Snapshot;
            }

            using var stored = Storage.Read(key, cancellationToken);
            var snapshot = stored == null ? null : CatalogSnapshot.TryRead(stored.Span);
            if (snapshot != null)
            {
                s_snapshots[cacheKey] = (key, snapshot);
            }

            return snapshot;
        }

        /// <summary>
        /// The summary of a committed manifest newer than the newest generation (cached in memory and on this machine's
        /// disk by the version the listing shows: it changes only by a rename); null when it is unreadable.
        /// </summary>
        private Checkpoint? Summary(string id, string? version, CancellationToken cancellationToken)
        {
            var cacheKey = _repository.Location + "|" + id + "|" + version;
            if (s_summaries.TryGetValue(cacheKey, out var cached))
            {
                return cached.Copy();
            }

            try
            {
                var header = _repository.Manifests.ReadHeader(id, version) ?? _repository.ReadManifestHeader(id, version, cancellationToken);
                var summary = Checkpoint.From(header, _repository.Location);
                s_summaries[cacheKey] = summary;
                return summary.Copy();
            }
            catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.Corrupt || e.ErrorId == CheckpointErrors.NotFound)
            {
                // Unreadable: left out of listings; Test-Checkpoint reports it.
                return null;
            }
        }

        /// <summary>Forgets a cached summary (its manifest changed: a rename).</summary>
        public void Forget(string id)
        {
            foreach (var key in s_summaries.Keys.Where(k => k.StartsWith(_repository.Location + "|" + id + "|", StringComparison.Ordinal)).ToList())
            {
                s_summaries.TryRemove(key, out _);
            }
        }

        /// <summary>
        /// Writes the next generation: the newest one, plus every manifest listed after it, less <paramref name="remove"/>
        /// (recorded as tombstones), with <paramref name="rename"/> applied. Retries when another writer lands a generation
        /// first, up to <paramref name="attempts"/> times; returns whether one was written.
        /// </summary>
        public bool WriteNext(IReadOnlyCollection<string>? remove = null, IReadOnlyDictionary<string, string?>? rename = null, IReadOnlyCollection<Checkpoint>? add = null,
            bool dropOldTombstones = false, int attempts = 10, CancellationToken cancellationToken = default)
        {
            for (var attempt = 0; attempt < attempts; attempt++)
            {
                var (key, snapshot) = NewestWithKey(cancellationToken);
                var view = Load(snapshot, cancellationToken);
                var removed = new HashSet<long>((remove ?? Array.Empty<string>()).Select(id => CheckpointTime.Parse(id).Ticks));
                var added = new HashSet<long>((add ?? Array.Empty<Checkpoint>()).Select(c => c.Time.Ticks));
                var all = view.All().Where(c => !removed.Contains(c.Time.Ticks) && !added.Contains(c.Time.Ticks)).ToList();
                if (add != null)
                {
                    all.AddRange(add.Select(c => c.Copy()));
                    all.Sort((a, b) => a.Time.Ticks.CompareTo(b.Time.Ticks));
                }

                if (rename != null)
                {
                    foreach (var c in all)
                    {
                        if (rename.TryGetValue(c.Id, out var name))
                        {
                            c.Name = name;
                        }
                    }
                }

                var through = Math.Max(snapshot.ThroughTicks, all.Count == 0 ? 0 : all[all.Count - 1].Time.Ticks);
                through = Math.Max(through, removed.Count == 0 ? 0 : removed.Max());
                var tombstones = dropOldTombstones ? removed : new HashSet<long>(snapshot.Tombstones.Concat(removed));
                tombstones.ExceptWith(added);
                var next = snapshot.Generation + 1;
                var bytes = CatalogSnapshot.Write(next, through, all, tombstones);
                var result = Create(RepositoryLayout.CatalogKey(next), bytes, cancellationToken);
                if (result.Status == WriteStatus.Written)
                {
                    Remember(RepositoryLayout.CatalogKey(next));
                    DeleteSuperseded(next, cancellationToken);
                    return true;
                }
            }

            return false;
        }

        /// <summary>Creates a generation create-only; on storage that ignores create-only writes, as a check and a write under the commit lock.</summary>
        private WriteResult Create(string key, byte[] bytes, CancellationToken cancellationToken)
        {
            if (Storage.Traits.HonoursCreateOnly)
            {
                return Storage.Write(key, bytes, WriteCondition.CreateOnly, cancellationToken);
            }

            using var lease = Pruning.RepositoryLease.Acquire(Storage, "writing the catalog", _repository.Options.LockWait + Pruning.RepositoryLease.Duration, cancellationToken, RepositoryLayout.CommitLockKey);
            return Storage.Stat(key, lease.Token) != null
                ? new WriteResult(WriteStatus.AlreadyExists, null)
                : Storage.Write(key, bytes, WriteCondition.Unconditional, lease.Token);
        }

        /// <summary>Deletes generations older than the one before <paramref name="newest"/> (readers may still be reading that one).</summary>
        private void DeleteSuperseded(long newest, CancellationToken cancellationToken)
        {
            foreach (var info in Storage.List(RepositoryLayout.CatalogPrefix, null, cancellationToken))
            {
                var generation = RepositoryLayout.GenerationOfCatalogKey(info.Key);
                if (generation >= 0 && generation < newest - 1)
                {
                    Storage.Delete(info.Key, cancellationToken);
                }
            }
        }
    }
}
