using System.Diagnostics;
using System.Globalization;

namespace Daytona.Checkpoints.Server.Http;

/// <summary>
/// One line per request, written when it is answered:
/// <c>2025-03-18T14:09:19Z 127.0.0.1 GET /app/20250318T140340Z/ 301 -> /app/20250318T140338Z/ 0.4 ms</c>.
/// Keys never appear (the Authorization header is not logged).
/// </summary>
internal sealed class RequestLog
{
    private readonly Action<string> _write;

    public RequestLog(Action<string> write)
    {
        _write = write;
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var request = context.Request;
            var response = context.Response;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'} {context.Connection.RemoteIpAddress} {request.Method} {request.PathBase}{request.Path}{request.QueryString} {response.StatusCode}{(response.Headers.Location.Count > 0 ? " -> " + response.Headers.Location : string.Empty)}{(response.ContentLength is long length && response.StatusCode is 200 or 206 ? " " + length + " B" : string.Empty)} {elapsed.TotalMilliseconds:0.0} ms");
            try
            {
                _write(line);
            }
            catch (Exception)
            {
                // A log that cannot be written must not fail the request.
            }
        }
    }
}
