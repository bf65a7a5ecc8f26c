using System.Collections.Generic;

namespace Daytona.Images
{
    /// <summary>Options of a pip install step, written after the packages in this order: find-links, index URL, extra index URLs, --pre, extra options.</summary>
    public class PipInstallOptions
    {
        public IReadOnlyList<string>? FindLinks { get; set; }

        public string? IndexUrl { get; set; }

        public IReadOnlyList<string>? ExtraIndexUrls { get; set; }

        public bool Pre { get; set; }

        /// <summary>Appended as written (trimmed), e.g. <c>--no-cache-dir</c>.</summary>
        public string? ExtraOptions { get; set; }
    }

    /// <summary>pip options for installing from pyproject.toml, plus the optional dependency groups to include.</summary>
    public sealed class PyprojectOptions : PipInstallOptions
    {
        public IReadOnlyList<string>? OptionalDependencies { get; set; }
    }
}
