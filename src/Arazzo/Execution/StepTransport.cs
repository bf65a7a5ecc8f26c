using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Arazzo.Expressions;

namespace Daytona.Arazzo.Execution
{
    /// <summary>What came back for one step's request: the response as expressions see it, or why there is none.</summary>
    internal sealed class StepResponse
    {
        public int? StatusCode { get; set; }

        public HttpMessageData? Data { get; set; }

        public string? BodyText { get; set; }

        /// <summary>How long the server asked to wait before the next request (Retry-After), capped.</summary>
        public TimeSpan? RetryAfter { get; set; }

        /// <summary>Why no response was received (timeout, connection failure), secrets redacted.</summary>
        public string? Error { get; set; }
    }

    /// <summary>
    /// Sends a step's request and reads its response whole: the one place the runner does HTTP. A request that does
    /// not answer within <see cref="RunOptions.RequestTimeout"/> or cannot connect becomes a step error, not an exception.
    /// </summary>
    internal sealed class StepTransport
    {
        private static readonly Lazy<HttpClient> s_sharedClient = new Lazy<HttpClient>(() =>
            new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = true }) { Timeout = Timeout.InfiniteTimeSpan });

        private readonly RunState _state;
        private readonly HttpClient _client;

        public StepTransport(RunState state)
        {
            _state = state;
            _client = state.Options.HttpClient ?? s_sharedClient.Value;
        }

        /// <summary>The client used when the options name none (also used to fetch remote source descriptions).</summary>
        public static HttpClient SharedClient => s_sharedClient.Value;

        public async Task<StepResponse> SendAsync(string stepId, HttpRequestMessage request)
        {
            var token = _state.Token;
            var result = new StepResponse();
            using (var perRequest = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                perRequest.CancelAfter(_state.Options.RequestTimeout);
                var started = Stopwatch.StartNew();
                try
                {
                    using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, perRequest.Token).ConfigureAwait(false);
                    var body = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    var data = new HttpMessageData { BodyText = body, ContentType = response.Content?.Headers.ContentType?.ToString() };
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

                    if (body.Length > 0 && data.ContentType != null && !IsJson(data.ContentType))
                    {
                        data.Body = System.Text.Json.Nodes.JsonValue.Create(body);
                    }

                    result.StatusCode = (int)response.StatusCode;
                    result.Data = data;
                    result.BodyText = body;
                    result.RetryAfter = RetryAfter(response);
                    if (_state.Tracing)
                    {
                        _state.Listener.Trace($"{stepId}: {(int)response.StatusCode} {response.ReasonPhrase} in {started.ElapsedMilliseconds} ms, {body.Length} characters");
                    }
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    result.Error = $"the request did not complete within {_state.Options.RequestTimeout}";
                }
                catch (HttpRequestException e)
                {
                    result.Error = _state.Redactor.Redact("the request failed: " + (e.InnerException?.Message ?? e.Message));
                }
            }

            return result;
        }

        private TimeSpan? RetryAfter(HttpResponseMessage response)
        {
            var header = response.Headers.RetryAfter;
            if (header == null)
            {
                return null;
            }

            TimeSpan? wait = header.Delta ?? (header.Date.HasValue ? header.Date.Value - DateTimeOffset.UtcNow : (TimeSpan?)null);
            if (wait == null)
            {
                return null;
            }

            if (wait < TimeSpan.Zero)
            {
                wait = TimeSpan.Zero;
            }

            return wait > _state.Options.MaxRetryAfter ? _state.Options.MaxRetryAfter : wait;
        }

        private static bool IsJson(string contentType)
        {
            var media = contentType.Split(';')[0].Trim();
            return media.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        }
    }
}
