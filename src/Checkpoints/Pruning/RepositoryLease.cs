using System;
using System.Diagnostics;
using System.Threading;
using Daytona.Checkpoints.Storage;
using Daytona.Common;

namespace Daytona.Checkpoints.Pruning
{
    /// <summary>
    /// The repository's one exclusive lease (<c>lock</c>), held by a prune, a removal or a rename: taken within the
    /// repository's lock wait (else <c>CheckpointRepositoryLocked</c> naming the holder), renewed in the background, and
    /// given back when disposed. When a renewal finds it lost, <see cref="Token"/> is cancelled and the holder stops
    /// before it deletes anything more.
    /// </summary>
    internal sealed class RepositoryLease : IDisposable
    {
        public static readonly TimeSpan Duration = TimeSpan.FromMinutes(2);

        private static readonly ThreadLocal<Random> s_jitter = new ThreadLocal<Random>(() => new Random(Guid.NewGuid().GetHashCode()));
        private readonly IStorageLease _lease;
        private readonly CancellationTokenSource _lost;
        private readonly Timer _timer;
        private int _renewing;

        private RepositoryLease(IStorageLease lease, CancellationToken cancellationToken, bool tookOver)
        {
            _lease = lease;
            TookOver = tookOver;
            _lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var period = TimeSpan.FromTicks(Duration.Ticks / 4);
            _timer = new Timer(_ => Renew(), null, period, period);
        }

        /// <summary>Cancelled when the caller cancels or the lease is lost.</summary>
        public CancellationToken Token => _lost.Token;

        /// <summary>The lease was taken over from a holder that died or let it expire.</summary>
        public bool TookOver { get; }

        /// <param name="key">The lease's object: the repository's lease (<see cref="RepositoryLayout.LeaseKey"/>) unless another is named.</param>
        public static RepositoryLease Acquire(IObjectStorage storage, string purpose, TimeSpan wait, CancellationToken cancellationToken, string? key = null)
        {
            var waited = Stopwatch.StartNew();
            var delay = 10;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var attempt = storage.TryAcquireLeaseAsync(key ?? RepositoryLayout.LeaseKey, LeaseHolder.ThisProcess(purpose), Duration, cancellationToken).GetAwaiter().GetResult();
                if (attempt.Lease != null)
                {
                    return new RepositoryLease(attempt.Lease, cancellationToken, attempt.TookOver);
                }

                if (waited.Elapsed >= wait)
                {
                    var who = attempt.Holder == null ? "another process" : attempt.Holder.Describe();
                    throw CheckpointErrors.Create(CheckpointErrors.RepositoryLocked, ErrorKind.ResourceBusy,
                        $"The checkpoint repository {storage.Location} is being changed by {who}.", storage.Location,
                        $"Wait for it to finish and run the command again. If that process is gone for good, its lease expires within {Duration.TotalMinutes:0} minutes (or delete '{key ?? RepositoryLayout.LeaseKey}' in the repository).");
                }

                // Jittered: takers of a lock object that saw each other both step back, and must not meet again.
                Thread.Sleep(delay + s_jitter.Value!.Next(delay + 1));
                delay = Math.Min(delay * 2, 250);
            }
        }

        private void Renew()
        {
            if (Interlocked.Exchange(ref _renewing, 1) != 0)
            {
                return;
            }

            try
            {
                if (!_lease.RenewAsync(CancellationToken.None).GetAwaiter().GetResult())
                {
                    _lost.Cancel();
                }
            }
            catch (Exception e) when (StorageFailures.IsFailure(e))
            {
                // A failed renewal is retried at the next tick; the lease lasts four ticks.
            }
            catch (ObjectDisposedException)
            {
            }
            finally
            {
                Interlocked.Exchange(ref _renewing, 0);
            }
        }

        public void Dispose()
        {
            _timer.Dispose();
            _lease.Dispose();
            _lost.Dispose();
        }
    }
}
