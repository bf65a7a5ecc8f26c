using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Daytona.Api
{
    /// <summary>
    /// Reads the API's snapshot JSON and writes its create request. Reading is tolerant (a missing or null field
    /// leaves the default, a number sent as a string still reads), because servers add and loosen fields over time.
    /// </summary>
    internal static class SnapshotJson
    {
        public static Snapshot ReadSnapshot(JsonElement e)
        {
            var state = Str(e, "state") ?? string.Empty;
            var snapshot = new Snapshot
            {
                Id = Str(e, "id") ?? string.Empty,
                OrganizationId = Str(e, "organizationId"),
                General = Bool(e, "general"),
                Name = Str(e, "name") ?? string.Empty,
                ImageName = Str(e, "imageName"),
                StateText = state,
                State = SnapshotStates.Parse(state),
                Size = Num(e, "size"),
                Entrypoint = StrArray(e, "entrypoint"),
                Cpu = Num(e, "cpu") ?? 0,
                Gpu = Num(e, "gpu") ?? 0,
                GpuType = Str(e, "gpuType"),
                Mem = Num(e, "mem") ?? Num(e, "memory") ?? 0,
                Disk = Num(e, "disk") ?? 0,
                ErrorReason = Str(e, "errorReason"),
                CreatedAt = Date(e, "createdAt") ?? default,
                UpdatedAt = Date(e, "updatedAt") ?? default,
                LastUsedAt = Date(e, "lastUsedAt"),
                RegionIds = StrArray(e, "regionIds"),
                InitialRunnerId = Str(e, "initialRunnerId"),
                Ref = Str(e, "ref"),
                SandboxClass = Str(e, "sandboxClass"),
            };

            if (e.TryGetProperty("buildInfo", out var b) && b.ValueKind == JsonValueKind.Object)
            {
                snapshot.BuildInfo = new SnapshotBuildInfo
                {
                    DockerfileContent = Str(b, "dockerfileContent"),
                    ContextHashes = StrArray(b, "contextHashes"),
                    CreatedAt = Date(b, "createdAt"),
                    UpdatedAt = Date(b, "updatedAt"),
                    SnapshotRef = Str(b, "snapshotRef"),
                };
            }

            return snapshot;
        }

        public static SnapshotPage ReadPage(JsonElement e, int requestedPage)
        {
            var items = new List<Snapshot>();
            if (e.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in array.EnumerateArray())
                {
                    items.Add(ReadSnapshot(item));
                }
            }

            var total = (int)(Num(e, "total") ?? items.Count);
            var page = (int)(Num(e, "page") ?? requestedPage);
            var totalPages = (int)(Num(e, "totalPages") ?? (items.Count == 0 ? 0 : page));
            return new SnapshotPage(items, total, page, totalPages);
        }

        public static byte[] WriteCreate(CreateSnapshotRequest r)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("name", r.Name);
                if (r.ImageName != null) w.WriteString("imageName", r.ImageName);
                if (r.Entrypoint != null && r.Entrypoint.Count > 0)
                {
                    w.WriteStartArray("entrypoint");
                    foreach (var part in r.Entrypoint) w.WriteStringValue(part);
                    w.WriteEndArray();
                }

                // Zero means "not given" (cmdlet parameters default to 0): Daytona then applies its own defaults.
                if (r.Cpu > 0) w.WriteNumber("cpu", r.Cpu.Value);
                if (r.Gpu > 0) w.WriteNumber("gpu", r.Gpu.Value);
                if (r.Memory > 0) w.WriteNumber("memory", r.Memory.Value);
                if (r.Disk > 0) w.WriteNumber("disk", r.Disk.Value);
                if (r.RegionId != null) w.WriteString("regionId", r.RegionId);
                if (r.DockerfileContent != null)
                {
                    w.WriteStartObject("buildInfo");
                    w.WriteString("dockerfileContent", r.DockerfileContent);
                    w.WriteStartArray("contextHashes");
                    foreach (var hash in r.ContextHashes ?? Array.Empty<string>()) w.WriteStringValue(hash);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            return stream.ToArray();
        }

        /// <summary>The error body Daytona sends: <c>{path, timestamp, statusCode, error, message}</c>; message may be an array.</summary>
        public static string? ReadErrorMessage(string body)
        {
            if (string.IsNullOrWhiteSpace(body))
            {
                return null;
            }

            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                if (root.TryGetProperty("message", out var message))
                {
                    if (message.ValueKind == JsonValueKind.String) return message.GetString();
                    if (message.ValueKind == JsonValueKind.Array)
                    {
                        var parts = new List<string>();
                        foreach (var part in message.EnumerateArray()) parts.Add(part.ToString());
                        return string.Join(", ", parts);
                    }
                }

                return Str(root, "error");
            }
            catch (JsonException)
            {
                return body.Length > 300 ? body.Substring(0, 300) : body;
            }
        }

        public static string? Str(JsonElement e, string name)
        {
            if (!e.TryGetProperty(name, out var v)) return null;
            switch (v.ValueKind)
            {
                case JsonValueKind.String: return v.GetString();
                case JsonValueKind.Null:
                case JsonValueKind.Undefined: return null;
                default: return v.GetRawText();
            }
        }

        private static bool Bool(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && (v.ValueKind == JsonValueKind.True || (v.ValueKind == JsonValueKind.String && string.Equals(v.GetString(), "true", StringComparison.OrdinalIgnoreCase)));

        private static double? Num(JsonElement e, string name)
        {
            if (!e.TryGetProperty(name, out var v)) return null;
            if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
            if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
            return null;
        }

        private static DateTimeOffset? Date(JsonElement e, string name)
        {
            var text = Str(e, name);
            return text != null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : (DateTimeOffset?)null;
        }

        private static string[]? StrArray(JsonElement e, string name)
        {
            if (!e.TryGetProperty(name, out var v)) return null;
            if (v.ValueKind == JsonValueKind.String) return new[] { v.GetString()! };
            if (v.ValueKind != JsonValueKind.Array) return null;
            var list = new List<string>();
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String) list.Add(item.GetString()!);
                else if (item.ValueKind != JsonValueKind.Null) list.Add(item.GetRawText());
            }

            return list.ToArray();
        }

        public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
    }
}
