using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;
using Polly;
using Polly.Retry;

namespace Daytona.Api
{
    /// <summary>
    /// A client for Daytona's snapshot endpoints (<c>/api/snapshots…</c>). One instance per connection holds one
    /// <see cref="HttpClient"/> that is reused for every call (<see cref="For"/>). Every call takes a
    /// <see cref="CancellationToken"/>. Failures surface as <see cref="DaytonaApiException"/> with a stable ErrorId.
    /// <para>
    /// Resilience (Polly): idempotent calls (GET, DELETE by id, deactivate — the server answers 204 for an already
    /// inactive snapshot) retry on 429, 502, 503, 504 and connection failures with bounded exponential backoff and
    /// jitter, honouring <c>Retry-After</c>. Calls that are not idempotent (create, activate) are retried only when
    /// the request cannot have been processed: a 429 (the rate limiter rejects before the handler runs) or a failure
    /// to connect. After an ambiguous failure the client looks at the server's state (by name, by id) to learn
    /// whether the call took effect before trying again.
    /// </para>
    /// The API key is sent only in the Authorization header; it never appears in a log line or exception text.
    /// </summary>
    public sealed class DaytonaClient : IDisposable
    {
        private static readonly ConditionalWeakTable<DaytonaConnection, DaytonaClient> s_shared = new ConditionalWeakTable<DaytonaConnection, DaytonaClient>();
        private static readonly AsyncLocal<Action<string>?> s_log = new AsyncLocal<Action<string>?>();
        private static readonly AsyncLocal<Observation.IApiCallObserver?> s_observer = new AsyncLocal<Observation.IApiCallObserver?>();
        private static readonly string s_userAgent = "Daytona.Snapshots/" + (typeof(DaytonaClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "0.0.0");

        private readonly HttpClient _http;
        private readonly Uri _base;
        private readonly DaytonaClientOptions _options;
        private readonly ResiliencePipeline<HttpResponseMessage> _idempotent;
        private readonly ResiliencePipeline<HttpResponseMessage> _unprocessedOnly;
        private long _requests;

        public DaytonaClient(DaytonaConnection connection, DaytonaClientOptions? options = null)
        {
            Connection = connection ?? throw new ArgumentNullException(nameof(connection));
            _options = options?.Clone() ?? new DaytonaClientOptions();
            var baseText = connection.ApiUrl.AbsoluteUri;
            _base = new Uri(baseText.EndsWith("/", StringComparison.Ordinal) ? baseText : baseText + "/");
            _http = new HttpClient(CreateHandler(_options), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            _idempotent = BuildPipeline(idempotent: true);
            _unprocessedOnly = BuildPipeline(idempotent: false);
        }

        /// <summary>The shared client of a connection (created on first use, one HttpClient per connection).</summary>
        public static DaytonaClient For(DaytonaConnection connection) => s_shared.GetValue(connection, c => new DaytonaClient(c));

        /// <summary>Routes this async flow's request log (method, path, status, time, retries) to <paramref name="sink"/>.</summary>
        public static IDisposable LogTo(Action<string>? sink)
        {
            var previous = s_log.Value;
            s_log.Value = sink;
            return new Scope(() => s_log.Value = previous);
        }

        /// <summary>
        /// Lets <paramref name="observer"/> hear every call made in this async flow until the scope is disposed: one
        /// notification per logical call (after its retries), with its request and response bodies. Nothing is read or
        /// kept for observers when none is attached.
        /// </summary>
        public static IDisposable Observe(Observation.IApiCallObserver? observer)
        {
            var previous = s_observer.Value;
            s_observer.Value = observer;
            return new Scope(() => s_observer.Value = previous);
        }

        public DaytonaConnection Connection { get; }

        /// <summary>HTTP requests sent by this client so far, retries included.</summary>
        public long RequestsSent => Interlocked.Read(ref _requests);

        public string UserAgent => s_userAgent;

        // ---- snapshots -------------------------------------------------------------------------------------------

        /// <summary><c>GET /snapshots</c>: one page.</summary>
        public async Task<SnapshotPage> ListSnapshotsAsync(SnapshotListQuery? query, CancellationToken cancellationToken)
        {
            query ??= new SnapshotListQuery();
            var path = "snapshots" + QueryString(query);
            using var response = await SendAsync(HttpMethod.Get, path, null, idempotent: true, stream: false, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, "GET", path, null).ConfigureAwait(false);
            using var document = await ReadJsonAsync(response, "GET", path).ConfigureAwait(false);
            return Stamp(SnapshotJson.ReadPage(document.RootElement, query.Page));
        }

        /// <summary>Every page from <see cref="SnapshotListQuery.Page"/> on, each yielded as it arrives.</summary>
        public async IAsyncEnumerable<SnapshotPage> ListSnapshotPagesAsync(SnapshotListQuery? query, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var q = query?.Clone() ?? new SnapshotListQuery();
            while (true)
            {
                var page = await ListSnapshotsAsync(q, cancellationToken).ConfigureAwait(false);
                yield return page;
                if (page.Items.Count == 0 || q.Page >= page.TotalPages)
                {
                    yield break;
                }

                q.Page++;
            }
        }

        /// <summary><c>GET /snapshots/{idOrName}</c>: the server accepts an id or a name.</summary>
        public async Task<Snapshot> GetSnapshotAsync(string idOrName, CancellationToken cancellationToken)
        {
            return await FindSnapshotAsync(idOrName, cancellationToken).ConfigureAwait(false)
                ?? throw NotFound(idOrName);
        }

        /// <summary>Like <see cref="GetSnapshotAsync"/>, but null when there is no such snapshot.</summary>
        public async Task<Snapshot?> FindSnapshotAsync(string idOrName, CancellationToken cancellationToken)
        {
            RequireText(idOrName, nameof(idOrName));
            var path = "snapshots/" + Escape(idOrName);
            using var response = await SendAsync(HttpMethod.Get, path, null, idempotent: true, stream: false, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            await EnsureSuccessAsync(response, "GET", path, idOrName).ConfigureAwait(false);
            using var document = await ReadJsonAsync(response, "GET", path).ConfigureAwait(false);
            return Stamp(SnapshotJson.ReadSnapshot(document.RootElement));
        }

        /// <summary>
        /// <c>POST /snapshots</c>. Not retried blindly: when the outcome of a sent request is unknown (a 502–504,
        /// a dropped connection, a timeout) the client looks the name up; only when no such snapshot exists does it
        /// send the request again. A 409 on such a repeat means the first request had created it.
        /// </summary>
        public async Task<Snapshot> CreateSnapshotAsync(CreateSnapshotRequest request, CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            RequireText(request.Name, "Name");
            if (request.ImageName == null && request.DockerfileContent == null)
            {
                throw new DaytonaApiException(DaytonaErrorIds.InvalidRequest, ErrorKind.InvalidArgument, "A snapshot needs an image name or a Dockerfile build.", null, null, request.Name);
            }

            var body = SnapshotJson.WriteCreate(request);
            const string path = "snapshots";
            for (var attempt = 1; ; attempt++)
            {
                Exception? ambiguous = null;
                try
                {
                    using var response = await SendAsync(HttpMethod.Post, path, body, idempotent: false, stream: false, cancellationToken, rawTransport: true).ConfigureAwait(false);
                    if (IsGatewayFailure(response.StatusCode) && attempt <= _options.MaxRetries)
                    {
                        ambiguous = await ErrorFromAsync(response, "POST", path, request.Name).ConfigureAwait(false);
                    }
                    else
                    {
                        if (response.StatusCode == HttpStatusCode.Conflict && attempt > 1)
                        {
                            var created = await FindSnapshotAsync(request.Name, cancellationToken).ConfigureAwait(false);
                            if (created != null)
                            {
                                Log($"POST {path}: an earlier attempt had created '{request.Name}'.");
                                return created;
                            }
                        }

                        await EnsureSuccessAsync(response, "POST", path, request.Name, conflictIsSnapshot: true).ConfigureAwait(false);
                        using var document = await ReadJsonAsync(response, "POST", path).ConfigureAwait(false);
                        return Stamp(SnapshotJson.ReadSnapshot(document.RootElement));
                    }
                }
                catch (TransportException e)
                {
                    if (attempt > _options.MaxRetries || e.Permanent)
                    {
                        throw Unreachable(e);
                    }

                    ambiguous = e;
                }

                Log($"POST {path}: outcome unknown ({ambiguous.Message}); looking up '{request.Name}' before trying again.");
                var existing = await FindSnapshotAsync(request.Name, cancellationToken).ConfigureAwait(false);
                if (existing != null)
                {
                    return existing;
                }

                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary><c>DELETE /snapshots/{id}</c> (the id, not the name). Idempotent: a 404 on a retry means the first attempt deleted it.</summary>
        public async Task DeleteSnapshotAsync(string id, CancellationToken cancellationToken)
        {
            RequireText(id, nameof(id));
            var path = "snapshots/" + Escape(id);
            var attempts = 0;
            using var response = await SendAsync(HttpMethod.Delete, path, null, idempotent: true, stream: false, cancellationToken, () => attempts++).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound && attempts > 1)
            {
                return;
            }

            await EnsureSuccessAsync(response, "DELETE", path, id).ConfigureAwait(false);
        }

        /// <summary>
        /// <c>POST /snapshots/{id}/activate</c>. Returns the snapshot as the server left it (normally <c>pending</c>).
        /// An already active snapshot is returned as it is. After an ambiguous failure the snapshot is read: if it
        /// left <c>inactive</c>, the activation took effect.
        /// </summary>
        public async Task<Snapshot> ActivateSnapshotAsync(string id, CancellationToken cancellationToken)
        {
            RequireText(id, nameof(id));
            var path = "snapshots/" + Escape(id) + "/activate";
            for (var attempt = 1; ; attempt++)
            {
                Exception? ambiguous = null;
                try
                {
                    using var response = await SendAsync(HttpMethod.Post, path, null, idempotent: false, stream: false, cancellationToken, rawTransport: true).ConfigureAwait(false);
                    if (IsGatewayFailure(response.StatusCode) && attempt <= _options.MaxRetries)
                    {
                        ambiguous = await ErrorFromAsync(response, "POST", path, id).ConfigureAwait(false);
                    }
                    else
                    {
                        if (response.StatusCode == HttpStatusCode.BadRequest)
                        {
                            var error = await ErrorFromAsync(response, "POST", path, id).ConfigureAwait(false);
                            if (error.ServerMessage != null && error.ServerMessage.IndexOf("already active", StringComparison.OrdinalIgnoreCase) >= 0)
                            {
                                return await GetSnapshotAsync(id, cancellationToken).ConfigureAwait(false);
                            }

                            throw error;
                        }

                        await EnsureSuccessAsync(response, "POST", path, id).ConfigureAwait(false);
                        using var document = await ReadJsonAsync(response, "POST", path).ConfigureAwait(false);
                        return Stamp(SnapshotJson.ReadSnapshot(document.RootElement));
                    }
                }
                catch (TransportException e)
                {
                    if (attempt > _options.MaxRetries || e.Permanent)
                    {
                        throw Unreachable(e);
                    }

                    ambiguous = e;
                }

                Log($"POST {path}: outcome unknown ({ambiguous.Message}); reading the snapshot before trying again.");
                var current = await GetSnapshotAsync(id, cancellationToken).ConfigureAwait(false);
                if (current.State != SnapshotState.Inactive)
                {
                    return current;
                }

                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary><c>POST /snapshots/{id}/deactivate</c> (204). Idempotent on the server: an inactive snapshot stays as it is.</summary>
        public async Task DeactivateSnapshotAsync(string id, CancellationToken cancellationToken)
        {
            RequireText(id, nameof(id));
            var path = "snapshots/" + Escape(id) + "/deactivate";
            using var response = await SendAsync(HttpMethod.Post, path, null, idempotent: true, stream: false, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, "POST", path, id).ConfigureAwait(false);
        }

        /// <summary>
        /// The build log as lines, read the way Daytona's SDK reads it: <c>GET /snapshots/{id}/build-logs-url</c>, then
        /// that URL (with <c>?follow=true</c> when following) with the same headers. The URL serves the whole log also
        /// once the snapshot is active, where the older <c>/build-logs</c> endpoint answers empty. With
        /// <paramref name="follow"/> the server keeps the stream open while the build runs; the enumeration ends
        /// when the server closes it.
        /// </summary>
        public async IAsyncEnumerable<string> GetBuildLogAsync(string id, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            RequireText(id, nameof(id));
            var url = await GetBuildLogsUrlAsync(id, cancellationToken).ConfigureAwait(false);
            var target = follow ? new Uri(url.AbsoluteUri + (string.IsNullOrEmpty(url.Query) ? "?" : "&") + "follow=true") : url;
            var display = "build log of " + id + (follow ? " (follow)" : string.Empty);
            using var response = await SendAsync(HttpMethod.Get, target, display, null, idempotent: true, stream: true, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, "GET", target.AbsolutePath, id, notFoundId: DaytonaErrorIds.SnapshotHasNoBuildLog).ConfigureAwait(false);
            using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            // StreamReader.ReadLineAsync takes no token on netstandard2.0: closing the response ends a pending read.
            using var registration = cancellationToken.Register(() => response.Dispose());
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (cancellationToken.IsCancellationRequested && (e is ObjectDisposedException || e is IOException || e is HttpRequestException))
                {
                    throw new OperationCanceledException(cancellationToken);
                }
                catch (Exception e) when (e is IOException || e is HttpRequestException)
                {
                    throw new DaytonaApiException(DaytonaErrorIds.Unreachable, ErrorKind.ConnectionError, Redact($"The build log stream of {id} was cut: {Innermost(e).Message}"), null, null, id, e);
                }

                if (line == null)
                {
                    yield break;
                }

                yield return line;
            }
        }

        /// <summary><c>GET /snapshots/{id}/build-logs-url</c>: where the build log can be streamed from.</summary>
        public async Task<Uri> GetBuildLogsUrlAsync(string id, CancellationToken cancellationToken)
        {
            RequireText(id, nameof(id));
            var path = "snapshots/" + Escape(id) + "/build-logs-url";
            using var response = await SendAsync(HttpMethod.Get, path, null, idempotent: true, stream: false, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, "GET", path, id, notFoundId: DaytonaErrorIds.SnapshotHasNoBuildLog).ConfigureAwait(false);
            using var document = await ReadJsonAsync(response, "GET", path).ConfigureAwait(false);
            var url = SnapshotJson.Str(document.RootElement, "url");
            if (url == null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                throw new DaytonaApiException(DaytonaErrorIds.UnexpectedResponse, ErrorKind.InvalidData, $"GET {path} returned no usable url.", response.StatusCode, null, id);
            }

            return uri;
        }

        /// <summary>The snapshot's id: <paramref name="idOrName"/> itself when it is a UUID, else looked up by name.</summary>
        public async Task<string> ResolveIdAsync(string idOrName, CancellationToken cancellationToken)
        {
            RequireText(idOrName, nameof(idOrName));
            return Guid.TryParse(idOrName, out _) ? idOrName : (await GetSnapshotAsync(idOrName, cancellationToken).ConfigureAwait(false)).Id;
        }

        public void Dispose() => _http.Dispose();

        // ---- transport -------------------------------------------------------------------------------------------

        private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body, bool idempotent, bool stream, CancellationToken cancellationToken, Action? onAttempt = null, bool rawTransport = false) =>
            SendAsync(method, new Uri(_base, path), path, body, idempotent, stream, cancellationToken, onAttempt, rawTransport);

        /// <summary>
        /// The one send path of the client: every call goes through here once, however many attempts its resilience
        /// pipeline makes. Observers attached with <see cref="Observe"/> hear of it here.
        /// </summary>
        private Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, string path, byte[]? body, bool idempotent, bool stream, CancellationToken cancellationToken, Action? onAttempt = null, bool rawTransport = false)
        {
            var observer = s_observer.Value;
            return observer == null
                ? ExecuteAsync(method, uri, path, body, idempotent, stream, cancellationToken, onAttempt, rawTransport)
                : SendObservedAsync(observer, method, uri, path, body, idempotent, stream, cancellationToken, onAttempt, rawTransport);
        }

        private async Task<HttpResponseMessage> ExecuteAsync(HttpMethod method, Uri uri, string path, byte[]? body, bool idempotent, bool stream, CancellationToken cancellationToken, Action? onAttempt, bool rawTransport)
        {
            var pipeline = idempotent ? _idempotent : _unprocessedOnly;
            try
            {
                return await pipeline.ExecuteAsync(
                    async token =>
                    {
                        onAttempt?.Invoke();
                        return await AttemptAsync(method, uri, path, body, stream, token).ConfigureAwait(false);
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (TransportException e) when (!rawTransport)
            {
                throw Unreachable(e);
            }
        }

        /// <summary>The send path with an observer attached: the same call, then one notification with what it carried.</summary>
        private async Task<HttpResponseMessage> SendObservedAsync(Observation.IApiCallObserver observer, HttpMethod method, Uri uri, string path, byte[]? body, bool idempotent, bool stream, CancellationToken cancellationToken, Action? onAttempt, bool rawTransport)
        {
            var attempts = 0;
            var call = new Observation.ApiCall(
                method.Method,
                uri,
                uri.AbsoluteUri.StartsWith(_base.AbsoluteUri, StringComparison.Ordinal) ? uri.AbsoluteUri.Substring(_base.AbsoluteUri.Length) : uri.AbsoluteUri,
                Connection.ApiUrl.AbsoluteUri,
                Connection.OrganizationId,
                body == null ? null : Redact(Encoding.UTF8.GetString(body)))
            {
                StartedAt = DateTimeOffset.UtcNow,
            };
            var watch = Stopwatch.StartNew();
            HttpResponseMessage response;
            try
            {
                response = await ExecuteAsync(method, uri, path, body, idempotent, stream, cancellationToken, () =>
                {
                    attempts++;
                    onAttempt?.Invoke();
                }, rawTransport).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                call.Failure = Redact(Innermost(e).Message);
                call.Attempts = attempts;
                call.Duration = watch.Elapsed;
                observer.Called(call);
                throw;
            }

            call.StatusCode = (int)response.StatusCode;
            call.Attempts = attempts;
            call.Streamed = stream;
            if (!stream && response.Content != null)
            {
                // The content was read into memory by the send (ResponseContentRead): reading it again is free.
                call.ResponseBody = Redact(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            }

            call.Duration = watch.Elapsed;
            observer.Called(call);
            return response;
        }

        private async Task<HttpResponseMessage> AttemptAsync(HttpMethod method, Uri uri, string path, byte[]? body, bool stream, CancellationToken cancellationToken)
        {
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(_options.RequestTimeout);
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.TryAddWithoutValidation("Authorization", Connection.AuthorizationValue);
            request.Headers.TryAddWithoutValidation("User-Agent", s_userAgent);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (Connection.OrganizationId != null)
            {
                request.Headers.TryAddWithoutValidation("X-Daytona-Organization-ID", Connection.OrganizationId);
            }

            if (body != null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            Interlocked.Increment(ref _requests);
            var watch = Stopwatch.StartNew();
            try
            {
                var response = await _http.SendAsync(request, stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, attemptTimeout.Token).ConfigureAwait(false);
                Log($"{method.Method} {path} -> {(int)response.StatusCode} {response.ReasonPhrase} ({watch.ElapsedMilliseconds} ms)");
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
                    ? $"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s"
                    : $"no connection within {_options.ConnectTimeout.TotalSeconds:0.#} s";
                Log($"{method.Method} {path} -> {message} ({watch.ElapsedMilliseconds} ms)");
                // A server that accepts no connection within the connect timeout is not retried: a wrong URL fails fast.
                throw new TransportException(message, beforeSend: !sent, permanent: !sent, e);
            }
            catch (HttpRequestException e)
            {
                var (beforeSend, permanent) = ClassifyConnectFailure(e);
                var message = Innermost(e).Message;
                Log($"{method.Method} {path} -> failed: {message} ({watch.ElapsedMilliseconds} ms)");
                throw new TransportException(message, beforeSend, permanent, e);
            }
        }

        private ResiliencePipeline<HttpResponseMessage> BuildPipeline(bool idempotent)
        {
            var options = new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(0, _options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.MaxRetryDelay,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome, args.AttemptNumber, idempotent)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    var what = args.Outcome.Exception != null ? args.Outcome.Exception.Message : $"{(int)args.Outcome.Result!.StatusCode} {args.Outcome.Result.ReasonPhrase}";
                    Log($"Retrying in {args.RetryDelay.TotalMilliseconds:0} ms after: {Redact(what)} (retry {args.AttemptNumber + 1} of {_options.MaxRetries}).");
                    return default;
                },
            };

            return new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(options).Build();
        }

        private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, int attemptNumber, bool idempotent)
        {
            if (outcome.Exception is TransportException transport)
            {
                if (transport.Permanent)
                {
                    return false;
                }

                if (transport.BeforeSend)
                {
                    return attemptNumber < _options.MaxConnectRetries;
                }

                return idempotent;
            }

            if (outcome.Exception != null)
            {
                return false;
            }

            var status = outcome.Result!.StatusCode;
            if ((int)status == 429)
            {
                // The rate limiter rejects before the handler runs: safe for every call.
                return true;
            }

            return idempotent && IsGatewayFailure(status);
        }

        private TimeSpan? RetryAfter(HttpResponseMessage? response)
        {
            if (response == null)
            {
                return null;
            }

            TimeSpan? delay = null;
            var header = response.Headers.RetryAfter;
            if (header?.Delta != null)
            {
                delay = header.Delta.Value;
            }
            else if (header?.Date != null)
            {
                delay = header.Date.Value - DateTimeOffset.UtcNow;
            }
            else
            {
                // The Nest throttler also names its header after the throttler: Retry-After-<name>, in seconds.
                foreach (var pair in response.Headers)
                {
                    if (pair.Key.StartsWith("Retry-After", StringComparison.OrdinalIgnoreCase))
                    {
                        foreach (var value in pair.Value)
                        {
                            if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
                            {
                                delay = TimeSpan.FromSeconds(seconds);
                            }
                        }
                    }
                }
            }

            if (delay == null)
            {
                return null;
            }

            if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
            return delay > _options.MaxRetryAfter ? _options.MaxRetryAfter : delay;
        }

        private TimeSpan Backoff(int attempt)
        {
            var ms = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 10));
            ms = Math.Min(ms, _options.MaxRetryDelay.TotalMilliseconds);
            return TimeSpan.FromMilliseconds(ms * (0.5 + ThreadSafeRandom.NextDouble() * 0.5));
        }

        private static bool IsGatewayFailure(HttpStatusCode status) => (int)status == 502 || (int)status == 503 || (int)status == 504;

        /// <summary>Whether a request failed before it reached the server (nothing was processed), and whether retrying cannot help.</summary>
        private static (bool BeforeSend, bool Permanent) ClassifyConnectFailure(HttpRequestException e)
        {
            // .NET 8+ says it directly (HttpRequestException.HttpRequestError); found by reflection to stay netstandard2.0.
            var kind = e.GetType().GetProperty("HttpRequestError")?.GetValue(e)?.ToString();
            if (kind == "NameResolutionError") return (true, true);
            if (kind == "ConnectionError" || kind == "SecureConnectionError" || kind == "ProxyTunnelError") return (true, false);

            for (Exception? inner = e; inner != null; inner = inner.InnerException)
            {
                if (inner is SocketException socket)
                {
                    switch (socket.SocketErrorCode)
                    {
                        case SocketError.HostNotFound:
                        case SocketError.NoData:
                            return (true, true);
                        case SocketError.ConnectionRefused:
                        case SocketError.HostUnreachable:
                        case SocketError.NetworkUnreachable:
                        case SocketError.AddressNotAvailable:
                        case SocketError.TryAgain:
                            return (true, false);
                    }
                }
            }

            return (false, false);
        }

        // ---- responses -------------------------------------------------------------------------------------------

        private async Task EnsureSuccessAsync(HttpResponseMessage response, string method, string path, string? snapshot, bool conflictIsSnapshot = false, string? notFoundId = null)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            throw await ErrorFromAsync(response, method, path, snapshot, conflictIsSnapshot, notFoundId).ConfigureAwait(false);
        }

        private async Task<DaytonaApiException> ErrorFromAsync(HttpResponseMessage response, string method, string path, string? snapshot, bool conflictIsSnapshot = false, string? notFoundId = null)
        {
            string body;
            try
            {
                body = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException || e is HttpRequestException || e is ObjectDisposedException)
            {
                body = string.Empty;
            }

            var status = (int)response.StatusCode;
            var serverMessage = SnapshotJson.ReadErrorMessage(body);
            serverMessage = serverMessage == null ? null : Redact(serverMessage);
            var where = $"HTTP {status} from {method} {(path.StartsWith("/", StringComparison.Ordinal) ? path : new Uri(_base, path).AbsolutePath)}";
            var text = (serverMessage ?? response.ReasonPhrase ?? "The request failed") + $" ({where})";

            string id;
            ErrorKind kind;
            string? action = null;
            switch (status)
            {
                case 400:
                case 422:
                    id = DaytonaErrorIds.InvalidRequest;
                    kind = ErrorKind.InvalidArgument;
                    break;
                case 401:
                    id = DaytonaErrorIds.AuthenticationFailed;
                    kind = ErrorKind.AuthenticationError;
                    text = $"Daytona rejected the API key from {Connection.ApiKeySource}: {text}";
                    action = $"The key came from {Connection.ApiKeySource}. Check that it is valid for {Connection.ApiUrl} (keys are made in the Daytona dashboard under Keys), then set DAYTONA_API_KEY or connect again with Connect-Daytona -ApiKey (Read-Host -AsSecureString).";
                    break;
                case 403:
                    id = DaytonaErrorIds.PermissionDenied;
                    kind = ErrorKind.PermissionDenied;
                    action = "Use a key with the snapshot permissions (read/write snapshots) for this organization" + (Connection.OrganizationId == null ? "." : $" ({Connection.OrganizationId}).");
                    break;
                case 404:
                    id = notFoundId ?? (snapshot != null ? DaytonaErrorIds.SnapshotNotFound : DaytonaErrorIds.NotFound);
                    kind = ErrorKind.ObjectNotFound;
                    if (snapshot != null && notFoundId == null)
                    {
                        text = $"Snapshot '{snapshot}' was not found: {text}";
                        action = "Check the name or id with Get-DaytonaSnapshot.";
                    }

                    break;
                case 409:
                    id = conflictIsSnapshot ? DaytonaErrorIds.SnapshotAlreadyExists : DaytonaErrorIds.Conflict;
                    kind = ErrorKind.ResourceExists;
                    if (conflictIsSnapshot) action = "Choose another name, or remove the existing snapshot first.";
                    break;
                case 429:
                    id = DaytonaErrorIds.RateLimited;
                    kind = ErrorKind.LimitsExceeded;
                    action = "Daytona's rate limit was hit and retries did not get through; wait a minute and run the command again.";
                    break;
                default:
                    if (status >= 500)
                    {
                        id = DaytonaErrorIds.ServiceUnavailable;
                        kind = ErrorKind.ResourceUnavailable;
                        action = "The Daytona service failed; retries did not help. Try again later.";
                    }
                    else
                    {
                        id = DaytonaErrorIds.UnexpectedResponse;
                        kind = ErrorKind.NotSpecified;
                    }

                    break;
            }

            return new DaytonaApiException(id, kind, Redact(text), response.StatusCode, serverMessage, snapshot) { RecommendedAction = action };
        }

        private DaytonaApiException NotFound(string idOrName) =>
            new DaytonaApiException(DaytonaErrorIds.SnapshotNotFound, ErrorKind.ObjectNotFound, Redact($"Snapshot '{idOrName}' was not found."), HttpStatusCode.NotFound, null, idOrName)
            {
                RecommendedAction = "Check the name or id with Get-DaytonaSnapshot.",
            };

        private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, string method, string path)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            try
            {
                return JsonDocument.Parse(bytes);
            }
            catch (JsonException e)
            {
                throw new DaytonaApiException(DaytonaErrorIds.UnexpectedResponse, ErrorKind.InvalidData, $"{method} {path} returned a body that is not JSON: {e.Message}", response.StatusCode, null, null, e);
            }
        }

