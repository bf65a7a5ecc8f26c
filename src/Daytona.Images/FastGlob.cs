// Hand-written: the SDK's context hash depends on npm fast-glob's exact matches and order; no .NET glob (DotNet.Glob, FileSystemGlobbing) reproduces them.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace Daytona.Images
{
    /// <summary>
    /// The part of the npm package <c>fast-glob</c> 3.3 that Daytona's SDK uses to expand a COPY source:
    /// <c>fg.sync([pattern], { dot: true })</c>, which returns matching files (not folders), following symbolic links.
    /// A static pattern (no glob syntax) is returned as written when it names a file; a dynamic one is matched while
    /// walking from its static parent folder breadth first, each folder's entries in byte order (Node lists folders
    /// sorted on POSIX systems). Supported syntax: <c>*</c>, <c>?</c>, <c>**</c>, <c>[...]</c>, <c>{a,b}</c>, <c>\x</c>.
    /// </summary>
    public static class FastGlob
    {
        private const int MaxDepth = 64;
        private static readonly Regex CommonGlobSymbols = new Regex(@"[*?]|^!", RegexOptions.CultureInvariant);
        private static readonly Regex CharacterClass = new Regex(@"\[[^[]*]", RegexOptions.CultureInvariant);
        private static readonly Regex GroupSymbols = new Regex(@"(?:^|[^!*+?@])\([^(]*\|[^|]*\)", RegexOptions.CultureInvariant);
        private static readonly Regex ExtensionSymbols = new Regex(@"[!*+?@]\([^(]*\)", RegexOptions.CultureInvariant);

        public static bool IsDynamicPattern(string pattern)
        {
            if (pattern.Length == 0)
            {
                return false;
            }

            if (pattern.IndexOf('\\') >= 0)
            {
                return true;
            }

            if (CommonGlobSymbols.IsMatch(pattern) || CharacterClass.IsMatch(pattern) || GroupSymbols.IsMatch(pattern) || ExtensionSymbols.IsMatch(pattern))
            {
                return true;
            }

            var open = pattern.IndexOf('{');
            if (open < 0)
            {
                return false;
            }

            var close = pattern.IndexOf('}', open + 1);
            if (close < 0)
            {
                return false;
            }

            var content = pattern.Substring(open, close - open);
            return content.IndexOf(',') >= 0 || content.IndexOf("..", StringComparison.Ordinal) >= 0;
        }

        /// <summary>Files matching <paramref name="pattern"/>; relative patterns resolve against <paramref name="cwd"/>.</summary>
        public static IReadOnlyList<string> Sync(string pattern, string cwd)
        {
            if (!IsDynamicPattern(pattern))
            {
                var full = Pathe.ToNative(Pathe.Resolve(cwd, pattern));
                return File.Exists(full) ? new[] { pattern } : Array.Empty<string>();
            }

            var segments = pattern.Split('/');
            var staticCount = 0;
            while (staticCount < segments.Length - 1 && !IsDynamicPattern(segments[staticCount]))
            {
                staticCount++;
            }

            var basePath = string.Join("/", segments, 0, staticCount);
            if (staticCount == 0)
            {
                basePath = ".";
            }
            else if (basePath.Length == 0)
            {
                basePath = "/";
            }

            var matcher = new Regex("^" + ToRegex(pattern) + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
            var root = Pathe.ToNative(Pathe.Resolve(cwd, basePath));
            var results = new List<string>();
            if (!Directory.Exists(root))
            {
                return results;
            }

            var queue = new Queue<(string Dir, string Prefix)>();
            queue.Enqueue((root, basePath == "." ? string.Empty : (basePath.EndsWith("/", StringComparison.Ordinal) ? basePath : basePath + "/")));
            var visited = new HashSet<string>(StringComparer.Ordinal);
            while (queue.Count > 0)
            {
                var (dir, prefix) = queue.Dequeue();
                IEnumerable<FileSystemInfo> entries;
                try
                {
                    entries = ContextHasher.ListSorted(new DirectoryInfo(dir));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    continue;
                }

                foreach (var entry in entries)
                {
                    var path = prefix + entry.Name;
                    var isDirectory = Directory.Exists(entry.FullName);
                    if (!isDirectory && File.Exists(entry.FullName) && matcher.IsMatch(path))
                    {
                        results.Add(path);
                    }

                    // Links are followed as fast-glob follows them; a depth limit ends a cycle of links.
                    if (isDirectory && visited.Add(entry.FullName) && path.Split('/').Length < MaxDepth)
                    {
                        queue.Enqueue((entry.FullName, path + "/"));
                    }
                }
            }

            return results;
        }

        /// <summary>Translates a glob into a .NET regular expression body (micromatch semantics with <c>dot: true</c>).</summary>
        public static string ToRegex(string glob)
        {
            var sb = new StringBuilder();
            var segments = glob.Split('/');
            for (var s = 0; s < segments.Length; s++)
            {
                var segment = segments[s];
                var last = s == segments.Length - 1;
                if (segment == "**")
                {
                    // zero or more whole path segments
                    sb.Append(last ? ".*" : "(?:[^/]*(?:/[^/]*)*/)?");
                    continue;
                }

                sb.Append(SegmentToRegex(segment));
                if (!last)
                {
                    sb.Append('/');
                }
            }

            return sb.ToString();
        }

        private static string SegmentToRegex(string segment)
        {
            var sb = new StringBuilder();
            var braceDepth = 0;
            for (var i = 0; i < segment.Length; i++)
            {
                var c = segment[i];
                switch (c)
                {
                    case '\\':
                        if (i + 1 < segment.Length)
                        {
                            sb.Append(Regex.Escape(segment[++i].ToString()));
                        }

                        break;
                    case '*':
                        while (i + 1 < segment.Length && segment[i + 1] == '*')
                        {
                            i++;
                        }

                        sb.Append("[^/]*");
                        break;
                    case '?':
                        sb.Append("[^/]");
                        break;
                    case '[':
                        var close = segment.IndexOf(']', i + 2);
                        if (close < 0)
                        {
                            sb.Append(@"\[");
                            break;
                        }

                        var body = segment.Substring(i + 1, close - i - 1);
                        var negate = body.StartsWith("!", StringComparison.Ordinal) || body.StartsWith("^", StringComparison.Ordinal);
                        if (negate)
                        {
                            body = body.Substring(1);
                        }

                        sb.Append(negate ? "[^/" : "[").Append(body.Replace(@"\", @"\\").Replace("[", @"\[")).Append(']');
                        i = close;
                        break;
                    case '{':
                        braceDepth++;
                        sb.Append("(?:");
                        break;
                    case '}' when braceDepth > 0:
                        braceDepth--;
                        sb.Append(')');
                        break;
                    case ',' when braceDepth > 0:
                        sb.Append('|');
                        break;
                    default:
                        sb.Append(Regex.Escape(c.ToString()));
                        break;
                }
            }

            return sb.ToString();
        }
    }
}
