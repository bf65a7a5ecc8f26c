using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Daytona.Checkpoints.Pruning;
using Daytona.Checkpoints.Retention;
using Daytona.Checkpoints.Storage;
using Daytona.Common;

namespace Daytona.Checkpoints
{
    /// <summary>What a retention pass removed.</summary>
    public sealed class RetentionResult
    {
        internal RetentionResult(IReadOnlyList<Checkpoint> removed, long freed)
        {
            Removed = removed;
            Freed = freed;
        }

        /// <summary>The checkpoints removed, oldest first.</summary>
        public IReadOnlyList<Checkpoint> Removed { get; }

        /// <summary>Stored bytes reclaimed (0 while captures still run: a later removal or Remove-Checkpoint reclaims them).</summary>
        public long Freed { get; }
    }

    /// <summary>
    /// Retention, as Pulp's <c>retain_checkpoints</c>: keep the newest N checkpoints of each source, remove the others
    /// and reclaim what only they used. The repository's own setting (<see cref="RepositorySettings.KeepLast"/>, in
    /// <c>checkpoints/~settings.json</c> on whatever storage holds it) is applied by every capture, whichever agent makes it.
    /// Removal runs under the repository lease and prunes under the pruner's invariant (see <see cref="Pruner"/>).
    /// </summary>
    public sealed partial class CheckpointRepository
    {
        /// <summary>How long a capture's retention waits for the lease (another removal or prune) before leaving the work to the next capture.</summary>
        internal static readonly TimeSpan RetentionLeaseWait = TimeSpan.FromSeconds(5);

        /// <summary>How long a capture's retention waits for other captures under way before leaving their content to a later prune.</summary>
        internal static readonly TimeSpan RetentionWritersWait = TimeSpan.FromSeconds(30);

        /// <summary>The repository's settings (defaults when it has none).</summary>
        public RepositorySettings GetSettings(CancellationToken cancellationToken = default) => ReadSettings(cancellationToken).Settings;

        /// <summary>
        /// Changes the repository's settings: reads them, applies <paramref name="change"/> and writes them back only if
        /// no one changed them meanwhile (else again, with what they wrote). Returns the settings written.
        /// </summary>
        public RepositorySettings ChangeSettings(Action<RepositorySettings> change, CancellationToken cancellationToken = default)
        {
            // On storage that ignores conditional writes (the probe found so: an S3-compatible server that overwrites
            // anyway), the commit lock serializes the writers of the settings, and a check of the version just before the
            // write stands for the compare-and-swap.
            (Storage as Storage.Cache.CachingStorage)?.EnsureProbedAsync(cancellationToken).GetAwaiter().GetResult();
            var locked = !Storage.Traits.HonoursIfVersion || !Storage.Traits.HonoursCreateOnly;
            using var lease = locked
                ? RepositoryLease.Acquire(Storage, "changing the repository's settings", Options.LockWait + RepositoryLease.Duration, cancellationToken, RepositoryLayout.CommitLockKey)
                : null;
            var token = lease?.Token ?? cancellationToken;
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var (settings, version) = ReadSettings(token);
                var changed = settings.Copy();
                change(changed);
                if (changed.KeepLast != null && changed.KeepLast < 1)
                {
                    throw ErrorCatalog.CheckpointRetentionInvalid.Create($"Cannot keep the last {changed.KeepLast} checkpoints: keep at least 1.", changed.KeepLast);
                }

                if (locked)
                {
                    if (ReadSettingsVersion(token) != version)
                    {
                        continue;
                    }

                    Storage.Write(RepositoryLayout.SettingsKey, changed.ToJson(), WriteCondition.Unconditional, token);
                    return changed;
                }

                var condition = version == null ? WriteCondition.CreateOnly : WriteCondition.IfVersion(version);
                var result = Storage.Write(RepositoryLayout.SettingsKey, changed.ToJson(), condition, token);
                if (result.Written)
                {
                    return changed;
                }
            }

            throw CheckpointErrors.Create(CheckpointErrors.RepositoryLocked, ErrorKind.ResourceBusy,
                $"The settings of {Location} kept changing while they were written.", Location, "Run the command again.");
        }

        /// <summary>The version of the stored settings now (null when there are none).</summary>
        private string? ReadSettingsVersion(CancellationToken cancellationToken)
        {
            using var stored = Storage.Read(RepositoryLayout.SettingsKey, cancellationToken);
            return stored?.Version;
        }

        private (RepositorySettings Settings, string? Version) ReadSettings(CancellationToken cancellationToken)
        {
            using var stored = Storage.Read(RepositoryLayout.SettingsKey, cancellationToken);
            if (stored == null)
            {
                return (new RepositorySettings(), null);
            }

            return (RepositorySettings.Parse(stored.Span, Describe(RepositoryLayout.SettingsKey)), stored.Version);
        }

        /// <summary>
        /// The checkpoints that keeping the newest <paramref name="keepLast"/> of each source (of
        /// <paramref name="source"/> only, when given) would remove, oldest first.
        /// </summary>
        public IReadOnlyList<Checkpoint> PlanKeepLast(int keepLast, string? source = null, CancellationToken cancellationToken = default)
        {
            RequireKeepLast(keepLast);
            return Beyond(Catalog.Load(cancellationToken).All(), keepLast, source);
        }

