using System;
using System.Collections.Generic;

namespace Daytona.Api
{
    /// <summary>
    /// A Daytona snapshot: every field of the API's <c>SnapshotDto</c>. Sizes are in GB as the API reports them
    /// (<c>size</c> may be null until the image is known). The request field for memory is <c>memory</c> but the
    /// response field is <c>mem</c>: here it is <see cref="Mem"/>.
    /// </summary>
    public sealed class Snapshot
    {
        public string Id { get; internal set; } = string.Empty;
        public string? OrganizationId { get; internal set; }
        public bool General { get; internal set; }
        public string Name { get; internal set; } = string.Empty;
        public string? ImageName { get; internal set; }
        public SnapshotState State { get; internal set; }

        /// <summary>The state exactly as the server spelled it (e.g. <c>build_failed</c>).</summary>
        public string StateText { get; internal set; } = string.Empty;

        /// <summary>Image size in GB; null until known.</summary>
        public double? Size { get; internal set; }
        public string[]? Entrypoint { get; internal set; }
        public double Cpu { get; internal set; }
        public double Gpu { get; internal set; }
        public string? GpuType { get; internal set; }

        /// <summary>Memory in GB (the API's <c>mem</c>).</summary>
        public double Mem { get; internal set; }

        /// <summary>Disk in GB.</summary>
        public double Disk { get; internal set; }
        public string? ErrorReason { get; internal set; }
        public DateTimeOffset CreatedAt { get; internal set; }
        public DateTimeOffset UpdatedAt { get; internal set; }
        public DateTimeOffset? LastUsedAt { get; internal set; }
        public SnapshotBuildInfo? BuildInfo { get; internal set; }
        public string[]? RegionIds { get; internal set; }
        public string? InitialRunnerId { get; internal set; }
        public string? Ref { get; internal set; }
        public string? SandboxClass { get; internal set; }

        /// <summary>The connection this object was read through, so piping it on talks to the same server.</summary>
        internal DaytonaConnection? Source { get; set; }

        /// <summary>The identifier to address the snapshot with: the id when known, else the name.</summary>
        internal string Key => Id.Length > 0 ? Id : Name;

        public override string ToString() => Name;
    }

    /// <summary>How a snapshot built from a Dockerfile was defined (the API's <c>BuildInfo</c>).</summary>
    public sealed class SnapshotBuildInfo
    {
        public string? DockerfileContent { get; internal set; }
        public string[]? ContextHashes { get; internal set; }
        public DateTimeOffset? CreatedAt { get; internal set; }
        public DateTimeOffset? UpdatedAt { get; internal set; }
        public string? SnapshotRef { get; internal set; }

        public override string ToString() => SnapshotRef ?? string.Empty;
    }

    /// <summary>One page of <c>GET /snapshots</c>.</summary>
    public sealed class SnapshotPage
    {
        public SnapshotPage(IReadOnlyList<Snapshot> items, int total, int page, int totalPages)
        {
            Items = items;
            Total = total;
            Page = page;
            TotalPages = totalPages;
        }

        public IReadOnlyList<Snapshot> Items { get; }
        public int Total { get; }
        public int Page { get; }
        public int TotalPages { get; }
    }

    /// <summary>Sort keys <c>GET /snapshots</c> accepts.</summary>
    public enum SnapshotSort
    {
        LastUsedAt,
        CreatedAt,
        Name,
        State,
    }

    /// <summary>The query of <c>GET /snapshots</c>. Name is a partial, case-insensitive match on the server.</summary>
    public sealed class SnapshotListQuery
    {
        /// <summary>Largest page the API serves.</summary>
        public const int MaxPageSize = 200;

        public int Page { get; set; } = 1;
        public int Limit { get; set; } = 100;
        public string? Name { get; set; }
        public SnapshotSort? Sort { get; set; }
        public bool? Descending { get; set; }

        public SnapshotListQuery Clone() => (SnapshotListQuery)MemberwiseClone();
    }

    /// <summary>What <c>POST /snapshots</c> takes. Memory and disk are in GB.</summary>
    public sealed class CreateSnapshotRequest
    {
        public CreateSnapshotRequest(string name) => Name = name ?? throw new ArgumentNullException(nameof(name));

        public string Name { get; }
        public string? ImageName { get; set; }
        public IReadOnlyList<string>? Entrypoint { get; set; }
        public int? Cpu { get; set; }
        public int? Gpu { get; set; }
        public int? Memory { get; set; }
        public int? Disk { get; set; }
        public string? RegionId { get; set; }

        /// <summary>A Dockerfile build instead of an image name (the declarative image path).</summary>
        public string? DockerfileContent { get; set; }

        /// <summary>The hashes of the build contexts uploaded for <see cref="DockerfileContent"/>.</summary>
        public IReadOnlyList<string>? ContextHashes { get; set; }
    }
}
