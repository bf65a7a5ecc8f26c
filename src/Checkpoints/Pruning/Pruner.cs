using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Daytona.Checkpoints.Storage;
using Daytona.Common;

namespace Daytona.Checkpoints.Pruning
{
    /// <summary>
    /// Reclaims content no checkpoint references, while captures go on without a lock. Runs under the repository lease
    /// (one prune at a time).
    /// <para>
    /// <b>The invariant</b>: a prune deletes only packs named in its published plan, and never one that holds a chunk a
    /// committed manifest references — including every manifest a capture commits while the prune runs.
    /// </para>
    /// <para>
    /// Why it holds. The prune (1) reads every manifest and the pack indexes and picks the packs holding a chunk no
    /// manifest references (or only duplicates); (2) publishes them as its plan; (3) lists the writer markers and waits
    /// until every writer it finds has committed (its manifest names it), given up (deleted its marker) or died (its
    /// marker stopped being renewed for its lifetime, by the storage's clock; or its process is gone from this host);
    /// (4) reads the manifests committed meanwhile and keeps every chunk they reference, rewriting the live chunks of a
    /// planned pack into a new pack before it deletes the old one; (5) deletes, then removes the plan. A capture (a)
    /// writes its marker, (b) lists the manifests, which shows the plan if there is one, and from then on treats every
    /// chunk found only in a planned pack as absent — it writes it again, and re-reads a file whose previous chunks lie
    /// there. Storage is consistent after a write, so of (2)→(3) and (a)→(b) the second to happen sees the first: either
    /// the capture saw the plan and references nothing in it, or the prune saw the capture and waited for its manifest.
    /// A capture whose marker lapsed (it stalled) renews it and checks its packs against the current plan before it
    /// commits. A writer killed at any point leaves packs no manifest references and a marker that goes stale; the next
    /// prune reclaims both.
    /// </para>
    /// <para>
    /// Markers are <c>writers/&lt;writer&gt;.json</c> in a format-1 repository and <c>checkpoints/~writers/&lt;writer&gt;_&lt;id&gt;.json</c>
    /// in a format-2 one, where the marker also claims the id the writer commits (see <c>IdClaims.cs</c>) and (b) is the
    /// same one listing in which the writer checks its claim: the handshake costs a capture no request of its own. A
    /// format-2 writer that moves its claim writes its new marker before it deletes the old one, and (3) waits for writers,
    /// not keys, listing the markers again each round — so a writer that moves is never lost from the prune's sight.
    /// A committed writer's marker stays until a prune, a removal or a crowded listing deletes it; its manifest, which
    /// names it, says it is done.
    /// </para>
    /// </summary>
    internal sealed class Pruner
    {
        private readonly CheckpointRepository _repository;
        private readonly Action<string>? _progress;

        private readonly TimeSpan _writersWait;

        /// <summary>A prune that waits up to <paramref name="writersWait"/> (default: the repository's PruneWait) for the captures under way.</summary>
        public Pruner(CheckpointRepository repository, Action<string>? progress, TimeSpan? writersWait = null)
        {
            _writersWait = writersWait ?? repository.Options.PruneWait;
            _repository = repository;
            _progress = progress;
        }

        private IObjectStorage Storage => _repository.Storage;

        private ChunkStore Store => _repository.Store;