        /// <summary>
        /// Removes checkpoints planned by <see cref="PlanKeepLast"/> (those of <paramref name="ids"/> still there) and
        /// reclaims what only they used.
        /// </summary>
        public RetentionResult RemoveKeepLast(int keepLast, string? source, IReadOnlyCollection<string>? ids = null, CancellationToken cancellationToken = default)
        {
            RequireKeepLast(keepLast);
            using var lease = RepositoryLease.Acquire(Storage, "removing checkpoints", Options.LockWait, cancellationToken);
            return RemoveBeyond(lease, keepLast, source, ids, writersWait: null);
        }

        /// <summary>
        /// After a capture of <paramref name="source"/>: applies the repository's KeepLast to that source. Best effort —
        /// the capture is committed whatever happens here; what could not be done is said in <paramref name="warnings"/>
        /// and done by the next capture.
        /// </summary>
        internal RetentionResult? ApplyRetention(Catalog.CatalogView view, string source, List<string> warnings, CancellationToken cancellationToken)
        {
            if (!view.HasSettings)
            {
                return null; // no settings object when this capture listed the manifests: no request spent on them
            }

            RepositorySettings settings;
            try
            {
                settings = GetSettings(cancellationToken);
            }
            catch (DaytonaException e) when (e.ErrorId == ErrorCatalog.CheckpointSettingsInvalid.Id)
            {
                warnings.Add(e.Message + " Old checkpoints were kept.");
                return null;
            }

            if (settings.KeepLast == null || PlanKeepLast(settings.KeepLast.Value, source, cancellationToken).Count == 0)
            {
                return null;
            }

            RepositoryLease lease;
            try
            {
                lease = RepositoryLease.Acquire(Storage, "removing checkpoints", RetentionLeaseWait, cancellationToken);
            }
            catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.RepositoryLocked)
            {
                warnings.Add($"The repository keeps the last {settings.KeepLast} checkpoints of each source, but another removal or prune holds it: older checkpoints of {source} stay until the next capture.");
                return null;
            }

            using (lease)
            {
                var result = RemoveBeyond(lease, settings.KeepLast.Value, source, null, RetentionWritersWait);
                if (result.Removed.Count > 0)
                {
                    Options.Verbose?.Invoke($"Kept the last {settings.KeepLast} checkpoints of {source}: removed {string.Join(", ", result.Removed.Select(c => c.Id))}.");
                }

                return result;
            }
        }

        /// <summary>Retention after a committed capture: whatever goes wrong is a warning, never the capture's failure.</summary>
        private void KeepLastAfterCapture(Catalog.CatalogView view, string source, List<string> warnings, CancellationToken cancellationToken)
        {
            try
            {
                ApplyRetention(view, source, warnings, cancellationToken);
            }
            catch (Exception e) when (e is DaytonaException || e is OperationCanceledException)
            {
                warnings.Add($"The checkpoint was written, but older checkpoints of {source} could not be removed as the repository's KeepLast asks ({e.Message}); the next capture tries again.");
            }
        }

        private RetentionResult RemoveBeyond(RepositoryLease lease, int keepLast, string? source, IReadOnlyCollection<string>? ids, TimeSpan? writersWait)
        {
            // Planned again under the lease: only checkpoints still beyond the newest N go (captures meanwhile only add newer ones).
            var planned = Beyond(Catalog.Load(lease.Token).All(), keepLast, source);
            if (ids != null)
            {
                var wanted = new HashSet<string>(ids, StringComparer.Ordinal);
                planned = planned.Where(c => wanted.Contains(c.Id)).ToList();
            }

            if (planned.Count == 0)
            {
                return new RetentionResult(Array.Empty<Checkpoint>(), 0);
            }

            var (removed, freed) = RemoveHolding(lease, planned.Select(c => c.Id).ToList(), skipMissing: true, writersWait);
            var gone = new HashSet<string>(removed, StringComparer.Ordinal);
            return new RetentionResult(planned.Where(c => gone.Contains(c.Id)).ToList(), freed);
        }

        /// <summary>Of <paramref name="all"/> (oldest first), those older than the newest <paramref name="keepLast"/> of their source.</summary>
        private static List<Checkpoint> Beyond(List<Checkpoint> all, int keepLast, string? source)
        {
            var result = new List<Checkpoint>();
            foreach (var group in all.Where(c => source == null || SameSource(c.Source, source)).GroupBy(c => SourceKey(c.Source), StringComparer.Ordinal))
            {
                var ofSource = group.ToList();
                result.AddRange(ofSource.Take(Math.Max(0, ofSource.Count - keepLast)));
            }

            result.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
            return result;
        }

        /// <summary>Sources that <see cref="SameSource"/> calls the same share a key.</summary>
        private static string SourceKey(string source) => Platform.IsWindows ? source.ToUpperInvariant() : source;

        private static void RequireKeepLast(int keepLast)
        {
            if (keepLast < 1)
            {
                throw ErrorCatalog.CheckpointRetentionInvalid.Create($"Cannot keep the last {keepLast} checkpoints: keep at least 1.", keepLast);
            }
        }
    }
}