        /// <summary>Turns a transport failure into the user-facing error (called by every public method's caller path).</summary>
        internal DaytonaApiException Unreachable(TransportException e) =>
            new DaytonaApiException(
                DaytonaErrorIds.Unreachable,
                e.Message.StartsWith("no answer", StringComparison.Ordinal) ? ErrorKind.OperationTimeout : ErrorKind.ConnectionError,
                Redact($"Cannot reach the Daytona API at {Connection.ApiUrl}: {e.Message}"),
                null, null, Connection.ApiUrl.ToString(), e)
            {
                RecommendedAction = "Check the API URL (-ApiUrl or DAYTONA_API_URL) and that the server is running and reachable from this machine.",
            };

        private Snapshot Stamp(Snapshot snapshot)
        {
            snapshot.Source = Connection;
            return snapshot;
        }

        private SnapshotPage Stamp(SnapshotPage page)
        {
            foreach (var item in page.Items) item.Source = Connection;
            return page;
        }

        private static string QueryString(SnapshotListQuery q)
        {
            var parts = new List<string>
            {
                "page=" + Math.Max(1, q.Page).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "limit=" + Math.Max(1, Math.Min(SnapshotListQuery.MaxPageSize, q.Limit)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            if (!string.IsNullOrEmpty(q.Name)) parts.Add("name=" + Uri.EscapeDataString(q.Name));
            if (q.Sort.HasValue)
            {
                var sort = q.Sort.Value switch
                {
                    SnapshotSort.CreatedAt => "createdAt",
                    SnapshotSort.Name => "name",
                    SnapshotSort.State => "state",
                    _ => "lastUsedAt",
                };
                parts.Add("sort=" + sort);
            }

            if (q.Descending.HasValue) parts.Add("order=" + (q.Descending.Value ? "desc" : "asc"));
            return "?" + string.Join("&", parts);
        }

        private static string Escape(string segment) => Uri.EscapeDataString(segment);

        private static void RequireText(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"{name} must not be empty.", name);
            }
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e;
        }

