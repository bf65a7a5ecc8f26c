using System.Security.Cryptography;
using System.Text;
using Daytona.Checkpoints.Remote;
using Daytona.Checkpoints.Server.Content;
using Daytona.Checkpoints.Server.Sources;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Daytona.Checkpoints.Server.Http;

/// <summary>
/// Pulp's checkpoint URLs, case by case (pulpcore's content handler): <c>/</c> lists the sources; <c>&lt;base&gt;/</c>
/// lists a source's checkpoints, oldest first; <c>&lt;base&gt;/&lt;ts&gt;/&lt;path&gt;</c> with <c>ts</c> matching
/// <c>^\d{8}T\d{6}Z$</c> (a real UTC instant to the second) serves that checkpoint when one exists at exactly
/// <c>ts</c>, else answers 301 to the newest checkpoint at or before it with the sub-path kept and the query dropped;
/// before the first checkpoint, in the future, malformed or impossible: 404. <c>&lt;base&gt;</c> and
/// <c>&lt;base&gt;/&lt;ts&gt;</c> without the trailing slash (and a folder without it) answer 301 to the slash form,
/// before the stamp is looked at, as Pulp does. Inside a checkpoint a folder shows its <c>index.html</c> when it has
/// one, else its index page; files carry their type, length, ETag and Last-Modified, and ranges and conditional
/// requests are ASP.NET Core's.
/// </summary>
internal sealed class CheckpointRequestHandler
{
    /// <summary>
    /// Content at an exact timestamp never changes. A redirect to "the newest at or before" can: removing a checkpoint
    /// (Pulp's retention made cached 301s go stale) or one more checkpoint in the current second changes the answer, so
    /// caches may keep it only briefly.
    /// </summary>
    private const string ImmutableCache = "public, max-age=31536000, immutable";
    private const string RedirectCache = "public, max-age=60";
    private const string SlashCache = "public, max-age=86400";
    private const string ListingCache = "no-cache";

    private static readonly FileExtensionContentTypeProvider s_types = new();
    private static readonly byte[] s_notFound = Encoding.UTF8.GetBytes("404: Not Found");
    private static readonly byte[] s_moved = Encoding.UTF8.GetBytes("301: Moved Permanently");

    private readonly SourceCatalog _catalog;
    private readonly TreeCache _trees;
    private readonly ChunkCache _chunks;
    private readonly Func<DateTime> _utcNow;

    public CheckpointRequestHandler(SourceCatalog catalog, TreeCache trees, ChunkCache chunks, Func<DateTime> utcNow)
    {
        _catalog = catalog;
        _trees = trees;
        _chunks = chunks;
        _utcNow = utcNow;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return;
        }

        var path = request.Path.Value ?? "/";
        var snapshot = await _catalog.GetAsync().ConfigureAwait(false);
        if (path == "/")
        {
            await ListingAsync(context, () => IndexPage.Render(FullPath(request), Listings.Sources(snapshot), root: true),
                () => Listings.SourcesJson(snapshot, FullPath(request)), ListingCache).ConfigureAwait(false);
            return;
        }

        var rest = path.AsSpan(1);
        var slash = rest.IndexOf('/');
        var basePath = (slash < 0 ? rest : rest.Slice(0, slash)).ToString();
        if (!snapshot.ByBasePath.TryGetValue(basePath, out var source))
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        if (slash < 0)
        {
            await RedirectAsync(context, request.PathBase + path + "/", SlashCache).ConfigureAwait(false);
            return;
        }

        var afterBase = rest.Slice(slash + 1);
        if (afterBase.Length == 0)
        {
            await ListingAsync(context, () => IndexPage.Render(FullPath(request), Listings.Checkpoints(source), root: false),
                () => Listings.CheckpointsJson(source, FullPath(request)), ListingCache).ConfigureAwait(false);
            return;
        }

        var stampEnd = afterBase.IndexOf('/');
        if (stampEnd < 0)
        {
            await RedirectAsync(context, request.PathBase + path + "/", SlashCache).ConfigureAwait(false);
            return;
        }

        var stamp = afterBase.Slice(0, stampEnd).ToString();
        var inner = afterBase.Slice(stampEnd + 1).ToString();
        if (!CheckpointTime.TryParse(stamp, out var instant) || instant > _utcNow())
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        if (!source.Index.TryFindAtOrBefore(instant, out var checkpoint, out var exact) || !exact)
        {
            var written = _catalog.TryFindNew(snapshot, source, stamp, instant);
            if (written != null)
            {
                checkpoint = written;
                exact = true;
            }
            else if (checkpoint == null)
            {
                await NotFoundAsync(context).ConfigureAwait(false);
                return;
            }
        }

        if (!exact)
        {
            var location = request.PathBase + "/" + source.BasePath + "/" + checkpoint.Id + "/" + CheckpointProtocol.EscapePath(inner);
            await RedirectAsync(context, location, RedirectCache).ConfigureAwait(false);
            return;
        }

