using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;
using Daytona.Common.Http;

namespace Daytona.Api
{
    /// <summary>
    /// The one send path of the Daytona API client: the headers every call carries (bearer key, organization,
    /// user agent), the module's resilience pipeline (<see cref="ResilientHttp"/>), and the mapping of what comes back
    /// — a failure status or no answer — to the catalog's errors (<see cref="ErrorCatalog.ForDaytonaStatus"/>,
    /// <see cref="ErrorCatalog.ForDaytonaTransport"/>). The API key is sent only in the Authorization header and is
    /// removed from every message that leaves here.
    /// </summary>
    internal sealed class DaytonaTransport : IDisposable
    {
        internal static readonly string UserAgent = "Daytona.Snapshots/" + (typeof(DaytonaTransport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "0.0.0");

        private static readonly AsyncLocal<Observation.IApiCallObserver?> s_observer = new AsyncLocal<Observation.IApiCallObserver?>();

        private readonly HttpClient _http;
        private long _requests;

        public DaytonaTransport(DaytonaConnection connection, HttpResilienceOptions options)
        {
            Connection = connection;
            var baseText = connection.ApiUrl.AbsoluteUri;
            BaseUri = new Uri(baseText.EndsWith("/", StringComparison.Ordinal) ? baseText : baseText + "/");
            _http = HttpHandlerFactory.CreateClient(options);
            Pipeline = new ResilientHttp(options, Redact);
        }

        public DaytonaConnection Connection { get; }

        public Uri BaseUri { get; }

        public ResilientHttp Pipeline { get; }

        /// <summary>HTTP requests sent so far, retries included.</summary>
        public long RequestsSent => Interlocked.Read(ref _requests);

        /// <summary>The HttpClient the build-context upload shares (its handler's connection limits apply to both).</summary>
        public HttpClient Http => _http;

        /// <summary>Lets <paramref name="observer"/> hear every call of this async flow until the scope is disposed (see <see cref="DaytonaClient.Observe"/>).</summary>
        public static IDisposable Observe(Observation.IApiCallObserver? observer)
        {
            var previous = s_observer.Value;
            s_observer.Value = observer;
            return new Scope(() => s_observer.Value = previous);
        }

        /// <summary>
        /// Sends one call under <paramref name="policy"/>: the one send path, passed once per call however many
        /// attempts the pipeline makes (observers hear of it here). A call that got no answer throws the catalog's
        /// transport error about <paramref name="subject"/>; with <paramref name="rawTransport"/> the
        /// <see cref="TransportFailure"/> itself, for a caller that recovers by looking the outcome up.
        /// </summary>
        public Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, string display, byte[]? body, RetryPolicy policy, bool stream, object? subject, CancellationToken cancellationToken, Action<int>? onAttempt = null, bool rawTransport = false)
        {
            var observer = s_observer.Value;
            return observer == null
                ? ExecuteAsync(method, uri, display, body, policy, stream, subject, cancellationToken, onAttempt, rawTransport)
                : SendObservedAsync(observer, method, uri, display, body, policy, stream, subject, cancellationToken, onAttempt, rawTransport);
        }

