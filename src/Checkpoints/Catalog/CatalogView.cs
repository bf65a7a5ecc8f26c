using System;
using System.Collections.Generic;
using System.Linq;

namespace Daytona.Checkpoints.Catalog
{
    /// <summary>
    /// Every checkpoint of a repository at one moment: the newest compacted generation (<see cref="CatalogSnapshot"/>)
    /// and the checkpoints committed since (from the manifests listed after it), oldest first. Lookups by time and by
    /// source read only the entries they need.
    /// </summary>
    public sealed class CatalogView
    {
        private readonly string _repository;

        internal CatalogView(string repository, CatalogSnapshot snapshot, List<Checkpoint> recent, string? latestId, bool pruneRunning, int uncompacted,
            Dictionary<string, string?>? listed = null)
        {
            Listed = listed ?? new Dictionary<string, string?>(StringComparer.Ordinal);
            _repository = repository;
            Snapshot = snapshot;
            Recent = recent;
            LatestId = latestId;
            PruneRunning = pruneRunning;
            Uncompacted = uncompacted;
        }

        public CatalogSnapshot Snapshot { get; }

        /// <summary>Checkpoints the snapshot does not hold, sorted by id.</summary>
        internal List<Checkpoint> Recent { get; }

        /// <summary>The newest id of any manifest listed (committed checkpoints only), or null.</summary>
        public string? LatestId { get; }

        /// <summary>The ids of the manifests the listing showed, with their versions (ETags; null where a backend does not say).</summary>
        internal Dictionary<string, string?> Listed { get; }

        /// <summary>
        /// The generation and every manifest listed after it with its version (or size and time where a backend gives
        /// no version): equal stamps mean the same list of checkpoints.
        /// </summary>
        internal string ListingStamp { get; set; } = string.Empty;

        /// <summary>The writer markers the listing showed (format 2: <c>checkpoints/~writers/</c>, which claim ids).</summary>
        internal IReadOnlyList<Storage.ObjectInfo> Markers { get; set; } = Array.Empty<Storage.ObjectInfo>();

        /// <summary>Every manifest id the listing showed, removed ones (tombstoned, not yet deleted) included.</summary>
        internal HashSet<string> Taken { get; set; } = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>Whether the listing showed the repository's settings (so a writer reads them only where there are some).</summary>
        internal bool HasSettings { get; set; }

        /// <summary>
        /// Whether this view is the newest generation alone, without the manifests listed after it (see
        /// <see cref="CheckpointCatalog.LoadFor"/>): it answers lookups at or before the generation's last id less the skew margin only.
        /// </summary>
        internal bool GenerationOnly { get; set; }

        /// <summary>Whether the listing showed a prune plan (a prune under way).</summary>
        public bool PruneRunning { get; }

        /// <summary>How many manifests newer than the snapshot the listing showed (a compaction is due past a limit).</summary>
        public int Uncompacted { get; }

        public int Count => Snapshot.Count + Recent.Count;

        /// <summary>Every checkpoint, oldest first.</summary>
        public List<Checkpoint> All()
        {
            var result = new List<Checkpoint>(Count);
            var r = 0;
            for (var i = 0; i < Snapshot.Count; i++)
            {
                while (r < Recent.Count && Recent[r].Time.Ticks < Snapshot.Ticks[i])
                {
                    result.Add(Recent[r++].Copy());
                }

                result.Add(Snapshot.At(i, _repository));
            }

            while (r < Recent.Count)
            {
                result.Add(Recent[r++].Copy());
            }

            return result;
        }

        /// <summary>Every id, oldest first.</summary>
        public List<string> Ids() => All().Select(c => c.Id).ToList();

        /// <summary>The checkpoint with this id, or null.</summary>
        public Checkpoint? Find(string id)
        {
            var ticks = CheckpointTime.Parse(id).Ticks;
            var i = Array.BinarySearch(Snapshot.Ticks, ticks);
            if (i >= 0)
            {
                return Snapshot.At(i, _repository);
            }

            return Recent.FirstOrDefault(c => c.Time.Ticks == ticks)?.Copy();
        }

        /// <summary>
        /// The newest checkpoint at or before <paramref name="ticks"/>, of <paramref name="source"/> when given
        /// (<paramref name="sameSource"/> compares sources); null when there is none.
        /// </summary>
        public Checkpoint? FindAtOrBefore(long ticks, string? source, Func<string, string, bool> sameSource)
        {
            Checkpoint? fromRecent = null;
            for (var r = Recent.Count - 1; r >= 0; r--)
            {
                var c = Recent[r];
                if (c.Time.Ticks <= ticks && (source == null || sameSource(c.Source, source)))
                {
                    fromRecent = c;
                    break;
                }
            }

            // The snapshot: the last position at or before the instant, then back until the source matches.
            var matching = source == null ? null : MatchingStrings(source, sameSource);
            var i = Array.BinarySearch(Snapshot.Ticks, ticks);
            i = i >= 0 ? i : ~i - 1;
            while (i >= 0 && matching != null && !matching.Contains(Snapshot.SourceAt(i)))
            {
                i--;
            }

            if (i >= 0 && (fromRecent == null || Snapshot.Ticks[i] > fromRecent.Time.Ticks))
            {
                return Snapshot.At(i, _repository);
            }

            return fromRecent?.Copy();
        }

        /// <summary>The oldest checkpoint (of a source, when given); null when there is none.</summary>
        public Checkpoint? First(string? source, Func<string, string, bool> sameSource)
        {
            var matching = source == null ? null : MatchingStrings(source, sameSource);
            for (var i = 0; i < Snapshot.Count; i++)
            {
                if (matching == null || matching.Contains(Snapshot.SourceAt(i)))
                {
                    var first = Snapshot.At(i, _repository);
                    var earlier = Recent.FirstOrDefault(c => c.Time.Ticks < first.Time.Ticks && (source == null || sameSource(c.Source, source)));
                    return earlier?.Copy() ?? first;
                }
            }

            return Recent.FirstOrDefault(c => source == null || sameSource(c.Source, source))?.Copy();
        }

        private HashSet<int> MatchingStrings(string source, Func<string, string, bool> sameSource)
        {
            var set = new HashSet<int>();
            for (var s = 0; s < Snapshot.Strings.Length; s++)
            {
                if (sameSource(Snapshot.Strings[s], source))
                {
                    set.Add(s);
                }
            }

            return set;
        }
    }
}
