using Daytona.Checkpoints.Storage;

namespace Checkpoints.Tests.Storage;

/// <summary>A storage that hands every call to another: a test's storage overrides only what it changes.</summary>
public abstract class ForwardingStorage : IObjectStorage
{
    protected ForwardingStorage(IObjectStorage inner)
    {
        Inner = inner;
    }

    protected IObjectStorage Inner { get; }

    public virtual string Location => Inner.Location;

    public virtual StorageTraits Traits => Inner.Traits;

    public virtual ObjectWriter CreateWriter(string key, WriteCondition condition) => Inner.CreateWriter(key, condition);

    public virtual Task<StoredObject?> ReadAsync(string key, CancellationToken cancellationToken) => Inner.ReadAsync(key, cancellationToken);

    public virtual Task<int> ReadRangeAsync(string key, long position, byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Inner.ReadRangeAsync(key, position, buffer, offset, count, cancellationToken);

    public virtual Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken) => Inner.OpenReadAsync(key, cancellationToken);

    public virtual Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken) => Inner.StatAsync(key, cancellationToken);

    public virtual Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken) =>
        Inner.ListAsync(prefix, startAfter, cancellationToken);

    public virtual Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => Inner.DeleteAsync(key, cancellationToken);

    public virtual Task<LeaseAttempt> TryAcquireLeaseAsync(string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken) =>
        Inner.TryAcquireLeaseAsync(key, holder, duration, cancellationToken);

    public void Dispose()
    {
        Inner.Dispose();
        GC.SuppressFinalize(this);
    }
}
