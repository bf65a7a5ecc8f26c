using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;

namespace Daytona.Common.Http
{
    /// <summary>
    /// The one resilience pipeline every outgoing HTTP call of the module goes through (Polly's retry strategy; the
    /// decisions are made here, once):
    /// <list type="bullet">
    /// <item>what is retried, for which calls: <see cref="RetryPolicy"/> (429, 502, 503, 504 and transport failures
    /// for idempotent calls; for calls that are not, only what the server cannot have processed);</item>
    /// <item>how long to wait: the response's <c>Retry-After</c> in any of its forms (<see cref="RetryAfter"/>), cut to
    /// <see cref="HttpResilienceOptions.MaxRetryAfter"/>, else exponential backoff from
    /// <see cref="HttpResilienceOptions.BaseDelay"/> to <see cref="HttpResilienceOptions.MaxDelay"/> with jitter;</item>
    /// <item>how long to try: each attempt within <see cref="HttpResilienceOptions.AttemptTimeout"/>, the whole call
    /// within <see cref="HttpResilienceOptions.TotalBudget"/> (a retry whose wait would end past it is not made);</item>
    /// <item>what the user sees: a line per request and per retry through <see cref="HttpLog"/>.</item>
    /// </list>
    /// The result is the last response, whatever its status (the caller maps a failure status to its error through
    /// <see cref="ErrorCatalog"/>), or a <see cref="TransportFailure"/> when no answer came, or an
    /// <see cref="OperationCanceledException"/> when the caller cancelled.
    /// </summary>
    public sealed class ResilientHttp
    {
        private static readonly ResiliencePropertyKey<CallState> s_state = new ResiliencePropertyKey<CallState>("Daytona.Common.Http.CallState");
        private static readonly ThreadLocal<Random> s_random = new ThreadLocal<Random>(() => new Random(Guid.NewGuid().GetHashCode()));

        private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
        private readonly Func<string, string>? _redact;

