using System;
using System.Threading;
using Daytona.Checkpoints.Storage.Azure;
using Daytona.Checkpoints.Storage.S3;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// Opens the object-store backends (Azure Blob Storage, S3) for <see cref="StorageFactory"/> and probes each once
    /// for create-only writes (<see cref="ConditionalWriteProbe"/>). A storage that ignores them is marked so in its
    /// <see cref="StorageTraits"/> (the engine then serializes writers through a lock object) and the user is told once,
    /// on the warning stream.
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
            switch (location.Kind)
            {
                case StorageKind.AzureBlob:
                    var credentials = AzureBlobCredentials.From(location, options.Environment);
                    Reveal(credentials.Secrets, options);
                    storage = new AzureBlobStorage(credentials, options);
                    break;
                case StorageKind.S3:
                    var settings = S3Settings.From(location, options.Environment);
                    Reveal(settings.Secrets, options);
                    storage = new S3Storage(settings, options);
                    break;
                default:
                    throw new ArgumentException($"{location} is not on object storage.", nameof(location));
            }

            try
            {
                var honours = ConditionalWriteProbe.HonoursCreateOnlyAsync(storage, CancellationToken.None).GetAwaiter().GetResult();
                storage.Traits.HonoursCreateOnly = honours;
                storage.Traits.HonoursIfVersion = honours;
                options.Verbose?.Invoke($"{storage.Location}: {storage.Traits}.");
                if (!honours)
                {
                    options.Warning?.Invoke(
                        $"The storage behind {storage.Location} accepts create-only writes but overwrites anyway: writers to this repository take turns through a lock object (restic-style: host, process, expiry; one left by a writer that died is removed once its lease expires).");
                }

                return storage;
            }
            catch
            {
                storage.Dispose();
                throw;
            }
        }
    }
}