        /// <summary>Removes the API key from any text that leaves the client (a server could echo it back).</summary>
        internal string Redact(string text)
        {
            var key = Connection.ApiKey;
            return key.Length >= 4 && text.IndexOf(key, StringComparison.Ordinal) >= 0 ? text.Replace(key, "***") : text;
        }

        private void Log(string line)
        {
            var sink = s_log.Value;
            sink?.Invoke(Redact(line));
        }

        private static HttpMessageHandler CreateHandler(DaytonaClientOptions options)
        {
            // SocketsHttpHandler (on .NET Core / pwsh 7) has a connect timeout, so an unreachable server fails fast;
            // netstandard2.0 cannot name it, so it is created by reflection. Windows PowerShell falls back to
            // HttpClientHandler, where the per-attempt timeout bounds the wait instead.
            var type = Type.GetType("System.Net.Http.SocketsHttpHandler, System.Net.Http", throwOnError: false);
            var supported = type?.GetProperty("IsSupported", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as bool? ?? type != null;
            if (type != null && supported)
            {
                var handler = (HttpMessageHandler)Activator.CreateInstance(type)!;
                type.GetProperty("ConnectTimeout")?.SetValue(handler, options.ConnectTimeout);
                type.GetProperty("PooledConnectionLifetime")?.SetValue(handler, TimeSpan.FromMinutes(5));
                type.GetProperty("AutomaticDecompression")?.SetValue(handler, DecompressionMethods.GZip | DecompressionMethods.Deflate);
                return handler;
            }

            return new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate };
        }

        private sealed class Scope : IDisposable
        {
            private Action? _undo;

            public Scope(Action undo) => _undo = undo;

            public void Dispose()
            {
                _undo?.Invoke();
                _undo = null;
            }
        }
    }

    /// <summary>A request that got no HTTP answer. <see cref="BeforeSend"/>: it never reached the server.</summary>
    internal sealed class TransportException : Exception
    {
        public TransportException(string message, bool beforeSend, bool permanent, Exception inner)
            : base(message, inner)
        {
            BeforeSend = beforeSend;
            Permanent = permanent;
        }

        public bool BeforeSend { get; }

        public bool Permanent { get; }
    }

    internal static class ThreadSafeRandom
    {
        private static readonly ThreadLocal<Random> s_random = new ThreadLocal<Random>(() => new Random(Guid.NewGuid().GetHashCode()));

        public static double NextDouble() => s_random.Value!.NextDouble();
    }
}