        await ServeAsync(context, source, checkpoint, inner).ConfigureAwait(false);
    }

    private async Task ServeAsync(HttpContext context, ServedSource source, Checkpoint checkpoint, string inner)
    {
        var request = context.Request;
        var tree = _trees.Get(source.Repository, checkpoint.Id);
        if (inner.Length == 0 && Negotiation.WantsManifest(request))
        {
            await ManifestAsync(context, tree).ConfigureAwait(false);
            return;
        }

        var folderAsked = inner.Length == 0 || inner[^1] == '/';
        var wanted = folderAsked ? inner.TrimEnd('/') : inner;
        if (!tree.TryResolve(wanted, out var entry, out var resolved))
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        if (entry != null && entry.Type == EntryType.File)
        {
            if (folderAsked)
            {
                await NotFoundAsync(context).ConfigureAwait(false);
                return;
            }

            await FileAsync(context, source, entry, entry.Path).ConfigureAwait(false);
            return;
        }

        if (!tree.IsFolder(resolved))
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        if (!folderAsked)
        {
            await RedirectAsync(context, request.PathBase + request.Path + "/", SlashCache).ConfigureAwait(false);
            return;
        }

        var indexPath = resolved.Length == 0 ? "index.html" : resolved + "/index.html";
        if (!Negotiation.WantsJson(request) && tree.TryResolve(indexPath, out var index, out _) && index is { Type: EntryType.File })
        {
            // The folder's URL answers JSON to Accept: application/json, so what it answers depends on Accept.
            context.Response.Headers.Vary = "Accept";
            await FileAsync(context, source, index, "index.html").ConfigureAwait(false);
            return;
        }

        await ListingAsync(context, () => IndexPage.Render(FullPath(request), Listings.Folder(tree, resolved), root: false),
            () => Listings.FolderJson(checkpoint, tree, resolved, FullPath(request)), ImmutableCache).ConfigureAwait(false);
    }

    private Task FileAsync(HttpContext context, ServedSource source, ManifestEntry file, string nameForType)
    {
        var response = context.Response;
        response.Headers.CacheControl = ImmutableCache;
        if (!s_types.TryGetContentType(nameForType, out var type))
        {
            type = "application/octet-stream";
        }

        DateTimeOffset? modified = file.ModifiedUtc is DateTime utc
            ? new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc).AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond)))
            : null;
        var stream = new CheckpointFileStream(source.Repository.Repository, _chunks, file);
        var result = TypedResults.Stream(stream, type, lastModified: modified, entityTag: new EntityTagHeaderValue(ETagOf(file)), enableRangeProcessing: true);
        return result.ExecuteAsync(context);
    }

    private static async Task ManifestAsync(HttpContext context, CheckpointTree tree)
    {
        var response = context.Response;
        response.ContentType = CheckpointProtocol.ManifestMediaType;
        response.Headers.CacheControl = ImmutableCache;
        response.Headers.Vary = "Accept";
        using var buffer = new MemoryStream();
        tree.Manifest.WriteTo(buffer);
        response.ContentLength = buffer.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static Task ListingAsync(HttpContext context, Func<string> html, Func<byte[]> json, string cacheControl)
    {
        var response = context.Response;
        response.Headers.CacheControl = cacheControl;
        response.Headers.Vary = "Accept";
        if (Negotiation.WantsJson(context.Request))
        {
            return WriteAsync(context, 200, "application/json; charset=utf-8", json());
        }

        // A crawler that names files after Content-Disposition (wget --content-disposition) saves a generated index under
        // this name, apart from the files of the checkpoint, and can drop it (-R .checkpoint-index.html).
        response.Headers.ContentDisposition = "inline; filename=\"" + CheckpointProtocol.IndexPageName + "\"";
        return WriteAsync(context, 200, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(html()));
    }

    private static Task RedirectAsync(HttpContext context, string location, string cacheControl)
    {
        context.Response.Headers.Location = location;
        context.Response.Headers.CacheControl = cacheControl;
        return WriteAsync(context, StatusCodes.Status301MovedPermanently, "text/plain; charset=utf-8", s_moved);
    }

    private static Task NotFoundAsync(HttpContext context)
    {
        // A 404 can turn into content (a future instant, a checkpoint being written): never cached for long.
        context.Response.Headers.CacheControl = ListingCache;
        return WriteAsync(context, StatusCodes.Status404NotFound, "text/plain; charset=utf-8", s_notFound);
    }

    private static Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, 0, body.Length, context.RequestAborted);
    }

    private static string FullPath(HttpRequest request) => (request.PathBase + request.Path).Value ?? "/";

    /// <summary>
    /// A file's strong ETag is its content hash: the SHA-256 of the file when it is one chunk (every file under 256 KiB),
    /// else the SHA-256 of its chunks' hashes in order (the same content always makes the same chunks).
    /// </summary>
    internal static string ETagOf(ManifestEntry file)
    {
        if (file.Chunks.Count == 1)
        {
            return "\"" + file.Chunks[0].Hash + "\"";
        }

        if (file.Chunks.Count == 0)
        {
            return "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"";
        }

        var hashes = new byte[file.Chunks.Count * 32];
        for (var i = 0; i < file.Chunks.Count; i++)
        {
            Convert.FromHexString(file.Chunks[i].Hash).CopyTo(hashes, i * 32);
        }

        return "\"" + Convert.ToHexString(SHA256.HashData(hashes)).ToLowerInvariant() + "\"";
    }
}
