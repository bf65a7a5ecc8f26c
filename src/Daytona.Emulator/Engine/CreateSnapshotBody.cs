using System.Text.Json;
using System.Text.RegularExpressions;

namespace Daytona.Emulator.Engine;

/// <summary>
/// The body of <c>POST /snapshots</c> read and checked as Daytona checks it: the DTO's field rules (each problem
/// listed, in Daytona's words), then the controller's and the service's rules in Daytona's order. A body that breaks
/// one is a <see cref="RequestRejected"/> (invalid).
/// </summary>
internal sealed partial class CreateSnapshotBody
{
    // Daytona's IMAGE_NAME_REGEX, used for snapshot names and image names alike.
    [GeneratedRegex(@"^[a-zA-Z0-9_.\-:]+(\/[a-zA-Z0-9_.\-:]+)*(@sha256:[a-f0-9]{64})?$")]
    private static partial Regex ImageNameRegex();

    [GeneratedRegex(@"^[a-f0-9]{64}$")]
    private static partial Regex DigestRegex();

    [GeneratedRegex(@"ENTRYPOINT[ \t]+([^\r\n]*)")]
    private static partial Regex EntrypointRegex();

    private static readonly string[] s_sandboxClasses = { "linux-vm", "container", "android", "windows" };
    private static readonly string[] s_gpuTypes = { "H100", "RTX-PRO-6000" };

    public required string Name { get; init; }
    public string? ImageName { get; init; }

    /// <summary>The entrypoint asked for, blank commands dropped; null when none is left.</summary>
    public string[]? Entrypoint { get; init; }
    public double? Cpu { get; init; }
    public double? Gpu { get; init; }
    public string? GpuType { get; init; }
    public double? Memory { get; init; }
    public double? Disk { get; init; }
    public string? RegionId { get; init; }

    /// <summary>The sandbox class, <c>container</c> when none is given.</summary>
    public required string SandboxClass { get; init; }
    public bool HasBuildInfo { get; init; }
    public string? Dockerfile { get; init; }
    public string[] ContextHashes { get; init; } = Array.Empty<string>();

