using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Daytona.Common;
using Daytona.Common.Http;
using RetryPolicy = Daytona.Common.Http.RetryPolicy;
using Daytona.Images;

namespace Daytona.Api.Images
{
    /// <summary>
    /// The S3 side of a build-context upload, path-style as the Daytona SDK configures its client (<c>forcePathStyle</c>),
    /// with the AWS SDK doing the signing: <c>ListObjectsV2</c> with <c>max-keys=1</c> (an SDK call, its retries set from
    /// the module's numbers) to see whether a context is already stored, and <c>PutObject</c> of the tar to a URL the SDK
    /// presigns (SigV4, <c>UNSIGNED-PAYLOAD</c>), streamed from the files with its length known up front, so the archive is
    /// read once per attempt and never held in memory. The PUT is idempotent and goes through the module's resilience
    /// pipeline as such (429, 502–504 and dropped connections are retried). A failure that remains is the catalog's
    /// <see cref="ErrorCatalog.ImageContextUploadFailed"/>, its kind following the storage's status.
    /// </summary>
    public sealed class ContextStorage
    {
        /// <summary>PutObject's size limit; a larger context would need a multipart upload.</summary>
        public const long MaxSingleUpload = 5L * 1024 * 1024 * 1024;

        private readonly PushAccess _access;
        private readonly HttpClient _http;
        private readonly ResilientHttp _pipeline;
        private readonly HttpResilienceOptions _options;
        private readonly Func<DateTime> _clock;
        private AmazonS3Client? _s3;
        private int _requests;

        public ContextStorage(PushAccess access, HttpClient http, ResilientHttp? pipeline = null, Func<DateTime>? clock = null)
        {
            _access = access ?? throw new ArgumentNullException(nameof(access));
            _http = http ?? throw new ArgumentNullException(nameof(http));
            _pipeline = pipeline ?? new ResilientHttp(HttpResilienceOptions.LongTransfers);
            _options = _pipeline.Options;
            _clock = clock ?? (() => DateTime.UtcNow);
        }

        /// <summary>S3 requests sent by the PUTs, retries included.</summary>
        public int RequestsSent => _requests;

        private AmazonS3Client S3 => _s3 ??= _access.CreateClient(_http, _options);

        /// <summary><c>&lt;organization&gt;/&lt;hash&gt;/</c>: where a context with this hash lives.</summary>
        public string PrefixFor(string hash) => _access.OrganizationId + "/" + hash + "/";

        /// <summary>True when anything is stored under <paramref name="prefix"/> (ListObjectsV2, MaxKeys 1).</summary>
        public async Task<bool> ExistsAsync(string prefix, CancellationToken cancellationToken)
        {
            try
            {
                var listing = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _access.Bucket, Prefix = prefix, MaxKeys = 1 }, cancellationToken).ConfigureAwait(false);
                return listing.S3Objects != null && listing.S3Objects.Count > 0;
            }
            catch (AmazonServiceException e) when (e.StatusCode != 0 && !(e.InnerException is HttpRequestException) && !(e.InnerException is IOException))
            {
                throw ErrorCatalog.ImageContextUploadFailed.Create(
                    $"The object storage refused ListObjectsV2 {prefix}: {(int)e.StatusCode} {e.ErrorCode ?? e.StatusCode.ToString()}{(string.IsNullOrEmpty(e.Message) ? string.Empty : " - " + e.Message)}",
                    prefix, e, kind: ErrorCatalog.KindForStatus((int)e.StatusCode));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is AmazonClientException || e is HttpRequestException || e is IOException || e is OperationCanceledException))
            {
                throw ErrorCatalog.ImageContextUploadFailed.Create($"Could not reach the object storage at {_access.StorageUrl}: {e.Message}", prefix, e,
                    kind: e is OperationCanceledException ? ErrorKind.OperationTimeout : ErrorKind.ConnectionError);
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

            // Valid for the whole call, every retry included (SigV4 allows up to 7 days).
            var lifetime = _options.TotalBudget > TimeSpan.Zero ? _options.TotalBudget + TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
            var url = new Uri(S3.GetPreSignedURL(new GetPreSignedUrlRequest
            {
                BucketName = _access.Bucket,
                Key = key,
                Verb = HttpVerb.PUT,
                Expires = _clock().Add(lifetime),
                Protocol = _access.StorageUrl.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS,
            }));
            await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, url) { Content = new ArchiveContent(entries, length) }, key, cancellationToken).ConfigureAwait(false);
            return length;
        }

        private async Task SendAsync(Func<HttpRequestMessage> create, string target, CancellationToken cancellationToken)
        {
            HttpResponseMessage response;
            try
            {
                response = await _pipeline.SendAsync(
                    _http,
                    create,
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
