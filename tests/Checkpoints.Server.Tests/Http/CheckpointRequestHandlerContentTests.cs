using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Remote;

namespace Checkpoints.Server.Tests.Http;

/// <summary>Inside a checkpoint: files with their headers, ranges, conditional requests, folders, links, JSON listings.</summary>
public sealed class CheckpointRequestHandlerContentTests : IAsyncLifetime
{
    private readonly ServedRepository _repository = new();
    private byte[] _large = Array.Empty<byte>();
    private string _id = string.Empty;

    public async Task InitializeAsync()
    {
        var app = _repository.Folder("app");
        ServedRepository.Write(app, "readme.md", "# app\n");
        ServedRepository.Write(app, "site/index.html", "<h1>site</h1>");
        ServedRepository.Write(app, "site/style.css", "h1 { color: red }");
        ServedRepository.Write(app, "data/a b&c.json", "{\"x\":1}");
        _large = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(_large);
        ServedRepository.Write(app, "data/large.bin", _large);
        Directory.CreateDirectory(Path.Combine(app, "empty"));
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(Path.Combine(app, "latest.md"), "readme.md");
            File.CreateSymbolicLink(Path.Combine(app, "web"), "site");
            File.CreateSymbolicLink(Path.Combine(app, "escape"), "../../outside");
        }

