using System;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// A lease made of one object and the storage's conditional writes, for backends without leases of their own (the
    /// folder, memory, S3): the object holds the <see cref="LeaseHolder"/> record with its expiry. Taking it is a
    /// create-only write; renewing and taking over an expired one are compare-and-swaps on the version read, so of two
    /// processes only one wins; releasing deletes it. A record that cannot be read (its writer was killed while writing
    /// it) counts as expired once it is older than <see cref="UnreadableAfter"/>. Expiry is judged by the taker's clock
    /// with <see cref="ClockSkew"/> of slack.
    /// </summary>
    public sealed class ObjectLease : IStorageLease
    {
        /// <summary>Slack for clocks that disagree between hosts.</summary>
        public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

        /// <summary>How long an unreadable lease record stands before it is taken over.</summary>
        public static readonly TimeSpan UnreadableAfter = TimeSpan.FromSeconds(10);

        private readonly IObjectStorage _storage;
        private readonly LeaseHolder _holder;
        private readonly TimeSpan _duration;
        private string? _version;
        private int _released;

        private ObjectLease(IObjectStorage storage, string key, LeaseHolder holder, TimeSpan duration, string? version, DateTime expires)
        {
            _storage = storage;
            Key = key;
            _holder = holder;
            _duration = duration;
            _version = version;
            ExpiresUtc = expires;
        }

        public string Key { get; }

        public DateTime ExpiresUtc { get; private set; }

        /// <summary>Tries once to take the lease (see <see cref="IObjectStorage.TryAcquireLeaseAsync"/>).</summary>
        public static async Task<LeaseAttempt> TryAcquireAsync(IObjectStorage storage, string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken)
        {
            for (var attempt = 0; attempt < 4; attempt++)
            {
                var expires = DateTime.UtcNow + duration;
                var record = holder.With(expires).ToJson();
                var created = await storage.WriteAsync(key, record, WriteCondition.CreateOnly, cancellationToken).ConfigureAwait(false);
                if (created.Written)
                {
                    return LeaseAttempt.Taken(new ObjectLease(storage, key, holder, duration, created.Version, expires));
                }

                using var current = await storage.ReadAsync(key, cancellationToken).ConfigureAwait(false);
                if (current == null)
                {
                    continue; // released meanwhile: try to create it again
                }

                var other = LeaseHolder.TryParse(current.Span);
                if (!await IsExpiredAsync(other, storage, key, cancellationToken).ConfigureAwait(false))
                {
                    return LeaseAttempt.Refused(other);
                }

                if (current.Version == null)
                {
                    return LeaseAttempt.Refused(other);
                }

                var taken = await storage.WriteAsync(key, record, WriteCondition.IfVersion(current.Version), cancellationToken).ConfigureAwait(false);
                if (taken.Written)
                {
                    return LeaseAttempt.Taken(new ObjectLease(storage, key, holder, duration, taken.Version, expires), tookOver: true);
                }

                // Another taker won the swap: look again.
            }

            using var last = await storage.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            return LeaseAttempt.Refused(last == null ? null : LeaseHolder.TryParse(last.Span));
        }

        private static async Task<bool> IsExpiredAsync(LeaseHolder? holder, IObjectStorage storage, string key, CancellationToken cancellationToken)
        {
            if (holder == null)
            {
                // Unreadable: give its writer a moment to finish, judged by the object's time.
                var info = await storage.StatAsync(key, cancellationToken).ConfigureAwait(false);
                return info?.LastModifiedUtc == null || DateTime.UtcNow - info.LastModifiedUtc.Value > UnreadableAfter;
            }

            if (holder.IsDeadProcessOnThisHost())
            {
                return true;
            }

            return holder.Expires != null && DateTime.UtcNow > holder.Expires.Value + ClockSkew;
        }

        public async Task<bool> RenewAsync(CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _released) != 0 || _version == null)
            {
                return false;
            }

            var expires = DateTime.UtcNow + _duration;
            var result = await _storage.WriteAsync(Key, _holder.With(expires).ToJson(), WriteCondition.IfVersion(_version), cancellationToken).ConfigureAwait(false);
            if (!result.Written)
            {
                _version = null;
                return false;
            }

            _version = result.Version;
            ExpiresUtc = expires;
            return true;
        }

        public async Task ReleaseAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _released, 1) != 0 || _version == null)
            {
                return;
            }

            // Only our own record is deleted: read it back and compare.
            using var current = await _storage.ReadAsync(Key, cancellationToken).ConfigureAwait(false);
            if (current != null && string.Equals(current.Version, _version, StringComparison.Ordinal))
            {
                await _storage.DeleteAsync(Key, cancellationToken).ConfigureAwait(false);
            }
        }

        public void Dispose()
        {
            try
            {
                ReleaseAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception e) when (StorageFailures.IsFailure(e))
            {
                // Releasing is best effort: the lease expires by itself.
            }
        }
    }
}
