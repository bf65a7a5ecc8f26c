using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Daytona.Common.Diagnostics;

namespace Daytona.Checkpoints.Storage.S3
{
    /// <summary>
    /// A repository in an S3 bucket under a prefix (AWSSDK.S3), on AWS or an S3-compatible server. Create-only writes
    /// send <c>If-None-Match: *</c> (412 = already exists; 409 = a concurrent conditional write, asked again),
    /// compare-and-swap <c>If-Match</c>. Whether the server honours them is for <see cref="ConditionalWriteProbe"/> to
    /// find out: leases are <see cref="ObjectLease"/> records where it does, <see cref="LockObjectLease"/> records
    /// (which need no conditional writes) where it does not.
    /// </summary>
    public sealed class S3Storage : IObjectStorage, IUncheckedDelete
    {
        private readonly Task<AmazonS3Client> _client;
        private readonly string _bucket;
        private readonly string _prefix;
        private readonly StorageOptions _options;
        private readonly ConditionalWeakTable<AmazonWebServiceRequest, StrongBox<int>> _tries = new ConditionalWeakTable<AmazonWebServiceRequest, StrongBox<int>>();

        public S3Storage(S3Settings settings, StorageOptions? options = null)
        {
            _options = options ?? new StorageOptions();
            // The SDK's client (its configuration, endpoint rules and pipeline; in a new process mostly compiling code) is
            // built in the background, with what its first request would do before sending: the caller works on (reads
            // this machine's cache, lists the folder it captures) until the first request. On a thread of its own: it
            // starts at once, and the thread pool's few threads stay free for the opening's own work (its probe, reads).
            _client = Task.Factory.StartNew(() =>
            {
                var client = settings.CreateClient(_options);
                if (_options.Verbose != null)
                {
                    // Raised for every try of a request: a request object seen before is being retried.
                    client.BeforeRequestEvent += OnBeforeRequest;
                }

                Prepare(client, settings.Location);
                Timings.Mark("storage: S3 client ready");
                return client;
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            _bucket = settings.Location.Bucket!;
            _prefix = settings.Location.Prefix;
            Location = settings.Display;
            Identity = "s3 " + (settings.Endpoint != null ? settings.Endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') : "aws:" + (settings.Region ?? "default")) + "/" + _bucket + "/" + _prefix;
            _options.Verbose?.Invoke($"S3: {Location}, credentials from {settings.Source}.");
        }

        public string Location { get; }

        /// <summary>
        /// Does the part of a new process's first request that asks the server nothing: the endpoint rules evaluated for
        /// this bucket (loaded and compiled on first use in a process) and the signer's hashes set up (SHA-256 and
        /// HMAC; on Linux OpenSSL's). Best effort: whatever fails here fails again in the request, which reports it.
        /// </summary>
        private static void Prepare(AmazonS3Client client, RepositoryLocation location)
        {
            try
            {
                client.DetermineServiceOperationEndpoint(new GetObjectRequest { BucketName = location.Bucket, Key = location.Prefix + RepositoryLayout.FormatKey });
                using var sha = SHA256.Create();
                using var hmac = new HMACSHA256(sha.ComputeHash(Array.Empty<byte>()));
                hmac.ComputeHash(Array.Empty<byte>());
            }
            catch (Exception)
            {
                // Not a storage call: nothing here may fail the client (every request would then fail with it).
            }
        }

        /// <summary>What tells this repository apart from every other (endpoint or region, bucket, prefix; no secret): the key of its cache.</summary>
        public string Identity { get; }

        public StorageTraits Traits { get; } = new StorageTraits { HonoursCreateOnly = true, HonoursIfVersion = true, Connections = 8 };

        private void OnBeforeRequest(object sender, RequestEventArgs e)
        {
            if (e is WebServiceRequestEventArgs request && request.Request != null)
            {
                var tries = _tries.GetValue(request.Request, _ => new StrongBox<int>(0));
                var count = Interlocked.Increment(ref tries.Value);
                if (count > 1)
                {
                    _options.Verbose!($"S3: retry {count - 1} of {request.Request.GetType().Name.Replace("Request", string.Empty)} on {Location}.");
                }
            }
        }

        public async Task<StoredObject?> ReadAsync(string key, CancellationToken cancellationToken)
        {
            var retry = _options.Resilience.SdkRetry;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var response = await (await _client.ConfigureAwait(false)).GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken).ConfigureAwait(false);
                    using var memory = new MemoryStream(response.ContentLength > 0 && response.ContentLength < int.MaxValue ? (int)response.ContentLength : 0);
                    await response.ResponseStream.CopyToAsync(memory, 81920, cancellationToken).ConfigureAwait(false);
                    var bytes = memory.ToArray();
                    return new StoredObject(bytes, bytes.Length, response.ETag);
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }
                catch (AmazonClientException e) when (IsChangedWhileRead(e) && attempt <= retry.MaxRetries)
                {
                    // The body is not what its hash says: the object was replaced while it was read (a server that writes
                    // objects in place, as s3rver does). The SDK checks the body after its own retries are over, so the read
                    // is tried again here, as often as the SDK would retry a request.
                    _options.Verbose?.Invoke($"S3: retry {attempt} of GetObject on {Location} (its content changed while it was read).");
                    await Task.Delay(retry.Delay, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (IsFailure(e))
                {
                    throw Fail("Reading", key, e);
                }
            }
        }

        /// <summary>The SDK's check of a body against its hash (the object's MD5) failed.</summary>
        private static bool IsChangedWhileRead(AmazonClientException e) =>
            e.Message.StartsWith("Expected hash not equal to calculated hash", StringComparison.Ordinal);

        public async Task<int> ReadRangeAsync(string key, long position, byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (count == 0)
            {
                return await StatAsync(key, cancellationToken).ConfigureAwait(false) == null ? -1 : 0;
            }

            try
            {
                var request = new GetObjectRequest { BucketName = _bucket, Key = _prefix + key, ByteRange = new ByteRange(position, position + count - 1) };
                using var response = await (await _client.ConfigureAwait(false)).GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
                var total = 0;
                int read;
                while (total < count && (read = await response.ResponseStream.ReadAsync(buffer, offset + total, count - total, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }

                return total;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return -1;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                return 0;
            }
            catch (Exception e) when (IsFailure(e))
            {
                throw Fail("Reading", key, e);
            }
        }

        public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
        {
            try
            {
                var response = await (await _client.ConfigureAwait(false)).GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken).ConfigureAwait(false);
                return response.ResponseStream;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            catch (Exception e) when (IsFailure(e))
            {
                throw Fail("Reading", key, e);
            }
        }

        public async Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken)
        {
            try
            {
                var response = await (await _client.ConfigureAwait(false)).GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken).ConfigureAwait(false);
                return new ObjectInfo(key, response.ContentLength, response.LastModified?.ToUniversalTime(), response.ETag);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            catch (Exception e) when (IsFailure(e))
            {
                throw Fail("Reading the metadata of", key, e);
            }
        }

        public ObjectWriter CreateWriter(string key, WriteCondition condition) => new BufferedObjectWriter(key, condition, PutAsync);

        private async Task<WriteResult> PutAsync(string key, Stream content, WriteCondition condition, CancellationToken cancellationToken)
        {
            for (var attempt = 0; ; attempt++)
            {
                content.Position = 0;
                var request = new PutObjectRequest
                {
                    BucketName = _bucket,
                    Key = _prefix + key,
                    InputStream = content,
                    AutoCloseStream = false,
                    UseChunkEncoding = false,
                    ContentType = "application/octet-stream",
                };
                if (condition.Kind == WriteConditionKind.CreateOnly)
                {
                    request.IfNoneMatch = "*";
                }
                else if (condition.Kind == WriteConditionKind.IfVersion)
                {
                    request.IfMatch = condition.Version;
                }

                try
                {
                    var response = await (await _client.ConfigureAwait(false)).PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
                    return new WriteResult(WriteStatus.Written, response.ETag);
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
                {
                    return new WriteResult(condition.Kind == WriteConditionKind.CreateOnly ? WriteStatus.AlreadyExists : WriteStatus.VersionMismatch, null);
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && condition.Kind == WriteConditionKind.IfVersion && e.ErrorCode == "NoSuchKey")
                {
                    return new WriteResult(WriteStatus.VersionMismatch, null);
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Conflict && attempt < 5)
                {
                    // ConditionalRequestConflict: another conditional write to the key was in flight; ask again.
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * (attempt + 1)), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (IsFailure(e))
                {
                    throw Fail("Writing", key, e);
                }
            }
        }

        public async Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken)
        {
            var result = new List<ObjectInfo>();
            var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix };
            if (startAfter != null)
            {
                request.StartAfter = _prefix + startAfter;
            }

            try
            {
                while (true)
                {
                    var response = await (await _client.ConfigureAwait(false)).ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
                    foreach (var item in response.S3Objects ?? new List<S3Object>())
                    {
                        var key = item.Key.Substring(_prefix.Length);
                        if (startAfter == null || string.CompareOrdinal(key, startAfter) > 0)
                        {
                            result.Add(new ObjectInfo(key, item.Size ?? 0, item.LastModified?.ToUniversalTime(), item.ETag));
                        }
                    }

                    if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
                    {
                        break;
                    }

                    request.ContinuationToken = response.NextContinuationToken;
                }
            }
            catch (Exception e) when (IsFailure(e))
            {
                throw Fail("Listing", prefix + "*", e);
            }

            result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return result;
        }

        public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
        {
            // S3 answers a delete of an absent key with success: ask first, so the answer says whether it was there.
            if (await StatAsync(key, cancellationToken).ConfigureAwait(false) == null)
            {
                return false;
            }

            try
            {
                await (await _client.ConfigureAwait(false)).DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            catch (Exception e) when (IsFailure(e))
            {
                throw Fail("Deleting", key, e);
            }
        }

        public async Task DeleteUncheckedAsync(string key, CancellationToken cancellationToken)
        {
            try
            {
                await (await _client.ConfigureAwait(false)).DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
            }
            catch (Exception e) when (IsFailure(e))
            {
                throw Fail("Deleting", key, e);
            }
        }

        public Task<LeaseAttempt> TryAcquireLeaseAsync(string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken) =>
            Traits.HonoursCreateOnly && Traits.HonoursIfVersion
                ? ObjectLease.TryAcquireAsync(this, key, holder, duration, cancellationToken)
                : LockObjectLease.TryAcquireAsync(this, key, holder, duration, cancellationToken);

        public void Dispose() => _client.ContinueWith(t =>
        {
            if (t.Status == TaskStatus.RanToCompletion)
            {
                t.Result.Dispose();
            }

            return t.Exception;
        }, TaskContinuationOptions.ExecuteSynchronously);

        private static bool IsFailure(Exception e) => e is AmazonServiceException || e is AmazonClientException || e is IOException || e is System.Net.Http.HttpRequestException;

        private Exception Fail(string operation, string key, Exception e)
        {
            if (e is AmazonServiceException service && service.StatusCode != 0)
            {
                return StorageFailures.Request(Location, operation, key, (int)service.StatusCode, service.ErrorCode ?? service.Message, e);
            }

            if (e is AmazonClientException && e.Message.IndexOf("credential", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return StorageFailures.NoCredentials(Location, e.Message,
                    "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE, or run where an instance or container role applies.", e);
            }

            return StorageFailures.Request(Location, operation, key, 0, e.Message, e);
        }
    }
}
