using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.Yaml;

namespace Daytona.Arazzo.OpenApi
{
    /// <summary>A source description once loaded: an OpenAPI description, a nested Arazzo document, or why neither.</summary>
    public sealed class LoadedSource
    {
        public SourceDescription Description { get; internal set; } = null!;

        public string? Location { get; internal set; }

        public OpenApiDescription? OpenApi { get; internal set; }

        public ArazzoDocument? Arazzo { get; internal set; }

        public string? Error { get; internal set; }

        /// <summary>The text as read.</summary>
        public string? Text { get; internal set; }
    }

    /// <summary>Loads source descriptions by relative path or URL, once per location.</summary>
    public sealed class SourceResolver
    {
        private static readonly Lazy<HttpClient> s_client = new Lazy<HttpClient>(() => new HttpClient(Daytona.Common.Http.HttpHandlerFactory.Create()) { Timeout = TimeSpan.FromSeconds(30) });
        private readonly ConcurrentDictionary<string, LoadedSource> _cache = new ConcurrentDictionary<string, LoadedSource>(StringComparer.Ordinal);

        public SourceResolver(HttpClient? client = null) => Client = client;

        public HttpClient? Client { get; }

        /// <summary>Local copies of remote source descriptions: URL → file path (for offline runs).</summary>
        public IDictionary<string, string> Mappings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Whether URLs (http/https) may be fetched; file paths are always read.</summary>
        public bool AllowRemote { get; set; } = true;

        public static string? ResolveLocation(string? baseLocation, string url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps))
            {
                return absolute.ToString();
            }

            if (absolute != null && absolute.IsFile)
            {
                return absolute.LocalPath;
            }

            if (baseLocation != null && Uri.TryCreate(baseLocation, UriKind.Absolute, out var baseUri) && (baseUri.Scheme == Uri.UriSchemeHttp || baseUri.Scheme == Uri.UriSchemeHttps))
            {
                return new Uri(baseUri, url).ToString();
            }

            var directory = baseLocation == null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(baseLocation)) ?? Directory.GetCurrentDirectory();
            var relative = Uri.UnescapeDataString(url.Split('#')[0]);
            return Path.GetFullPath(Path.Combine(directory, relative.Replace('/', Path.DirectorySeparatorChar)));
        }

        public async Task<LoadedSource> LoadAsync(ArazzoDocument owner, SourceDescription description, CancellationToken cancellationToken)
        {
            var location = ResolveLocation(owner.Location, description.Url);
            if (location != null && Mappings.TryGetValue(location, out var mapped))
            {
                location = mapped;
            }

            var key = description.Type + "|" + description.Name + "|" + location;
            if (_cache.TryGetValue(key, out var cached))
            {
                return cached;
            }

            var loaded = new LoadedSource { Description = description, Location = location };
            try
            {
                var text = await ReadAsync(location!, cancellationToken).ConfigureAwait(false);
                loaded.Text = text;
                if (description.IsArazzo)
                {
                    var result = ArazzoLoader.Parse(text, location);
                    loaded.Arazzo = result.Document;
                    if (result.Document == null)
                    {
                        loaded.Error = $"'{location}' is not an Arazzo document.";
                    }
                }
                else
                {
                    var root = YamlJson.Load(text).Root;
                    var openApi = new OpenApiDescription(description.Name, root, location);
                    if (!openApi.IsOpenApi)
                    {
                        loaded.Error = $"'{location}' is not an OpenAPI description (no 'openapi' field).";
                    }

                    loaded.OpenApi = openApi;
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is HttpRequestException || e is YamlJsonException || e is TaskCanceledException || e is NotSupportedException || e is ArgumentException)
            {
                if (e is TaskCanceledException && cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                loaded.Error = $"Source description '{description.Name}' could not be loaded from '{location}': {e.Message}";
            }

            _cache[key] = loaded;
            return loaded;
        }

        private async Task<string> ReadAsync(string location, CancellationToken cancellationToken)
        {
            if (location.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                if (!AllowRemote)
                {
                    throw new IOException("fetching remote source descriptions is turned off");
                }

                using var response = await (Client ?? s_client.Value).GetAsync(location, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                if (response.Content.Headers.ContentLength > ArazzoLoader.MaxDocumentLength * 4L)
                {
                    throw new DocumentTooLargeException(ArazzoLoader.MaxDocumentLength);
                }

                var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                return await Task.Run(() => ArazzoLoader.ReadBounded(stream, ArazzoLoader.MaxDocumentLength), cancellationToken).ConfigureAwait(false);
            }

            if (new FileInfo(location).Length > ArazzoLoader.MaxDocumentLength * 4L)
            {
                throw new DocumentTooLargeException(ArazzoLoader.MaxDocumentLength);
            }

            // Read with a bound even when the file reports its length: a device or pipe reports 0 and never ends.
            return ArazzoLoader.ReadBounded(new FileStream(location, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: false), ArazzoLoader.MaxDocumentLength);
        }
    }
}
