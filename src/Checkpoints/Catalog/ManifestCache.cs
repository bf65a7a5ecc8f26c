using System;
using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Cache;

namespace Daytona.Checkpoints.Catalog
{
    /// <summary>
    /// Manifests in this machine's cache of an object-storage repository (<see cref="ObjectCache"/>), each under the
    /// version (ETag) it had when it was written or read: whole manifests (a writer's own, and those a capture reused
    /// content from) and the first bytes of others (their summaries). An entry is used only when a listing shows the
    /// manifest with the same version — a manifest changes only by a rename, and a removed one is not listed.
    /// Folder repositories have no cache: every call misses.
    /// </summary>
    internal sealed class ManifestCache
    {
        private readonly CheckpointRepository _repository;

        public ManifestCache(CheckpointRepository repository)
        {
            _repository = repository;
        }

        private ObjectCache? Cache => (_repository.Storage as CachingStorage)?.Cache;

        private static string Whole(string id) => "manifests/" + id + ".json";

        private static string Head(string id) => "heads/" + id + ".json";

        /// <summary>The text of the manifest <paramref name="id"/> as it was at <paramref name="version"/>; null when not cached so.</summary>
        public byte[]? ReadBytes(string id, string? version) => version == null ? null : Cache?.Get(Whole(id), version);

        /// <summary>What the manifest <paramref name="id"/> at <paramref name="version"/> says about its checkpoint, from a whole or a head entry; null when neither is cached.</summary>
        public Manifest? ReadHeader(string id, string? version)
        {
            if (version == null || Cache == null)
            {
                return null;
            }

            var bytes = Cache.Get(Head(id), version) ?? Cache.Get(Whole(id), version);
            return bytes == null ? null : Parse(id, bytes, headerOnly: true);
        }

        /// <summary>Keeps a whole manifest under its version (nothing without a version or a cache).</summary>
        public void Put(string id, byte[] bytes, string? version)
        {
            if (version != null)
            {
                Cache?.Put(Whole(id), bytes, version);
            }
        }

        /// <summary>Keeps the first bytes of a manifest (enough for its header) under its version.</summary>
        public void PutHead(string id, byte[] bytes, int count, string? version)
        {
            if (version != null)
            {
                Cache?.Put(Head(id), bytes, 0, count, version);
            }
        }

        private Manifest? Parse(string id, byte[] bytes, bool headerOnly)
        {
            try
            {
                var origin = _repository.ManifestPath(id) + " (cached)";
                var manifest = headerOnly ? Manifest.ParseHeader(bytes, origin) : Manifest.Parse(bytes, origin);
                return manifest != null && manifest.Id == id ? manifest : null;
            }
            catch (Common.DaytonaException)
            {
                return null; // an entry that does not parse is a miss
            }
        }
    }
}
