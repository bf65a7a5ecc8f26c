using System;
using Daytona.Checkpoints.Storage.Azure;
using Daytona.Checkpoints.Storage.Cache;
using Daytona.Checkpoints.Storage.S3;
using Daytona.Common.Diagnostics;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// Opens the object-store backends (Azure Blob Storage, S3) for <see cref="StorageFactory"/>, behind this machine's
    /// cache (<see cref="CachingStorage"/>, unless <see cref="StorageOptions.CacheFolder"/> turns it off). Opening makes no
    /// request: the store is probed for create-only writes (<see cref="ConditionalWriteProbe"/>) before its first write,
    /// and a store that ignores them is marked so in its <see cref="StorageTraits"/> (the engine then creates format-2
    /// repositories there, whose writers claim their ids in their markers) and the user is told once, on the warning stream.
    /// </summary>
    public static class ObjectStores
    {
        private static void Reveal(System.Collections.Generic.IEnumerable<string> secrets, StorageOptions options)
        {
            foreach (var secret in secrets)
            {
                options.Secret?.Invoke(secret);
            }
        }

        public static IObjectStorage Open(RepositoryLocation location, StorageOptions options)
        {
            IObjectStorage storage;
            string identity;
            switch (location.Kind)
            {
                case StorageKind.AzureBlob:
                    var credentials = AzureBlobCredentials.From(location, options.Environment);
                    Reveal(credentials.Secrets, options);
                    var azure = new AzureBlobStorage(credentials, options);
                    (storage, identity) = (azure, azure.Identity);
                    break;
                case StorageKind.S3:
                    var settings = S3Settings.From(location, options.Environment);
                    Reveal(settings.Secrets, options);
                    var s3 = new S3Storage(settings, options);
                    (storage, identity) = (s3, s3.Identity);
                    break;
                default:
                    throw new ArgumentException($"{location} is not on object storage.", nameof(location));
            }

            Timings.Mark("storage: backend opened");
            var root = ObjectCache.ResolveRoot(options.CacheFolder, options.Environment);
            var cache = root == null ? null : ObjectCache.Open(root, identity, storage.Location, options.CacheLimit, options.Verbose);
            Timings.Mark("storage: cache opened");
            return new CachingStorage(storage, cache, RepositoryLayout.IsImmutable, options);
        }
    }
}
