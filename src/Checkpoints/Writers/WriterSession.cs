using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Daytona.Checkpoints.Catalog;
using Daytona.Checkpoints.Pruning;
using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Writers;
using Daytona.Common;
using Daytona.Common.Diagnostics;

namespace Daytona.Checkpoints
{
    public sealed partial class CheckpointRepository
    {
        /// <summary>
        /// Starts a capture or an import: announces the writer (its marker), then reads the catalog — whose listing
        /// shows a prune plan if one is under way, whose packs the writer then leaves alone (see <see cref="Pruner"/>).
        /// </summary>
        /// <param name="claim">
        /// Format 2: the id the writer's marker claims (an import's own id); by default the current second, which a capture
        /// commits when it is still free and recent at its end (see <see cref="Commit(WriterSession, Manifest, CancellationToken)"/>).
        /// </param>
        internal WriterSession BeginWrite(string purpose, CancellationToken cancellationToken, string? claim = null)
        {
            claim = ClaimsIds ? claim ?? FirstClaim() : null;
            var marker = WriterMarker.Announce(Storage, purpose, Options.WriterMarkerLifetime, claim, cancellationToken);
            try
            {
                Timings.Mark("capture: writer announced");
                var view = Catalog.LoadForWriter(cancellationToken);
                Timings.Mark("capture: catalog listed");
                Store.Exclude(view.PruneRunning ? PrunePlan.ReadPacks(Storage) : null);

                // Packs other writers added since this store read its indexes; a store that has read none reads them
                // all at its first lookup (a capture of files unchanged since the previous checkpoint needs none).
                Store.RefreshIfLoaded();
                return new WriterSession(this, marker, view);
            }
            catch
            {
                marker.Dispose();
                throw;
            }
        }

        /// <summary>One capture or import under way: its marker and the catalog it started from.</summary>
        internal sealed class WriterSession : IDisposable
        {
            private readonly CheckpointRepository _repository;

            public WriterSession(CheckpointRepository repository, WriterMarker marker, CatalogView view)
            {
                _repository = repository;
                Marker = marker;
                View = view;
            }

            public WriterMarker Marker { get; }

            /// <summary>The catalog as listed after the marker's latest write (a writer that moves its claim lists again).</summary>
            public CatalogView View { get; set; }

            /// <summary>Ends the session: a committed writer's marker goes too (on object storage the next prune deletes it, saving a request).</summary>
            public void Finished() => Marker.Finish(delete: _repository.Storage.Traits.IsLocal);

            public void Dispose() => Marker.Dispose();
        }

        /// <summary>
        /// Commits a manifest as a new checkpoint: its id is the current UTC second, or the second after the newest
        /// checkpoint known, and its creation (create-only) decides — a writer that finds the second taken takes the
        /// next one. An id never lies in this machine's future: the writer waits for the second to come (up to 5 s; a
        /// newest checkpoint further ahead means a wrong clock). In a format-2 repository (storage that ignores
        /// create-only writes) the id is the second the writer's marker claimed when the capture started, if it is still
        /// free and at most 30 s old, else a second claimed anew (see IdClaims.cs).
        /// </summary>
        internal Manifest Commit(WriterSession session, Manifest manifest, CancellationToken cancellationToken) =>
            Commit(session, manifest, null, cancellationToken);

        /// <summary>
        /// Commits a manifest as <see cref="Commit(WriterSession, Manifest, CancellationToken)"/> does, from the text
        /// <see cref="PrepareCommit"/> wrote ahead when it is still good (its second has not passed), else written anew.
        /// </summary>
        internal Manifest Commit(WriterSession session, Manifest manifest, PreparedManifest? prepared, CancellationToken cancellationToken)
        {
            var lapsed = session.Marker.Lapsed;
            EnsureNotLapsed(session, manifest, cancellationToken);
            manifest.Host = Environment.MachineName;
            manifest.Writer = session.Marker.Id;
            if (ClaimsIds)
            {
                return CommitClaimed(session, manifest, lapsed, cancellationToken);
            }
            var candidate = FirstCandidate(session);
            if (prepared != null && prepared.Time >= candidate)
            {
                WaitFor(prepared.Time, cancellationToken);
                manifest.Time = prepared.Time;
                manifest.Id = CheckpointTime.ToId(prepared.Time);
                Timings.Mark("commit: moving the manifest written ahead into place");
                var result = prepared.Writer.Commit(cancellationToken);
                Timings.Mark("commit: manifest written");
                if (result.Written || IsOurs(session, manifest.Id, cancellationToken))
                {
                    Manifests.Put(manifest.Id, prepared.Bytes, result.Version);
                    return Committed(session, manifest, prepared.Bytes, prepared.Reading);
                }

                candidate = NextCandidate(prepared.Time);
            }

            for (var attempt = 0; ; attempt++)
            {
                WaitFor(candidate, cancellationToken);
                var bytes = Serialize(manifest, candidate, out var reading);
                Timings.Mark("commit: writing the manifest");
                var result = CreateManifest(manifest.Id, session.Marker.Id, bytes, cancellationToken);
                Timings.Mark("commit: manifest written");
                if (result.Written || IsOurs(session, manifest.Id, cancellationToken))
                {
                    Manifests.Put(manifest.Id, bytes, result.Version);
                    return Committed(session, manifest, bytes, reading);
                }

                // Another writer took this second: the next one.
                candidate = NextCandidate(candidate);
            }
        }

