using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Daytona.Checkpoints.Storage.Azure
{
    /// <summary>
    /// A repository in an Azure Blob Storage container under a prefix (Azure.Storage.Blobs). Create-only writes send
    /// <c>If-None-Match: *</c> (409 = already exists), compare-and-swap <c>If-Match</c> (412 = another version); the
    /// SDK retries transient failures (<see cref="StorageOptions.Resilience"/>). The container is created at the first write when it
    /// does not exist. Leases are <see cref="ObjectLease"/> records, which rely on those conditional writes.
    /// </summary>
    public sealed class AzureBlobStorage : IObjectStorage
    {
        private readonly Task<BlobContainerClient> _container;
        private readonly string _prefix;
        private readonly bool _pathStyle;

        /// <summary>
        /// Opens the container. The SDK's client (its pipeline, in a new process mostly compiling code) is built in the
        /// background: the caller works on (reads this machine's cache, lists the folder it captures) until the first request.
        /// </summary>
        public AzureBlobStorage(AzureBlobCredentials credentials, StorageOptions? options = null)
        {
            options ??= new StorageOptions();
            var known = credentials.ContainerUri;
            var settings = options;
            _container = known == null
                ? Task.FromResult(credentials.CreateClient(options))
                : Task.Run(() => credentials.CreateClient(settings));
            var uri = known ?? _container.Result.Uri;
            _prefix = credentials.Location.Prefix;
            _pathStyle = uri.AbsolutePath.Trim('/').Split('/').Length > 1;
            Location = credentials.Display;
            Identity = "azure-blob " + uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + _prefix;
            options.Verbose?.Invoke($"Azure Blob Storage: {Location}, credentials from {credentials.Source}.");
        }

        public string Location { get; }

        /// <summary>What tells this repository apart from every other (account endpoint, container, prefix; no secret): the key of its cache.</summary>
        public string Identity { get; }

        public StorageTraits Traits { get; } = new StorageTraits { HonoursCreateOnly = true, HonoursIfVersion = true, Connections = 8 };

        private async Task<BlobClient> BlobAsync(string key) => (await _container.ConfigureAwait(false)).GetBlobClient(_prefix + key);

        public async Task<StoredObject?> ReadAsync(string key, CancellationToken cancellationToken)
        {
            try
            {
                var result = await (await BlobAsync(key).ConfigureAwait(false)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
                var bytes = result.Value.Content.ToArray();
                return new StoredObject(bytes, bytes.Length, result.Value.Details.ETag.ToString());
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return null;
            }
            catch (Exception e) when (IsFailure(e))
            {
                throw Fail("Reading", key, e);
            }
        }

        public async Task<int> ReadRangeAsync(string key, long position, byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (count == 0)
            {
                return await StatAsync(key, cancellationToken).ConfigureAwait(false) == null ? -1 : 0;
            }

            try
            {
                var result = await (await BlobAsync(key).ConfigureAwait(false)).DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(position, count) }, cancellationToken).ConfigureAwait(false);
                using var stream = result.Value.Content;
                var total = 0;
                int read;
                while (total < count && (read = await stream.ReadAsync(buffer, offset + total, count - total, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }

                return total;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return -1;
            }
            catch (RequestFailedException e) when (e.Status == 416)
            {
                // A range starting at or past the end.
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
                var result = await (await BlobAsync(key).ConfigureAwait(false)).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return result.Value.Content;
            }
            catch (RequestFailedException e) when (e.Status == 404)
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
                var properties = await (await BlobAsync(key).ConfigureAwait(false)).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return new ObjectInfo(key, properties.Value.ContentLength, properties.Value.LastModified.UtcDateTime, properties.Value.ETag.ToString());
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return null;
            }
            catch (Exception e) when (IsFailure(e))
            {
                throw Fail("Reading the properties of", key, e);
            }
        }

        /// <summary>Objects larger than this go up as block blobs staged while they are written (Put Block, then Put Block List).</summary>
        internal const int BlockSize = 4 * 1024 * 1024;

        public ObjectWriter CreateWriter(string key, WriteCondition condition) =>
            new BlockObjectWriter(key, condition, BlockSize, UploadAsync, k => new Blocks(this, k));

        private async Task<WriteResult> UploadAsync(string key, ArraySegment<byte> content, WriteCondition condition, CancellationToken cancellationToken)
        {
            var conditions = Conditions(condition);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var data = new BinaryData(new ReadOnlyMemory<byte>(content.Array!, content.Offset, content.Count));
                    var result = await (await BlobAsync(key).ConfigureAwait(false)).UploadAsync(data, new BlobUploadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
                    return new WriteResult(WriteStatus.Written, result.Value.ETag.ToString());
                }
                catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode == BlobErrorCode.BlobAlreadyExists)
                {
                    return new WriteResult(WriteStatus.AlreadyExists, null);
                }
                catch (RequestFailedException e) when (e.Status == 412 && condition.Kind == WriteConditionKind.CreateOnly)
                {
                    return new WriteResult(WriteStatus.AlreadyExists, null);
                }
                catch (RequestFailedException e) when ((e.Status == 412 || e.Status == 404) && condition.Kind == WriteConditionKind.IfVersion && e.ErrorCode != BlobErrorCode.ContainerNotFound)
                {
                    return new WriteResult(WriteStatus.VersionMismatch, null);
                }
                catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == BlobErrorCode.ContainerNotFound && attempt == 0)
                {
                    await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (IsFailure(e))
                {
                    throw Fail("Writing", key, e);
                }
            }
        }

        /// <summary>
        /// A block blob staged block by block: a block's id is this upload's own random prefix and the block's number
        /// (fixed length, base64), so two writers staging the same key at once (two captures racing for one manifest id)
        /// never commit each other's blocks; the commit is a Put Block List under the condition (create-only:
        /// <c>If-None-Match: *</c>). Uncommitted blocks are invisible, and the service discards them (after a week, or when
        /// another writer commits the blob) when no commit comes: abandoning them costs no request.
        /// </summary>
        private sealed class Blocks : BlockUpload
        {
            private readonly AzureBlobStorage _storage;
            private readonly string _key;
            private readonly string _upload = Guid.NewGuid().ToString("N");

            public Blocks(AzureBlobStorage storage, string key)
            {
                _storage = storage;
                _key = key;
            }

            private string Id(int number) => Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(_upload + number.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)));

            private async Task<BlockBlobClient> ClientAsync() => (await _storage._container.ConfigureAwait(false)).GetBlockBlobClient(_storage._prefix + _key);

            public override async Task StageAsync(int number, ArraySegment<byte> block, CancellationToken cancellationToken)
            {
                try
                {
                    using var content = new MemoryStream(block.Array!, block.Offset, block.Count, writable: false);
                    await (await ClientAsync().ConfigureAwait(false)).StageBlockAsync(Id(number), content, new BlockBlobStageBlockOptions(), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (IsFailure(e))
                {
                    throw _storage.Fail("Writing", _key, e);
                }
            }

            public override async Task<WriteResult> CommitAsync(int blocks, long length, WriteCondition condition, CancellationToken cancellationToken)
            {
                var ids = new List<string>(blocks);
                for (var i = 0; i < blocks; i++)
                {
                    ids.Add(Id(i));
                }

                var options = new CommitBlockListOptions { Conditions = Conditions(condition) };
                try
                {
                    var result = await (await ClientAsync().ConfigureAwait(false)).CommitBlockListAsync(ids, options, cancellationToken).ConfigureAwait(false);
                    return new WriteResult(WriteStatus.Written, result.Value.ETag.ToString());
                }
                catch (RequestFailedException e) when ((e.Status == 409 && e.ErrorCode == BlobErrorCode.BlobAlreadyExists) || (e.Status == 412 && condition.Kind == WriteConditionKind.CreateOnly))
                {
                    return new WriteResult(WriteStatus.AlreadyExists, null);
                }
                catch (RequestFailedException e) when (e.Status == 400 && e.ErrorCode == BlobErrorCode.InvalidBlockList && condition.Kind == WriteConditionKind.CreateOnly)
                {
                    // Another writer committed the blob first (which discarded this upload's uncommitted blocks): the object exists.
                    if (await _storage.StatAsync(_key, cancellationToken).ConfigureAwait(false) != null)
                    {
                        return new WriteResult(WriteStatus.AlreadyExists, null);
                    }

                    throw _storage.Fail("Writing", _key, e);
                }
                catch (Exception e) when (IsFailure(e))
                {
                    throw _storage.Fail("Writing", _key, e);
                }
            }

            public override Task AbortAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        }

        private static BlobRequestConditions? Conditions(WriteCondition condition) => condition.Kind switch
        {
            WriteConditionKind.CreateOnly => new BlobRequestConditions { IfNoneMatch = ETag.All },
            WriteConditionKind.IfVersion => new BlobRequestConditions { IfMatch = new ETag(condition.Version!) },
            _ => null,
        };

        private async Task EnsureContainerAsync(CancellationToken cancellationToken)
        {
            try
            {
                await (await _container.ConfigureAwait(false)).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsFailure(e))
            {
                throw Fail("Creating the container of", string.Empty, e);
            }
        }

        public async Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken)
        {
            var result = new List<ObjectInfo>();
            var options = new GetBlobsOptions { Prefix = _prefix + prefix };
            if (startAfter != null)
            {
                // A service that knows startFrom skips the earlier names; the filter below keeps the answer exact either way.
                options.StartFrom = _prefix + startAfter;
            }

            // Azurite (an emulator, addressed path-style) does not know startFrom; its continuation marker is the last name
            // listed, so a listing that starts after a name starts from that name as its marker. Azure's own markers are opaque.
            var marker = startAfter != null && _pathStyle ? _prefix + startAfter : null;
            try
            {
                var container = await _container.ConfigureAwait(false);
                await foreach (var page in container.GetBlobsAsync(options, cancellationToken).AsPages(marker).ConfigureAwait(false))
                {
                    foreach (var item in page.Values)
                    {
                        var key = item.Name.Substring(_prefix.Length);
                        if (startAfter == null || string.CompareOrdinal(key, startAfter) > 0)
                        {
                            result.Add(new ObjectInfo(key, item.Properties.ContentLength ?? 0, item.Properties.LastModified?.UtcDateTime, item.Properties.ETag?.ToString()));
                        }
                    }
                }
            }
            catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                return result;
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
            try
            {
                var response = await (await BlobAsync(key).ConfigureAwait(false)).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return response.Value;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return false;
            }
            catch (Exception e) when (IsFailure(e))
            {
                throw Fail("Deleting", key, e);
            }
        }

        public Task<LeaseAttempt> TryAcquireLeaseAsync(string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken) =>
            ObjectLease.TryAcquireAsync(this, key, holder, duration, cancellationToken);

        public void Dispose()
        {
            // The client holds nothing to release; a client still being built is left to finish (its failure observed).
            _container.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }

        private static bool IsFailure(Exception e) =>
            e is RequestFailedException || e is AggregateException || e is IOException || e is global::Azure.Identity.AuthenticationFailedException || e is System.Net.Http.HttpRequestException;

        private Exception Fail(string operation, string key, Exception e)
        {
            if (e is global::Azure.Identity.AuthenticationFailedException)
            {
                return StorageFailures.NoCredentials(Location, FirstLine(e.Message),
                    "Set AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN, or sign in (az login, Connect-AzAccount, a managed identity).", e);
            }

            if (e is AggregateException all && all.InnerExceptions.Count > 0)
            {
                // The SDK's retries all failed: report the last try.
                e = all.InnerExceptions[all.InnerExceptions.Count - 1];
            }

            var failed = e as RequestFailedException;
            return StorageFailures.Request(Location, operation, key, failed?.Status ?? 0, failed?.ErrorCode ?? FirstLine(e.Message), e);
        }

        private static string FirstLine(string text)
        {
            var newline = text.IndexOfAny(new[] { '\r', '\n' });
            return newline < 0 ? text : text.Substring(0, newline);
        }
    }
}
