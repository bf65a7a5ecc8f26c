using System.Net;
using System.Net.Sockets;
using Daytona.Common.Http;
using Daytona.Emulator;

namespace Daytona.Common.Tests.Http;

/// <summary>
/// The connect timeout .NET Framework's handler lacks, over a real HttpClientHandler and real sockets: an unreachable
/// server fails as "no connection" (never sent) within the connect timeout instead of after the OS's TCP timeout.
/// </summary>
public sealed class ConnectProbeHandlerTests
{
    private static HttpResilienceOptions Options(TimeSpan connect) => new() { ConnectTimeout = connect, AttemptTimeout = TimeSpan.FromSeconds(60), MaxConnectRetries = 0, MaxRetries = 0 };

    [LinuxFact("a listener whose full backlog drops connections")]
    public async Task AServerThatDropsConnectionsFailsAsNoConnectionWithinTheConnectTimeout()
    {
        using var hole = new BlackHole();
        var options = Options(TimeSpan.FromMilliseconds(500));
        using var http = new HttpClient(new ConnectProbeHandler(new HttpClientHandler(), options.ConnectTimeout)) { Timeout = Timeout.InfiniteTimeSpan };

        var failure = await Assert.ThrowsAsync<TransportFailure>(() =>
            new ResilientHttp(options).SendAsync(http, () => new HttpRequestMessage(HttpMethod.Get, hole.Url), RetryPolicy.Idempotent, CancellationToken.None));

        // Not the 60 s attempt timeout ("no answer"): the probe's, and the request was never sent.
        Assert.False(failure.Sent);
        Assert.True(failure.TimedOut);
        Assert.True(failure.Permanent);
        Assert.Contains("no connection within 0.5 s", failure.Message);
    }

    [Fact]
    public async Task ARefusedConnectionFailsBeforeSending()
    {
        var port = FreePort();
        using var http = new HttpClient(new ConnectProbeHandler(new HttpClientHandler(), TimeSpan.FromSeconds(5)));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{port}/"));

        Assert.IsType<SocketException>(error.InnerException);
        Assert.False(TransportFailure.Classify(error).Sent);
    }

    [Fact]
    public async Task AReachableServerIsProbedOnceForRequestsInARow()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.05 });
        var probe = new ConnectProbeHandler(new HttpClientHandler(), TimeSpan.FromSeconds(5));
        using var http = new HttpClient(probe);

        // A first wave together, a second wave while the first is in flight (some after the probe ended, before any
        // answer came), then one more: a slow machine spreads them out, and still one probe serves them all.
        var first = Enumerable.Range(0, 8).Select(_ => http.GetAsync(emulator.ApiUrl + "/health")).ToList();
        await Task.Delay(5);
        var second = Enumerable.Range(0, 8).Select(_ => http.GetAsync(emulator.ApiUrl + "/health")).ToList();
        var answers = await Task.WhenAll(first.Concat(second));
        var later = await http.GetAsync(emulator.ApiUrl + "/health");

        Assert.All(answers.Append(later), a => Assert.NotEqual(0, (int)a.StatusCode));
        Assert.Equal(1, probe.ProbeCount);
    }

    [Fact]
    public async Task BehindAProxyTheProxyIsProbed()
    {
        // The server is up, but requests go through a proxy nobody listens on: the probe goes where the request goes.
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.05 });
        var proxyPort = FreePort();
        var inner = new HttpClientHandler { Proxy = new WebProxy($"http://127.0.0.1:{proxyPort}") { BypassProxyOnLocal = false }, UseProxy = true };
        using var http = new HttpClient(new ConnectProbeHandler(inner, TimeSpan.FromSeconds(5)));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(emulator.ApiUrl + "/health"));

        Assert.Contains($"127.0.0.1:{proxyPort}", error.Message);
    }

    [Fact]
    public async Task TheCallersCancellationEndsTheWaitAtOnce()
    {
        using var hole = OperatingSystem.IsLinux() ? new BlackHole() : null;
        var url = hole?.Url ?? new Uri("http://10.255.255.1:81/");
        using var http = new HttpClient(new ConnectProbeHandler(new HttpClientHandler(), TimeSpan.FromSeconds(30)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => http.GetAsync(url, cancel.Token));

        Assert.True(error is OperationCanceledException || error is HttpRequestException, error.ToString());
        Assert.True(cancel.IsCancellationRequested);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
