using Daytona.Checkpoints.Storage;

namespace Checkpoints.Tests.Pruning;

/// <summary>
/// Wraps a storage and, before every request, lets a seeded random choice reorder the callers: give up the time slice,
/// sleep a millisecond or two, or hold the caller until the others have made up to 30 more requests (or 40 ms pass,
/// when they are idle) — so concurrent writers and a prune interleave differently for each seed, including long
/// stretches of one running while another stands still between two of its steps.
/// </summary>
public sealed class InterleavingStorage : IObjectStorage
{
    private readonly IObjectStorage _inner;
    private readonly Random _random;
    private readonly object _gate = new();

    public InterleavingStorage(IObjectStorage inner, int seed)
    {
        _inner = inner;
        _random = new Random(seed);
    }

    public string Location => _inner.Location;

    public StorageTraits Traits => _inner.Traits;

    public long Requests;

    private void Step()
    {
        var now = Interlocked.Increment(ref Requests);
        int choice;
        int hold;
        lock (_gate)
        {
            choice = _random.Next(20);
            hold = _random.Next(1, 31);
        }

        if (choice < 3)
        {
            // Hold this caller while the others go ahead.
            SpinWait.SpinUntil(() => Interlocked.Read(ref Requests) >= now + hold, TimeSpan.FromMilliseconds(40));
        }
        else if (choice < 6)
        {
            Thread.Sleep(choice - 3);
        }
        else if (choice < 12)
        {
            Thread.Yield();
        }
    }

    public Task<StoredObject?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        Step();
        return _inner.ReadAsync(key, cancellationToken);
    }

    public Task<int> ReadRangeAsync(string key, long position, byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Step();
        return _inner.ReadRangeAsync(key, position, buffer, offset, count, cancellationToken);
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        Step();
        return _inner.OpenReadAsync(key, cancellationToken);
    }

    public Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken)
    {
        Step();
        return _inner.StatAsync(key, cancellationToken);
    }

    public ObjectWriter CreateWriter(string key, WriteCondition condition) => new SteppingWriter(this, _inner.CreateWriter(key, condition));

    public Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken)
    {
        Step();
        return _inner.ListAsync(prefix, startAfter, cancellationToken);
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        Step();
        return _inner.DeleteAsync(key, cancellationToken);
    }

    public Task<LeaseAttempt> TryAcquireLeaseAsync(string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken) =>
        ObjectLease.TryAcquireAsync(this, key, holder, duration, cancellationToken);

    public void Dispose() => _inner.Dispose();

    private sealed class SteppingWriter : ObjectWriter
    {
        private readonly InterleavingStorage _storage;
        private readonly ObjectWriter _inner;

        public SteppingWriter(InterleavingStorage storage, ObjectWriter inner)
            : base(inner.Key, inner.Condition)
        {
            _storage = storage;
            _inner = inner;
        }

        public override Stream Content => _inner.Content;

        public override long Length => _inner.Length;

        public override void Complete()
        {
            _inner.Durable = Durable;
            _inner.Complete();
        }

        public override Task<WriteResult> CommitAsync(CancellationToken cancellationToken)
        {
            _storage.Step();
            _inner.Durable = Durable;
            return _inner.CommitAsync(cancellationToken);
        }

        protected override void Dispose(bool disposing) => _inner.Dispose();
    }
}
