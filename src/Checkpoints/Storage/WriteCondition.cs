using System;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>What a write expects to find: nothing (create-only), a version (compare-and-swap), or anything.</summary>
    public readonly struct WriteCondition : IEquatable<WriteCondition>
    {
        private WriteCondition(WriteConditionKind kind, string? version)
        {
            Kind = kind;
            Version = version;
        }

        /// <summary>Create the object only when the key is free (<c>If-None-Match: *</c>); otherwise <see cref="WriteStatus.AlreadyExists"/>.</summary>
        public static WriteCondition CreateOnly { get; } = new WriteCondition(WriteConditionKind.CreateOnly, null);

        /// <summary>Write whatever is there. Only for objects one writer owns (its own marker).</summary>
        public static WriteCondition Unconditional { get; } = new WriteCondition(WriteConditionKind.Unconditional, null);

        /// <summary>Replace the object only when it still has <paramref name="version"/> (<c>If-Match</c>); otherwise <see cref="WriteStatus.VersionMismatch"/>.</summary>
        public static WriteCondition IfVersion(string version) =>
            new WriteCondition(WriteConditionKind.IfVersion, version ?? throw new ArgumentNullException(nameof(version)));

        public WriteConditionKind Kind { get; }

        /// <summary>The version expected by <see cref="WriteConditionKind.IfVersion"/>.</summary>
        public string? Version { get; }

        public bool Equals(WriteCondition other) => Kind == other.Kind && string.Equals(Version, other.Version, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is WriteCondition other && Equals(other);

        public override int GetHashCode() => ((int)Kind * 397) ^ (Version?.GetHashCode() ?? 0);

        public override string ToString() => Kind == WriteConditionKind.IfVersion ? "if version " + Version : Kind.ToString();
    }

    public enum WriteConditionKind
    {
        CreateOnly,
        IfVersion,
        Unconditional,
    }

    public enum WriteStatus
    {
        /// <summary>The object was written (created or replaced).</summary>
        Written,

        /// <summary>A create-only write found the key taken; nothing was written.</summary>
        AlreadyExists,

        /// <summary>A compare-and-swap found another version (or no object); nothing was written.</summary>
        VersionMismatch,
    }

    /// <summary>The outcome of a write and, when written, the object's new version.</summary>
    public readonly struct WriteResult
    {
        public WriteResult(WriteStatus status, string? version)
        {
            Status = status;
            Version = version;
        }

        public WriteStatus Status { get; }

        /// <summary>The version of the object written (null when nothing was written or the backend does not say).</summary>
        public string? Version { get; }

        public bool Written => Status == WriteStatus.Written;

        public override string ToString() => Status.ToString();
    }
}
