using System.Globalization;
using System.Text.Json.Serialization;

namespace Daytona.Emulator.Model;

/// <summary>
/// The wire form of a snapshot: Daytona's SnapshotDto. Required members are always written (null included);
/// optional ones are left out when absent, as the NestJS API leaves out undefined fields.
/// </summary>
internal sealed class SnapshotDto
{
    [JsonPropertyName("id")] public required string Id { get; init; }

    [JsonPropertyName("organizationId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OrganizationId { get; init; }

    [JsonPropertyName("general")] public bool General { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }

    [JsonPropertyName("imageName"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ImageName { get; init; }

    [JsonPropertyName("state")] public required string State { get; init; }
    [JsonPropertyName("size")] public double? Size { get; init; }
    [JsonPropertyName("entrypoint")] public string[]? Entrypoint { get; init; }
    [JsonPropertyName("cpu")] public double Cpu { get; init; }
    [JsonPropertyName("gpu")] public double Gpu { get; init; }

    [JsonPropertyName("gpuType"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? GpuType { get; init; }

    [JsonPropertyName("mem")] public double Mem { get; init; }
    [JsonPropertyName("disk")] public double Disk { get; init; }
    [JsonPropertyName("errorReason")] public string? ErrorReason { get; init; }
    [JsonPropertyName("createdAt")] public required string CreatedAt { get; init; }
    [JsonPropertyName("updatedAt")] public required string UpdatedAt { get; init; }
    [JsonPropertyName("lastUsedAt")] public string? LastUsedAt { get; init; }

    [JsonPropertyName("buildInfo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BuildInfoDto? BuildInfo { get; init; }

    [JsonPropertyName("regionIds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string[]? RegionIds { get; init; }

    [JsonPropertyName("initialRunnerId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? InitialRunnerId { get; init; }

    [JsonPropertyName("ref"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ref { get; init; }

    [JsonPropertyName("sandboxClass"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SandboxClass { get; init; }

    /// <summary>JavaScript's Date.toISOString(): UTC, milliseconds, Z.</summary>
    public static string Iso(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static SnapshotDto From(Snapshot s) => new()
    {
        Id = s.Id,
        OrganizationId = s.OrganizationId,
        General = false,
        Name = s.Name,
        ImageName = s.ImageName,
        State = s.State.ToWire(),
        Size = s.Size,
        Entrypoint = s.Entrypoint,
        Cpu = s.Cpu,
        Gpu = s.Gpu,
        GpuType = s.GpuType,
        Mem = s.Mem,
        Disk = s.Disk,
        ErrorReason = s.ErrorReason,
        CreatedAt = Iso(s.CreatedAt),
        UpdatedAt = Iso(s.UpdatedAt),
        LastUsedAt = s.LastUsedAt is { } used ? Iso(used) : null,
        BuildInfo = s.BuildInfo is { } b
            ? new BuildInfoDto
            {
                DockerfileContent = b.DockerfileContent,
                ContextHashes = b.ContextHashes,
                CreatedAt = Iso(b.CreatedAt),
                UpdatedAt = Iso(b.UpdatedAt),
                SnapshotRef = b.SnapshotRef,
            }
            : null,
        RegionIds = s.RegionIds,
        InitialRunnerId = s.InitialRunnerId,
        Ref = s.Ref,
        SandboxClass = s.SandboxClass,
    };
}

internal sealed class BuildInfoDto
{
    [JsonPropertyName("dockerfileContent")] public required string DockerfileContent { get; init; }
    [JsonPropertyName("contextHashes")] public required string[] ContextHashes { get; init; }
    [JsonPropertyName("createdAt")] public required string CreatedAt { get; init; }
    [JsonPropertyName("updatedAt")] public required string UpdatedAt { get; init; }
    [JsonPropertyName("snapshotRef")] public required string SnapshotRef { get; init; }
}

internal sealed class PaginatedSnapshotsDto
{
    [JsonPropertyName("items")] public required IReadOnlyList<SnapshotDto> Items { get; init; }
    [JsonPropertyName("total")] public int Total { get; init; }
    [JsonPropertyName("page")] public int Page { get; init; }
    [JsonPropertyName("totalPages")] public int TotalPages { get; init; }
}