        /// <summary>
        /// Writes a manifest ahead of its commit, under the id it would take now, while the capture still checks its files
        /// (a folder repository only: the file is written in <c>tmp/</c> and its write-back started; nothing is visible
        /// until <see cref="Commit(WriterSession, Manifest, PreparedManifest, CancellationToken)"/> moves it into place).
        /// Started before the numbers of the manifest's header are counted: its entries are written meanwhile, its header
        /// once <paramref name="counted"/> has completed. Null where the commit writes the manifest itself. Dispose what it
        /// returns.
        /// </summary>
        internal PreparedManifest? PrepareCommit(WriterSession session, Manifest manifest, System.Threading.Tasks.Task counted)
        {
            if (!Storage.Traits.IsLocal || !Storage.Traits.HonoursCreateOnly)
            {
                return null;
            }

            manifest.Host = Environment.MachineName;
            manifest.Writer = session.Marker.Id;
            using var entries = ManifestEntriesText.Write(manifest);
            counted.GetAwaiter().GetResult();
            var candidate = FirstCandidate(session);
            var bytes = Serialize(manifest, candidate, entries, out var reading);
            var writer = Storage.CreateWriter(RepositoryLayout.ManifestKey(manifest.Id), WriteCondition.CreateOnly);
            try
            {
                Timings.Mark("commit: manifest serialized ahead");
                writer.Content.Write(bytes, 0, bytes.Length);
                writer.Complete();
                Timings.Mark("commit: manifest written ahead");
                return new PreparedManifest(candidate, bytes, reading, writer);
            }
            catch
            {
                writer.Dispose();
                throw;
            }
        }

        /// <summary>The id a commit tries first: this second, or the one after the newest checkpoint known.</summary>
        private DateTime FirstCandidate(WriterSession session)
        {
            var latest = session.View.LatestId == null ? (DateTime?)null : CheckpointTime.Parse(session.View.LatestId);
            var candidate = CheckpointTime.Truncate(Options.UtcNow());
            return latest != null && candidate <= latest.Value ? latest.Value.AddSeconds(1) : candidate;
        }

        private DateTime NextCandidate(DateTime taken)
        {
            var now = CheckpointTime.Truncate(Options.UtcNow());
            return now > taken ? now : taken.AddSeconds(1);
        }

        /// <summary>The manifest's text under an id (which it takes).</summary>
        private static byte[] Serialize(Manifest manifest, DateTime time) => Serialize(manifest, time, out _);

        /// <summary>
        /// The manifest's text under an id (which it takes), and for a folder's manifest what the next capture of the
        /// folder reads of it, recorded while it is written (null when it is not to be remembered).
        /// </summary>
        private static byte[] Serialize(Manifest manifest, DateTime time, out Lazy<PreviousCheckpoint?>? reading)
        {
            using var entries = ManifestEntriesText.Write(manifest);
            return Serialize(manifest, time, entries, out reading);
        }

        /// <summary>The manifest's text under an id, its entries already written (<see cref="ManifestEntriesText"/>).</summary>
        private static byte[] Serialize(Manifest manifest, DateTime time, ManifestEntriesText entries, out Lazy<PreviousCheckpoint?>? reading)
        {
            manifest.Time = time;
            manifest.Id = CheckpointTime.ToId(time);
            using var header = new MemoryStream(1024);
            manifest.WriteHeaderTo(header);
            var bytes = entries.After(header);
            reading = entries.ReadingOf(manifest, bytes);
            return bytes;
        }

        private Manifest Committed(WriterSession session, Manifest manifest, byte[] bytes, Lazy<PreviousCheckpoint?>? reading)
        {
            session.Finished();
            if (manifest.Kind == Manifest.FolderKind)
            {
                // The next capture of this source in this process reads it as its previous checkpoint: what was recorded
                // while it was written.
                LastWrittenManifest.Shared.Remember(manifest.Source, bytes, reading);
            }

            CompactIfDue(session.View);
            Timings.Mark("commit: done");
            return manifest;
        }

        /// <summary>A manifest written ahead of its commit (<see cref="PrepareCommit"/>); disposing it discards it unless committed.</summary>
        internal sealed class PreparedManifest : IDisposable
        {
            public PreparedManifest(DateTime time, byte[] bytes, Lazy<PreviousCheckpoint?>? reading, ObjectWriter writer)
            {
                Time = time;
                Bytes = bytes;
                Reading = reading;
                Writer = writer;
            }

            /// <summary>What the next capture reads of it (see <see cref="LastWrittenManifest"/>); null if nothing is to be remembered.</summary>
            public Lazy<PreviousCheckpoint?>? Reading { get; }

            /// <summary>The second it was written under (its id).</summary>
            public DateTime Time { get; }

