using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// Who holds a lease (or a writer marker): host, process id and start, since when, and what for. Stored as a small
    /// JSON object — <c>{"host":…,"pid":…,"processStart":…,"since":…,"expires":…,"purpose":…}</c> — the same fields the
    /// writer lock file of earlier versions held, so either version reads the other's.
    /// </summary>
    public sealed class LeaseHolder
    {
        public string Host { get; set; } = string.Empty;

        public int Pid { get; set; }

        public DateTime? ProcessStart { get; set; }

        /// <summary>When the holder took it (its own clock).</summary>
        public DateTime Since { get; set; }

        /// <summary>Until when it holds it unless renewed (its own clock); null when it never expires by time.</summary>
        public DateTime? Expires { get; set; }

        /// <summary>What the holder does, for messages: "pruning", "capturing".</summary>
        public string? Purpose { get; set; }

        /// <summary>This process, now.</summary>
        public static LeaseHolder ThisProcess(string purpose)
        {
            var pid = Platform.CurrentProcessId;
            return new LeaseHolder
            {
                Host = Environment.MachineName,
                Pid = pid,
                ProcessStart = Platform.ProcessStartUtc(pid),
                Since = DateTime.UtcNow,
                Purpose = purpose,
            };
        }

        /// <summary>True when the holder is a process of this host that no longer runs.</summary>
        public bool IsDeadProcessOnThisHost() =>
            string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase) && !Platform.IsProcessAlive(Pid, ProcessStart);

        /// <summary>True when the holder is this very process.</summary>
        public bool IsThisProcess() =>
            string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase) && Pid == Platform.CurrentProcessId;

        /// <summary>"process 123 on build-7 (pruning) since 2025-03-18 14:03:38Z".</summary>
        public string Describe() =>
            $"process {Pid} on {Host}{(Purpose == null ? string.Empty : " (" + Purpose + ")")} since {Since.ToString("u", CultureInfo.InvariantCulture)}";

        public LeaseHolder With(DateTime? expires) => new LeaseHolder
        {
            Host = Host,
            Pid = Pid,
            ProcessStart = ProcessStart,
            Since = Since,
            Expires = expires,
            Purpose = Purpose,
        };

        public byte[] ToJson()
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteString("host", Host);
                writer.WriteNumber("pid", Pid);
                if (ProcessStart != null)
                {
                    writer.WriteString("processStart", ProcessStart.Value.ToString("o", CultureInfo.InvariantCulture));
                }

                writer.WriteString("since", Since.ToString("o", CultureInfo.InvariantCulture));
                if (Expires != null)
                {
                    writer.WriteString("expires", Expires.Value.ToString("o", CultureInfo.InvariantCulture));
                }

                if (Purpose != null)
                {
                    writer.WriteString("purpose", Purpose);
                }

                writer.WriteEndObject();
            }

            return stream.ToArray();
        }

        /// <summary>Reads a holder record; null when it is empty or malformed (a writer killed while writing it).</summary>
        public static LeaseHolder? TryParse(ReadOnlySpan<byte> json)
        {
            try
            {
                var reader = new Utf8JsonReader(json);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return null;
                }

                var holder = new LeaseHolder();
                var sawHost = false;
                var sawPid = false;
                var sawSince = false;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString();
                    reader.Read();
                    switch (name)
                    {
                        case "host":
                            holder.Host = reader.GetString() ?? string.Empty;
                            sawHost = true;
                            break;
                        case "pid":
                            holder.Pid = reader.GetInt32();
                            sawPid = true;
                            break;
                        case "processStart":
                            holder.ProcessStart = Time(reader.GetString());
                            break;
                        case "since":
                            holder.Since = Time(reader.GetString());
                            sawSince = true;
                            break;
                        case "expires":
                            holder.Expires = Time(reader.GetString());
                            break;
                        case "purpose":
                            holder.Purpose = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }

                return sawHost && sawPid && sawSince ? holder : null;
            }
            catch (Exception e) when (e is JsonException || e is InvalidOperationException || e is FormatException || e is KeyNotFoundException)
            {
                return null;
            }
        }

        private static DateTime Time(string? text) =>
            DateTime.Parse(text ?? throw new FormatException("a time is missing"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).ToUniversalTime();

        public override string ToString() => Describe();
    }
}
