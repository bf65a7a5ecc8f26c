using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Arazzo.Expressions;
using Daytona.Common.Http;

namespace Daytona.Arazzo.Execution
{
    /// <summary>What came back for one step's request: the response as expressions see it, or why there is none.</summary>
    internal sealed class StepResponse
    {
        public int? StatusCode { get; set; }

        public HttpMessageData? Data { get; set; }

        /// <summary>How long the server asked to wait before the next request (Retry-After), capped.</summary>
        public TimeSpan? RetryAfter { get; set; }

        /// <summary>Why no response was received (timeout, connection failure), secrets redacted.</summary>
        public string? Error { get; set; }
    }

    /// <summary>
    /// Sends a step's request and reads its response whole: the one place the runner does HTTP, through the module's
    /// one resilience pipeline (<see cref="ResilientHttp"/>) with <see cref="RetryPolicy.TransportOnly"/> — a dropped
    /// or refused connection is retried there, but no status is: statuses are the workflow's, for its criteria and
    /// its own retry actions. Each attempt has <see cref="RunOptions.RequestTimeout"/>; a request that gets no answer
    /// becomes a step error, not an exception. Retry-After is read by the pipeline's one parser.
    /// </summary>
    internal sealed class StepTransport
    {
        private static readonly Lazy<HttpClient> s_sharedClient = new Lazy<HttpClient>(() => HttpHandlerFactory.CreateClient(allowRedirects: true, useCookies: false));

        private readonly RunState _state;
        private readonly HttpClient _client;
        private readonly ResilientHttp _pipeline;

        public StepTransport(RunState state)
        {
            _state = state;
            _client = state.Options.HttpClient ?? s_sharedClient.Value;
            var options = HttpResilienceOptions.Default;
            options.AttemptTimeout = state.Options.RequestTimeout;
            options.MaxRetryAfter = state.Options.MaxRetryAfter;
            options.TotalBudget = state.Options.RequestTimeout + state.Options.RequestTimeout;
            _pipeline = new ResilientHttp(options, state.Redactor.Redact);
        }

        /// <summary>The client used when the options name none.</summary>
        public static HttpClient SharedClient => s_sharedClient.Value;

        public async Task<StepResponse> SendAsync(string stepId, HttpRequestMessage request)
        {
            var result = new StepResponse();
            var started = Stopwatch.StartNew();
            try
            {
                using var response = await _pipeline.SendAsync(_client, request, RetryPolicy.TransportOnly, _state.Token, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
                var data = new HttpMessageData { ContentType = response.Content?.Headers.ContentType?.ToString() };
                int length;
                if (response.Content == null)
                {
                    data.BodyText = string.Empty;
                    length = 0;
                }
                else if (TryEncoding(response.Content.Headers.ContentType?.CharSet, out var encoding))
                {
                    // The bytes, not a string: JSON is parsed from them and the text decoded only if asked for.
                    var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    data.SetBodyBytes(bytes, encoding);
                    length = bytes.Length;
                }
                else
                {
                    data.BodyText = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    length = data.BodyText.Length;
                }

                foreach (var header in response.Headers)
                {
                    data.Headers[header.Key] = string.Join(", ", header.Value);
                }

                if (response.Content != null)
                {
                    foreach (var header in response.Content.Headers)
                    {
                        data.Headers[header.Key] = string.Join(", ", header.Value);
                    }
                }

                if (length > 0 && data.ContentType != null && !IsJson(data.ContentType) && data.BodyText!.Length > 0)
                {
                    data.Body = System.Text.Json.Nodes.JsonValue.Create(data.BodyText);
                }

                result.StatusCode = (int)response.StatusCode;
                result.Data = data;
                result.RetryAfter = RetryAfter.Cap(RetryAfter.From(response, DateTimeOffset.UtcNow), _state.Options.MaxRetryAfter);
                if (_state.Tracing)
                {
                    _state.Listener.Trace($"{stepId}: {(int)response.StatusCode} {response.ReasonPhrase} in {started.ElapsedMilliseconds} ms, {length} {(data.BodyText == null ? "bytes" : "characters")}");
                }
            }
            catch (TransportFailure failure)
            {
                var attempts = failure.Attempts > 1 ? $" after {failure.Attempts} attempts" : string.Empty;
                result.Error = _state.Redactor.Redact(failure.TimedOut && failure.Sent
                    ? $"the request did not complete within {_state.Options.RequestTimeout}{attempts}"
                    : $"the request failed{attempts}: {failure.Message}");
            }

            return result;
        }

        /// <summary>The encoding a charset names (null when none is declared); false for a charset this runtime does not know (the text path then reports it as before).</summary>
        private static bool TryEncoding(string? charset, out System.Text.Encoding? encoding)
        {
            encoding = null;
            if (string.IsNullOrEmpty(charset))
            {
                return true;
            }

            try
            {
                // As HttpContent does: quotes around the name are allowed.
                var name = charset!.Length > 2 && charset[0] == '"' && charset[charset.Length - 1] == '"' ? charset.Substring(1, charset.Length - 2) : charset;
                encoding = System.Text.Encoding.GetEncoding(name);
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private static bool IsJson(string contentType)
        {
            var media = contentType.Split(';')[0].Trim();
            return media.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        }
    }
}
