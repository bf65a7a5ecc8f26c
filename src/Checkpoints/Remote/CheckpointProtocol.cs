using System;
using System.Text;

namespace Daytona.Checkpoints.Remote
{
    /// <summary>
    /// What a checkpoint server and its clients agree on besides Pulp's URL contract
    /// (<c>&lt;base&gt;/&lt;yyyyMMddTHHmmssZ&gt;/&lt;path&gt;</c>): the media types asked for with <c>Accept</c> and how a
    /// path segment is written in a URL.
    /// </summary>
    public static class CheckpointProtocol
    {
        /// <summary>Any index (the root, a source, a folder of a checkpoint) as JSON instead of HTML.</summary>
        public const string ListingMediaType = "application/json";

        /// <summary>The checkpoint root (<c>&lt;base&gt;/&lt;ts&gt;/</c>) answers with the checkpoint's manifest, as the repository stores it.</summary>
        public const string ManifestMediaType = "application/vnd.daytona.checkpoint-manifest+json";

        /// <summary>
        /// The file name an index page gives itself (Content-Disposition), so a crawler that mirrors a checkpoint can tell
        /// generated pages from the checkpoint's own files: <c>wget --mirror --content-disposition -R .checkpoint-index.html</c>.
        /// </summary>
        public const string IndexPageName = ".checkpoint-index.html";

        /// <summary>The environment variable the server reads its key from (kept off the command line).</summary>
        public const string ApiKeyVariable = "DAYTONA_CHECKPOINT_SERVER_KEY";

        /// <summary>
        /// One path segment as RFC 3986 writes it: unreserved characters, sub-delimiters, ':' and '@' stay, everything
        /// else (including '/', '?', '#', '%' and non-ASCII, as UTF-8) is percent-encoded. With
        /// <paramref name="relative"/>, ':' is encoded too, so a relative link such as <c>a:b</c> is not read as a scheme.
        /// </summary>
        public static string EscapeSegment(string segment, bool relative = false)
        {
            StringBuilder? escaped = null;
            var bytes = Encoding.UTF8.GetBytes(segment);
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i];
                if (IsPathChar(b) && !(relative && b == ':'))
                {
                    escaped?.Append((char)b);
                    continue;
                }

                if (escaped == null)
                {
                    escaped = new StringBuilder(segment.Length + 16);
                    for (var j = 0; j < i; j++)
                    {
                        escaped.Append((char)bytes[j]);
                    }
                }

                escaped.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 15]);
            }

            return escaped?.ToString() ?? segment;
        }

        /// <summary>A '/'-separated relative path with each segment escaped (the separators stay).</summary>
        public static string EscapePath(string path)
        {
            if (path.Length == 0)
            {
                return path;
            }

            var segments = path.Split('/');
            for (var i = 0; i < segments.Length; i++)
            {
                segments[i] = EscapeSegment(segments[i]);
            }

            return string.Join("/", segments);
        }

        private static bool IsPathChar(byte b) =>
            (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
            || b == '-' || b == '.' || b == '_' || b == '~'
            || b == '!' || b == '$' || b == '&' || b == '\'' || b == '(' || b == ')' || b == '*' || b == '+' || b == ',' || b == ';' || b == '='
            || b == ':' || b == '@';
    }
}
