using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Daytona.Common;
using Daytona.Common.Http;
using Daytona.Images;

namespace Daytona.Api.Images
{
    /// <summary>
    /// The S3 side of a build-context upload, path-style as the SDK configures its client (<c>forcePathStyle</c>):
    /// <c>ListObjectsV2</c> with <c>max-keys=1</c> to see whether a context is already stored, and <c>PutObject</c> of the
    /// tar, streamed from the files with its length known up front (signed with <c>UNSIGNED-PAYLOAD</c>, so the
    /// archive is read once). Both calls are idempotent: they go through the module's resilience pipeline as such (429,
    /// 502–504 and dropped connections are retried, each attempt signed anew), and a failure that remains is the catalog's
    /// <see cref="ErrorCatalog.ImageContextUploadFailed"/>, its kind following the storage's status.
    /// </summary>
    public sealed class ContextStorage
    {
        /// <summary>PutObject's size limit; a larger context would need a multipart upload.</summary>
        public const long MaxSingleUpload = 5L * 1024 * 1024 * 1024;

        private readonly PushAccess _access;
        private readonly HttpClient _http;
        private readonly ResilientHttp _pipeline;
        private readonly SigV4Signer _signer;
        private readonly Func<DateTime> _clock;
        private int _requests;

        public ContextStorage(PushAccess access, HttpClient http, ResilientHttp? pipeline = null, Func<DateTime>? clock = null)
        {
            _access = access ?? throw new ArgumentNullException(nameof(access));
            _http = http ?? throw new ArgumentNullException(nameof(http));
            _pipeline = pipeline ?? new ResilientHttp(HttpResilienceOptions.LongTransfers);
            _signer = access.CreateSigner();
            _clock = clock ?? (() => DateTime.UtcNow);
        }

        /// <summary>S3 requests sent, retries included.</summary>
        public int RequestsSent => _requests;

        /// <summary><c>&lt;organization&gt;/&lt;hash&gt;/</c>: where a context with this hash lives.</summary>
        public string PrefixFor(string hash) => _access.OrganizationId + "/" + hash + "/";

        /// <summary>True when anything is stored under <paramref name="prefix"/> (ListObjectsV2, MaxKeys 1).</summary>
        public async Task<bool> ExistsAsync(string prefix, CancellationToken cancellationToken)
        {
            var uri = new Uri(BucketUrl() + "?list-type=2&max-keys=1&prefix=" + SigV4Signer.UriEncode(prefix, encodeSlash: true));
            var body = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), SigV4Signer.EmptyPayloadHash, prefix, cancellationToken).ConfigureAwait(false);
            try
            {
                var document = XDocument.Parse(body);
                return document.Descendants().Any(e => e.Name.LocalName == "Contents");
            }
            catch (System.Xml.XmlException e)
            {
                throw ErrorCatalog.ImageContextUploadFailed.Create("The object storage answered ListObjectsV2 with something that is not XML: " + e.Message, prefix, e, kind: ErrorKind.InvalidData);
            }
        }

        /// <summary>Uploads the tar of <paramref name="entries"/> to <paramref name="key"/>; returns its length.</summary>
        public async Task<long> PutArchiveAsync(string key, IReadOnlyList<ContextArchive.Entry> entries, CancellationToken cancellationToken)
        {
            var length = ContextArchive.Measure(entries);
            if (length > MaxSingleUpload)
            {
                throw ErrorCatalog.ImageContextTooLarge.Create($"The build context for {key} is {length} bytes; a single upload takes at most {MaxSingleUpload} bytes.", key);
            }

            var uri = new Uri(BucketUrl() + "/" + SigV4Signer.UriEncode(key, encodeSlash: false));
            await SendAsync(
                () => new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ArchiveContent(entries, length) },
                SigV4Signer.UnsignedPayload,
                key,
                cancellationToken).ConfigureAwait(false);
            return length;
        }

        private string BucketUrl()
        {
            var text = _access.StorageUrl.AbsoluteUri.TrimEnd('/');
            return text + "/" + SigV4Signer.UriEncode(_access.Bucket, encodeSlash: true);
        }

        private async Task<string> SendAsync(Func<HttpRequestMessage> create, string payloadHash, string target, CancellationToken cancellationToken)
        {
            HttpResponseMessage response;
            try
            {
                response = await _pipeline.SendAsync(
                    _http,
                    () =>
                    {
                        var request = create();
                        _signer.Sign(request, payloadHash, _clock());
                        return request;
                    },
                    RetryPolicy.Idempotent,
                    cancellationToken,
                    onAttempt: _ => Interlocked.Increment(ref _requests)).ConfigureAwait(false);
            }
            catch (TransportFailure e)
            {
                throw ErrorCatalog.ImageContextUploadFailed.Create($"Could not reach the object storage at {_access.StorageUrl}: {e.Message}", target, e, kind: ErrorCatalog.KindForTransport(e));
            }

            using (response)
            {
                var text = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw StorageError(response.StatusCode, text, response.RequestMessage?.Method.Method ?? "request", target);
                }

                return text;
            }
        }

        private static DaytonaException StorageError(HttpStatusCode status, string body, string method, string target)
        {
            string? code = null;
            string? message = null;
            try
            {
                var root = XDocument.Parse(body).Root;
                code = root?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
                message = root?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            }
            catch (System.Xml.XmlException)
            {
            }

            return ErrorCatalog.ImageContextUploadFailed.Create(
                $"The object storage refused {method} {target}: {(int)status} {code ?? status.ToString()}{(message == null ? string.Empty : " - " + message)}",
                target,
                kind: ErrorCatalog.KindForStatus((int)status));
        }

        /// <summary>The tar, written into the request as it is sent.</summary>
        private sealed class ArchiveContent : HttpContent
        {
            private readonly IReadOnlyList<ContextArchive.Entry> _entries;
            private readonly long _length;

            public ArchiveContent(IReadOnlyList<ContextArchive.Entry> entries, long length)
            {
                _entries = entries;
                _length = length;
                Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
                Headers.ContentLength = length;
            }

            protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
                Task.Run(() => ContextArchive.Write(stream, _entries));

            protected override bool TryComputeLength(out long length)
            {
                length = _length;
                return true;
            }
        }
    }
}
