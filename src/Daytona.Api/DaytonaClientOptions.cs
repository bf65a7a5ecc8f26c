using System;

namespace Daytona.Api
{
    /// <summary>Timeouts and retry limits of a <see cref="DaytonaClient"/>. The defaults suit the real API.</summary>
    public sealed class DaytonaClientOptions
    {
        /// <summary>How long to wait for a TCP connection: an unreachable server fails within this.</summary>
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>How long one attempt may take until its response is read (streams: until the headers arrive).</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Retries after the first attempt, for failures that are safe to retry.</summary>
        public int MaxRetries { get; set; } = 6;

        /// <summary>Retries when no connection could be made at all (refused, no route): kept low so a wrong URL fails fast.</summary>
        public int MaxConnectRetries { get; set; } = 2;

        /// <summary>The first backoff delay; it doubles each retry, with jitter.</summary>
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(300);

        /// <summary>The longest backoff delay.</summary>
        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>The longest <c>Retry-After</c> honoured; a longer one is cut to this.</summary>
        public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

        public DaytonaClientOptions Clone() => (DaytonaClientOptions)MemberwiseClone();
    }
}
