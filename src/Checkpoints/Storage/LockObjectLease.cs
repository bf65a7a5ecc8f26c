using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// A lease for storage that ignores conditional writes (restic's lock files): a taker writes its own object
    /// <c>&lt;key&gt;/&lt;time&gt;-&lt;random&gt;</c> holding its <see cref="LeaseHolder"/> record and expiry, then lists
    /// <c>&lt;key&gt;/</c>. Alone, it holds the lease; if any other live record is there it removes its own and is
    /// refused. Whoever lists last sees every earlier record, so two takers never both hold it (two that see each other
    /// are both refused and try again later). A holder renews by rewriting its own record; a record past its expiry (plus
    /// <see cref="ObjectLease.ClockSkew"/>), or of a process that no longer runs on this host, is removed by the next taker.
    /// Listings must show every write completed before them (S3 and its compatible servers do).
    /// </summary>
    public sealed class LockObjectLease : IStorageLease
    {
        private readonly IObjectStorage _storage;
        private readonly LeaseHolder _holder;
        private readonly TimeSpan _duration;
        private int _released;

        private LockObjectLease(IObjectStorage storage, string key, string record, LeaseHolder holder, TimeSpan duration, DateTime expires)
        {
            _storage = storage;
            Key = key;
            Record = record;
            _holder = holder;
            _duration = duration;
            ExpiresUtc = expires;
        }

        public string Key { get; }

        /// <summary>This holder's own record object.</summary>
        public string Record { get; }

        public DateTime ExpiresUtc { get; private set; }

        public static async Task<LeaseAttempt> TryAcquireAsync(IObjectStorage storage, string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken)
        {
            var folder = key.TrimEnd('/') + "/";
            var expires = DateTime.UtcNow + duration;
            var record = folder + DateTime.UtcNow.ToString("yyyyMMddTHHmmssfffZ", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N");
            await storage.WriteAsync(record, holder.With(expires).ToJson(), WriteCondition.Unconditional, cancellationToken).ConfigureAwait(false);
            LeaseHolder? other = null;
            var tookOver = false;
            foreach (var entry in await storage.ListAsync(folder, null, cancellationToken).ConfigureAwait(false))
            {
                if (entry.Key == record)
                {
                    continue;
                }

                using var content = await storage.ReadAsync(entry.Key, cancellationToken).ConfigureAwait(false);
                if (content == null)
                {
                    continue;
                }

                var recorded = LeaseHolder.TryParse(content.Span);
                var stale = recorded == null
                    ? entry.LastModifiedUtc == null || DateTime.UtcNow - entry.LastModifiedUtc.Value > ObjectLease.UnreadableAfter
                    : recorded.IsDeadProcessOnThisHost() || (recorded.Expires != null && DateTime.UtcNow > recorded.Expires.Value + ObjectLease.ClockSkew);
                if (stale)
                {
                    await storage.DeleteUncheckedAsync(entry.Key, cancellationToken).ConfigureAwait(false);
                    tookOver = true;
                    continue;
                }

                other ??= recorded ?? new LeaseHolder { Host = "an unknown host" };
            }

            if (other != null)
            {
                await storage.DeleteUncheckedAsync(record, cancellationToken).ConfigureAwait(false);
                return LeaseAttempt.Refused(other);
            }

            return LeaseAttempt.Taken(new LockObjectLease(storage, key, record, holder, duration, expires), tookOver);
        }

        public async Task<bool> RenewAsync(CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _released) != 0)
            {
                return false;
            }

            // A record removed by another taker (it judged this one expired) means the lease was lost.
            if (await _storage.StatAsync(Record, cancellationToken).ConfigureAwait(false) == null)
            {
                return false;
            }

            var expires = DateTime.UtcNow + _duration;
            await _storage.WriteAsync(Record, _holder.With(expires).ToJson(), WriteCondition.Unconditional, cancellationToken).ConfigureAwait(false);
            ExpiresUtc = expires;
            return true;
        }

        public async Task ReleaseAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                await _storage.DeleteUncheckedAsync(Record, cancellationToken).ConfigureAwait(false);
            }
        }

        public void Dispose()
        {
            try
            {
                ReleaseAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Daytona.Common.DaytonaException)
            {
                // Unreachable storage: the record expires by itself.
            }
        }
    }
}
