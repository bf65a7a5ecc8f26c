using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;
using Daytona.Common.Http;

namespace Daytona.Api
{
    /// <summary>
    /// A client for Daytona's snapshot endpoints (<c>/api/snapshots…</c>). One instance per connection holds one
    /// HttpClient that is reused for every call (<see cref="For"/>). Every call takes a <see cref="CancellationToken"/>.
    /// Failures surface as <see cref="DaytonaApiException"/> with an id from <see cref="ErrorCatalog"/>.
    /// <para>
    /// Every call goes through the module's resilience pipeline (<see cref="ResilientHttp"/>), which decides what is
    /// retried: idempotent calls (GET, DELETE by id, deactivate — the server answers 204 for an already inactive
    /// snapshot) retry on 429, 502, 503, 504 and transport failures; calls that are not idempotent (create, activate)
    /// only when the request cannot have been processed. After an ambiguous failure of those two (a gateway error, a
    /// dropped connection, a timeout) this client looks at the server's state — by name, by id — to learn whether the
    /// call took effect before trying again, and a 409 on a repeated create means "find it and compare": a create
    /// never makes a second snapshot.
    /// </para>
    /// The API key is sent only in the Authorization header; it never appears in a log line or exception text.
    /// </summary>
    public sealed class DaytonaClient : IDisposable
    {
        private static readonly ConditionalWeakTable<DaytonaConnection, DaytonaClient> s_shared = new ConditionalWeakTable<DaytonaConnection, DaytonaClient>();

        private readonly DaytonaTransport _transport;
        private readonly DaytonaClientOptions _options;

        public DaytonaClient(DaytonaConnection connection, DaytonaClientOptions? options = null)
        {
            Connection = connection ?? throw new ArgumentNullException(nameof(connection));
            _options = options?.Clone() ?? new DaytonaClientOptions();
            _transport = new DaytonaTransport(connection, _options.Http);
        }

        /// <summary>The shared client of a connection (created on first use, one HttpClient per connection).</summary>
        public static DaytonaClient For(DaytonaConnection connection) => s_shared.GetValue(connection, c => new DaytonaClient(c));

        /// <summary>Routes this async flow's request and retry lines to <paramref name="sink"/> (see <see cref="HttpLog"/>).</summary>
        public static IDisposable LogTo(Action<string>? sink) => HttpLog.To(sink, sink);

        /// <summary>
        /// Lets <paramref name="observer"/> hear every call made in this async flow until the scope is disposed: one
        /// notification per logical call (after its retries), with its request and response bodies. Nothing is read or
        /// kept for observers when none is attached.
        /// </summary>
        public static IDisposable Observe(Observation.IApiCallObserver? observer) => DaytonaTransport.Observe(observer);

        public DaytonaConnection Connection { get; }

        /// <summary>HTTP requests sent by this client so far, retries included.</summary>
        public long RequestsSent => _transport.RequestsSent;

        public string UserAgent => DaytonaTransport.UserAgent;

        /// <summary>The client's send path, for the calls that share its connection and pipeline (push access).</summary>
        internal DaytonaTransport Transport => _transport;

        // ---- snapshots -------------------------------------------------------------------------------------------