        /// <summary>Reclaims unreferenced content holding <paramref name="lease"/>; returns the stored bytes freed.</summary>
        public long Prune(RepositoryLease lease)
        {
            var token = lease.Token;

            // (1) What every manifest references, and which writers committed.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var live = new HashSet<string>(StringComparer.Ordinal);
            var committedWriters = new HashSet<string>(StringComparer.Ordinal);
            if (!ScanManifests(seen, live, committedWriters, token))
            {
                return 0;
            }

            var packs = new Dictionary<string, List<ChunkStore.IndexEntry>>(StringComparer.Ordinal);
            var orphans = new List<string>();
            foreach (var info in Storage.List(RepositoryLayout.PacksPrefix, null, token))
            {
                var pack = RepositoryLayout.PackOfIndexKey(info.Key);
                if (pack != null)
                {
                    var entries = Store.ReadIndex(pack);
                    if (entries != null)
                    {
                        packs[pack] = entries;
                    }
                }
            }

            foreach (var info in Storage.List(RepositoryLayout.PacksPrefix, null, token))
            {
                // A pack without its index: a writer killed between the two.
                if (info.Key.EndsWith(".pack", StringComparison.Ordinal))
                {
                    var pack = info.Key.Substring(info.Key.LastIndexOf('/') + 1, info.Key.Length - info.Key.LastIndexOf('/') - 1 - 5);
                    if (!packs.ContainsKey(pack) && Storage.Stat(RepositoryLayout.PackIndexKey(pack), token) == null)
                    {
                        orphans.Add(pack);
                    }
                }
            }

            var candidates = Plan(packs, live);
            candidates.AddRange(orphans);
            var markers = Storage.List(_repository.MarkersPrefix, null, token);
            if (candidates.Count == 0)
            {
                DeleteMarkers(markers, committedWriters, DateTime.MaxValue, token);
                return 0;
            }

            // (2) Publish the plan.
            var plan = new PrunePlan(LeaseHolder.ThisProcess("pruning"), candidates);
            Storage.Write(RepositoryLayout.PrunePlanKey, plan.ToJson(), WriteCondition.Unconditional, token);
            try
            {
                var planTime = Storage.Stat(RepositoryLayout.PrunePlanKey, token)?.LastModifiedUtc ?? DateTime.UtcNow;

                // (3) Wait for the writers that announced themselves before the plan.
                markers = Storage.List(_repository.MarkersPrefix, null, token);
                if (!WaitForWriters(markers, planTime, seen, live, committedWriters, token))
                {
                    _progress?.Invoke("Captures are still running: the content is reclaimed by a later removal.");
                    return 0;
                }

                // (4) Manifests committed meanwhile keep what they reference.
                if (!ScanManifests(seen, live, committedWriters, token))
                {
                    return 0;
                }

                long freed = 0;
                var kept = new HashSet<string>(StringComparer.Ordinal);
                foreach (var pair in packs)
                {
                    if (!candidates.Contains(pair.Key))
                    {
                        kept.UnionWith(pair.Value.Select(e => e.Hash));
                    }
                }

                // (5) Delete what the plan named and nothing now references; rewrite what some manifest still needs.
                foreach (var pack in candidates)
                {
                    token.ThrowIfCancellationRequested();
                    if (!packs.TryGetValue(pack, out var entries))
                    {
                        // A pack that had no index: its writer may have committed the index since.
                        var late = Store.ReadIndex(pack);
                        if (late == null)
                        {
                            freed += Length(RepositoryLayout.PackKey(pack), token);
                            Storage.Delete(RepositoryLayout.PackKey(pack), token);
                            continue;
                        }

                        entries = late;
                    }

                    var needed = entries.Where(e => live.Contains(e.Hash) && !kept.Contains(e.Hash)).ToList();
                    var length = Length(RepositoryLayout.PackKey(pack), token);
                    long rewritten = 0;
                    if (needed.Count > 0)
                    {
                        using var writer = Store.OpenWriter();
                        foreach (var entry in needed)
                        {
                            var frame = Store.ReadFrame(pack, entry);
                            if (frame != null)
                            {
                                writer.Append(entry.Hash, frame, frame.Length, isNew: false);
                                rewritten += frame.Length;
                            }
                        }

                        writer.Finish(token);
                        writer.Keep();
                        kept.UnionWith(needed.Select(e => e.Hash));
                    }

                    Store.DeletePack(pack);
                    freed += Math.Max(0, length - rewritten);
                }

                DeleteMarkers(Storage.List(_repository.MarkersPrefix, null, token), committedWriters, planTime, token);
                Store.Reload();
                return freed;
            }
            finally
            {
                Storage.Delete(RepositoryLayout.PrunePlanKey, CancellationToken.None);
            }
        }

        /// <summary>Packs with a chunk no manifest references, or only chunks another pack already holds.</summary>
        private static List<string> Plan(Dictionary<string, List<ChunkStore.IndexEntry>> packs, HashSet<string> live)
        {
            var result = new List<string>();
            var kept = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pair in packs.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var needed = pair.Value.Count(e => live.Contains(e.Hash) && !kept.Contains(e.Hash));
                if (needed == pair.Value.Count)
                {
                    kept.UnionWith(pair.Value.Select(e => e.Hash));
                }
                else
                {
                    result.Add(pair.Key);
                }
            }

            return result;
        }

        /// <summary>
        /// Reads the manifests not seen yet, adding their chunks to <paramref name="live"/>; false when one cannot be read
        /// (it could reference anything: nothing is reclaimed).
        /// </summary>
        private bool ScanManifests(HashSet<string> seen, HashSet<string> live, HashSet<string> writers, CancellationToken token)
        {
            foreach (var info in Storage.List(RepositoryLayout.CheckpointsPrefix, null, token))
            {
                var id = RepositoryLayout.IdOfManifestKey(info.Key);
                if (id == null || !seen.Add(id))
                {
                    continue;
                }

                Manifest manifest;
                try
                {
                    manifest = _repository.ReadManifest(id);
                }
                catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.NotFound)
                {
                    continue;
                }
                catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.Corrupt)
                {
                    _progress?.Invoke($"Checkpoint {id} cannot be read, so nothing is reclaimed: {e.Message}");
                    return false;
                }

