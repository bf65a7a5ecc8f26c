using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// Where a checkpoint repository keeps its objects: a folder, an Azure Blob container prefix, an S3 bucket prefix, or
    /// memory (tests). The whole contract the checkpoint engine needs from storage, and nothing more (restic's
    /// <c>backend.Backend</c> and kopia's <c>blob.Storage</c> are the models):
    /// <list type="bullet">
    /// <item>objects are named by keys: '/'-separated, relative to the repository (see <see cref="StorageKeys"/>);</item>
    /// <item>an object appears complete or not at all, and a read never sees half of a write;</item>
    /// <item>a write says what it expects (<see cref="WriteCondition"/>): create-only ("already exists" is reported
    ///   distinctly, not as an error), replace only the version read (compare-and-swap), or unconditional;</item>
    /// <item>a listing by prefix is sorted by key (ordinal) and shows every write that completed before it started;</item>
    /// <item>a lease makes one operation exclusive (pruning), with an expiry its holder renews.</item>
    /// </list>
    /// What a backend can promise beyond that (create-only honoured, atomic replace) is in <see cref="Traits"/>. A
    /// backend does not retry on its own behalf unless its SDK does; it reports failures as
    /// <see cref="Daytona.Common.DaytonaException"/> with the ids of <see cref="StorageErrors"/>. Members are thread-safe.
    /// </summary>
    public interface IObjectStorage : IDisposable
    {
        /// <summary>Where the objects are, for messages and objects shown to the user: never a secret (no key, no SAS).</summary>
        string Location { get; }

        /// <summary>What this backend promises.</summary>
        StorageTraits Traits { get; }

        /// <summary>Reads a whole object with its version; null when it does not exist.</summary>
        Task<StoredObject?> ReadAsync(string key, CancellationToken cancellationToken);

        /// <summary>
        /// Reads up to <paramref name="count"/> bytes of an object from <paramref name="position"/> into
        /// <paramref name="buffer"/>; returns the bytes read (fewer at the end of the object), or -1 when the object does
        /// not exist.
        /// </summary>
        Task<int> ReadRangeAsync(string key, long position, byte[] buffer, int offset, int count, CancellationToken cancellationToken);

        /// <summary>Opens an object to be read as a stream, from its start; null when it does not exist.</summary>
        Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

        /// <summary>The length, time and version of an object; null when it does not exist.</summary>
        Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken);

        /// <summary>
        /// Starts writing an object: the caller writes its content to <see cref="ObjectWriter.Content"/>, then commits
        /// it under <paramref name="condition"/>. Nothing is visible before the commit; disposing without committing
        /// leaves nothing behind.
        /// </summary>
        ObjectWriter CreateWriter(string key, WriteCondition condition);

        /// <summary>
        /// The objects whose keys start with <paramref name="prefix"/> and sort (ordinal) after
        /// <paramref name="startAfter"/> when it is given, sorted by key.
        /// </summary>
        Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken);

        /// <summary>Deletes an object; false when it did not exist.</summary>
        Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);

        /// <summary>
        /// Tries once to take the lease <paramref name="key"/> for <paramref name="duration"/> (renewed by its holder);
        /// when another holder has it and it has not expired, returns who holds it. A lease whose holder stopped
        /// renewing it is taken over after it expires; one held by a process that no longer runs on this host at once.
        /// </summary>
        Task<LeaseAttempt> TryAcquireLeaseAsync(string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken);
    }

    /// <summary>
    /// A storage that deletes in fewer requests when the caller need not know whether the object existed: S3 answers a
    /// delete of an absent key with success, so its <see cref="IObjectStorage.DeleteAsync"/> asks first. Callers go through
    /// <see cref="StorageExtensions.DeleteUncheckedAsync"/>, which falls back to <see cref="IObjectStorage.DeleteAsync"/>.
    /// </summary>
    public interface IUncheckedDelete
    {
        /// <summary>Deletes an object if it is there, without finding out whether it was.</summary>
        Task DeleteUncheckedAsync(string key, CancellationToken cancellationToken);
    }
}
