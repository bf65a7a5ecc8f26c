namespace Daytona.Checkpoints.Storage
{
    /// <summary>What a storage backend promises; the engine relies on nothing a backend does not promise here.</summary>
    public sealed class StorageTraits
    {
        /// <summary>
        /// A create-only write is atomic: of two writers creating one key at once, exactly one gets
        /// <see cref="WriteStatus.Written"/> and the other <see cref="WriteStatus.AlreadyExists"/>. A backend that cannot
        /// promise it (many S3-compatible servers accept <c>If-None-Match: *</c> and overwrite anyway) says false, and
        /// the engine then makes the repositories it creates there format 2 (writers claim ids in their markers; see
        /// CheckpointRepository's IdClaims) and takes lock objects for exclusive changes.
        /// </summary>
        public bool HonoursCreateOnly { get; set; }

        /// <summary>A write under <see cref="WriteCondition.IfVersion"/> is an atomic compare-and-swap.</summary>
        public bool HonoursIfVersion { get; set; }

        /// <summary>
        /// Requests are cheap (a local or mounted folder, memory): the engine may read an object many times instead of
        /// caching it, and lists freely.
        /// </summary>
        public bool IsLocal { get; set; }

        /// <summary>How many requests are worth running at once (uploads, ranged reads).</summary>
        public int Connections { get; set; } = 4;

        public override string ToString() =>
            $"create-only {(HonoursCreateOnly ? "honoured" : "not honoured")}, compare-and-swap {(HonoursIfVersion ? "honoured" : "not honoured")}, {(IsLocal ? "local" : "remote")}, {Connections} connections";
    }
}
