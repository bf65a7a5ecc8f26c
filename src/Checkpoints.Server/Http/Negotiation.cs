using Daytona.Checkpoints.Remote;
using Microsoft.Net.Http.Headers;

namespace Daytona.Checkpoints.Server.Http;

/// <summary>What a request's <c>Accept</c> asks for: an index as HTML (the default) or JSON, or a checkpoint's manifest.</summary>
internal static class Negotiation
{
    /// <summary>True when JSON is acceptable and preferred over HTML (a browser's <c>text/html,…,*/*</c> gets HTML).</summary>
    public static bool WantsJson(HttpRequest request)
    {
        var json = Quality(request, CheckpointProtocol.ListingMediaType, out var html);
        return json > 0 && json > html;
    }

    /// <summary>True when the request accepts the checkpoint manifest media type by name.</summary>
    public static bool WantsManifest(HttpRequest request)
    {
        var accept = request.Headers.Accept;
        if (accept.Count == 0)
        {
            return false;
        }

        return Quality(request, CheckpointProtocol.ManifestMediaType, out _, exactOnly: true) > 0;
    }

    // The quality of `type` (exact or, unless exactOnly, application/*), and the best quality HTML gets (text/html, text/*, */*).
    private static double Quality(HttpRequest request, string type, out double html, bool exactOnly = false)
    {
        html = 0;
        var accept = request.Headers.Accept;
        if (accept.Count == 0 || !MediaTypeHeaderValue.TryParseList(accept, out var values))
        {
            html = 1;
            return 0;
        }

        double wanted = 0;
        foreach (var value in values)
        {
            var quality = value.Quality ?? 1;
            var media = value.MediaType.Value ?? string.Empty;
            if (media.Equals(type, StringComparison.OrdinalIgnoreCase))
            {
                wanted = Math.Max(wanted, quality);
            }

            if (media.Equals("text/html", StringComparison.OrdinalIgnoreCase) || media.Equals("text/*", StringComparison.OrdinalIgnoreCase) || media == "*/*")
            {
                html = Math.Max(html, quality);
            }
        }

        return wanted;
    }
}