        /// <param name="options">The numbers (copied: later changes to the object do not reach this pipeline).</param>
        /// <param name="redact">Applied to every log line and failure message (e.g. to remove a key a server echoed).</param>
        public ResilientHttp(HttpResilienceOptions? options = null, Func<string, string>? redact = null)
        {
            Options = options?.Clone() ?? HttpResilienceOptions.Default;
            _redact = redact;
            _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = Math.Max(1, Math.Max(Options.MaxRetries, Options.MaxConnectRetries)),
                    ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Context.Properties.GetValue(s_state, null!), args.Outcome, args.AttemptNumber)),
                    DelayGenerator = args => new ValueTask<TimeSpan?>(args.Context.Properties.GetValue(s_state, null!).NextDelay),
                    OnRetry = args =>
                    {
                        var state = args.Context.Properties.GetValue(s_state, null!);
                        var what = args.Outcome.Exception != null ? args.Outcome.Exception.Message : $"{(int)args.Outcome.Result!.StatusCode} {args.Outcome.Result.ReasonPhrase}";
                        HttpLog.Retry(Redact($"Retrying {state.Method} {state.Display} in {args.RetryDelay.TotalMilliseconds:0} ms after: {what} (retry {args.AttemptNumber + 1} of {state.MaxRetriesFor(args.Outcome)})."));
                        return default;
                    },
                })
                .Build();
        }

        public HttpResilienceOptions Options { get; }

        /// <summary>
        /// Sends a request made by <paramref name="createRequest"/> (called once per attempt: a request message can be
        /// sent only once) under <paramref name="policy"/>.
        /// </summary>
        /// <param name="display">How log lines name the call (default: the method and the URL's path, never its query).</param>
        /// <param name="onAttempt">Called before each attempt with its number (1 = the first).</param>
        public async Task<HttpResponseMessage> SendAsync(
            HttpClient http,
            Func<HttpRequestMessage> createRequest,
            RetryPolicy policy,
            CancellationToken cancellationToken,
            HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead,
            string? display = null,
            Action<int>? onAttempt = null)
        {
            if (http == null) throw new ArgumentNullException(nameof(http));
            if (createRequest == null) throw new ArgumentNullException(nameof(createRequest));
            var state = new CallState(Options, policy, display, completion, onAttempt);
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            try
            {
                context.Properties.Set(s_state, state);
                return await _pipeline.ExecuteAsync(
                    (ctx, s) => new ValueTask<HttpResponseMessage>(AttemptAsync(http, createRequest, s, ctx.CancellationToken)),
                    context,
                    state).ConfigureAwait(false);
            }
            catch (TransportFailure failure)
            {
                failure.Attempts = state.Attempts;
                throw;
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        /// <summary>
        /// Sends a ready-made request (an Arazzo step's): its content is buffered once and each attempt sends a copy,
        /// so it can be retried. The caller keeps ownership of <paramref name="request"/>.
        /// </summary>
        public async Task<HttpResponseMessage> SendAsync(
            HttpClient http,
            HttpRequestMessage request,
            RetryPolicy policy,
            CancellationToken cancellationToken,
            HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead,
            string? display = null,
            Action<int>? onAttempt = null)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            byte[]? body = null;
            if (request.Content != null)
            {
                await request.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                body = await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            }

            return await SendAsync(http, () => Copy(request, body), policy, cancellationToken, completion, display, onAttempt).ConfigureAwait(false);
        }

        /// <summary>
        /// The decision for one outcome, made public so the rule can be read and tested apart from any server:
        /// would the pipeline retry it after <paramref name="retriesSoFar"/> retries, and after how long.
        /// </summary>
        public TimeSpan? RetryDelay(RetryPolicy policy, HttpMethod method, HttpResponseMessage? response, TransportFailure? failure, int retriesSoFar, TimeSpan elapsed)
        {
            var state = new CallState(Options, policy, null, HttpCompletionOption.ResponseContentRead, null) { Method = method.Method };
            state.Watch.Stop();
            var outcome = failure != null ? Outcome.FromException<HttpResponseMessage>(failure) : Outcome.FromResult(response!);
            return Decide(state, outcome, retriesSoFar, elapsed);
        }

        private async Task<HttpResponseMessage> AttemptAsync(HttpClient http, Func<HttpRequestMessage> createRequest, CallState state, CancellationToken cancellationToken)
        {
            state.Attempts++;
            state.OnAttempt?.Invoke(state.Attempts);
            var timeout = Options.AttemptTimeout;
            var remaining = state.Remaining;
            if (remaining.HasValue && remaining.Value < timeout)
            {
                timeout = remaining.Value > TimeSpan.Zero ? remaining.Value : TimeSpan.FromMilliseconds(1);
            }

            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(timeout);
            using var request = createRequest();
            state.Method = request.Method.Method;
            state.Display ??= request.RequestUri == null ? string.Empty : (request.RequestUri.IsAbsoluteUri ? request.RequestUri.GetLeftPart(UriPartial.Path) : request.RequestUri.OriginalString.Split('?')[0]);
            var watch = Stopwatch.StartNew();
            try
            {
                var response = await http.SendAsync(request, state.Completion, attemptTimeout.Token).ConfigureAwait(false);
                HttpLog.Request(Redact($"{state.Method} {state.Display} -> {(int)response.StatusCode} {response.ReasonPhrase} ({watch.ElapsedMilliseconds} ms)"));
                return response;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException e)
            {
                // Our attempt timeout fired (the request may have been processed), or the handler's connect timeout did (it was not sent).
                var sent = attemptTimeout.IsCancellationRequested;
                var message = sent
                    ? $"no answer within {timeout.TotalSeconds:0.#} s"
                    : $"no connection within {Options.ConnectTimeout.TotalSeconds:0.#} s";
                HttpLog.Request(Redact($"{state.Method} {state.Display} -> {message} ({watch.ElapsedMilliseconds} ms)"));
                // A server that accepts no connection within the connect timeout is not retried: a wrong URL fails fast.
                throw new TransportFailure(Redact(message), sent: sent, permanent: !sent, timedOut: true, e);
            }
            catch (HttpRequestException e)
            {
                var failure = TransportFailure.Classify(e);
                HttpLog.Request(Redact($"{state.Method} {state.Display} -> failed: {failure.Message} ({watch.ElapsedMilliseconds} ms)"));
                throw new TransportFailure(Redact(failure.Message), failure.Sent, failure.Permanent, timedOut: false, e);
            }
        }

        private bool ShouldRetry(CallState state, Outcome<HttpResponseMessage> outcome, int retriesSoFar)
        {
            state.NextDelay = Decide(state, outcome, retriesSoFar, state.Watch.Elapsed);
            return state.NextDelay.HasValue;
        }

        private TimeSpan? Decide(CallState state, Outcome<HttpResponseMessage> outcome, int retriesSoFar, TimeSpan elapsed)
        {
            TimeSpan? delay;
            if (outcome.Exception is TransportFailure failure)
            {
                if (failure.Permanent)
                {
                    return null;
                }

                if (!failure.Sent)
                {
                    // Never reached the server: safe for every call, but kept short so a wrong URL fails fast.
                    if (retriesSoFar >= Options.MaxConnectRetries) return null;
                }
                else if (retriesSoFar >= Options.MaxRetries)
                {
                    return null;
                }
                else if (state.Policy == RetryPolicy.NotIdempotent
                    || (state.Policy == RetryPolicy.TransportOnly && !RetryPolicies.IsIdempotent(new HttpMethod(state.Method ?? "POST"))))
                {
                    // It may have been processed: only the caller can tell (e.g. by looking the created thing up by name).
                    return null;
                }

                delay = Backoff(retriesSoFar);
            }
            else if (outcome.Exception != null)
            {
                return null;
            }
            else
            {
                var response = outcome.Result!;
                var status = (int)response.StatusCode;
                var retryable = state.Policy switch
                {
                    RetryPolicy.Idempotent => status == 429 || status == 502 || status == 503 || status == 504,
                    // The rate limiter rejects before any handler runs: nothing was processed.
                    RetryPolicy.NotIdempotent => status == 429,
                    _ => false,
                };
                if (!retryable || retriesSoFar >= Options.MaxRetries)
                {
                    return null;
                }

                delay = RetryAfter.Cap(RetryAfter.From(response, DateTimeOffset.UtcNow), Options.MaxRetryAfter) ?? Backoff(retriesSoFar);
            }

            if (Options.TotalBudget > TimeSpan.Zero && elapsed + delay.Value >= Options.TotalBudget)
            {
                HttpLog.Retry(Redact($"Not retrying {state.Method} {state.Display}: waiting {delay.Value.TotalSeconds:0.#} s would go past the call's budget of {Options.TotalBudget.TotalSeconds:0.#} s."));
                return null;
            }

            return delay;
        }

        /// <summary>
        /// Exponential backoff with jitter: 50-100% of BaseDelay·2^retry, at most MaxDelay. Public for callers that
        /// repeat a call themselves after learning its outcome (a create looked up by name before it is sent again).
        /// </summary>
        public TimeSpan Backoff(int retriesSoFar)
        {
            var ms = Options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retriesSoFar, 16));
            ms = Math.Min(ms, Options.MaxDelay.TotalMilliseconds);
            return TimeSpan.FromMilliseconds(ms * (0.5 + s_random.Value!.NextDouble() * 0.5));
        }

        private string Redact(string text) => _redact == null ? text : _redact(text);

        private static HttpRequestMessage Copy(HttpRequestMessage original, byte[]? body)
        {
            var copy = new HttpRequestMessage(original.Method, original.RequestUri) { Version = original.Version };
            foreach (var header in original.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            foreach (var property in original.Properties)
            {
                copy.Properties[property.Key] = property.Value;
            }

            if (body != null)
            {
                copy.Content = new ByteArrayContent(body);
                foreach (var header in original.Content!.Headers)
                {
                    copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            return copy;
        }

        private sealed class CallState
        {
            private readonly HttpResilienceOptions _options;

            public CallState(HttpResilienceOptions options, RetryPolicy policy, string? display, HttpCompletionOption completion, Action<int>? onAttempt)
            {
                _options = options;
                Policy = policy;
                Display = display;
                Completion = completion;
                OnAttempt = onAttempt;
            }

            public RetryPolicy Policy { get; }

            public string? Display { get; set; }

            public string? Method { get; set; }

            public HttpCompletionOption Completion { get; }

            public Action<int>? OnAttempt { get; }

            public Stopwatch Watch { get; } = Stopwatch.StartNew();

            public int Attempts { get; set; }

            public TimeSpan? NextDelay { get; set; }

            public TimeSpan? Remaining => _options.TotalBudget > TimeSpan.Zero ? _options.TotalBudget - Watch.Elapsed : (TimeSpan?)null;

            public int MaxRetriesFor(Outcome<HttpResponseMessage> outcome) =>
                outcome.Exception is TransportFailure failure && !failure.Sent ? _options.MaxConnectRetries : _options.MaxRetries;
        }
    }
}
