using System;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>A lease held on a repository (see <see cref="IObjectStorage.TryAcquireLeaseAsync"/>). Disposing releases it.</summary>
    public interface IStorageLease : IDisposable
    {
        string Key { get; }

        /// <summary>Until when the lease holds unless renewed, by this process's clock.</summary>
        DateTime ExpiresUtc { get; }

        /// <summary>Extends the lease by its duration; false when it was lost (it expired and another holder took it).</summary>
        Task<bool> RenewAsync(CancellationToken cancellationToken);

        /// <summary>Gives the lease up (only if still held).</summary>
        Task ReleaseAsync(CancellationToken cancellationToken);
    }

    /// <summary>The outcome of one try to take a lease.</summary>
    public sealed class LeaseAttempt
    {
        private LeaseAttempt(IStorageLease? lease, LeaseHolder? holder, bool tookOver)
        {
            Lease = lease;
            Holder = holder;
            TookOver = tookOver;
        }

        public static LeaseAttempt Taken(IStorageLease lease, bool tookOver = false) => new LeaseAttempt(lease, null, tookOver);

        public static LeaseAttempt Refused(LeaseHolder? holder) => new LeaseAttempt(null, holder, false);

        /// <summary>The lease, when it was taken.</summary>
        public IStorageLease? Lease { get; }

        /// <summary>Who holds it, when it was refused (null when the holder record cannot be read).</summary>
        public LeaseHolder? Holder { get; }

        /// <summary>The lease was taken over from a holder that had expired or died: leftovers may exist.</summary>
        public bool TookOver { get; }
    }
}
