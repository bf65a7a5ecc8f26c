using System.Net;
using System.Text;
using Daytona.Checkpoints.Server.Content;
using Daytona.Checkpoints.Server.Http;
using Daytona.Checkpoints.Server.Sources;
using Daytona.Common;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Daytona.Checkpoints.Server;

/// <summary>
/// Serves checkpoint repositories read-only over HTTP with Pulp's checkpoint URLs (see
/// <see cref="CheckpointRequestHandler"/>). Start one with <see cref="StartAsync"/>; dispose it to stop. It keeps no
/// state of its own beyond caches of what never changes (manifests, chunks) and a listing of the repositories at most
/// a few seconds old, so any number of servers can serve the same repository.
/// </summary>
public sealed class CheckpointServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SourceCatalog _catalog;
    private int _disposed;

    private CheckpointServer(WebApplication app, SourceCatalog catalog, Uri url)
    {
        _app = app;
        _catalog = catalog;
        Url = url;
    }

    /// <summary>The root URL, e.g. <c>http://127.0.0.1:5123/</c> (with the path base when there is one, ending in '/').</summary>
    public Uri Url { get; }

    public int Port => Url.Port;

    /// <summary>Ends when the server has stopped.</summary>
    public Task Completion => _app.WaitForShutdownAsync();

    /// <summary>The sources served now: base path, source, number of checkpoints (lists the repositories when the view is stale).</summary>
    public async Task<IReadOnlyList<(string BasePath, string Source, int Checkpoints)>> ListSourcesAsync()
    {
        var snapshot = await _catalog.RefreshAsync().ConfigureAwait(false);
        return snapshot.Sources.Select(s => (s.BasePath, s.Latest.Source, s.Index.Count)).ToList();
    }

    /// <summary>Opens every repository, lists them once and starts listening; a repository that cannot be opened fails the start.</summary>
    public static async Task<CheckpointServer> StartAsync(CheckpointServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Repositories.Count == 0)
        {
            throw new ArgumentException("Name at least one checkpoint repository to serve.", nameof(options));
        }

        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "Port must be 0 (a free port) or 1-65535.");
        }

        var pathBase = NormalizePathBase(options.PathBase);
        var repositories = options.Repositories.Select(location => new ServedRepository(location, OpenRepository(location))).ToList();
        var catalog = new SourceCatalog(repositories, options.RefreshInterval, options.RequestLog);
        await catalog.RefreshAsync().ConfigureAwait(false);
        var handler = new CheckpointRequestHandler(catalog, new TreeCache(), new ChunkCache(options.ChunkCacheBytes), options.UtcNow);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(CheckpointServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.ListenAddress, options.Port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 0;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));

        var app = builder.Build();
        if (options.RequestLog != null)
        {
            var log = new RequestLog(options.RequestLog);
            app.Use(log.InvokeAsync);
        }

        app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away.
            }
            catch (DaytonaException e) when (e.Kind == ErrorKind.ObjectNotFound && !context.Response.HasStarted)
            {
                // Removed between the listing and the read.
                await WritePlainAsync(context, StatusCodes.Status404NotFound, "404: Not Found").ConfigureAwait(false);
            }
            catch (Exception e) when (!context.Response.HasStarted)
            {
                options.RequestLog?.Invoke($"{context.Request.Method} {context.Request.Path} failed: {e.Message}");
                await WritePlainAsync(context, StatusCodes.Status500InternalServerError, "500: Internal Server Error").ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Part of the body is out: end the connection so the client sees a cut response, never a wrong one.
                options.RequestLog?.Invoke($"{context.Request.Method} {context.Request.Path} failed while sending: {e.Message}");
                context.Abort();
            }
        });

        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            var keys = new KeyCheck(options.ApiKey);
            app.Use(keys.InvokeAsync);
        }

        app.Use(async (context, next) =>
        {
            if (context.Request.Path == "/_health")
            {
                await WritePlainAsync(context, StatusCodes.Status200OK, "ok").ConfigureAwait(false);
                return;
            }

            if (pathBase.Length > 0)
            {
                if (!context.Request.Path.StartsWithSegments(pathBase, out var matched, out var remaining))
                {
                    await WritePlainAsync(context, StatusCodes.Status404NotFound, "404: Not Found").ConfigureAwait(false);
                    return;
                }

                context.Request.PathBase = context.Request.PathBase.Add(matched);
                context.Request.Path = remaining.HasValue ? remaining : "/";
            }

            await next(context).ConfigureAwait(false);
        });
        app.Run(handler.HandleAsync);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var host = options.ListenAddress.Equals(IPAddress.Any) || options.ListenAddress.Equals(IPAddress.IPv6Any)
            ? Dns.GetHostName()
            : options.ListenAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + options.ListenAddress + "]" : options.ListenAddress.ToString();
        return new CheckpointServer(app, catalog, new Uri($"http://{host}:{port}{pathBase}/"));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A folder path, or a URL of object storage (az://, s3://, https://…blob.core.windows.net/…).</summary>
    private static CheckpointRepository OpenRepository(string location) =>
        Daytona.Checkpoints.Storage.RepositoryLocation.LooksLikeUrl(location)
            ? CheckpointRepository.Open(Daytona.Checkpoints.Storage.RepositoryLocation.ParseUrl(location))
            : CheckpointRepository.Open(location);

    private static string NormalizePathBase(string pathBase)
    {
        var trimmed = (pathBase ?? string.Empty).Trim().TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return string.Empty;
        }

        return trimmed.StartsWith('/') ? trimmed : "/" + trimmed;
    }

    private static Task WritePlainAsync(HttpContext context, int status, string text)
    {
        var body = Encoding.UTF8.GetBytes(text);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = body.Length;
        context.Response.Headers.CacheControl = "no-cache";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(body, 0, body.Length);
    }
}
