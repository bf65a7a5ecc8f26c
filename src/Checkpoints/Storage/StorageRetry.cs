using System;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// The retry settings both storage SDKs are given, in one place: how many tries, the exponential back-off, the
    /// per-try timeout. The SDKs retry transport failures, 408, 429, 500, 502, 503 and 504 (honouring Retry-After), and
    /// each retry is reported on <see cref="StorageOptions.Verbose"/>. Conditional writes are safe to retry: a retried
    /// create-only write that finds its own earlier attempt answers "already exists", which for content named by its
    /// hash means "same content"; the engine decides what "already exists" means for other keys.
    /// </summary>
    public static class StorageRetry
    {
        public const int MaxRetries = 6;

        public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(400);

        public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(20);

        public static readonly TimeSpan TryTimeout = TimeSpan.FromSeconds(100);
    }
}
