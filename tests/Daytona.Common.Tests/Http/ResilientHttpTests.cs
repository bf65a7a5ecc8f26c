using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Daytona.Common.Http;
using Daytona.Emulator;

namespace Daytona.Common.Tests.Http;

/// <summary>The pipeline over real HTTP against the emulator's fault knobs: what is retried, how often, how long it waits.</summary>
public sealed class ResilientHttpTests : IAsyncLifetime
{
    private EmulatorServer _emulator = null!;
    private readonly HttpClient _http = HttpHandlerFactory.CreateClient();
    private readonly List<string> _retries = new();
    private readonly List<string> _requests = new();

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.05 });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    private static HttpResilienceOptions Quick(Action<HttpResilienceOptions>? change = null)
    {
        var options = new HttpResilienceOptions { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(40), MaxRetries = 3, MaxConnectRetries = 2 };
        change?.Invoke(options);
        return options;
    }

    private Func<HttpRequestMessage> Get(string path = "snapshots") => () => Request(HttpMethod.Get, path);

    private Func<HttpRequestMessage> Create(string name) => () => Request(HttpMethod.Post, "snapshots", $"{{\"name\":\"{name}\",\"imageName\":\"alpine:3.20\"}}");

    private HttpRequestMessage Request(HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, new Uri(_emulator.ApiUrl + "/" + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _emulator.ApiKey);
        if (json != null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    /// <summary>Sends through the pipeline with its log lines collected (the log follows the async flow of the call).</summary>
    private async Task<HttpResponseMessage> Send(ResilientHttp pipeline, Func<HttpRequestMessage> request, RetryPolicy policy, CancellationToken cancellationToken, Action<int>? onAttempt = null)
    {
        using var log = Capture();
        return await pipeline.SendAsync(_http, request, policy, cancellationToken, onAttempt: onAttempt);
    }

    private async Task<HttpResponseMessage> Send(ResilientHttp pipeline, HttpRequestMessage request, RetryPolicy policy, CancellationToken cancellationToken)
    {
        using var log = Capture();
        return await pipeline.SendAsync(_http, request, policy, cancellationToken);
    }

    private IDisposable Capture() => HttpLog.To(line => { lock (_requests) _requests.Add(line); }, line => { lock (_retries) _retries.Add(line); });

    private int Requests => _emulator.Control.GetRequests().Total;

    [Theory]
    [InlineData(RetryAfterForm.Seconds)]
    [InlineData(RetryAfterForm.Named)]
    [InlineData(RetryAfterForm.Both)]
    public async Task A429IsRetriedAfterTheWaitItsRetryAfterNames(string form)
    {
        _emulator.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 1, RetryAfterSeconds = 1, RetryAfterForm = form } });
        using var response = await Send(new ResilientHttp(Quick()), Get(), RetryPolicy.Idempotent, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Requests);
        Assert.Contains("in 1000 ms after: 429", Assert.Single(_retries));
    }

    [Fact]
    public async Task A429WithAnHttpDateWaitsUntilThen()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 1, RetryAfterSeconds = 2, RetryAfterForm = RetryAfterForm.Date } });
        using var response = await Send(new ResilientHttp(Quick()), Get(), RetryPolicy.Idempotent, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Requests);

        // The date has whole seconds: the wait is between one and two seconds, not the 10 ms backoff.
        var wait = int.Parse(System.Text.RegularExpressions.Regex.Match(Assert.Single(_retries), @"in (\d+) ms").Groups[1].Value);
        Assert.InRange(wait, 900, 2000);
    }

    [Fact]
    public async Task ARetryAfterLongerThanTheCapWaitsOnlyTheCap()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 1, RetryAfterSeconds = 3600, RetryAfterForm = RetryAfterForm.Seconds } });
        using var response = await Send(new ResilientHttp(Quick(o => o.MaxRetryAfter = TimeSpan.FromMilliseconds(50))), Get(), RetryPolicy.Idempotent, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("in 50 ms", Assert.Single(_retries));
    }

    [Fact]
    public async Task ARetryWhoseWaitWouldPassTheBudgetIsNotMadeAndTheLastAnswerIsReturned()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 1, RetryAfterSeconds = 30, RetryAfterForm = RetryAfterForm.Seconds } });
        using var response = await Send(new ResilientHttp(Quick(o => o.TotalBudget = TimeSpan.FromSeconds(5))), Get(), RetryPolicy.Idempotent, CancellationToken.None);
        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal(1, Requests);
        Assert.Contains("budget", Assert.Single(_retries));
    }

    [Theory]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task GatewayFailuresAreRetriedForIdempotentCallsOnly(int status)
    {
        _emulator.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 2, Status = status } });
        using (var response = await Send(new ResilientHttp(Quick()), Get(), RetryPolicy.Idempotent, CancellationToken.None))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(3, Requests);
        }

        _emulator.Control.ResetRequests();
        _emulator.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 1, Status = status } });
        using (var response = await Send(new ResilientHttp(Quick()), Create("gw-" + status), RetryPolicy.NotIdempotent, CancellationToken.None))
        {
            Assert.Equal((HttpStatusCode)status, response.StatusCode);
            Assert.Equal(1, Requests);
        }

        _emulator.Control.ResetRequests();
        _emulator.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 1, Status = status } });
        using (var response = await Send(new ResilientHttp(Quick()), Get(), RetryPolicy.TransportOnly, CancellationToken.None))
        {
            Assert.Equal((HttpStatusCode)status, response.StatusCode);
            Assert.Equal(1, Requests);
        }
    }

    [Fact]
    public async Task A429IsRetriedEvenForACreateBecauseNothingWasProcessed()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 1, RetryAfterSeconds = 0, RetryAfterForm = RetryAfterForm.Seconds } });
        using var response = await Send(new ResilientHttp(Quick()), Create("after-429"), RetryPolicy.NotIdempotent, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Requests);
    }

    [Fact]
    public async Task GiveUpAfterMaxRetriesWithTheLastAnswer()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 10, Status = 503 } });
        using var response = await Send(new ResilientHttp(Quick()), Get(), RetryPolicy.Idempotent, CancellationToken.None);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(4, Requests);
        Assert.Equal(3, _retries.Count);
        Assert.Contains("(retry 3 of 3)", _retries[2]);
    }

    [Fact]
    public async Task ADroppedConnectionIsRetriedForAGetButNotForAPost()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { DropConnections = 1 });
        using (var response = await Send(new ResilientHttp(Quick()), Get(), RetryPolicy.Idempotent, CancellationToken.None))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, Requests);
        }

        _emulator.Control.ResetRequests();
        _emulator.Control.SetFaults(new EmulatorFaults { DropConnections = 1 });
        var failure = await Assert.ThrowsAsync<TransportFailure>(() => Send(new ResilientHttp(Quick()), Create("dropped"), RetryPolicy.NotIdempotent, CancellationToken.None));
        Assert.True(failure.Sent);
        Assert.Equal(1, failure.Attempts);
        Assert.Equal(1, Requests);
    }

    [Fact]
    public async Task ACreateProcessedBeforeTheConnectionDroppedIsAnUnknownOutcomeAndTheSnapshotExists()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { DropAfterProcessing = 1, Methods = new[] { "POST" } });
        var failure = await Assert.ThrowsAsync<TransportFailure>(() => Send(new ResilientHttp(Quick()), Create("processed"), RetryPolicy.NotIdempotent, CancellationToken.None));
        Assert.True(failure.Sent);
        Assert.False(failure.TimedOut);
        Assert.NotNull(_emulator.Control.GetState("processed"));
    }

    [Fact]
    public async Task TransportOnlyRetriesADroppedGetButNeverAStatus()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { DropConnections = 1 });
        using var response = await Send(new ResilientHttp(Quick()), Get(), RetryPolicy.TransportOnly, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Requests);
    }

    [Theory]
    [InlineData("snapshots/does-not-exist", HttpStatusCode.NotFound)]
    [InlineData("nothing-here", HttpStatusCode.NotFound)]
    public async Task ClientErrorsAreAnsweredAtOnce(string path, HttpStatusCode status)
    {
        using var response = await Send(new ResilientHttp(Quick()), Get(path), RetryPolicy.Idempotent, CancellationToken.None);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(1, Requests);
        Assert.Empty(_retries);
    }

    [Fact]
    public async Task A401IsAnsweredAtOnce()
    {
        using var response = await Send(new ResilientHttp(Quick()), () => new HttpRequestMessage(HttpMethod.Get, _emulator.ApiUrl + "/snapshots"), RetryPolicy.Idempotent, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(1, Requests);
    }

    [Fact]
    public async Task ARefusedConnectionWasNeverSentAndIsRetriedOnlyMaxConnectRetriesTimes()
    {
        var port = FreePort();
        var attempts = 0;
        var failure = await Assert.ThrowsAsync<TransportFailure>(() => Send(new ResilientHttp(Quick()),
            () => new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/api/snapshots"), RetryPolicy.NotIdempotent, CancellationToken.None, onAttempt: n => attempts = n));
        Assert.False(failure.Sent);
        Assert.False(failure.Permanent);
        Assert.Equal(3, attempts);
        Assert.Equal(3, failure.Attempts);
    }

    [Fact]
    public async Task AnAttemptThatTakesTooLongTimesOutAndAnIdempotentCallTriesAgain()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { LatencyMs = 3000 });
        var failure = await Assert.ThrowsAsync<TransportFailure>(() => Send(new ResilientHttp(Quick(o => { o.AttemptTimeout = TimeSpan.FromMilliseconds(200); o.MaxRetries = 1; })), Get(), RetryPolicy.Idempotent, CancellationToken.None));
        Assert.True(failure.TimedOut);
        Assert.True(failure.Sent);
        Assert.Equal(2, failure.Attempts);
    }

    [Fact]
    public async Task CancellingStopsWithoutRetrying()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { LatencyMs = 5000 });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Send(new ResilientHttp(Quick()), Get(), RetryPolicy.Idempotent, cancel.Token));
        Assert.Empty(_retries);
    }

    [Fact]
    public async Task AReadyMadeRequestWithABodyIsCopiedForEachAttempt()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 1, RetryAfterSeconds = 0, RetryAfterForm = RetryAfterForm.Seconds } });
        using var request = Create("copied")();
        using var response = await Send(new ResilientHttp(Quick()), request, RetryPolicy.NotIdempotent, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, Requests);
        Assert.NotNull(_emulator.Control.GetState("copied"));
    }

    [Fact]
    public async Task LogLinesNameMethodAndPathButNeverTheQueryOrAHeader()
    {
        _emulator.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 1, Status = 503 } });
        using var response = await Send(new ResilientHttp(Quick()), Get("snapshots?name=secret-query"), RetryPolicy.Idempotent, CancellationToken.None);
        Assert.All(_requests.Concat(_retries), line => Assert.DoesNotContain("secret-query", line));
        Assert.All(_requests.Concat(_retries), line => Assert.DoesNotContain(_emulator.ApiKey, line));
        Assert.StartsWith("GET http://127.0.0.1:", _requests[0]);
        Assert.EndsWith("ms)", _requests[0]);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