            public byte[] Bytes { get; }

            public ObjectWriter Writer { get; }

            public void Dispose() => Writer.Dispose();
        }

        /// <summary>
        /// Creates a manifest, create-only. On storage that ignores create-only writes (the probe found so), the commit
        /// lock (<see cref="RepositoryLayout.CommitLockKey"/>, a lock object) serializes writers: under it, the id is taken
        /// only if no manifest has it yet.
        /// </summary>
        private WriteResult CreateManifest(string id, string writer, byte[] bytes, CancellationToken cancellationToken)
        {
            // The writer's marker was written before (BeginWrite), so the storage's probe has run and its traits are known.
            var key = RepositoryLayout.ManifestKey(id);
            if (Storage.Traits.HonoursCreateOnly)
            {
                return Storage.Write(key, bytes, WriteCondition.CreateOnly, cancellationToken);
            }

            using var lease = RepositoryLease.Acquire(Storage, "committing a checkpoint", Options.LockWait + RepositoryLease.Duration, cancellationToken, RepositoryLayout.CommitLockKey);
            using (var existing = Storage.Read(key, lease.Token))
            {
                if (existing != null)
                {
                    var header = Manifest.ParseHeader(existing.Span, ManifestPath(id));
                    var ours = header != null && string.Equals(header.Writer, writer, StringComparison.Ordinal);
                    return new WriteResult(ours ? WriteStatus.Written : WriteStatus.AlreadyExists, existing.Version);
                }
            }

            return Storage.Write(key, bytes, WriteCondition.Unconditional, lease.Token);
        }

        /// <summary>
        /// Whether the manifest <paramref name="id"/> that a create found already there is this writer's own — a retry of
        /// a create whose answer was lost (the server wrote it, the connection dropped, the SDK sent it again and got 409).
        /// </summary>
        private bool IsOurs(WriterSession session, string id, CancellationToken cancellationToken)
        {
            try
            {
                var header = ReadManifestHeader(id, cancellationToken);
                return header.Writer != null && string.Equals(header.Writer, session.Marker.Id, StringComparison.Ordinal);
            }
            catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.NotFound || e.ErrorId == CheckpointErrors.Corrupt)
            {
                return false;
            }
        }

        /// <summary>Waits until this machine's clock reaches <paramref name="second"/>; a second more than 5 s ahead is a clock error.</summary>
        private void WaitFor(DateTime second, CancellationToken cancellationToken, bool clockCheck = true)
        {
            var wait = second - Options.UtcNow();
            if (clockCheck && wait > TimeSpan.FromSeconds(5))
            {
                throw CheckpointErrors.Create(CheckpointErrors.TimeInFuture, ErrorKind.InvalidOperation,
                    $"The newest checkpoint of {Location} is {CheckpointTime.ToId(second.AddSeconds(-1))}, in the future of this machine's clock ({CheckpointTime.ToId(Options.UtcNow())}).",
                    Location, "Correct the system clock.");
            }

            while (CheckpointTime.Truncate(Options.UtcNow()) < second)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var remaining = second - Options.UtcNow();
                Thread.Sleep(remaining > TimeSpan.Zero ? remaining + TimeSpan.FromMilliseconds(5) : TimeSpan.FromMilliseconds(5));
            }
        }

        /// <summary>
        /// A writer whose marker may have looked dead to a prune (it stalled past half the marker's lifetime) renews it and
        /// checks that every pack its manifest references is still there and not in a prune's plan; otherwise the
        /// capture is refused (<c>CheckpointCaptureStalled</c>) rather than commit a checkpoint with missing content.
        /// </summary>
        private void EnsureNotLapsed(WriterSession session, Manifest manifest, CancellationToken cancellationToken)
        {
            if (!session.Marker.Lapsed)
            {
                return;
            }

            if (!session.Marker.Renew())
            {
                throw Stalled("its writer marker could not be renewed");
            }

            var plan = PrunePlan.ReadPacks(Storage);
            Store.Exclude(plan);
            Store.Reload();
            foreach (var hash in manifest.Entries.SelectMany(e => e.Chunks).Select(c => c.Hash).Distinct(StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!Store.TryLocate(hash, out _))
                {
                    throw Stalled("content it references is being reclaimed by a prune");
                }
            }
        }

        private DaytonaException Stalled(string why) =>
            CheckpointErrors.Create(CheckpointErrors.CaptureStalled, ErrorKind.OperationTimeout,
                $"The capture into {Location} stalled for longer than its writer marker lasts ({Options.WriterMarkerLifetime.TotalSeconds:0} s), and {why}; no checkpoint was written.",
                Location, "Capture again.");

        /// <summary>Compacts the catalog when many checkpoints came after its newest generation (best effort).</summary>
        private void CompactIfDue(CatalogView view)
        {
            if (view.Uncompacted + 1 <= CheckpointCatalog.CompactAfter)
            {
                return;
            }

            try
            {
                Catalog.WriteNext(attempts: 1);
            }
            catch (DaytonaException)
            {
                // Another writer or the next capture compacts.
            }
        }
    }
}