        /// <summary><c>GET /snapshots</c>: one page.</summary>
        public async Task<SnapshotPage> ListSnapshotsAsync(SnapshotListQuery? query, CancellationToken cancellationToken)
        {
            query ??= new SnapshotListQuery();
            var path = "snapshots" + QueryString(query);
            using var response = await SendAsync(HttpMethod.Get, path, null, RetryPolicy.Idempotent, null, cancellationToken).ConfigureAwait(false);
            await _transport.EnsureSuccessAsync(response, "GET", path, null).ConfigureAwait(false);
            using var document = await DaytonaTransport.ReadJsonAsync(response, "GET", path).ConfigureAwait(false);
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
            using var response = await SendAsync(HttpMethod.Get, path, null, RetryPolicy.Idempotent, idOrName, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            await _transport.EnsureSuccessAsync(response, "GET", path, idOrName).ConfigureAwait(false);
            using var document = await DaytonaTransport.ReadJsonAsync(response, "GET", path).ConfigureAwait(false);
            return Stamp(SnapshotJson.ReadSnapshot(document.RootElement));
        }

        /// <summary>
        /// <c>POST /snapshots</c>. Not retried blindly: when the outcome of a sent request is unknown (a 502–504, a
        /// dropped connection, a timeout) the client looks the name up; only when no such snapshot exists does it send
        /// the request again. A 409 on such a repeat means the first request had created it: the snapshot is found by
        /// name and compared with the request, and returned when it is the one asked for.
        /// </summary>
        public async Task<Snapshot> CreateSnapshotAsync(CreateSnapshotRequest request, CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            RequireText(request.Name, "Name");
            if (request.ImageName == null && request.DockerfileContent == null)
            {
                throw new DaytonaApiException(ErrorCatalog.DaytonaInvalidRequest.Id, ErrorCatalog.DaytonaInvalidRequest.Kind, "A snapshot needs an image name or a Dockerfile build.", null, null, request.Name);
            }

            var body = SnapshotJson.WriteCreate(request);
            const string path = "snapshots";
            var mayExist = false;
            for (var attempt = 1; ; attempt++)
            {
                string doubt;
                try
                {
                    using var response = await SendAsync(HttpMethod.Post, path, body, RetryPolicy.NotIdempotent, request.Name, cancellationToken, rawTransport: true).ConfigureAwait(false);
                    if (IsGatewayFailure(response.StatusCode) && attempt <= _options.MaxRetries)
                    {
                        doubt = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                    }
                    else if (response.StatusCode == HttpStatusCode.Conflict && mayExist)
                    {
                        // An earlier attempt created it after all: find it and compare.
                        var existing = await FindSnapshotAsync(request.Name, cancellationToken).ConfigureAwait(false);
                        if (existing != null)
                        {
                            return Recovered(existing, request);
                        }

                        throw await _transport.ErrorFromAsync(response, "POST", path, request.Name, conflict: ErrorCatalog.SnapshotAlreadyExists).ConfigureAwait(false);
                    }
                    else
                    {
                        await _transport.EnsureSuccessAsync(response, "POST", path, request.Name, conflict: ErrorCatalog.SnapshotAlreadyExists).ConfigureAwait(false);
                        using var document = await DaytonaTransport.ReadJsonAsync(response, "POST", path).ConfigureAwait(false);
                        return Stamp(SnapshotJson.ReadSnapshot(document.RootElement));
                    }
                }
                catch (TransportFailure e)
                {
                    if (!e.Sent || e.Permanent || attempt > _options.MaxRetries)
                    {
                        throw _transport.Transport(e, "POST " + path, request.Name);
                    }

                    doubt = e.Message;
                }

                mayExist = true;
                Log($"POST {path}: outcome unknown ({doubt}); looking up '{request.Name}' before trying again.");
                var found = await FindSnapshotAsync(request.Name, cancellationToken).ConfigureAwait(false);
                if (found != null)
                {
                    return Recovered(found, request);
                }

                await Task.Delay(_transport.Pipeline.Backoff(attempt - 1), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary><c>DELETE /snapshots/{id}</c> (the id, not the name). Idempotent: a 404 on a retry means the first attempt deleted it.</summary>
        public async Task DeleteSnapshotAsync(string id, CancellationToken cancellationToken)
        {
            RequireText(id, nameof(id));
            var path = "snapshots/" + Escape(id);
            var attempts = 0;
            using var response = await SendAsync(HttpMethod.Delete, path, null, RetryPolicy.Idempotent, id, cancellationToken, onAttempt: n => attempts = n).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound && attempts > 1)
            {
                return;
            }

            await _transport.EnsureSuccessAsync(response, "DELETE", path, id).ConfigureAwait(false);
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
                string doubt;
                try
                {
                    using var response = await SendAsync(HttpMethod.Post, path, null, RetryPolicy.NotIdempotent, id, cancellationToken, rawTransport: true).ConfigureAwait(false);
                    if (IsGatewayFailure(response.StatusCode) && attempt <= _options.MaxRetries)
                    {
                        doubt = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                    }
                    else if (response.StatusCode == HttpStatusCode.BadRequest)
                    {
                        var error = await _transport.ErrorFromAsync(response, "POST", path, id).ConfigureAwait(false);
                        if (error.ServerMessage != null && error.ServerMessage.IndexOf("already active", StringComparison.OrdinalIgnoreCase) >= 0)
                        {
                            return await GetSnapshotAsync(id, cancellationToken).ConfigureAwait(false);
                        }

                        throw error;
                    }
                    else
                    {
                        await _transport.EnsureSuccessAsync(response, "POST", path, id).ConfigureAwait(false);
                        using var document = await DaytonaTransport.ReadJsonAsync(response, "POST", path).ConfigureAwait(false);
                        return Stamp(SnapshotJson.ReadSnapshot(document.RootElement));
                    }
                }
                catch (TransportFailure e)
                {
                    if (!e.Sent || e.Permanent || attempt > _options.MaxRetries)
                    {
                        throw _transport.Transport(e, "POST " + path, id);
                    }

                    doubt = e.Message;
                }

                Log($"POST {path}: outcome unknown ({doubt}); reading the snapshot before trying again.");
                var current = await GetSnapshotAsync(id, cancellationToken).ConfigureAwait(false);
                if (current.State != SnapshotState.Inactive)
                {
                    return current;
                }

                await Task.Delay(_transport.Pipeline.Backoff(attempt - 1), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary><c>POST /snapshots/{id}/deactivate</c> (204). Idempotent on the server: an inactive snapshot stays as it is.</summary>
        public async Task DeactivateSnapshotAsync(string id, CancellationToken cancellationToken)
        {
            RequireText(id, nameof(id));
            var path = "snapshots/" + Escape(id) + "/deactivate";
            using var response = await SendAsync(HttpMethod.Post, path, null, RetryPolicy.Idempotent, id, cancellationToken).ConfigureAwait(false);
            await _transport.EnsureSuccessAsync(response, "POST", path, id).ConfigureAwait(false);
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
            using var response = await _transport.SendAsync(HttpMethod.Get, target, display, null, RetryPolicy.Idempotent, stream: true, id, cancellationToken).ConfigureAwait(false);
            await _transport.EnsureSuccessAsync(response, "GET", target.AbsolutePath, id, notFound: ErrorCatalog.SnapshotHasNoBuildLog).ConfigureAwait(false);
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
                catch (Exception e) when (e is ObjectDisposedException || e is IOException || e is HttpRequestException)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new DaytonaApiException(ErrorCatalog.DaytonaConnectionLost.Id, ErrorCatalog.DaytonaConnectionLost.Kind, Redact($"The build log stream of {id} was cut: {Innermost(e).Message}"), null, null, id, e);
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
            using var response = await SendAsync(HttpMethod.Get, path, null, RetryPolicy.Idempotent, id, cancellationToken).ConfigureAwait(false);
            await _transport.EnsureSuccessAsync(response, "GET", path, id, notFound: ErrorCatalog.SnapshotHasNoBuildLog).ConfigureAwait(false);
            using var document = await DaytonaTransport.ReadJsonAsync(response, "GET", path).ConfigureAwait(false);
            var url = SnapshotJson.Str(document.RootElement, "url");
            if (url == null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                throw DaytonaTransport.Unexpected($"GET {path} returned no usable url.", response.StatusCode, id);
            }

            return uri;
        }

        /// <summary>The snapshot's id: <paramref name="idOrName"/> itself when it is a UUID, else looked up by name.</summary>
        public async Task<string> ResolveIdAsync(string idOrName, CancellationToken cancellationToken)
        {
            RequireText(idOrName, nameof(idOrName));
            return Guid.TryParse(idOrName, out _) ? idOrName : (await GetSnapshotAsync(idOrName, cancellationToken).ConfigureAwait(false)).Id;
        }

        public void Dispose() => _transport.Dispose();

        /// <summary>Removes the API key from any text that leaves the client (a server could echo it back).</summary>
        internal string Redact(string text) => _transport.Redact(text);

        /// <summary>
        /// Whether a snapshot found by name is the one <paramref name="request"/> asked for: the same image (or the
        /// same Dockerfile and context), and the same resources where the request named them.
        /// </summary>
        internal static bool Matches(Snapshot snapshot, CreateSnapshotRequest request)
        {
            if (!string.Equals(snapshot.Name, request.Name, StringComparison.Ordinal)) return false;
            if (request.ImageName != null && !string.Equals(snapshot.ImageName, request.ImageName, StringComparison.Ordinal)) return false;
            if (request.DockerfileContent != null)
            {
                if (snapshot.BuildInfo == null || !string.Equals(snapshot.BuildInfo.DockerfileContent, request.DockerfileContent, StringComparison.Ordinal)) return false;
                var wanted = (request.ContextHashes ?? Array.Empty<string>()).OrderBy(h => h, StringComparer.Ordinal);
                var found = (snapshot.BuildInfo.ContextHashes ?? Array.Empty<string>()).OrderBy(h => h, StringComparer.Ordinal);
                if (!wanted.SequenceEqual(found, StringComparer.Ordinal)) return false;
            }

            if (request.Cpu.HasValue && Math.Abs(snapshot.Cpu - request.Cpu.Value) > 1e-9) return false;
            if (request.Memory.HasValue && Math.Abs(snapshot.Mem - request.Memory.Value) > 1e-9) return false;
            if (request.Disk.HasValue && Math.Abs(snapshot.Disk - request.Disk.Value) > 1e-9) return false;
            if (request.Gpu.HasValue && Math.Abs(snapshot.Gpu - request.Gpu.Value) > 1e-9) return false;
            if (request.Entrypoint != null && snapshot.Entrypoint != null && !request.Entrypoint.SequenceEqual(snapshot.Entrypoint, StringComparer.Ordinal)) return false;
            return true;
        }

        // ---- sending ---------------------------------------------------------------------------------------------

        private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body, RetryPolicy policy, string? subject, CancellationToken cancellationToken, Action<int>? onAttempt = null, bool rawTransport = false) =>
            _transport.SendAsync(method, new Uri(_transport.BaseUri, path), path, body, policy, stream: false, subject, cancellationToken, onAttempt, rawTransport);

        private Snapshot Recovered(Snapshot existing, CreateSnapshotRequest request)
        {
            if (!Matches(existing, request))
            {
                throw new DaytonaApiException(ErrorCatalog.SnapshotAlreadyExists.Id, ErrorCatalog.SnapshotAlreadyExists.Kind,
                    Redact($"A snapshot named '{request.Name}' exists but is not the one this call asked for (it has {Describe(existing)})."),
                    HttpStatusCode.Conflict, null, request.Name)
                {
                    RecommendedAction = ErrorCatalog.SnapshotAlreadyExists.Recommendation,
                };
            }

            Log($"POST snapshots: an earlier attempt had created '{request.Name}' ({existing.Id}); using it.");
            return existing;
        }

        private static string Describe(Snapshot snapshot) =>
            snapshot.BuildInfo != null ? "a Dockerfile build" : $"image {snapshot.ImageName ?? "(none)"}, {snapshot.Cpu:0.#} CPU, {snapshot.Mem:0.#} GB memory, {snapshot.Disk:0.#} GB disk";

        private DaytonaApiException NotFound(string idOrName) =>
            new DaytonaApiException(ErrorCatalog.SnapshotNotFound.Id, ErrorCatalog.SnapshotNotFound.Kind, Redact($"Snapshot '{idOrName}' was not found."), HttpStatusCode.NotFound, null, idOrName)
            {
                RecommendedAction = ErrorCatalog.SnapshotNotFound.Recommendation,
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

        private static bool IsGatewayFailure(HttpStatusCode status) => (int)status == 502 || (int)status == 503 || (int)status == 504;

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

        private void Log(string line) => HttpLog.Retry(Redact(line));
    }
}
