using System;
using System.Collections.Concurrent;
using Daytona.Common;
using Daytona.Checkpoints.Storage.Folder;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// Turns a <see cref="RepositoryLocation"/> into the backend that serves it — the one place that knows every kind.
    /// The folder is built in; object-store backends plug in with <see cref="Register"/> (their assembly, its
    /// dependencies and its credentials stay theirs).
    /// </summary>
    public static class StorageFactory
    {
        private static readonly ConcurrentDictionary<StorageKind, Func<RepositoryLocation, StorageOptions, IObjectStorage>> s_backends =
            new ConcurrentDictionary<StorageKind, Func<RepositoryLocation, StorageOptions, IObjectStorage>>();

        /// <summary>Makes <paramref name="open"/> the backend of <paramref name="kind"/> (replacing any before).</summary>
        public static void Register(StorageKind kind, Func<RepositoryLocation, StorageOptions, IObjectStorage> open) => s_backends[kind] = open;

        /// <summary>Opens the storage of a location (it does not check that a repository is there).</summary>
        public static IObjectStorage Open(RepositoryLocation location, StorageOptions? options = null)
        {
            options ??= new StorageOptions();
            if (s_backends.TryGetValue(location.Kind, out var open))
            {
                return open(location, options);
            }

            if (location.Kind == StorageKind.Folder)
            {
                return new FolderStorage(location.Path!, options.Durable);
            }

            if (location.Kind == StorageKind.AzureBlob || location.Kind == StorageKind.S3)
            {
                return ObjectStores.Open(location, options);
            }

            throw new DaytonaException(StorageErrors.LocationInvalid, ErrorKind.NotImplemented,
                $"Repositories on {(location.Kind == StorageKind.S3 ? "S3" : "Azure Blob Storage")} ({location}) are not supported by this build of the module.", location.Display)
            {
                RecommendedAction = "Use a folder repository, or a module version that supports this storage.",
            };
        }
    }
}