    public static CreateSnapshotBody Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw RequestRejected.Invalid("name must be a string");
        }

        var problems = new List<string>();
        var name = ReadString(body, "name", problems, required: true);
        var imageName = ReadString(body, "imageName", problems);
        var entrypoint = ReadStringArray(body, "entrypoint", problems);
        var cpu = ReadNumber(body, "cpu", problems, min: 0);
        var gpu = ReadNumber(body, "gpu", problems, min: 0, max: 1);
        var memory = ReadNumber(body, "memory", problems, min: 0);
        var disk = ReadNumber(body, "disk", problems, min: 0);
        var regionId = ReadString(body, "regionId", problems);
        var sandboxClass = ReadString(body, "sandboxClass", problems);
        if (sandboxClass != null && !s_sandboxClasses.Contains(sandboxClass))
        {
            problems.Add("sandboxClass must be one of the following values: " + string.Join(", ", s_sandboxClasses));
        }

        string[]? gpuType = null;
        if (body.TryGetProperty("gpuType", out var gpuTypeElement) && gpuTypeElement.ValueKind != JsonValueKind.Null)
        {
            gpuType = gpuTypeElement.ValueKind == JsonValueKind.Array
                ? gpuTypeElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.ToString()).ToArray()
                : new[] { gpuTypeElement.ToString() };
            if (gpuType.Length != 1)
            {
                problems.Add("gpuType must contain " + (gpuType.Length == 0 ? "at least 1 elements" : "no more than 1 elements"));
            }

            if (gpuType.Any(t => !s_gpuTypes.Contains(t)))
            {
                problems.Add("each value in gpuType must be one of the following values: " + string.Join(", ", s_gpuTypes));
            }
        }

        string? dockerfile = null;
        string[] contextHashes = Array.Empty<string>();
        var hasBuildInfo = false;
        if (body.TryGetProperty("buildInfo", out var buildInfo) && buildInfo.ValueKind != JsonValueKind.Null)
        {
            hasBuildInfo = true;
            if (buildInfo.ValueKind != JsonValueKind.Object)
            {
                problems.Add("buildInfo must be an object");
            }
            else
            {
                if (buildInfo.TryGetProperty("dockerfileContent", out var d) && d.ValueKind == JsonValueKind.String && d.GetString()!.Length > 0)
                {
                    dockerfile = d.GetString();
                }
                else
                {
                    problems.Add("buildInfo.dockerfileContent should not be empty");
                }

                if (buildInfo.TryGetProperty("contextHashes", out var h) && h.ValueKind == JsonValueKind.Array)
                {
                    contextHashes = h.EnumerateArray().Select(e => e.ToString()).ToArray();
                }
            }
        }

        if (problems.Count > 0)
        {
            throw RequestRejected.Invalid(string.Join(", ", problems));
        }

        // The controller's rules, then the service's, in Daytona's order.
        if (hasBuildInfo)
        {
            if (!string.IsNullOrEmpty(imageName))
            {
                throw RequestRejected.Invalid("Cannot specify an image name when using a build info entry");
            }

            if (entrypoint != null)
            {
                throw RequestRejected.Invalid("Cannot specify an entrypoint when using a build info entry");
            }
        }
        else if (string.IsNullOrEmpty(imageName))
        {
            throw RequestRejected.Invalid("Must specify an image name when not using a build info entry");
        }

        if (!ImageNameRegex().IsMatch(name!))
        {
            throw RequestRejected.Invalid("Invalid snapshot name format. May contain letters, digits, dots, colons, and dashes");
        }

        if (!hasBuildInfo)
        {
            var imageError = ValidateImageName(imageName!);
            if (imageError != null)
            {
                throw RequestRejected.Invalid(imageError);
            }
        }

        var resolvedClass = sandboxClass ?? "container";
        if (resolvedClass == "windows")
        {
            throw RequestRejected.Invalid("Windows snapshots cannot be created via this endpoint; they are produced by snapshot-from-sandbox flows.");
        }

        return new CreateSnapshotBody
        {
            Name = name!,
            ImageName = imageName,
            Entrypoint = ProcessEntrypoint(entrypoint),
            Cpu = cpu,
            Gpu = gpu,
            GpuType = gpuType?.FirstOrDefault(),
            Memory = memory,
            Disk = disk,
            RegionId = regionId,
            SandboxClass = resolvedClass,
            HasBuildInfo = hasBuildInfo,
            Dockerfile = dockerfile,
            ContextHashes = contextHashes,
        };
    }

    private static string? ValidateImageName(string name)
    {
        var at = name.IndexOf("@sha256:", StringComparison.Ordinal);
        if (at >= 0)
        {
            var image = name[..at];
            var digest = name[(at + "@sha256:".Length)..];
            if (image.Length == 0 || digest.Length == 0 || !DigestRegex().IsMatch(digest))
            {
                return "Invalid digest format. Must be image@sha256:64_hex_characters";
            }

            return null;
        }

        if (!name.Contains(':') || name.EndsWith(':') || Regex.IsMatch(name, @":\s*$"))
        {
            return "Image name must include a tag (e.g., ubuntu:22.04) or digest (@sha256:...)";
        }

        if (name.EndsWith(":latest", StringComparison.Ordinal))
        {
            return "Images with tag \":latest\" are not allowed";
        }

        if (!ImageNameRegex().IsMatch(name))
        {
            return "Invalid image name format. Must be lowercase, may contain digits, dots, dashes, and single slashes between components";
        }

        return null;
    }

    private static string[]? ProcessEntrypoint(string[]? entrypoint)
    {
        var kept = entrypoint?.Where(c => !string.IsNullOrWhiteSpace(c)).ToArray();
        return kept is { Length: > 0 } ? kept : null;
    }

    public static string[] EntrypointFromDockerfile(string dockerfile)
    {
        var matches = EntrypointRegex().Matches(dockerfile);
        if (matches.Count > 0)
        {
            var raw = matches[^1].Groups[1].Value.Trim();
            try
            {
                using var parsed = JsonDocument.Parse(raw);
                if (parsed.RootElement.ValueKind == JsonValueKind.Array)
                {
                    return parsed.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.ToString()).ToArray();
                }
            }
            catch (JsonException)
            {
                return new[] { raw.Replace("\"", string.Empty).Replace("'", string.Empty) };
            }
        }

        return new[] { "sleep", "infinity" };
    }

    private static string? ReadString(JsonElement body, string name, List<string> problems, bool required = false)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                problems.Add($"{name} must be a string");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{name} must be a string");
            return null;
        }

        return value.GetString();
    }

    private static string[]? ReadStringArray(JsonElement body, string name, List<string> problems)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"each value in {name} must be a string");
            problems.Add($"{name} must be an array");
            return null;
        }

        if (value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            problems.Add($"each value in {name} must be a string");
            return null;
        }

        return value.EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    private static double? ReadNumber(JsonElement body, string name, List<string> problems, double? min = null, double? max = null)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            problems.Add($"{name} must be a number conforming to the specified constraints");
            return null;
        }

        var number = value.GetDouble();
        if (min is { } lo && number < lo)
        {
            problems.Add($"{name} must not be less than {lo}");
        }

        if (max is { } hi && number > hi)
        {
            problems.Add($"{name} must not be greater than {hi}");
        }

        return number;
    }
}
