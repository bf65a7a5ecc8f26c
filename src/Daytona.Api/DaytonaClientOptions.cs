using System;
using Daytona.Common.Http;

namespace Daytona.Api
{
    /// <summary>
    /// Timeouts and retry limits of a <see cref="DaytonaClient"/>: the numbers of the module's one resilience pipeline
    /// (<see cref="HttpResilienceOptions"/>, whose defaults suit the real API), named as the client speaks of them.
    /// </summary>
    public sealed class DaytonaClientOptions
    {
        /// <summary>The pipeline's numbers themselves.</summary>
        public HttpResilienceOptions Http { get; private set; } = HttpResilienceOptions.Default;

        /// <summary>How long to wait for a TCP connection: an unreachable server fails within this.</summary>
        public TimeSpan ConnectTimeout { get => Http.ConnectTimeout; set => Http.ConnectTimeout = value; }

        /// <summary>How long one attempt may take until its response is read (streams: until the headers arrive).</summary>
        public TimeSpan RequestTimeout { get => Http.AttemptTimeout; set => Http.AttemptTimeout = value; }

        /// <summary>How long one call may take with all its retries.</summary>
        public TimeSpan TotalBudget { get => Http.TotalBudget; set => Http.TotalBudget = value; }

        /// <summary>Retries after the first attempt, for failures that are safe to retry.</summary>
        public int MaxRetries { get => Http.MaxRetries; set => Http.MaxRetries = value; }

        /// <summary>Retries when no connection could be made at all (refused, no route): kept low so a wrong URL fails fast.</summary>
        public int MaxConnectRetries { get => Http.MaxConnectRetries; set => Http.MaxConnectRetries = value; }

        /// <summary>The first backoff delay; it doubles each retry, with jitter.</summary>
        public TimeSpan RetryBaseDelay { get => Http.BaseDelay; set => Http.BaseDelay = value; }

        /// <summary>The longest backoff delay.</summary>
        public TimeSpan MaxRetryDelay { get => Http.MaxDelay; set => Http.MaxDelay = value; }

        /// <summary>The longest <c>Retry-After</c> honoured; a longer one is cut to this.</summary>
        public TimeSpan MaxRetryAfter { get => Http.MaxRetryAfter; set => Http.MaxRetryAfter = value; }

        public DaytonaClientOptions Clone() => new DaytonaClientOptions { Http = Http.Clone() };
    }
}
