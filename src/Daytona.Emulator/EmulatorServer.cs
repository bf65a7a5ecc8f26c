using System.Net;
using System.Security.Cryptography;
using System.Text;
using Daytona.Emulator.Engine;
using Daytona.Emulator.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Daytona.Emulator;

/// <summary>
/// A local Daytona API for snapshots, on 127.0.0.1. Start one with <see cref="StartAsync"/>; dispose it to stop.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SnapshotStore _store;
    private readonly ResponseLog? _responseLog;
    private int _disposed;

    private EmulatorServer(WebApplication app, SnapshotStore store, EmulatorControl control, EmulatorSettings settings, Uri baseUrl, ResponseLog? responseLog)
    {
        _app = app;
        _store = store;
        _responseLog = responseLog;
        Control = control;
        ApiKey = settings.ApiKey;
        OrganizationId = settings.OrganizationId;
        BaseUrl = baseUrl;
        ApiUrl = new Uri(baseUrl, "/api");
    }

    /// <summary>The API base URL, <c>http://127.0.0.1:&lt;port&gt;/api</c>.</summary>
    public Uri ApiUrl { get; }

    /// <summary>The bearer key every request must send.</summary>
    public string ApiKey { get; }

    public string OrganizationId { get; }

    /// <summary>The emulator's knobs (the HTTP control API, in-process).</summary>
    public EmulatorControl Control { get; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/</c>: the control API, the build-log proxy and object storage live under it.</summary>
    public Uri BaseUrl { get; }

    public int Port => BaseUrl.Port;

    /// <summary>Ends when the server has stopped (disposed, or the host shut down).</summary>
    public Task Completion => _app.WaitForShutdownAsync();

    public static async Task<EmulatorServer> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmulatorOptions();
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "Port must be 0 (a free port) or 1-65535.");
        }

        if (options.TimeScale < 0 || double.IsNaN(options.TimeScale))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TimeScale, "TimeScale must be zero or more.");
        }

        var apiKey = string.IsNullOrEmpty(options.ApiKey) ? NewApiKey() : options.ApiKey;
        var settings = new EmulatorSettings(apiKey, options.OrganizationId, options.BuildDuration, options.TimeScale);
        var store = new SnapshotStore(settings);
        var traffic = new Traffic();
        var objects = new ObjectStorage(settings);
        var control = new EmulatorControl(store, traffic, settings, objects);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(EmulatorServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.Limits.MaxRequestBodySize = 5L * 1024 * 1024 * 1024;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));

        var app = builder.Build();
        Uri? baseUrl = null;
        Func<Uri> currentBaseUrl = () => baseUrl ?? throw new InvalidOperationException("The emulator has not started.");
        var responseLog = ResponseLog.Open(options.ResponseLog);
        if (responseLog != null)
        {
            app.Use(responseLog.InvokeAsync);
        }

        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (ApiException e) when (!context.Response.HasStarted)
            {
                await ApiError.WriteAsync(context, e.StatusCode, e.Message);
            }
            catch (RequestRejected e) when (!context.Response.HasStarted)
            {
                await ApiError.WriteAsync(context, ApiError.StatusFor(e.Reason), e.Message);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away.
            }
            catch (Exception) when (!context.Response.HasStarted)
            {
                await ApiError.WriteAsync(context, 500, "An unexpected error occurred.");
            }
        });
        app.UseRouting();
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "/";
            var isControl = path.StartsWith("/_emulator", StringComparison.Ordinal);
            var isApi = path.StartsWith("/api/", StringComparison.Ordinal) || path == "/api";
            var isS3 = path.StartsWith(ObjectStorage.PathPrefix, StringComparison.Ordinal);
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            if (!isControl)
            {
                traffic.Count($"{context.Request.Method} {(route != null ? (route.StartsWith('/') ? route : "/" + route) : path)}");
            }

            var dropAfterProcessing = false;
            if ((isApi || isS3) && traffic.Applies(context.Request.Method, storage: isS3))
            {
                var taken = traffic.Take();
                if (taken.LatencyMs > 0)
                {
                    await Task.Delay(taken.LatencyMs, context.RequestAborted);
                }

                switch (taken.Fault)
                {
                    case Traffic.Fault.Drop:
                        context.Items[ResponseLog.DroppedItem] = true;
                        context.Abort();
                        return;
                    case Traffic.Fault.DropAfterProcessing:
                        dropAfterProcessing = true;
                        break;
                    case Traffic.Fault.TooManyRequests:
                        context.Items[ResponseLog.FaultItem] = "429";
                        Faults.WriteRetryAfter(context.Response, taken.RetryAfterSeconds, taken.RetryAfterForm);
                        context.Response.Headers["X-RateLimit-Limit-authenticated"] = "10000";
                        context.Response.Headers["X-RateLimit-Remaining-authenticated"] = "0";
                        context.Response.Headers["X-RateLimit-Reset-authenticated"] = taken.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        await Faults.WriteErrorAsync(context, 429, isS3, "ThrottlerException: Too Many Requests");
                        return;
                    case Traffic.Fault.ServerError:
                        context.Items[ResponseLog.FaultItem] = taken.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        await Faults.WriteErrorAsync(context, taken.Status, isS3, taken.Status == 500 ? "An unexpected error occurred." : Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(taken.Status));
                        return;
                }
            }

            if (dropAfterProcessing)
            {
                // The request is processed in full, its answer written nowhere, and then the
                // connection is closed: the client cannot know whether it took effect.
                var body = context.Response.Body;
                context.Response.Body = Stream.Null;
                try
                {
                    await ProcessAsync();
                }
                finally
                {
                    context.Response.Body = body;
                    context.Items[ResponseLog.DroppedItem] = true;
                    context.Abort();
                }

                return;
            }

            await ProcessAsync();

            async Task ProcessAsync()
            {
                if (isS3)
                {
                    await next(context); // object storage checks its own (SigV4) credentials
                    return;
                }

                if (route == null)
                {
                    await ApiError.WriteAsync(context, 404, $"Cannot {context.Request.Method} {path}");
                    return;
                }

                if (path != "/api/health" && !Authorized(context, settings.ApiKey))
                {
                    await ApiError.WriteAsync(context, 401, "Unauthorized");
                    return;
                }

                var organization = context.Request.Headers["X-Daytona-Organization-ID"].FirstOrDefault();
                if (!isControl && !string.IsNullOrEmpty(organization) && organization != settings.OrganizationId)
                {
                    await ApiError.WriteAsync(context, 403, "Request organization ID does not match resource organization ID");
                    return;
                }

                await next(context);
            }
        });

        app.MapGet("/api/health", () => Results.Json(new { status = "ok" }));
        SnapshotEndpoints.Map(app, store, traffic, settings, currentBaseUrl);
        ObjectStorageEndpoints.Map(app, objects, settings, currentBaseUrl);
        ControlEndpoints.Map(app, control, store);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        baseUrl = new Uri($"http://127.0.0.1:{port}/");
        return new EmulatorServer(app, store, control, settings, baseUrl, responseLog);
    }

    /// <summary>A random key in the emulator's format, <c>dtn_emu_</c> and 32 hex digits.</summary>
    public static string NewApiKey() => "dtn_emu_" + RandomNumberGenerator.GetHexString(32, lowercase: true);

    private static bool Authorized(HttpContext context, string apiKey)
    {
        var header = context.Request.Headers.Authorization.FirstOrDefault();
        if (header == null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(apiKey));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _store.Dispose();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _responseLog?.Dispose();
    }
}
