using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;
using Daytona.Common.Http;

namespace Daytona.Checkpoints.Remote
{
    /// <summary>A checkpoint as a server serves it: its manifest and the URL it is served at.</summary>
    public sealed class RemoteCheckpoint
    {
        internal RemoteCheckpoint(Manifest manifest, Uri url, bool exactMatch)
        {
            Manifest = manifest;
            Url = url;
            ExactMatch = exactMatch;
        }

        public Manifest Manifest { get; }

        /// <summary>The checkpoint's own URL, <c>&lt;base&gt;/&lt;id&gt;/</c>.</summary>
        public Uri Url { get; }

        /// <summary>Whether the URL asked for named this checkpoint's instant exactly (no redirect to an earlier one).</summary>
        public bool ExactMatch { get; }

        /// <summary>The checkpoint as Get-Checkpoint shows one: its source is the source's URL, its repository the server's root.</summary>
        public Checkpoint ToCheckpoint()
        {
            var source = new Uri(Url, "../");
            var checkpoint = Checkpoint.From(Manifest, new Uri(source, "../").ToString());
            checkpoint.Source = source.ToString();
            checkpoint.Url = Url;
            checkpoint.ExactMatch = ExactMatch;
            return checkpoint;
        }
    }

    /// <summary>
    /// Reads checkpoints from a checkpoint server (Start-CheckpointServer, or any server with its URL contract): lists a
    /// source, resolves any instant to its checkpoint by following the server's redirect, and restores a checkpoint
    /// with every byte checked against the chunk hashes of its manifest, through <see cref="TreeRestore"/> (staging, swap,
    /// nothing outside the destination). Redirects are followed here, on the same server only, so the key goes along.
    /// </summary>
    public sealed class CheckpointServerClient
    {
        private const int MaxRedirects = 10;
        private readonly HttpClient _http;
        private readonly ResilientHttp _pipeline;
        private readonly string? _key;

        /// <param name="http">Sends the requests; it must not follow redirects itself (see <see cref="Create"/>).</param>
        /// <param name="pipeline">The module's retry pipeline every request goes through.</param>
        /// <param name="key">The server's key, sent as <c>Authorization: Bearer</c>; null for none.</param>
        public CheckpointServerClient(HttpClient http, ResilientHttp pipeline, string? key = null)
        {
            _http = http ?? throw new ArgumentNullException(nameof(http));
            _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
            _key = string.IsNullOrEmpty(key) ? null : key;
        }

        /// <summary>A client on the module's HTTP handler and retry pipeline, redirects followed by the client itself.</summary>
        public static CheckpointServerClient Create(string? key = null, HttpResilienceOptions? options = null) =>
            new CheckpointServerClient(HttpHandlerFactory.CreateClient(options, allowRedirects: false), new ResilientHttp(options), key);

        /// <summary>Files downloaded at once by a restore.</summary>
        public int Workers { get; set; } = 4;

        /// <summary>
        /// The position of the checkpoint stamp in <paramref name="url"/>: the first path segment after the first that reads
        /// <c>yyyyMMddTHHmmssZ</c>. Returns the URL of the checkpoint itself (<c>…/&lt;ts&gt;/</c>), or null when there is none.
        /// </summary>
        public static Uri? CheckpointRoot(Uri url, out string? stamp, out string subPath)
        {
            stamp = null;
            subPath = string.Empty;
            var path = url.AbsolutePath;
            var segments = path.Split('/');
            var offset = 0;
            for (var i = 0; i < segments.Length; i++)
            {
                if (i >= 2 && CheckpointTime.TryParse(segments[i], out _))
                {
                    stamp = segments[i];
                    var rootPath = path.Substring(0, offset + segments[i].Length) + "/";
                    subPath = Uri.UnescapeDataString(string.Join("/", segments, i + 1, segments.Length - i - 1));
                    return new UriBuilder(url) { Path = rootPath, Query = string.Empty, Fragment = string.Empty }.Uri;
                }

                offset += segments[i].Length + 1;
            }

            return null;
        }