        /// <summary>The send path with an observer attached: the same call, then one notification with what it carried.</summary>
        private async Task<HttpResponseMessage> SendObservedAsync(Observation.IApiCallObserver observer, HttpMethod method, Uri uri, string display, byte[]? body, RetryPolicy policy, bool stream, object? subject, CancellationToken cancellationToken, Action<int>? onAttempt, bool rawTransport)
        {
            var attempts = 0;
            var call = new Observation.ApiCall(
                method.Method,
                uri,
                uri.AbsoluteUri.StartsWith(BaseUri.AbsoluteUri, StringComparison.Ordinal) ? uri.AbsoluteUri.Substring(BaseUri.AbsoluteUri.Length) : uri.AbsoluteUri,
                Connection.ApiUrl.AbsoluteUri,
                Connection.OrganizationId,
                body == null ? null : Redact(System.Text.Encoding.UTF8.GetString(body)))
            {
                StartedAt = DateTimeOffset.UtcNow,
            };
            var watch = System.Diagnostics.Stopwatch.StartNew();
            HttpResponseMessage response;
            try
            {
                response = await ExecuteAsync(method, uri, display, body, policy, stream, subject, cancellationToken, n =>
                {
                    attempts = n;
                    onAttempt?.Invoke(n);
                }, rawTransport).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                call.Failure = Redact(TransportFailure.Innermost(e).Message);
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

        private async Task<HttpResponseMessage> ExecuteAsync(HttpMethod method, Uri uri, string display, byte[]? body, RetryPolicy policy, bool stream, object? subject, CancellationToken cancellationToken, Action<int>? onAttempt, bool rawTransport)
        {
            try
            {
                return await Pipeline.SendAsync(
                    _http,
                    () => Request(method, uri, body),
                    policy,
                    cancellationToken,
                    stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead,
                    display,
                    attempt =>
                    {
                        Interlocked.Increment(ref _requests);
                        onAttempt?.Invoke(attempt);
                    }).ConfigureAwait(false);
            }
            catch (TransportFailure e) when (!rawTransport)
            {
                throw Transport(e, method.Method + " " + display, subject);
            }
        }

        /// <summary>The catalog's error for a call that got no answer (a connection never made ends the command).</summary>
        public DaytonaApiException Transport(TransportFailure failure, string call, object? subject)
        {
            var definition = ErrorCatalog.ForDaytonaTransport(failure);
            string message;
            object? target;
            if (definition == ErrorCatalog.DaytonaUnreachable)
            {
                message = $"Cannot reach the Daytona API at {Connection.ApiUrl}: {failure.Message}";
                target = Connection.ApiUrl.ToString();
            }
            else
            {
                var tries = failure.Attempts == 1 ? "1 attempt" : failure.Attempts + " attempts";
                message = failure.TimedOut
                    ? $"The Daytona API did not answer {call} in time ({failure.Message}; {tries})"
                    : $"The connection to the Daytona API dropped before it answered {call} ({failure.Message}; {tries})";
                target = subject ?? Connection.ApiUrl.ToString();
            }

            return new DaytonaApiException(definition.Id, definition.Kind, Redact(message), null, null, target, failure) { RecommendedAction = definition.Recommendation };
        }

        /// <summary>Throws the catalog's error for a failure status; returns for a success.</summary>
        public async Task EnsureSuccessAsync(HttpResponseMessage response, string method, string path, string? subject, ErrorDefinition? notFound = null, ErrorDefinition? conflict = null)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            throw await ErrorFromAsync(response, method, path, subject, notFound, conflict).ConfigureAwait(false);
        }

        /// <summary>
        /// The catalog's error for a failure status. <paramref name="subject"/> is the snapshot the call is about (its
        /// 404 is <see cref="ErrorCatalog.SnapshotNotFound"/> unless <paramref name="notFound"/> says otherwise).
        /// </summary>
        public async Task<DaytonaApiException> ErrorFromAsync(HttpResponseMessage response, string method, string path, string? subject, ErrorDefinition? notFound = null, ErrorDefinition? conflict = null)
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
            var where = $"HTTP {status} from {method} {(path.StartsWith("/", StringComparison.Ordinal) ? path : new Uri(BaseUri, path).AbsolutePath)}";
            var text = (serverMessage ?? response.ReasonPhrase ?? "The request failed") + $" ({where})";

            var definition = ErrorCatalog.ForDaytonaStatus(status, notFound ?? (subject != null ? ErrorCatalog.SnapshotNotFound : null), conflict);
            var action = definition.Recommendation;
            if (definition == ErrorCatalog.DaytonaAuthenticationFailed)
            {
                text = $"Daytona rejected the API key from {Connection.ApiKeySource}: {text}";
                action = $"The key came from {Connection.ApiKeySource}. Check that it is valid for {Connection.ApiUrl} (keys are made in the Daytona dashboard under Keys), then set DAYTONA_API_KEY or connect again with Connect-Daytona -ApiKey (Read-Host -AsSecureString).";
            }
            else if (definition == ErrorCatalog.DaytonaPermissionDenied && Connection.OrganizationId != null)
            {
                action = $"Use a key with the snapshot permissions (read/write snapshots) for organization {Connection.OrganizationId}.";
            }
            else if (definition == ErrorCatalog.SnapshotNotFound)
            {
                text = $"Snapshot '{subject}' was not found: {text}";
            }

            return new DaytonaApiException(definition.Id, definition.Kind, Redact(text), response.StatusCode, serverMessage, subject) { RecommendedAction = action };
        }

        public static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, string method, string path)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            try
            {
                return JsonDocument.Parse(bytes);
            }
            catch (JsonException e)
            {
                throw Unexpected($"{method} {path} returned a body that is not JSON: {e.Message}", response.StatusCode, null, e);
            }
        }

        public static DaytonaApiException Unexpected(string message, HttpStatusCode? status, object? target, Exception? inner = null) =>
            new DaytonaApiException(ErrorCatalog.DaytonaUnexpectedResponse.Id, ErrorCatalog.DaytonaUnexpectedResponse.Kind, message, status, null, target, inner)
            {
                RecommendedAction = ErrorCatalog.DaytonaUnexpectedResponse.Recommendation,
            };

        /// <summary>Removes the API key from any text that leaves the client (a server could echo it back).</summary>
        public string Redact(string text)
        {
            var key = Connection.ApiKey;
            return key.Length >= 4 && text.IndexOf(key, StringComparison.Ordinal) >= 0 ? text.Replace(key, "***") : text;
        }

        public void Dispose() => _http.Dispose();

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

        private HttpRequestMessage Request(HttpMethod method, Uri uri, byte[]? body)
        {
            var request = new HttpRequestMessage(method, uri);
            request.Headers.TryAddWithoutValidation("Authorization", Connection.AuthorizationValue);
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
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

            return request;
        }
    }
}
