using System;

namespace Daytona.Common.Http
{
    /// <summary>
    /// The numbers of the one resilience pipeline (<see cref="ResilientHttp"/>) and of the handlers it sends through
    /// (<see cref="HttpHandlerFactory"/>). The defaults suit Daytona's API and object storage; every outgoing client of
    /// the module starts from <see cref="Default"/>.
    /// <para>
    /// Clients whose SDK has its own retry machinery are configured from the same numbers rather than wrapped:
    /// Azure (<c>BlobClientOptions.Retry</c>): <c>Mode = Exponential</c>, <c>MaxRetries = </c><see cref="MaxRetries"/>,
    /// <c>Delay = </c><see cref="BaseDelay"/>, <c>MaxDelay = </c><see cref="MaxDelay"/>,
    /// <c>NetworkTimeout = </c><see cref="AttemptTimeout"/>. AWS (<c>AmazonS3Config</c>): <c>RetryMode = Standard</c>,
    /// <c>MaxErrorRetry = </c><see cref="MaxRetries"/>, <c>Timeout = </c><see cref="AttemptTimeout"/>, and
    /// <c>ConnectTimeout</c>/<c>MaxConnectionsPerServer</c> where the SDK exposes them. Both SDKs honour Retry-After
    /// and retry the same transient statuses by themselves; <see cref="SdkRetry"/> hands the numbers over in one call.
    /// </para>
    /// </summary>
    public sealed class HttpResilienceOptions
    {
        /// <summary>A fresh copy of the defaults (change it freely; nobody else sees the change).</summary>
        public static HttpResilienceOptions Default => new HttpResilienceOptions();

        /// <summary>
        /// The defaults for calls that move large bodies (a build context, a checkpoint archive): an attempt may take
        /// 30 minutes and the whole call two hours; everything else as <see cref="Default"/>.
        /// </summary>
        public static HttpResilienceOptions LongTransfers => new HttpResilienceOptions { AttemptTimeout = TimeSpan.FromMinutes(30), TotalBudget = TimeSpan.FromHours(2) };

        /// <summary>How long to wait for a TCP (and TLS) connection; an unreachable server fails within this.</summary>
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>How long one attempt may take until its response is read (streams: until the headers arrive).</summary>
        public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// The whole call, every attempt and every wait between them included. A retry whose wait would end after the
        /// budget is not made: the caller gets the last answer (or failure) instead. <see cref="TimeSpan.Zero"/> or
        /// less: no budget beyond the retry count.
        /// </summary>
        public TimeSpan TotalBudget { get; set; } = TimeSpan.FromMinutes(3);

        /// <summary>Retries after the first attempt, for failures that are safe to retry.</summary>
        public int MaxRetries { get; set; } = 6;

        /// <summary>Retries when no connection could be made at all (refused, no route): kept low so a wrong URL fails fast.</summary>
        public int MaxConnectRetries { get; set; } = 2;

        /// <summary>The first backoff delay; it doubles each retry, with jitter (each wait is 50-100% of the doubled value).</summary>
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(300);

        /// <summary>The longest backoff delay.</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>The longest <c>Retry-After</c> honoured; a longer one is cut to this.</summary>
        public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Connections kept open to one server at most (HTTP/1.1 requests in flight to it at once).</summary>
        public int MaxConnectionsPerServer { get; set; } = 16;

        /// <summary>How long a pooled connection is reused before it is replaced (DNS changes are picked up then).</summary>
        public TimeSpan PooledConnectionLifetime { get; set; } = TimeSpan.FromMinutes(5);

        public HttpResilienceOptions Clone() => (HttpResilienceOptions)MemberwiseClone();

        /// <summary>The numbers an SDK's own retry settings take (see the summary of this class for where each goes).</summary>
        public (int MaxRetries, TimeSpan Delay, TimeSpan MaxDelay, TimeSpan NetworkTimeout, TimeSpan ConnectTimeout) SdkRetry =>
            (MaxRetries, BaseDelay, MaxDelay, AttemptTimeout, ConnectTimeout);
    }
}
