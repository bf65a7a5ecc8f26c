using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using Daytona.Checkpoints.Storage;

namespace Daytona.Checkpoints.Pruning
{
    /// <summary>
    /// The plan of a prune under way (<c>checkpoints/~prune.json</c>): the packs it may delete. A writer that finds it
    /// treats every chunk found only in those packs as absent (it writes it again), so nothing it commits can depend on
    /// them. The plan lists every pack the prune might delete; the prune deletes no other.
    /// </summary>
    internal sealed class PrunePlan
    {
        public PrunePlan(LeaseHolder holder, IReadOnlyCollection<string> packs)
        {
            Holder = holder;
            Packs = packs;
        }

        public LeaseHolder Holder { get; }

        public IReadOnlyCollection<string> Packs { get; }

        public byte[] ToJson()
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteString("started", DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture));
                writer.WritePropertyName("holder");
                using (var holder = JsonDocument.Parse(Holder.ToJson()))
                {
                    holder.RootElement.WriteTo(writer);
                }

                writer.WriteStartArray("packs");
                foreach (var pack in Packs)
                {
                    writer.WriteStringValue(pack);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            return stream.ToArray();
        }

        /// <summary>Stands for every pack: what a plan that cannot be read excludes.</summary>
        public const string AllPacks = "*";

        /// <summary>
        /// The packs of the current plan; null when there is no plan. A plan that cannot be read (objects are written
        /// whole, so only damage does this) excludes every pack (<see cref="AllPacks"/>).
        /// </summary>
        public static HashSet<string>? ReadPacks(IObjectStorage storage)
        {
            using var stored = storage.Read(RepositoryLayout.PrunePlanKey);
            if (stored == null)
            {
                return null;
            }

            var packs = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                using var document = JsonDocument.Parse(stored.ToArray());
                foreach (var pack in document.RootElement.GetProperty("packs").EnumerateArray())
                {
                    packs.Add(pack.GetString() ?? string.Empty);
                }
            }
            catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException)
            {
                packs.Add(AllPacks);
            }

            return packs;
        }
    }
}
