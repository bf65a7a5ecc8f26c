// A loopback HTTP proxy of our own: it must count every request and fail chosen ones in ways a reverse-proxy library
// does not offer (drop before or after the server processed the request, 503/429 with Retry-After), in a few lines.
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Daytona.StorageServers;

/// <summary>What the proxy did with a request.</summary>
public enum ProxyOutcome
{
    /// <summary>Forwarded, and the server's answer passed back.</summary>
    Forwarded,

    /// <summary>The connection was closed before the request reached the server.</summary>
    Dropped,

    /// <summary>The server processed the request; the connection was closed before its answer was sent back.</summary>
    DroppedAfterProcessing,

    /// <summary>Answered 429 by the proxy (with Retry-After), not forwarded.</summary>
    TooManyRequests,

    /// <summary>
    /// Forwarded, and the server's answer passed back with one byte of its body changed (a server that served an object
    /// while another request was replacing it).
    /// </summary>
    BodyChanged,

    /// <summary>Answered with a server error (503 by default) by the proxy, not forwarded.</summary>
    ServerError,
}

/// <summary>One request the proxy saw.</summary>
public sealed record ProxiedRequest(long Sequence, string Method, string Path, string Query, ProxyOutcome Outcome, int Status)
{
    public override string ToString() => $"{Method} {Path}{Query} -> {(Outcome == ProxyOutcome.Forwarded ? Status.ToString(System.Globalization.CultureInfo.InvariantCulture) : Outcome.ToString())}";
}

/// <summary>
/// Which requests fail and how: each request that <see cref="Applies"/> draws one fault with these probabilities (0 to 1,
/// summed at most 1) from a generator seeded by <see cref="Seed"/>. The same words as the emulator's fault knobs.
/// </summary>
public sealed class FaultPlan
{
    public double DropRate { get; init; }

    public double DropAfterProcessingRate { get; init; }

    public double TooManyRequestsRate { get; init; }

    public double ServerErrorRate { get; init; }

    /// <summary>The fraction of successful answers passed back with one byte of their body changed.</summary>
    public double BodyChangedRate { get; init; }

    public int ServerErrorStatus { get; init; } = 503;

    /// <summary>The Retry-After a 429 or 503 carries, in seconds (null: none).</summary>
    public int? RetryAfterSeconds { get; init; } = 1;

    public int Seed { get; init; } = 1;

    /// <summary>Which requests may take a fault (default: all).</summary>
    public Func<HttpRequest, bool>? Applies { get; init; }

    /// <summary>No faults: a counting proxy.</summary>
    public static FaultPlan None { get; } = new();

    public override string ToString() =>
        $"drop {DropRate:P0}, drop after processing {DropAfterProcessingRate:P0}, 429 {TooManyRequestsRate:P0}, {ServerErrorStatus} {ServerErrorRate:P0}, seed {Seed}";
}

