using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;

namespace Daytona.Common.Http
{
    /// <summary>
    /// The one reader of <c>Retry-After</c>: delta seconds (<c>Retry-After: 2</c>), an HTTP date
    /// (<c>Retry-After: Wed, 21 Oct 2026 07:28:00 GMT</c>), and the headers Daytona's rate limiter (the Nest throttler)
    /// names after each throttler, <c>Retry-After-&lt;name&gt;: 2</c> in seconds. When several are present the longest
    /// wait wins (every limit must have reset). A date in the past is a wait of zero.
    /// </summary>
    public static class RetryAfter
    {
        private const string HeaderName = "Retry-After";

        /// <summary>The wait a response asks for, or null when it asks for none.</summary>
        public static TimeSpan? From(HttpResponseMessage? response, DateTimeOffset now)
        {
            if (response == null)
            {
                return null;
            }

            var values = new List<KeyValuePair<string, string>>();
            foreach (var header in response.Headers)
            {
                foreach (var value in header.Value)
                {
                    values.Add(new KeyValuePair<string, string>(header.Key, value));
                }
            }

            return From(values, now);
        }

        /// <summary>The wait named by response headers given as name/value pairs (e.g. an Arazzo step's <c>$response.header</c> map).</summary>
        public static TimeSpan? From(IEnumerable<KeyValuePair<string, string>> headers, DateTimeOffset now)
        {
            TimeSpan? longest = null;
            foreach (var header in headers ?? Enumerable.Empty<KeyValuePair<string, string>>())
            {
                if (!header.Key.StartsWith(HeaderName, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var named = header.Key.Length > HeaderName.Length;
                if (named && header.Key[HeaderName.Length] != '-')
                {
                    continue;
                }

                var wait = Parse(header.Value, now, allowDate: !named);
                if (wait.HasValue && (longest == null || wait.Value > longest.Value))
                {
                    longest = wait;
                }
            }

            return longest;
        }

        /// <summary>One header value: seconds (an integer, or a decimal some servers send), or an HTTP date.</summary>
        public static TimeSpan? Parse(string? value, DateTimeOffset now, bool allowDate = true)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            var text = value!.Trim();
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                if (double.IsNaN(seconds) || double.IsInfinity(seconds))
                {
                    return null;
                }

                return seconds <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
            }

            if (allowDate && DateTimeOffset.TryParseExact(text, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var date)
                || allowDate && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
            {
                var wait = date - now;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }

            return null;
        }

        /// <summary>A wait cut to <paramref name="max"/> (never negative).</summary>
        public static TimeSpan? Cap(TimeSpan? wait, TimeSpan max)
        {
            if (!wait.HasValue)
            {
                return null;
            }

            if (wait.Value < TimeSpan.Zero)
            {
                return TimeSpan.Zero;
            }

            return wait.Value > max ? max : wait;
        }
    }
}
