using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Daytona.Checkpoints.Retention;

namespace Daytona.Checkpoints
{
    /// <summary>A repository as Get-CheckpointRepository shows it: where it is, its settings and what it holds.</summary>
    public sealed class CheckpointRepositoryInfo
    {
        /// <summary>The folder or URL (never with a secret).</summary>
        public string Repository { get; set; } = string.Empty;

        /// <summary>The newest this many checkpoints of each source are kept after each capture; null keeps every checkpoint.</summary>
        public int? KeepLast { get; set; }

        /// <summary>How many checkpoints the repository holds.</summary>
        public int Checkpoints { get; set; }

        /// <summary>The sources captured, with how many checkpoints each has.</summary>
        public IReadOnlyDictionary<string, int> Sources { get; set; } = new Dictionary<string, int>();
    }

    public sealed partial class CheckpointRepository
    {
        /// <summary>Where the repository is, its settings, and how many checkpoints of which sources it holds.</summary>
        public CheckpointRepositoryInfo GetInfo(CancellationToken cancellationToken = default)
        {
            var settings = GetSettings(cancellationToken);
            var all = Catalog.Load(cancellationToken).All();
            var sources = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var group in all.GroupBy(c => c.Source, StringComparer.Ordinal))
            {
                sources[group.Key] = group.Count();
            }

            return new CheckpointRepositoryInfo
            {
                Repository = Location,
                KeepLast = settings.KeepLast,
                Checkpoints = all.Count,
                Sources = sources,
            };
        }
    }
}