        _id = _repository.CaptureAt(app, 1, "first").Id;
        await _repository.StartServerAsync();
    }

    public async Task DisposeAsync() => await _repository.DisposeAsync();

    private async Task<HttpClient> ClientAsync() => ServedRepository.Client(await _repository.StartServerAsync());

    [Fact]
    public async Task AFileHasItsTypeLengthETagLastModifiedAndIsImmutable()
    {
        using var http = await ClientAsync();
        using var response = await http.GetAsync($"app/{_id}/readme.md");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("# app\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/markdown", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(6, response.Content.Headers.ContentLength);
        var sha = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("# app\n"))).ToLowerInvariant();
        Assert.Equal($"\"{sha}\"", response.Headers.ETag!.Tag);
        Assert.Equal(new DateTimeOffset(2025, 3, 18, 14, 3, 38, TimeSpan.Zero), response.Content.Headers.LastModified);
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl!.ToString());
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
    }

    [Fact]
    public async Task RangesAreServedWith206AcrossChunks()
    {
        using var http = await ClientAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, $"app/{_id}/data/large.bin");
        var from = 1024 * 1024 - 5; // across the first chunk boundary the chunker may put anywhere after 256 KiB
        request.Headers.Range = new RangeHeaderValue(from, from + 2 * 1024 * 1024);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(_large.AsSpan(from, 2 * 1024 * 1024 + 1).ToArray(), body);
        Assert.Equal(_large.Length, response.Content.Headers.ContentRange!.Length);

        var all = await http.GetByteArrayAsync($"app/{_id}/data/large.bin");
        Assert.Equal(_large, all);

        var past = new HttpRequestMessage(HttpMethod.Get, $"app/{_id}/data/large.bin");
        past.Headers.Range = new RangeHeaderValue(_large.Length + 10, null);
        using var unsatisfiable = await http.SendAsync(past);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
    }

    [Fact]
    public async Task IfNoneMatchWithTheETagIs304AndHeadHasNoBody()
    {
        using var http = await ClientAsync();
        using var first = await http.GetAsync($"app/{_id}/data/large.bin");
        var etag = first.Headers.ETag!;
        Assert.Matches("^\"[0-9a-f]{64}\"$", etag.Tag);

        var again = new HttpRequestMessage(HttpMethod.Get, $"app/{_id}/data/large.bin");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"app/{_id}/data/large.bin"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(_large.Length, head.Content.Headers.ContentLength);
        Assert.Equal(etag, head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var headIndex = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"app/{_id}/"));
        Assert.Equal(HttpStatusCode.OK, headIndex.StatusCode);
        Assert.Empty(await headIndex.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task AFolderShowsItsIndexHtmlOrItsListingAndRedirectsWithoutTheSlash()
    {
        using var http = await ClientAsync();
        Assert.Equal("<h1>site</h1>", await http.GetStringAsync($"app/{_id}/site/"));
        using var bare = await http.GetAsync($"app/{_id}/site");
        Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.Equal($"/app/{_id}/site/", bare.Headers.Location!.OriginalString);

        var data = await http.GetStringAsync($"app/{_id}/data/");
        Assert.Contains($"<h1>Index of /app/{_id}/data/</h1>", data);
        Assert.Contains("<a href=\"a%20b&amp;c.json\">a b&amp;c.json</a>", data);
        Assert.Contains("3.1 MB", data);
        Assert.Contains("18-Mar-2025 14:03", data);
        Assert.Equal("{\"x\":1}", await http.GetStringAsync($"app/{_id}/data/a%20b&c.json"));

        var empty = await http.GetStringAsync($"app/{_id}/empty/");
        Assert.Contains("<hr><pre><a href=\"../\">../</a>\n</pre>", empty);

        using var fileAsFolder = await http.GetAsync($"app/{_id}/readme.md/");
        Assert.Equal(HttpStatusCode.NotFound, fileAsFolder.StatusCode);
        using var missing = await http.GetAsync($"app/{_id}/data/nope.txt");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task LinksAreFollowedInsideTheCheckpointOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // symbolic links need privileges there
        }

        using var http = await ClientAsync();
        Assert.Equal("# app\n", await http.GetStringAsync($"app/{_id}/latest.md"));
        Assert.Equal("h1 { color: red }", await http.GetStringAsync($"app/{_id}/web/style.css"));
        using var outside = await http.GetAsync($"app/{_id}/escape");
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        var root = await http.GetStringAsync($"app/{_id}/");
        Assert.Contains("<a href=\"latest.md\">latest.md</a>", root);
        Assert.Contains("<a href=\"web/\">web/</a>", root);
        Assert.DoesNotContain("escape", root);
    }

    [Fact]
    public async Task JsonListingsCarryIdTimeNameFilesAndSize()
    {
        using var http = await ClientAsync();
        async Task<JsonElement> Json(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await http.SendAsync(request);
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains("Accept", response.Headers.Vary);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        var source = await Json("app/");
        var checkpoint = source.GetProperty("checkpoints")[0];
        Assert.Equal(_id, checkpoint.GetProperty("id").GetString());
        Assert.Equal("first", checkpoint.GetProperty("name").GetString());
        Assert.Equal(5, checkpoint.GetProperty("files").GetInt64());
        Assert.Equal(_large.Length + 6 + 13 + 17 + 7, checkpoint.GetProperty("size").GetInt64());
        Assert.Equal(CheckpointTime.Parse(_id), checkpoint.GetProperty("time").GetDateTime().ToUniversalTime());

        var root = await Json("/");
        Assert.Equal("app", root.GetProperty("sources")[0].GetProperty("name").GetString());

        var folder = await Json($"app/{_id}/site/");
        Assert.Equal(new[] { "index.html", "style.css" }, folder.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(_id, folder.GetProperty("checkpoint").GetProperty("id").GetString());

        // A browser asks for HTML first: it gets the page.
        var browser = new HttpRequestMessage(HttpMethod.Get, "app/");
        browser.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        using var page = await http.SendAsync(browser);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task TheCheckpointRootServesItsManifestWhenAskedByMediaType()
    {
        using var http = await ClientAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, $"app/{_id}/");
        request.Headers.Accept.ParseAdd(CheckpointProtocol.ManifestMediaType);
        using var response = await http.SendAsync(request);
        Assert.Equal(CheckpointProtocol.ManifestMediaType, response.Content.Headers.ContentType!.MediaType);
        var manifest = Manifest.Parse(await response.Content.ReadAsByteArrayAsync(), "test");
        Assert.Equal(_id, manifest.Id);
        Assert.Contains(manifest.Entries, e => e.Path == "data/large.bin" && e.Chunks.Count > 1);
    }

    [Fact]
    public async Task OnlyGetAndHeadAreAnswered()
    {
        using var http = await ClientAsync();
        using var response = await http.PostAsync($"app/{_id}/readme.md", new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}
