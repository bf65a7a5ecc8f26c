using System.Security.Cryptography;
using System.Text;

namespace Daytona.Checkpoints.Server.Http;

/// <summary>
/// The optional key: <c>Authorization: Bearer &lt;key&gt;</c> (curl, scripts) or Basic auth with the key as the
/// password and any user name (apt's auth.conf, wget --password), compared in constant time. <c>/_health</c> needs none.
/// </summary>
internal sealed class KeyCheck
{
    private readonly byte[] _key;

    public KeyCheck(string key)
    {
        _key = Encoding.UTF8.GetBytes(key);
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments("/_health") || Allowed(context.Request.Headers.Authorization.ToString()))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers.WWWAuthenticate = new Microsoft.Extensions.Primitives.StringValues(new[] { "Bearer realm=\"checkpoints\"", "Basic realm=\"checkpoints\"" });
        response.Headers.CacheControl = "no-store";
        response.ContentType = "text/plain; charset=utf-8";
        var body = Encoding.UTF8.GetBytes("401: Unauthorized");
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private bool Allowed(string authorization)
    {
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Same(authorization.AsSpan(7).Trim());
        }

        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization.Substring(6).Trim()));
                var colon = decoded.IndexOf(':');
                return colon >= 0 && Same(decoded.AsSpan(colon + 1));
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return false;
    }

    private bool Same(ReadOnlySpan<char> given)
    {
        var bytes = Encoding.UTF8.GetBytes(given.ToArray());
        return CryptographicOperations.FixedTimeEquals(bytes, _key);
    }
}
