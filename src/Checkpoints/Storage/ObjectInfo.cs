using System;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>One object as a listing or a stat describes it.</summary>
    public sealed class ObjectInfo
    {
        public ObjectInfo(string key, long length, DateTime? lastModifiedUtc, string? version)
        {
            Key = key;
            Length = length;
            LastModifiedUtc = lastModifiedUtc;
            Version = version;
        }

        /// <summary>The full key (prefix included).</summary>
        public string Key { get; }

        public long Length { get; }

        /// <summary>When the object was last written, by the storage's own clock; null when the backend does not say.</summary>
        public DateTime? LastModifiedUtc { get; }

        /// <summary>The version (an ETag) for <see cref="WriteCondition.IfVersion"/>; a listing may leave it null.</summary>
        public string? Version { get; }

        public override string ToString() => Key;
    }
}
