using System;
using System.Diagnostics;
using System.Threading;
using Daytona.Checkpoints.Storage;
using Daytona.Common;

namespace Daytona.Checkpoints.Writers
{
    /// <summary>
    /// The marker of one capture or import under way (<c>writers/&lt;writer&gt;.json</c>: its holder record with an expiry),
    /// written before the writer reads the repository and renewed while it runs. It is half of the handshake that lets
    /// captures run without a lock while a prune deletes content (see <see cref="Pruning.Pruner"/>): a writer announces
    /// itself, then looks for a prune plan; a prune publishes its plan, then looks for writers. Whichever comes second
    /// sees the other. The manifest a writer commits names its marker, so a prune knows a marker whose checkpoint is
    /// committed is done even when the writer could not delete it.
    /// <para>
    /// In a format-2 repository the marker is <c>checkpoints/~writers/&lt;writer&gt;_&lt;id&gt;.json</c>: it also claims the
    /// checkpoint id the writer means to commit, and the writer's one listing of <c>checkpoints/</c> shows it the other
    /// writers' claims beside the manifests. A writer that must commit another id moves its marker: it writes the new
    /// claim first and deletes the old one after, so it is never without a marker. A committed writer leaves its marker
    /// (its manifest names it, which is its release); a prune, a removal or a writer that finds many old ones deletes it.
    /// </para>
    /// </summary>
    internal sealed class WriterMarker : IDisposable
    {
        private readonly IObjectStorage _storage;
        private readonly LeaseHolder _holder;
        private readonly TimeSpan _lifetime;
        private readonly Stopwatch _sinceRenewal = Stopwatch.StartNew();
        private readonly Timer _timer;
        private readonly object _gate = new object();
        private bool _stopped;

        private WriterMarker(IObjectStorage storage, string id, string? claim, LeaseHolder holder, TimeSpan lifetime)
        {
            _storage = storage;
            Id = id;
            Claim = claim;
            _holder = holder;
            _lifetime = lifetime;
            var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, lifetime.Ticks / 4));
            _timer = new Timer(_ => Renew(), null, period, period);
        }

        public string Id { get; }

        /// <summary>The checkpoint id the marker claims (format 2); null in a format-1 repository.</summary>
        public string? Claim { get; private set; }

        public string Key => KeyOf(Id, Claim);

        private static string KeyOf(string id, string? claim) => claim == null ? RepositoryLayout.WriterKey(id) : RepositoryLayout.WriterRecordKey(id, claim);

        /// <summary>
        /// True when the marker may have expired in a prune's eyes (a renewal was late or failed): the writer must renew
        /// it and look for a prune plan again before it commits.
        /// </summary>
        public bool Lapsed
        {
            get
            {
                lock (_gate)
                {
                    return _sinceRenewal.Elapsed > TimeSpan.FromTicks(_lifetime.Ticks / 2);
                }
            }
        }

        /// <summary>
        /// Markers are not flushed to the disk (a folder): a marker is of use only while its writer runs, so it must be
        /// seen by the other writers and prunes, which it is once written, not outlive a crash of the machine, which its
        /// writer does not either.
        /// </summary>
        private const bool Durable = false;

        /// <summary>Writes a new marker (create-only), claiming <paramref name="claim"/> when given (format 2), and starts renewing it.</summary>
        public static WriterMarker Announce(IObjectStorage storage, string purpose, TimeSpan lifetime, string? claim, CancellationToken cancellationToken)
        {
            var holder = LeaseHolder.ThisProcess(purpose);
            for (var attempt = 0; ; attempt++)
            {
                var id = RepositoryLayout.NewWriterId();
                var record = holder.With(DateTime.UtcNow + lifetime).ToJson();
                var result = storage.Write(KeyOf(id, claim), record, WriteCondition.CreateOnly, Durable, cancellationToken);
                if (result.Written)
                {
                    return new WriterMarker(storage, id, claim, holder, lifetime);
                }

                if (attempt > 3)
                {
                    throw new DaytonaException(StorageErrors.Unavailable, ErrorKind.ResourceUnavailable,
                        $"The checkpoint repository {storage.Location} refused a new writer marker.", storage.Location);
                }
            }
        }

        /// <summary>
        /// Claims another id (format 2): writes the marker under the new claim (which renews it), then deletes the old one,
        /// so the writer always has a marker. The caller lists again before it relies on the new claim.
        /// </summary>
        public void Move(string claim, CancellationToken cancellationToken)
        {
            string old;
            lock (_gate)
            {
                if (_stopped)
                {
                    throw new ObjectDisposedException(nameof(WriterMarker));
                }

                old = Key;
                _storage.Write(KeyOf(Id, claim), _holder.With(DateTime.UtcNow + _lifetime).ToJson(), WriteCondition.Unconditional, Durable, cancellationToken);
                Claim = claim;
                _sinceRenewal.Restart();
            }

            try
            {
                _storage.DeleteUncheckedAsync(old, cancellationToken).GetAwaiter().GetResult();
            }
            catch (Exception e) when (StorageFailures.IsFailure(e))
            {
                // Left behind, it goes stale (it is no longer renewed) and claims a second nobody needs.
            }
        }

        /// <summary>Extends the marker's expiry now; false when the write failed (it stays lapsed).</summary>
        public bool Renew()
        {
            lock (_gate)
            {
                if (_stopped)
                {
                    return false;
                }

                try
                {
                    var record = _holder.With(DateTime.UtcNow + _lifetime).ToJson();
                    _storage.Write(Key, record, WriteCondition.Unconditional, Durable);
                    _sinceRenewal.Restart();
                    return true;
                }
                catch (Exception e) when (StorageFailures.IsFailure(e))
                {
                    return false;
                }
            }
        }

        /// <summary>Stops renewing; deletes the marker when <paramref name="delete"/> (a prune deletes those of committed checkpoints).</summary>
        public void Finish(bool delete)
        {
            lock (_gate)
            {
                if (_stopped)
                {
                    return;
                }

                _stopped = true;
            }

            _timer.Dispose();
            if (delete)
            {
                try
                {
                    _storage.Delete(Key);
                }
                catch (Exception e) when (StorageFailures.IsFailure(e))
                {
                    // It expires by itself.
                }
            }
        }

        /// <summary>A writer that fails deletes its marker: nothing it wrote will be committed.</summary>
        public void Dispose() => Finish(delete: true);
    }
}
