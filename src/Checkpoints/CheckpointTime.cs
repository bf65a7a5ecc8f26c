using System;
using System.Globalization;
using Daytona.Common;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// Checkpoint ids are UTC instants to the second written <c>yyyyMMddTHHmmssZ</c> (e.g. <c>20250318T140338Z</c>),
    /// the form Pulp uses in checkpoint URLs. Upper-case <c>T</c> and <c>Z</c> only; the date must exist.
    /// </summary>
    public static class CheckpointTime
    {
        public const string Format = "yyyyMMdd'T'HHmmss'Z'";

        public static string ToId(DateTime utc) => Truncate(utc).ToString(Format, CultureInfo.InvariantCulture);

        /// <summary>Parses an id; false for anything not exactly of the form (wrong length, case, impossible dates).</summary>
        public static bool TryParse(string? text, out DateTime utc)
        {
            utc = default;
            if (text == null || text.Length != 16 || text[8] != 'T' || text[15] != 'Z')
            {
                return false;
            }

            for (var i = 0; i < 15; i++)
            {
                if (i != 8 && (text[i] < '0' || text[i] > '9'))
                {
                    return false;
                }
            }

            return DateTime.TryParseExact(text, Format, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out utc);
        }

        /// <summary>Parses an id or throws <c>CheckpointTimeInvalid</c>.</summary>
        public static DateTime Parse(string text)
        {
            if (!TryParse(text, out var utc))
            {
                throw CheckpointErrors.Create(CheckpointErrors.TimeInvalid, ErrorKind.InvalidArgument,
                    $"'{text}' is not a checkpoint time: expected a real UTC instant written yyyyMMddTHHmmssZ, e.g. 20250318T140338Z (upper-case T and Z).",
                    text, "Write the instant as yyyyMMddTHHmmssZ, or pass a [datetime] or [DateTimeOffset].");
            }

            return utc;
        }

        /// <summary>
        /// Reads an instant as PowerShell users type it, for a lookup by time: a checkpoint id (<c>20250318T140338Z</c>,
        /// exactly), a date or date and time with a zone (<c>2025-03-18T14:03:38Z</c>, <c>2025-03-18 14:03+01:00</c>),
        /// or without one — <c>2025-03-18</c>, <c>2025-03-18 14:03</c>, <c>03/18/2025 2:03 PM</c>, the forms
        /// <c>[datetime]'…'</c> accepts (invariant culture) — read as local time in <paramref name="localZone"/>.
        /// Returns the UTC instant truncated to the second; <paramref name="readAs"/> says how the text was read.
        /// Anything else is <c>CheckpointTimeInvalid</c>.
        /// </summary>
        public static DateTime ParseInstant(string text, TimeZoneInfo localZone, out string readAs)
        {
            if (localZone == null)
            {
                throw new ArgumentNullException(nameof(localZone));
            }

            var trimmed = (text ?? string.Empty).Trim();
            if (LooksLikeId(trimmed))
            {
                readAs = "a checkpoint id (UTC)";
                return Parse(trimmed);
            }

            // The round-trip form in UTC (2025-03-18T14:03:38Z), the one scripts write, is read without the zone rules'
            // regular expressions, which a first lookup in a new process would otherwise build and compile.
            if (DateTime.TryParseExact(trimmed, s_utcForms, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var roundTrip))
            {
                readAs = "UTC";
                return Truncate(roundTrip);
            }

            const DateTimeStyles styles = DateTimeStyles.AllowWhiteSpaces;
            if (HasZone(trimmed) && DateTimeOffset.TryParse(ZoneRules.ZoneName.Replace(trimmed, "Z"), CultureInfo.InvariantCulture, styles, out var offset))
            {
                readAs = offset.Offset == TimeSpan.Zero ? "UTC" : "UTC" + FormatOffset(offset.Offset);
                return Truncate(offset.UtcDateTime);
            }

            if (!HasZone(trimmed) && DateTime.TryParse(trimmed, CultureInfo.InvariantCulture, styles, out var local))
            {
                local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
                if (localZone.IsInvalidTime(local))
                {
                    throw CheckpointErrors.Create(CheckpointErrors.TimeInvalid, ErrorKind.InvalidArgument,
                        $"'{trimmed}' does not exist as local time in {localZone.Id}: the clocks skip it (daylight saving time).",
                        text, "Give the instant with its offset, for example 2025-03-30T02:30:00+01:00, or in UTC.");
                }

                var utc = TimeZoneInfo.ConvertTimeToUtc(local, localZone);
                readAs = "local time (UTC" + FormatOffset(localZone.GetUtcOffset(local)) + ")";
                return Truncate(utc);
            }

            throw CheckpointErrors.Create(CheckpointErrors.TimeInvalid, ErrorKind.InvalidArgument,
                $"'{trimmed}' is not an instant: expected a checkpoint id such as 20250318T140338Z, a date such as 2025-03-18, or a date and time such as '2025-03-18 14:03' (local time) or '2025-03-18T14:03:00Z'.",
                text, "Write the instant in one of those forms, or pass a [datetime] such as (Get-Date).AddDays(-1).");
        }

        /// <summary>A DateTime (Local and Unspecified kinds are taken as local time) as UTC, truncated to the second.</summary>
        public static DateTime ToUtcSecond(DateTime value)
        {
            var utc = value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime();
            return Truncate(utc);
        }

        public static DateTime ToUtcSecond(DateTimeOffset value) => Truncate(value.UtcDateTime);

        /// <summary>Eight digits, T, six digits, Z in any case: meant as a checkpoint id, so read strictly as one.</summary>
        private static bool LooksLikeId(string text)
        {
            if (text.Length != 16 || (text[8] != 'T' && text[8] != 't') || (text[15] != 'Z' && text[15] != 'z'))
            {
                return false;
            }

            for (var i = 0; i < 15; i++)
            {
                if (i != 8 && (text[i] < '0' || text[i] > '9'))
                {
                    return false;
                }
            }

            return true;
        }

        private static readonly string[] s_utcForms = { "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'" };

        /// <summary>True when a time of day ends in a zone: Z, UTC, GMT or an offset such as +01:00 or -0500.</summary>
        private static bool HasZone(string text) => ZoneRules.Zone.IsMatch(text);

        /// <summary>The zone rules' regular expressions, built on first use (the round-trip UTC form never needs them).</summary>
        private static class ZoneRules
        {
            public static readonly System.Text.RegularExpressions.Regex Zone = new System.Text.RegularExpressions.Regex(
                @"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp][Mm]\s*)?(?:[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)\s*$",
                System.Text.RegularExpressions.RegexOptions.CultureInvariant);

            /// <summary>A zone written as a name (.NET reads Z, not UTC or GMT).</summary>
            public static readonly System.Text.RegularExpressions.Regex ZoneName = new System.Text.RegularExpressions.Regex(
                @"\s*(?:UTC|GMT)\s*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        }

        private static string FormatOffset(TimeSpan offset) =>
            (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);

        internal static DateTime Truncate(DateTime utc) =>
            new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }
}