        /// <summary>The checkpoint a URL with any instant resolves to (the server redirects to the newest at or before it).</summary>
        public async Task<RemoteCheckpoint> GetAsync(Uri url, CancellationToken cancellationToken)
        {
            var root = CheckpointRoot(url, out var asked, out _) ?? throw UriInvalid(url);
            using var response = await SendAsync(root, CheckpointProtocol.ManifestMediaType, cancellationToken).ConfigureAwait(false);
            var final = response.RequestMessage?.RequestUri ?? root;
            var finalRoot = CheckpointRoot(final, out var served, out _);
            var media = response.Content.Headers.ContentType?.MediaType;
            if (finalRoot == null || !string.Equals(media, CheckpointProtocol.ManifestMediaType, StringComparison.OrdinalIgnoreCase))
            {
                throw ErrorCatalog.CheckpointServerInvalid.Create(
                    $"{final} did not answer with a checkpoint manifest (it sent {media ?? "no content type"}): it is not a checkpoint server, or not at this path.", url.ToString());
            }

            var bytes = await ReadAllAsync(response, cancellationToken).ConfigureAwait(false);
            var manifest = Manifest.Parse(bytes, final.ToString());
            if (!string.Equals(manifest.Id, served, StringComparison.Ordinal))
            {
                throw CheckpointErrors.CorruptData($"{final} answered with the manifest of checkpoint {manifest.Id}.", final.ToString());
            }

            return new RemoteCheckpoint(manifest, finalRoot, string.Equals(asked, served, StringComparison.Ordinal));
        }

        /// <summary>
        /// The checkpoints a URL lists: a source's (<c>&lt;base&gt;/</c>) oldest first, or every source's (the server's root).
        /// </summary>
        public async Task<IReadOnlyList<Checkpoint>> ListAsync(Uri url, CancellationToken cancellationToken)
        {
            var listing = url.AbsolutePath.EndsWith("/", StringComparison.Ordinal) ? url : new UriBuilder(url) { Path = url.AbsolutePath + "/" }.Uri;
            var (final, document) = await ReadListingAsync(listing, cancellationToken).ConfigureAwait(false);
            using (document)
            {
                var root = document.RootElement;
                var result = new List<Checkpoint>();
                if (root.TryGetProperty("sources", out var sources))
                {
                    foreach (var source in sources.EnumerateArray())
                    {
                        var sourceUrl = new Uri(final, source.GetProperty("url").GetString());
                        result.AddRange(await ListAsync(sourceUrl, cancellationToken).ConfigureAwait(false));
                    }

                    return result;
                }

                if (!root.TryGetProperty("checkpoints", out var checkpoints))
                {
                    throw ErrorCatalog.CheckpointServerInvalid.Create($"{final} lists no checkpoints: it is a folder of a checkpoint, not a source.", url.ToString());
                }

                var repository = new Uri(final, "../").ToString();
                foreach (var item in checkpoints.EnumerateArray())
                {
                    var id = item.GetProperty("id").GetString() ?? string.Empty;
                    result.Add(new Checkpoint
                    {
                        Id = id,
                        Time = CheckpointTime.Parse(id),
                        Name = item.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
                        Kind = item.TryGetProperty("kind", out var kind) ? kind.GetString() ?? Manifest.FolderKind : Manifest.FolderKind,
                        Files = item.TryGetProperty("files", out var files) ? files.GetInt64() : 0,
                        Size = item.TryGetProperty("size", out var size) ? size.GetInt64() : 0,
                        Source = final.ToString(),
                        Repository = repository,
                        Url = new Uri(final, id + "/"),
                    });
                }

                return result;
            }
        }

        /// <summary>Restores the checkpoint a URL resolves to into <paramref name="destination"/>; returns it.</summary>
        public async Task<RemoteCheckpoint> RestoreAsync(Uri url, string destination, RestoreOptions? options, CancellationToken cancellationToken)
        {
            CheckpointRoot(url, out _, out var subPath);
            if (subPath.Length > 0)
            {
                throw ErrorCatalog.CheckpointUriInvalid.Create($"{url} names '{subPath}' inside a checkpoint; a restore takes a whole checkpoint.", url.ToString(),
                    recommendation: "Pass the checkpoint's URL, ending at its time: http://<server>/<source>/<yyyyMMddTHHmmssZ>/.");
            }

            var checkpoint = await GetAsync(url, cancellationToken).ConfigureAwait(false);
            await RestoreAsync(checkpoint, destination, options, cancellationToken).ConfigureAwait(false);
            return checkpoint;
        }

