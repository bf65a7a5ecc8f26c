using System;
using System.IO;
using System.Text.Json;
using Daytona.Common;

namespace Daytona.Checkpoints.Retention
{
    /// <summary>
    /// Settings a repository carries for every agent that writes to it (<c>checkpoints/~settings.json</c>, replaced by version; the listing a writer makes anyway shows whether there are any):
    /// <code>{"format":1,"keepLast":5}</code>. Unknown properties are kept as they were read (a newer module's settings
    /// survive an older one's change of another property).
    /// </summary>
    public sealed class RepositorySettings
    {
        /// <summary>Keep the newest this many checkpoints of each source after each capture; null keeps every checkpoint.</summary>
        public int? KeepLast { get; set; }

        /// <summary>Properties of a newer format, written back unchanged.</summary>
        internal JsonElement? Others { get; private set; }

        internal RepositorySettings Copy() => new RepositorySettings { KeepLast = KeepLast, Others = Others };

        internal static RepositorySettings Parse(ReadOnlySpan<byte> json, string where)
        {
            try
            {
                using var document = JsonDocument.Parse(json.ToArray());
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new JsonException("not an object");
                }

                var settings = new RepositorySettings();
                if (root.TryGetProperty("keepLast", out var keep) && keep.ValueKind != JsonValueKind.Null)
                {
                    var value = keep.GetInt32();
                    if (value < 1)
                    {
                        throw new JsonException("keepLast must be at least 1");
                    }

                    settings.KeepLast = value;
                }

                settings.Others = root.Clone();
                return settings;
            }
            catch (Exception e) when (e is JsonException || e is FormatException || e is InvalidOperationException)
            {
                throw ErrorCatalog.CheckpointSettingsInvalid.Create(
                    $"The repository settings {where} cannot be read: {e.Message}.", where, e);
            }
        }

        internal byte[] ToJson()
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteNumber("format", 1);
                if (KeepLast != null)
                {
                    writer.WriteNumber("keepLast", KeepLast.Value);
                }

                if (Others != null)
                {
                    foreach (var property in Others.Value.EnumerateObject())
                    {
                        if (property.NameEquals("format") || property.NameEquals("keepLast"))
                        {
                            continue;
                        }

                        property.WriteTo(writer);
                    }
                }

                writer.WriteEndObject();
            }

            return stream.ToArray();
        }
    }
}
