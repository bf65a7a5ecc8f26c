using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Memory;

namespace Checkpoints.Tests.Storage.Memory;

/// <summary>
/// Memory storage that behaves like s3rver: it accepts create-only and compare-and-swap writes and overwrites anyway,
/// says so in its traits (as the probe would find), and takes leases through lock objects. Remote in its traits, so
/// writers leave their markers at commit as they do on object storage.
/// </summary>
public sealed class ConditionsIgnoringStorage : ForwardingStorage
{
    public ConditionsIgnoringStorage(string name)
        : base(new MemoryStorage(name))
    {
    }

    public override StorageTraits Traits { get; } = new() { HonoursCreateOnly = false, HonoursIfVersion = false, IsLocal = false, Connections = 4 };

    public override ObjectWriter CreateWriter(string key, WriteCondition condition) => Inner.CreateWriter(key, WriteCondition.Unconditional);

    public override Task<LeaseAttempt> TryAcquireLeaseAsync(string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken) =>
        LockObjectLease.TryAcquireAsync(this, key, holder, duration, cancellationToken);
}
