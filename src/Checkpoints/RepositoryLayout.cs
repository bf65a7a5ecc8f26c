using System;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// The keys of a repository's objects — the same on every storage (a folder holds them as files at those paths):
    /// <code>
    /// format                         "daytona-checkpoints 1", or "daytona-checkpoints 2" where writers claim ids (below)
    /// packs/xx/&lt;pack&gt;.pack, .idx      chunks, zstd frames named by their SHA-256 (see ChunkStore); a pack is
    ///                                visible once its index exists; both immutable, written create-only
    /// checkpoints/&lt;id&gt;.json          one manifest per checkpoint: created create-only, which claims the id; a
    ///                                checkpoint exists exactly when its manifest does
    /// checkpoints/~prune.json        the plan of the prune under way, if any: it sorts after every manifest, so the
    ///                                one listing a writer makes says what is new and whether a prune runs
    /// checkpoints/~settings.json     repository settings (retention), replaced by version; listed by that same
    ///                                listing, so a writer reads them only where a repository has some
    /// catalog/&lt;generation&gt;.cat     summaries of every checkpoint up to an id, compacted (see CatalogSnapshot)
    /// writers/&lt;writer&gt;.json         one marker per capture or import under way, renewed while it runs (format 1)
    /// checkpoints/~writers/&lt;writer&gt;_&lt;id&gt;.json
    ///                                format 2 (repositories created on storage that ignores create-only writes): the
    ///                                writer's marker, which also claims the id it means to commit; it sorts after every
    ///                                manifest, so the writer's one listing shows other writers' claims too (see
    ///                                CheckpointRepository.Commit)
    /// lock                           the lease of the one exclusive operation (prune, removal, rename)
    /// </code>
    /// Earlier versions kept <c>catalog.json</c> and took <c>lock</c> for every write; both still make sense to them.
    /// </summary>
    public static class RepositoryLayout
    {
        public const string FormatKey = "format";
        public const string CheckpointsPrefix = "checkpoints/";
        public const string PrunePlanKey = "checkpoints/~prune.json";
        public const string CatalogPrefix = "catalog/";
        public const string WritersPrefix = "writers/";

        /// <summary>Format 2: writer markers that claim an id, listed with the manifests (<c>checkpoints/~writers/&lt;writer&gt;_&lt;id&gt;.json</c>).</summary>
        public const string WriterRecordsPrefix = "checkpoints/~writers/";
        public const string PacksPrefix = "packs/";
        public const string LeaseKey = "lock";

        /// <summary>
        /// The lock writers take to commit a manifest or a catalog generation on storage that ignores create-only writes
        /// (found by the probe): there, "create if absent" is a check and a write under this lock.
        /// </summary>
        public const string CommitLockKey = "commit-lock";
        public const string SettingsKey = "checkpoints/~settings.json";
        public const string LegacyCatalogKey = "catalog.json";

        /// <summary>
        /// Whether an object never changes once written (a machine may cache it forever): the format, pack indexes and
        /// catalog generations — all created create-only and only ever deleted, never replaced.
        /// </summary>
        public static bool IsImmutable(string key) =>
            key == FormatKey || PackOfIndexKey(key) != null || GenerationOfCatalogKey(key) >= 0;

        public static string ManifestKey(string id) => CheckpointsPrefix + id + ".json";

        /// <summary>The checkpoint id of a manifest key; null for any other key under <c>checkpoints/</c>.</summary>
        public static string? IdOfManifestKey(string key)
        {
            if (key.Length != CheckpointsPrefix.Length + 16 + 5 || !key.StartsWith(CheckpointsPrefix, StringComparison.Ordinal) || !key.EndsWith(".json", StringComparison.Ordinal))
            {
                return null;
            }

            var id = key.Substring(CheckpointsPrefix.Length, 16);
            return CheckpointTime.TryParse(id, out _) ? id : null;
        }

        public static string PackKey(string pack) => PacksPrefix + pack.Substring(0, 2) + "/" + pack + ".pack";

        public static string PackIndexKey(string pack) => PacksPrefix + pack.Substring(0, 2) + "/" + pack + ".idx";

        /// <summary>The pack id of a pack index key (<c>packs/xx/&lt;pack&gt;.idx</c>); null for any other key.</summary>
        public static string? PackOfIndexKey(string key)
        {
            if (!key.StartsWith(PacksPrefix, StringComparison.Ordinal) || !key.EndsWith(".idx", StringComparison.Ordinal))
            {
                return null;
            }

            var slash = key.LastIndexOf('/');
            var pack = key.Substring(slash + 1, key.Length - slash - 1 - 4);
            return pack.Length >= 2 ? pack : null;
        }

        public static string CatalogKey(long generation) => CatalogPrefix + generation.ToString("D12", System.Globalization.CultureInfo.InvariantCulture) + ".cat";

        /// <summary>The generation of a catalog key; -1 for any other key.</summary>
        public static long GenerationOfCatalogKey(string key)
        {
            if (key.Length != CatalogPrefix.Length + 12 + 4 || !key.StartsWith(CatalogPrefix, StringComparison.Ordinal) || !key.EndsWith(".cat", StringComparison.Ordinal))
            {
                return -1;
            }

            return long.TryParse(key.Substring(CatalogPrefix.Length, 12), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var generation) ? generation : -1;
        }

        public static string WriterKey(string writer) => WritersPrefix + writer + ".json";

        /// <summary>The key of a format-2 writer marker claiming the checkpoint id <paramref name="id"/>.</summary>
        public static string WriterRecordKey(string writer, string id) => WriterRecordsPrefix + writer + "_" + id + ".json";

        /// <summary>The writer id of a marker key (<c>writers/…</c> or <c>checkpoints/~writers/…</c>); null for any other key.</summary>
        public static string? WriterOfKey(string key)
        {
            if (!key.EndsWith(".json", StringComparison.Ordinal))
            {
                return null;
            }

            if (key.StartsWith(WritersPrefix, StringComparison.Ordinal))
            {
                return key.Substring(WritersPrefix.Length, key.Length - WritersPrefix.Length - 5);
            }

            if (key.StartsWith(WriterRecordsPrefix, StringComparison.Ordinal))
            {
                var at = key.LastIndexOf('_');
                return at > WriterRecordsPrefix.Length ? key.Substring(WriterRecordsPrefix.Length, at - WriterRecordsPrefix.Length) : null;
            }

            return null;
        }

        /// <summary>The checkpoint id a format-2 writer marker claims; null for any other key.</summary>
        public static string? ClaimOfKey(string key)
        {
            if (!key.StartsWith(WriterRecordsPrefix, StringComparison.Ordinal) || !key.EndsWith(".json", StringComparison.Ordinal))
            {
                return null;
            }

            var at = key.LastIndexOf('_');
            if (at < WriterRecordsPrefix.Length)
            {
                return null;
            }

            var id = key.Substring(at + 1, key.Length - at - 1 - 5);
            return CheckpointTime.TryParse(id, out _) ? id : null;
        }

        /// <summary>A new writer id: the time it started and 12 random hex digits.</summary>
        public static string NewWriterId() =>
            DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 12);
    }
}
