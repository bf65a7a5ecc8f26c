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

        /// <summary>A DateTime (Local and Unspecified kinds are taken as local time) as UTC, truncated to the second.</summary>
        public static DateTime ToUtcSecond(DateTime value)
        {
            var utc = value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime();
            return Truncate(utc);
        }

        public static DateTime ToUtcSecond(DateTimeOffset value) => Truncate(value.UtcDateTime);

        internal static DateTime Truncate(DateTime utc) =>
            new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }
}
