using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Daytona.Checkpoints.Catalog;
using Daytona.Checkpoints.Storage;
using Daytona.Common;
using Daytona.Common.Diagnostics;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// How writers keep checkpoint ids unique in a format-2 repository (created on storage that ignores create-only
    /// writes, where a manifest's creation cannot decide): each writer's marker claims the id it means to commit.
    /// <para>
    /// <b>The rule</b>: a writer writes a manifest under id X only after a listing of <c>checkpoints/</c> made after its
    /// marker claiming X was written showed no manifest X (nor any newer), and no other writer's marker claiming X.
    /// Markers claiming X stay until a manifest X exists (or go stale, unrenewed, long after their writer stopped).
    /// </para>
    /// <para>
    /// <b>Why two writers never both write X.</b> Let A and B both claim X, each writing its marker (Wa, Wb) and then
    /// listing (La, Lb). Storage is consistent after a write, and Wa precedes La, Wb precedes Lb; so Wa precedes Lb or Wb
    /// precedes La (if Lb came before Wa, then Wb &lt; Lb &lt; Wa &lt; La). Say Wa precedes Lb: B's listing shows A's
    /// marker, unless A had deleted it — which A does only when it moves to another id (then A never writes X) — or a
    /// manifest X already existed. Either way B does not write X. Two writers that see each other both move (to different
    /// seconds, by the order of their writer ids), which costs time, never a checkpoint. Staleness plays no part: a marker
    /// claiming X keeps every other writer off X whether its writer lives or not. Only a writer that stalled (its marker
    /// lapsed, so a prune may have deleted it) must claim anew before it commits.
    /// </para>
    /// <para>
    /// <b>Requests.</b> A capture claims the current second when it starts (its marker, written before its listing as the
    /// prune handshake needs — see <see cref="Pruning.Pruner"/>), and commits it when, at its end, that second is still
    /// free and at most <see cref="ClaimLifetime"/> old: marker, listing, manifest — three requests, as on storage that
    /// honours create-only writes. A longer capture, or one that meets another's claim, moves its claim and lists again
    /// (three more). A committed writer leaves its marker: its manifest names it, which is its release.
    /// </para>
    /// </summary>
    public sealed partial class CheckpointRepository
    {
        /// <summary>How old a claimed second may be when its capture commits; older, the capture claims the current second.</summary>
        internal static readonly TimeSpan ClaimLifetime = TimeSpan.FromSeconds(30);

        /// <summary>A listing with more markers than this makes the writer that sees it delete those of writers long gone.</summary>
        internal const int TidyAfter = 500;

        /// <summary>How many markers such a writer deletes at most (in parallel): the next writers delete the rest.</summary>
        internal const int TidyAtMost = 100;

        private const int MaxMoves = 30;

        private static readonly ThreadLocal<Random> s_claimJitter = new ThreadLocal<Random>(() => new Random(Guid.NewGuid().GetHashCode()));

        /// <summary>
        /// The second a capture claims when it starts: now, or the one after the newest checkpoint this machine saw when that
        /// is later (a capture right after another in the same second would otherwise have to move its claim).
        /// </summary>
        private string FirstClaim()
        {
            var now = CheckpointTime.Truncate(Options.UtcNow());
            var latest = Catalog.RememberedLatest();
            if (latest != null)
            {
                var after = CheckpointTime.Parse(latest).AddSeconds(1);
                if (after > now && after - now <= TimeSpan.FromSeconds(2))
                {
                    now = after;
                }
            }

            return CheckpointTime.ToId(now);
        }

        /// <summary>Commits a manifest under the id its writer's marker claims, moving the claim first where the rule says so.</summary>
        private Manifest CommitClaimed(WriterSession session, Manifest manifest, bool lapsed, CancellationToken cancellationToken)
        {
            var stays = 0;
            for (var moves = 0; ; moves++)
            {
                var claim = CheckpointTime.Parse(session.Marker.Claim!);
                var conflict = lapsed ? "lapsed" : Conflict(session.View, session.Marker.Id, claim, Options.UtcNow());
                if (conflict == "claimed" && stays < 3 && Claimants(session.View, session.Marker.Id, claim)[0] == session.Marker.Id)
                {
                    // Of the writers claiming this second, the first by writer id keeps its claim and lists again: the others
                    // move (or, having listed before this claim was written, commit — then the second is taken).
                    stays++;
                    moves--;
                    Thread.Sleep(s_claimJitter.Value!.Next(20, 80));
                    session.View = Catalog.LoadForWriter(cancellationToken);
                    continue;
                }

                if (conflict == null)
                {
                    // A second this writer chose may lie a little ahead (writers that met spread over the next seconds);
                    // one after the newest checkpoint lies ahead only when a clock is wrong (WaitFor says so past 5 s).
                    var latest = session.View.LatestId;
                    WaitFor(claim, cancellationToken, clockCheck: latest != null && CheckpointTime.Parse(latest).AddSeconds(1) == claim);
                    var bytes = Serialize(manifest, claim, out var reading);
                    Timings.Mark("commit: writing the manifest");

                    // Create-only all the same: storage that honours it after all decides among writers that disagree about it.
                    var result = Storage.Write(RepositoryLayout.ManifestKey(manifest.Id), bytes, WriteCondition.CreateOnly, cancellationToken);
                    Timings.Mark("commit: manifest written");
                    if (result.Written || IsOurs(session, manifest.Id, cancellationToken))
                    {
                        Manifests.Put(manifest.Id, bytes, result.Version);
                        Catalog.RememberLatest(manifest.Id);
                        var committed = Committed(session, manifest, bytes, reading);
                        TidyMarkers(session, cancellationToken);
                        return committed;
                    }

                    conflict = "taken";
                }

                if (moves >= MaxMoves)
                {
                    throw CheckpointErrors.Create(CheckpointErrors.RepositoryLocked, ErrorKind.ResourceBusy,
                        $"The capture into {Location} found no free second to commit in after {MaxMoves} tries (other writers claimed each one); no checkpoint was written.",
                        Location, "Capture again.");
                }

                if (moves > 0)
                {
                    // Writers that keep meeting each other: spread out.
                    Thread.Sleep(s_claimJitter.Value!.Next(20 * moves, 60 * moves));
                }

                var next = NextClaim(session.View, session.Marker.Id, claim, conflict == "claimed");
                Timings.Mark("commit: claiming another second (" + conflict + ")");
                session.Marker.Move(CheckpointTime.ToId(next), cancellationToken);
                session.View = Catalog.LoadForWriter(cancellationToken);
                lapsed = false;
            }
        }

        /// <summary>Why the writer may not commit <paramref name="claim"/> now; null when it may.</summary>
        private static string? Conflict(CatalogView view, string writer, DateTime claim, DateTime now)
        {
            var id = CheckpointTime.ToId(claim);
            if (view.Taken.Contains(id))
            {
                return "taken";
            }

            if (view.LatestId != null && string.CompareOrdinal(id, view.LatestId) <= 0)
            {
                return "behind";
            }

            if (ClaimedByOthers(view, writer).Contains(id))
            {
                return "claimed";
            }

            return now - claim > ClaimLifetime ? "old" : null;
        }

        /// <summary>The ids other writers' markers claim in a listing.</summary>
        private static HashSet<string> ClaimedByOthers(CatalogView view, string writer)
        {
            var claimed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var marker in view.Markers)
            {
                var claim = RepositoryLayout.ClaimOfKey(marker.Key);
                if (claim != null && !string.Equals(RepositoryLayout.WriterOfKey(marker.Key), writer, StringComparison.Ordinal))
                {
                    claimed.Add(claim);
                }
            }

            return claimed;
        }

        /// <summary>The writers whose markers in a listing claim <paramref name="claim"/>, and this one, in writer id order.</summary>
        private static List<string> Claimants(CatalogView view, string writer, DateTime claim)
        {
            var id = CheckpointTime.ToId(claim);
            return view.Markers
                .Where(m => RepositoryLayout.ClaimOfKey(m.Key) == id)
                .Select(m => RepositoryLayout.WriterOfKey(m.Key)!)
                .Append(writer)
                .Distinct(StringComparer.Ordinal)
                .OrderBy(w => w, StringComparer.Ordinal)
                .ToList();
        }

        /// <summary>
        /// The second to claim next: the first one from now (and after the newest checkpoint listed) that no manifest has
        /// and no other marker claims. Writers that met on <paramref name="claim"/> and move take the first, second, …
        /// such second in the order of their writer ids, so two that saw each other do not meet again.
        /// </summary>
        private DateTime NextClaim(CatalogView view, string writer, DateTime claim, bool met)
        {
            var id = CheckpointTime.ToId(claim);
            // The first claimant keeps the second (it moves only after listing again three times), so the others count from 0.
            var rank = met ? Math.Max(0, Claimants(view, writer, claim).IndexOf(writer) - 1) : 0;

            var claimed = ClaimedByOthers(view, writer);
            var next = CheckpointTime.Truncate(Options.UtcNow());
            if (view.LatestId != null)
            {
                var after = CheckpointTime.Parse(view.LatestId).AddSeconds(1);
                next = after > next ? after : next;
            }

            for (var free = 0; ; next = next.AddSeconds(1))
            {
                var candidate = CheckpointTime.ToId(next);
                if ((met && candidate == id) || view.Taken.Contains(candidate) || claimed.Contains(candidate))
                {
                    continue;
                }

                if (free++ == rank)
                {
                    return next;
                }
            }
        }

        /// <summary>
        /// Format 2, an import (its id is its own, it cannot move): whether the id is free to write — no manifest has it
        /// and no other marker claims it (a capture that claimed it moves away; another import of it is waited for).
        /// False when a manifest has it.
        /// </summary>
        internal bool ClaimFixed(WriterSession session, string id, CancellationToken cancellationToken)
        {
            for (var attempt = 0; ; attempt++)
            {
                // An imported id may lie before the listing's window: its manifest is asked for.
                if (session.View.Taken.Contains(id) || Storage.Stat(RepositoryLayout.ManifestKey(id), cancellationToken) != null)
                {
                    return false;
                }

                if (!ClaimedByOthers(session.View, session.Marker.Id).Contains(id))
                {
                    return true;
                }

                if (attempt >= 10)
                {
                    throw CheckpointErrors.Create(CheckpointErrors.RepositoryLocked, ErrorKind.ResourceBusy,
                        $"Another writer claims checkpoint {id} in {Location}.", id, "Import again when it has finished.");
                }

                Thread.Sleep(s_claimJitter.Value!.Next(50, 100) * (attempt + 1));
                session.View = Catalog.LoadForWriter(cancellationToken);
            }
        }

        /// <summary>
        /// Deletes the markers of writers long gone (untouched for two marker lifetimes, by the storage's clock: this
        /// writer's own marker's time in the same listing), the oldest <see cref="TidyAtMost"/>, once a listing shows more
        /// than <see cref="TidyAfter"/> markers — rare: prunes and removals delete markers too. Best effort.
        /// </summary>
        private void TidyMarkers(WriterSession session, CancellationToken cancellationToken)
        {
            var markers = session.View.Markers;
            if (markers.Count <= TidyAfter)
            {
                return;
            }

            var own = markers.FirstOrDefault(m => m.Key == session.Marker.Key)?.LastModifiedUtc;
            if (own == null)
            {
                return;
            }

            var gone = TimeSpan.FromTicks(Options.WriterMarkerLifetime.Ticks * 2);
            var old = markers
                .Where(m => m.LastModifiedUtc != null && own.Value - m.LastModifiedUtc.Value > gone)
                .OrderBy(m => m.LastModifiedUtc!.Value)
                .Take(TidyAtMost)
                .ToList();
            try
            {
                System.Threading.Tasks.Parallel.ForEach(
                    old,
                    new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Storage.Traits.Connections), CancellationToken = cancellationToken },
                    marker => Storage.DeleteUncheckedAsync(marker.Key, cancellationToken).GetAwaiter().GetResult());
            }
            catch (AggregateException e) when (e.InnerExceptions.All(x => x is DaytonaException))
            {
                // The next writer, prune or removal deletes them.
            }
        }
    }
}
