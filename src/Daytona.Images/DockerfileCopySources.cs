using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Daytona.Images
{
    /// <summary>
    /// Finds the local sources of a Dockerfile's COPY instructions, as the SDK's <c>Image.extractCopySources</c> does:
    /// logical lines (backslash continuations joined, comments and blank lines inside them dropped), COPY without
    /// <c>--from=</c> and without heredoc, leading <c>--flags</c> skipped, JSON or shell form, each source expanded as a
    /// glob that matches files (a source that matches none, such as a folder, is kept as written).
    /// </summary>
    public static class DockerfileCopySources
    {
        private const string JsSpace = @"[\t\n\v\f\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]";
        private static readonly Regex CopyLine = new Regex("^" + JsSpace + "*COPY" + JsSpace + @"+(?![^\n\r\u2028\u2029]*--from=)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex LeadingToken = new Regex(@"^[^\t\n\v\f\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]+" + JsSpace + "*", RegexOptions.CultureInvariant);
        private static readonly Regex FromLine = new Regex("^" + JsSpace + "*FROM" + JsSpace + "+(.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex LineBreak = new Regex("\r?\n", RegexOptions.CultureInvariant);
        private static readonly Regex WindowsRoot = new Regex(@"^([A-Za-z]:|\\\\)", RegexOptions.CultureInvariant);

        /// <summary>(path to archive, source as written in the COPY) pairs, in Dockerfile order.</summary>
        public static IReadOnlyList<(string ContextPath, string OriginalPath)> Extract(string dockerfileContent, string pathPrefix, bool strictContext, string cwd)
        {
            var sources = new List<(string, string)>();
            foreach (var line in LogicalLines(dockerfileContent))
            {
                var trimmed = JsText.Trim(line);
                if (trimmed.Length == 0 || trimmed.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                if (!CopyLine.IsMatch(line) || line.IndexOf("<<", StringComparison.Ordinal) >= 0)
                {
                    continue;
                }

                var realRoot = strictContext ? RealPath(pathPrefix, cwd) : null;
                var parsed = ParseCopyCommand(line);
                if (parsed == null)
                {
                    continue;
                }

                foreach (var source in parsed.Value.Sources)
                {
                    if (realRoot != null)
                    {
                        EnsureSourceWithinContext(source);
                    }

                    var pattern = Pathe.IsAbsolute(source) ? source : Pathe.Join(pathPrefix, source);
                    var matches = FastGlob.Sync(pattern, cwd);
                    if (matches.Count > 0)
                    {
                        foreach (var match in matches)
                        {
                            EnsureWithinBuildContext(realRoot, match, cwd);
                            sources.Add((match, source));
                        }
                    }
                    else
                    {
                        EnsureWithinBuildContext(realRoot, pattern, cwd);
                        sources.Add((pattern, source));
                    }
                }
            }

            return sources;
        }

        /// <summary>Physical lines joined into logical instructions the way Docker reads them.</summary>
        public static IReadOnlyList<string> LogicalLines(string content)
        {
            var lines = new List<string>();
            string? current = null;
            foreach (var physical in LineBreak.Split(content))
            {
                var isComment = JsText.TrimStart(physical).StartsWith("#", StringComparison.Ordinal);
                if (current != null && (JsText.Trim(physical).Length == 0 || isComment))
                {
                    continue;
                }

                var stripped = JsText.TrimEnd(physical);
                var continued = !isComment && stripped.EndsWith("\\", StringComparison.Ordinal);
                var segment = continued ? stripped.Substring(0, stripped.Length - 1) : physical;
                current = current == null ? segment : current + segment;
                if (!continued)
                {
                    lines.Add(current);
                    current = null;
                }
            }

            if (current != null)
            {
                lines.Add(current);
            }

            return lines;
        }

        /// <summary>The sources and destination of one COPY line, or null when the SDK would not read it.</summary>
        public static (IReadOnlyList<string> Sources, string Dest)? ParseCopyCommand(string line)
        {
            var parts = JsText.Trim(JsText.Trim(line).Substring(4));
            while (parts.StartsWith("--", StringComparison.Ordinal))
            {
                parts = LeadingToken.Replace(parts, string.Empty, 1);
            }

            if (parts.StartsWith("[", StringComparison.Ordinal))
            {
                List<string>? decoded;
                try
                {
                    using (var doc = JsonDocument.Parse(parts))
                    {
                        if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                        {
                            return null;
                        }

                        decoded = doc.RootElement.EnumerateArray().Select(e => e.GetString()!).ToList();
                    }
                }
                catch (JsonException)
                {
                    return null;
                }

                if (decoded.Count < 2)
                {
                    return null;
                }

                return (decoded.Take(decoded.Count - 1).ToList(), decoded[decoded.Count - 1]);
            }

            IReadOnlyList<ShellToken> tokens;
            try
            {
                tokens = ShellQuote.Parse(parts);
            }
            catch (FormatException ex)
            {
                throw ImageErrors.Invalid(ex.Message, line);
            }

            var elements = tokens.Where(t => t.Kind == ShellTokenKind.Word).Select(t => t.Value).ToList();
            if (elements.Count < 2)
            {
                return null;
            }

            return (elements.Take(elements.Count - 1).ToList(), elements[elements.Count - 1]);
        }

        /// <summary>The image named by the first FROM instruction (flags such as <c>--platform</c> skipped), or null.</summary>
        public static string? FirstFrom(string dockerfileContent)
        {
            foreach (var line in LogicalLines(dockerfileContent))
            {
                var m = FromLine.Match(line);
                if (!m.Success)
                {
                    continue;
                }

                var words = JsText.Trim(m.Groups[1].Value).Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
                return words.Count > 0 ? words[0] : null;
            }

            return null;
        }

        private static void EnsureSourceWithinContext(string source)
        {
            var normalized = Pathe.Normalize(source);
            var outside = Pathe.IsAbsolute(source) || WindowsRoot.IsMatch(source) || normalized == ".." || normalized.StartsWith("../", StringComparison.Ordinal);
            if (outside)
            {
                throw ImageErrors.Invalid("forbidden path outside the build context: " + source, source);
            }
        }

        private static void EnsureWithinBuildContext(string? realRoot, string candidate, string cwd)
        {
            if (realRoot == null)
            {
                return;
            }

            var full = DaytonaImage.FullPathOf(cwd, candidate);
            var link = IsLink(full);
            if (!link && !File.Exists(full) && !Directory.Exists(full))
            {
                return; // a path that does not exist cannot be archived
            }

            var resolved = RealPath(candidate, cwd);
            var target = DaytonaImage.FullPathOf(cwd, resolved);
            if (link && !File.Exists(target) && !Directory.Exists(target))
            {
                // A dangling symbolic link still leaves the context (File.Exists is true for one on Unix: check its target).
                throw ImageErrors.Invalid("forbidden path outside the build context: " + candidate, candidate);
            }

            var relative = Pathe.Relative(cwd, realRoot, resolved);
            if (relative == ".." || relative.StartsWith("../", StringComparison.Ordinal))
            {
                throw ImageErrors.Invalid("forbidden path outside the build context: " + resolved, candidate);
            }
        }

        private static bool IsLink(string full)
        {
            try
            {
                var info = new FileInfo(full.TrimEnd('/', '\\'));
                return (int)info.Attributes != -1 && Daytona.Common.FileSystem.FileLinks.IsLink(info);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException)
            {
                return false;
            }
        }

        /// <summary>
        /// <c>fs.realpathSync</c> with a lexical fallback: every symbolic link on the way is followed. The link API
        /// (<c>FileSystemInfo.ResolveLinkTarget</c>, .NET 6+) is found by reflection so this library stays netstandard2.0;
        /// where it is missing (Windows PowerShell 5.1) the path is taken lexically.
        /// </summary>
        internal static string RealPath(string path, string cwd)
        {
            var full = DaytonaImage.FullPathOf(cwd, path);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                return Pathe.Resolve(cwd, path);
            }

            var resolveLinkTarget = typeof(FileSystemInfo).GetMethod("ResolveLinkTarget", BindingFlags.Public | BindingFlags.Instance, null, new[] { typeof(bool) }, null);
            var root = Path.GetPathRoot(full) ?? "/";
            var current = root;
            var rest = full.Substring(root.Length).Split(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar }, StringSplitOptions.RemoveEmptyEntries);
            foreach (var segment in rest)
            {
                current = Path.Combine(current, segment);
                if (resolveLinkTarget == null)
                {
                    continue;
                }

                FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
                if ((info.Attributes & FileAttributes.ReparsePoint) != 0 && resolveLinkTarget.Invoke(info, new object[] { true }) is FileSystemInfo target)
                {
                    current = target.FullName;
                }
            }

            return Pathe.Normalize(current.Replace('\\', '/'));
        }
    }
}