/// <summary>
/// A loopback HTTP proxy in front of a server (Azurite, s3rver, anything on http): it records every request (to count
/// what a client sends) and injects faults (<see cref="FaultPlan"/>) — dropped connections before or after the server
/// processed the request, 429 and 503 answers. The original Host header is forwarded, so signatures that cover it (AWS
/// SigV4) still hold. Start it, point the client at <see cref="Url"/> (or <see cref="Port"/>), dispose it to stop.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> s_hopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "TE", "Trailer", "Host", "Content-Length",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private readonly Uri _target;
    private readonly ConcurrentQueue<ProxiedRequest> _log = new();
    private readonly object _gate = new();
    private Random _random;
    private FaultPlan _faults;
    private long _sequence;

    private FaultProxy(WebApplication app, HttpClient http, Uri target, FaultPlan faults, int port)
    {
        _app = app;
        _http = http;
        _target = target;
        _faults = faults;
        _random = new Random(faults.Seed);
        Port = port;
    }

    public int Port { get; }

    /// <summary>The proxy's address: <c>http://127.0.0.1:port/</c>.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>The faults injected from now on (replacing the plan also restarts its random sequence).</summary>
    public FaultPlan Faults
    {
        get => _faults;
        set
        {
            lock (_gate)
            {
                _faults = value ?? FaultPlan.None;
                _random = new Random(_faults.Seed);
            }
        }
    }

    /// <summary>Every request seen since the start or the last <see cref="Reset"/>, in arrival order.</summary>
    public IReadOnlyList<ProxiedRequest> Requests => _log.OrderBy(r => r.Sequence).ToList();

    /// <summary>How many requests were seen since the start or the last <see cref="Reset"/>.</summary>
    public int Count => _log.Count;

    /// <summary>Forgets the requests seen so far.</summary>
    public void Reset() => _log.Clear();

    /// <summary>Starts a proxy on 127.0.0.1 (a free port) forwarding to <paramref name="target"/> (scheme, host and port).</summary>
    public static async Task<FaultProxy> StartAsync(Uri target, FaultPlan? faults = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        FaultProxy? proxy = null;
        app.Run(context => proxy!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy = new FaultProxy(app, http, new Uri(target.GetLeftPart(UriPartial.Authority)), faults ?? FaultPlan.None, new Uri(address).Port);
        return proxy;
    }

    private ProxyOutcome Draw(HttpRequest request, FaultPlan plan)
    {
        if (plan.Applies != null && !plan.Applies(request))
        {
            return ProxyOutcome.Forwarded;
        }

        double roll;
        lock (_gate)
        {
            roll = _random.NextDouble();
        }

        if ((roll -= plan.DropRate) < 0)
        {
            return ProxyOutcome.Dropped;
        }

        if ((roll -= plan.DropAfterProcessingRate) < 0)
        {
            return ProxyOutcome.DroppedAfterProcessing;
        }

        if ((roll -= plan.TooManyRequestsRate) < 0)
        {
            return ProxyOutcome.TooManyRequests;
        }

        if ((roll -= plan.ServerErrorRate) < 0)
        {
            return ProxyOutcome.ServerError;
        }

        return roll - plan.BodyChangedRate < 0 ? ProxyOutcome.BodyChanged : ProxyOutcome.Forwarded;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var sequence = Interlocked.Increment(ref _sequence);
        var plan = _faults;
        var outcome = Draw(request, plan);
        void Record(int status) => _log.Enqueue(new ProxiedRequest(sequence, request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, outcome, status));

        switch (outcome)
        {
            case ProxyOutcome.Dropped:
                Record(0);
                context.Abort();
                return;
            case ProxyOutcome.TooManyRequests:
            case ProxyOutcome.ServerError:
                Record(0);
                await AnswerFaultAsync(context, outcome == ProxyOutcome.TooManyRequests ? 429 : plan.ServerErrorStatus, plan);
                return;
        }

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, request.Path.Value + request.QueryString.Value));
        if (request.ContentLength > 0)
        {
            // Streamed, with its length (s3rver and Azurite check Content-Length): a pack goes through without a copy in memory.
            forward.Content = new StreamContent(request.Body, 81920);
            forward.Content.Headers.ContentLength = request.ContentLength;
        }
        else if (request.Headers.TransferEncoding.Count > 0)
        {
            // Buffered: the server sees the whole body with its length.
            var body = new MemoryStream();
            await request.Body.CopyToAsync(body, context.RequestAborted);
            forward.Content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length);
        }
        else if (request.ContentLength == 0)
        {
            forward.Content = new ByteArrayContent(Array.Empty<byte>());
        }

        foreach (var header in request.Headers)
        {
            if (s_hopByHop.Contains(header.Key))
            {
                continue;
            }

            if (!forward.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
            {
                forward.Content?.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        forward.Headers.Host = request.Host.Value;
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException)
        {
            Record(502);
            context.Abort();
            return;
        }

        using (response)
        {
            var content = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
            Record((int)response.StatusCode);
            if (outcome == ProxyOutcome.DroppedAfterProcessing)
            {
                context.Abort();
                return;
            }

            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                if (!s_hopByHop.Contains(header.Key))
                {
                    context.Response.Headers[header.Key] = header.Value.ToArray();
                }
            }

            if (outcome == ProxyOutcome.BodyChanged && response.IsSuccessStatusCode && content.Length > 0)
            {
                content[content.Length / 2] ^= 0x20;
            }

            if (request.Method != "HEAD")
            {
                context.Response.ContentLength = content.Length;
                await context.Response.Body.WriteAsync(content, context.RequestAborted);
            }
            else if (response.Content.Headers.ContentLength is long length)
            {
                context.Response.ContentLength = length;
            }
        }
    }

    private static async Task AnswerFaultAsync(HttpContext context, int status, FaultPlan plan)
    {
        // Both Azure (x-ms-error-code) and S3 (the XML Code) read this as a throttling or busy server.
        var code = status == 429 ? "SlowDown" : "ServerBusy";
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-error-code"] = code;
        if (plan.RetryAfterSeconds is int seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (context.Request.Method == "HEAD")
        {
            return;
        }

        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>Injected by the test proxy.</Message></Error>");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