                if (manifest.Writer != null)
                {
                    writers.Add(manifest.Writer);
                }

                foreach (var entry in manifest.Entries)
                {
                    foreach (var chunk in entry.Chunks)
                    {
                        live.Add(chunk.Hash);
                    }
                }
            }

            return true;
        }

        /// <summary>
        /// Waits until every writer with a marker in <paramref name="markers"/> is done: its checkpoint committed, its
        /// markers deleted, or each of them stale. Each round lists the markers again and judges writers, not keys: a
        /// format-2 writer that moves its claim writes its new marker before it deletes the old one. False when some
        /// writer still runs after the repository's prune wait.
        /// </summary>
        private bool WaitForWriters(IReadOnlyList<ObjectInfo> markers, DateTime planTime, HashSet<string> seen, HashSet<string> live, HashSet<string> writers, CancellationToken token)
        {
            var waiting = new HashSet<string>(StringComparer.Ordinal);
            foreach (var marker in markers)
            {
                if (RepositoryLayout.WriterOfKey(marker.Key) is string writer)
                {
                    waiting.Add(writer);
                }
            }

            var since = Stopwatch.StartNew();
            var lifetime = _repository.Options.WriterMarkerLifetime;
            var delay = 20;
            var current = markers;
            while (true)
            {
                var running = new HashSet<string>(StringComparer.Ordinal);
                foreach (var info in current)
                {
                    var writer = RepositoryLayout.WriterOfKey(info.Key);
                    if (writer == null || !waiting.Contains(writer) || writers.Contains(writer) || running.Contains(writer))
                    {
                        continue;
                    }

                    // The storage's clock now, as far as this prune can tell: the plan's time plus the time waited.
                    // A marker listed but gone when read says nothing yet (its writer may have moved it since the
                    // listing): only a listing that shows no live marker of a writer lets it go.
                    var storageNow = planTime + since.Elapsed;
                    using var record = Storage.Read(info.Key, token);
                    var holder = record == null ? null : LeaseHolder.TryParse(record.Span);
                    if ((holder != null && holder.IsDeadProcessOnThisHost()) || (info.LastModifiedUtc != null && storageNow - info.LastModifiedUtc.Value > lifetime))
                    {
                        continue;
                    }

                    running.Add(writer);
                    _progress?.Invoke($"Waiting for {(holder == null ? "a writer" : holder.Describe())} to finish before reclaiming content.");
                }

                // A writer no live marker stands for any more has committed, given up or died.
                waiting.IntersectWith(running);
                if (waiting.Count == 0)
                {
                    return true;
                }

                if (since.Elapsed > _writersWait)
                {
                    return false;
                }

                token.WaitHandle.WaitOne(delay);
                token.ThrowIfCancellationRequested();
                delay = Math.Min(delay * 2, 1000);
                ScanManifests(seen, live, writers, token);
                current = Storage.List(_repository.MarkersPrefix, null, token);
            }
        }

        /// <summary>Deletes the markers of committed checkpoints and of writers dead or stale before <paramref name="before"/>.</summary>
        private void DeleteMarkers(IReadOnlyList<ObjectInfo> markers, HashSet<string> committedWriters, DateTime before, CancellationToken token)
        {
            var lifetime = _repository.Options.WriterMarkerLifetime;
            foreach (var info in markers)
            {
                var writer = RepositoryLayout.WriterOfKey(info.Key);
                if (writer == null)
                {
                    continue;
                }

                var stale = info.LastModifiedUtc != null && before != DateTime.MaxValue && before - info.LastModifiedUtc.Value > lifetime;
                if (committedWriters.Contains(writer) || stale)
                {
                    Storage.Delete(info.Key, token);
                }
                else if (before == DateTime.MaxValue)
                {
                    using var record = Storage.Read(info.Key, token);
                    var holder = record == null ? null : LeaseHolder.TryParse(record.Span);
                    if (holder != null && holder.IsDeadProcessOnThisHost())
                    {
                        Storage.Delete(info.Key, token);
                    }
                }
            }
        }

        private long Length(string key, CancellationToken token) => Storage.Stat(key, token)?.Length ?? 0;
    }
}