        /// <summary>Restores a checkpoint read with <see cref="GetAsync"/>.</summary>
        public Task RestoreAsync(RemoteCheckpoint checkpoint, string destination, RestoreOptions? options, CancellationToken cancellationToken) =>
            TreeRestore.RestoreAsync(checkpoint.Manifest, destination, options, Workers,
                (file, output, token) => DownloadAsync(checkpoint.Url, file, output, token), cancellationToken);

        /// <summary>One file of a checkpoint, verified, as bytes (for documents such as snapshot definitions).</summary>
        public async Task<byte[]> ReadFileAsync(RemoteCheckpoint checkpoint, string path, CancellationToken cancellationToken)
        {
            ManifestEntry? file = null;
            foreach (var entry in checkpoint.Manifest.Entries)
            {
                if (entry.Type == EntryType.File && string.Equals(entry.Path, path, StringComparison.Ordinal))
                {
                    file = entry;
                    break;
                }
            }

            if (file == null)
            {
                throw ErrorCatalog.CheckpointNotFound.Create($"Checkpoint {checkpoint.Manifest.Id} holds no file '{path}'.", path);
            }

            using var buffer = new MemoryStream();
            await DownloadAsync(checkpoint.Url, file, buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }

        /// <summary>Streams one file into <paramref name="output"/>, checking each chunk's SHA-256 before it is written.</summary>
        private async Task DownloadAsync(Uri checkpointUrl, ManifestEntry file, Stream output, CancellationToken cancellationToken)
        {
            var url = new Uri(checkpointUrl, CheckpointProtocol.EscapePath(file.Path));
            using var response = await SendAsync(url, null, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            if (response.RequestMessage?.RequestUri != null && response.RequestMessage.RequestUri != url)
            {
                throw Tampered(file, $"the server redirected it to {response.RequestMessage.RequestUri}");
            }

            using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var sha = SHA256.Create();
            foreach (var chunk in file.Chunks)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(chunk.Size);
                try
                {
                    var read = 0;
                    while (read < chunk.Size)
                    {
                        var n = await body.ReadAsync(buffer, read, chunk.Size - read, cancellationToken).ConfigureAwait(false);
                        if (n == 0)
                        {
                            throw Tampered(file, "the response ended early");
                        }

                        read += n;
                    }

                    var actual = ChunkStore.ToHex(sha.ComputeHash(buffer, 0, chunk.Size));
                    if (!string.Equals(actual, chunk.Hash, StringComparison.Ordinal))
                    {
                        throw Tampered(file, $"bytes the checkpoint holds as chunk {chunk.Hash} hash to {actual}");
                    }

                    await output.WriteAsync(buffer, 0, chunk.Size, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            var probe = new byte[1];
            if (await body.ReadAsync(probe, 0, 1, cancellationToken).ConfigureAwait(false) > 0)
            {
                throw Tampered(file, $"the response is longer than the {file.Size} bytes the checkpoint holds");
            }
        }

        private static DaytonaException Tampered(ManifestEntry file, string what) =>
            ErrorCatalog.CheckpointCorrupt.Create($"The server's response for '{file.Path}' does not match the checkpoint: {what}. Nothing was restored.", file.Path,
                recommendation: "The response was changed on its way, or the server's repository is damaged (Test-Checkpoint on that repository tells which).");

        private async Task<(Uri Url, JsonDocument Document)> ReadListingAsync(Uri url, CancellationToken cancellationToken)
        {
            using var response = await SendAsync(url, CheckpointProtocol.ListingMediaType, cancellationToken).ConfigureAwait(false);
            var final = response.RequestMessage?.RequestUri ?? url;
            var media = response.Content.Headers.ContentType?.MediaType;
            if (!string.Equals(media, CheckpointProtocol.ListingMediaType, StringComparison.OrdinalIgnoreCase))
            {
                throw ErrorCatalog.CheckpointServerInvalid.Create(
                    $"{final} did not answer with a JSON listing (it sent {media ?? "no content type"}): it is not a checkpoint server, or not at this path.", url.ToString());
            }

            var bytes = await ReadAllAsync(response, cancellationToken).ConfigureAwait(false);
            try
            {
                return (final, JsonDocument.Parse(bytes));
            }
            catch (JsonException e)
            {
                throw ErrorCatalog.CheckpointServerInvalid.Create($"The listing at {final} is not valid JSON: {e.Message}", url.ToString(), e);
            }
        }

        /// <summary>
        /// GET through the retry pipeline (idempotent: retried on 429, 502-504 and dropped connections), following
        /// redirects on the same server; a status other than 200 is a <see cref="DaytonaException"/>.
        /// </summary>
        private async Task<HttpResponseMessage> SendAsync(Uri url, string? accept, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
        {
            var current = url;
            for (var hop = 0; ; hop++)
            {
                var target = current;
                HttpResponseMessage response;
                try
                {
                    response = await _pipeline.SendAsync(_http, () =>
                    {
                        var request = new HttpRequestMessage(HttpMethod.Get, target);
                        if (accept != null)
                        {
                            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
                        }

                        if (_key != null)
                        {
                            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
                        }

                        return request;
                    }, RetryPolicy.Idempotent, cancellationToken, completion).ConfigureAwait(false);
                }
                catch (TransportFailure e)
                {
                    throw e.Sent
                        ? ErrorCatalog.CheckpointServerFailed.Create($"The checkpoint server at {target.GetLeftPart(UriPartial.Authority)} did not answer {target.AbsolutePath}: {e.Message}", url.ToString(), e, kind: ErrorCatalog.KindForTransport(e))
                        : ErrorCatalog.CheckpointServerUnreachable.Create($"The checkpoint server at {target.GetLeftPart(UriPartial.Authority)} cannot be reached: {e.Message}", url.ToString(), e);
                }

                var status = (int)response.StatusCode;
                if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location != null)
                {
                    var next = response.Headers.Location.IsAbsoluteUri ? response.Headers.Location : new Uri(current, response.Headers.Location);
                    response.Dispose();
                    if (hop >= MaxRedirects || !string.Equals(next.GetLeftPart(UriPartial.Authority), url.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
                    {
                        throw ErrorCatalog.CheckpointServerInvalid.Create(
                            hop >= MaxRedirects ? $"{url} redirected more than {MaxRedirects} times." : $"{current} redirected to another server ({next.GetLeftPart(UriPartial.Authority)}), which is not followed.",
                            url.ToString());
                    }

                    current = next;
                    continue;
                }

                if (status == 200)
                {
                    return response;
                }

                response.Dispose();
                throw StatusError(status, current, url);
            }
        }

        private static DaytonaException StatusError(int status, Uri at, Uri asked)
        {
            var server = at.GetLeftPart(UriPartial.Authority);
            switch (status)
            {
                case 404:
                    return ErrorCatalog.CheckpointNotFound.Create(
                        $"The checkpoint server has nothing at {at}: no such source or file, or the instant is before the first checkpoint, in the future, or not a real yyyyMMddTHHmmssZ time.",
                        asked.ToString(), recommendation: "List what the server has with Get-Checkpoint -Uri <server>/<source>/ (or open the URL in a browser).");
                case 401:
                    return ErrorCatalog.CheckpointServerDenied.Create($"The checkpoint server at {server} wants a key (401).", asked.ToString());
                case 403:
                    return ErrorCatalog.CheckpointServerForbidden.Create($"The checkpoint server at {server} refused the request (403).", asked.ToString());
                default:
                    return ErrorCatalog.CheckpointServerFailed.Create($"The checkpoint server answered {status} for {at}.", asked.ToString(), kind: ErrorCatalog.KindForStatus(status));
            }
        }

        private static async Task<byte[]> ReadAllAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer, 81920, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }

        private static DaytonaException UriInvalid(Uri url) =>
            ErrorCatalog.CheckpointUriInvalid.Create($"{url} names no checkpoint: its path has no yyyyMMddTHHmmssZ segment after the source.", url.ToString());
    }
}
