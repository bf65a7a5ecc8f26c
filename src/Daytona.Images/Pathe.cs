// Hand-written: the SDK's paths come from npm pathe, whose POSIX-on-every-OS rules no .NET path API follows.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Daytona.Images
{
    /// <summary>
    /// Path arithmetic with forward slashes, as Daytona's TypeScript SDK does it (it uses the <c>pathe</c> package,
    /// a POSIX-style port of Node's <c>path</c> that also accepts Windows paths). Our output has to be byte-identical
    /// to the SDK's (context archive paths take part in the content hash), so these follow pathe 2.0 exactly rather
    /// than <see cref="System.IO.Path"/>. <c>cwd</c> is always passed in: relative paths resolve against the caller's
    /// location (the PowerShell current location), not the process working directory.
    /// </summary>
    public static class Pathe
    {
        private static readonly Regex DriveLetterStart = new Regex("^[A-Za-z]:/", RegexOptions.CultureInvariant);
        private static readonly Regex Unc = new Regex(@"^[/\\]{2}", RegexOptions.CultureInvariant);
        private static readonly Regex IsAbsoluteRe = new Regex(@"^[/\\](?![/\\])|^[/\\]{2}(?!\.)|^[A-Za-z]:[/\\]", RegexOptions.CultureInvariant);
        private static readonly Regex DriveLetter = new Regex("^[A-Za-z]:$", RegexOptions.CultureInvariant);
        private static readonly Regex RootFolder = new Regex("^/([A-Za-z]:)?$", RegexOptions.CultureInvariant);

        public static string NormalizeWindowsPath(string input)
        {
            if (string.IsNullOrEmpty(input))
            {
                return input;
            }

            return DriveLetterStart.Replace(input.Replace('\\', '/'), m => m.Value.ToUpperInvariant(), 1);
        }

        public static bool IsAbsolute(string path) => IsAbsoluteRe.IsMatch(path);

        public static string Normalize(string path)
        {
            if (path.Length == 0)
            {
                return ".";
            }

            path = NormalizeWindowsPath(path);
            var isUnc = Unc.IsMatch(path);
            var isAbsolute = IsAbsolute(path);
            var trailing = path[path.Length - 1] == '/';
            path = NormalizeString(path, !isAbsolute);
            if (path.Length == 0)
            {
                if (isAbsolute)
                {
                    return "/";
                }

                return trailing ? "./" : ".";
            }

            if (trailing)
            {
                path += "/";
            }

            if (DriveLetter.IsMatch(path))
            {
                path += "/";
            }

            if (isUnc)
            {
                return isAbsolute ? "//" + path : "//./" + path;
            }

            return isAbsolute && !IsAbsolute(path) ? "/" + path : path;
        }

        public static string Join(params string?[] segments)
        {
            var path = string.Empty;
            foreach (var seg in segments)
            {
                if (string.IsNullOrEmpty(seg))
                {
                    continue;
                }

                if (path.Length > 0)
                {
                    var pathTrailing = path[path.Length - 1] == '/';
                    var segLeading = seg![0] == '/';
                    if (pathTrailing && segLeading)
                    {
                        path += seg.Substring(1);
                    }
                    else
                    {
                        path += pathTrailing || segLeading ? seg : "/" + seg;
                    }
                }
                else
                {
                    path += seg;
                }
            }

            return Normalize(path);
        }

        /// <summary><c>pathe.resolve(...paths)</c> with <paramref name="cwd"/> standing in for <c>process.cwd()</c>.</summary>
        public static string Resolve(string cwd, params string[] paths)
        {
            var args = paths.Select(NormalizeWindowsPath).ToArray();
            var resolved = string.Empty;
            var resolvedAbsolute = false;
            for (var index = args.Length - 1; index >= -1 && !resolvedAbsolute; index--)
            {
                var path = index >= 0 ? args[index] : cwd.Replace('\\', '/');
                if (string.IsNullOrEmpty(path))
                {
                    continue;
                }

                resolved = path + "/" + resolved;
                resolvedAbsolute = IsAbsolute(path);
            }

            resolved = NormalizeString(resolved, !resolvedAbsolute);
            if (resolvedAbsolute && !IsAbsolute(resolved))
            {
                return "/" + resolved;
            }

            return resolved.Length > 0 ? resolved : ".";
        }

        public static string Relative(string cwd, string from, string to)
        {
            var f = RootFolder.Replace(Resolve(cwd, from), "$1").Split('/').ToList();
            var t = RootFolder.Replace(Resolve(cwd, to), "$1").Split('/').ToList();
            if (t[0].Length > 1 && t[0][1] == ':' && f[0].Length > 1 && f[0][1] == ':' && f[0] != t[0])
            {
                return string.Join("/", t);
            }

            foreach (var segment in f.ToArray())
            {
                if (t.Count == 0 || t[0] != segment)
                {
                    break;
                }

                f.RemoveAt(0);
                t.RemoveAt(0);
            }

            return string.Join("/", f.Select(_ => "..").Concat(t));
        }

        public static string Dirname(string p)
        {
            var normalized = NormalizeWindowsPath(p);
            if (normalized.EndsWith("/", StringComparison.Ordinal))
            {
                normalized = normalized.Substring(0, normalized.Length - 1);
            }

            var segments = normalized.Split('/').ToList();
            segments.RemoveAt(segments.Count - 1);
            if (segments.Count == 1 && DriveLetter.IsMatch(segments[0]))
            {
                segments[0] += "/";
            }

            var joined = string.Join("/", segments);
            return joined.Length > 0 ? joined : (IsAbsolute(p) ? "/" : ".");
        }

        public static string Basename(string p)
        {
            var segments = NormalizeWindowsPath(p).Split('/');
            for (var i = segments.Length - 1; i >= 0; i--)
            {
                if (segments[i].Length > 0)
                {
                    return segments[i];
                }
            }

            return string.Empty;
        }

        private static string NormalizeString(string path, bool allowAboveRoot)
        {
            var res = string.Empty;
            var lastSegmentLength = 0;
            var lastSlash = -1;
            var dots = 0;
            char? ch = null;
            for (var index = 0; index <= path.Length; ++index)
            {
                if (index < path.Length)
                {
                    ch = path[index];
                }
                else if (ch == '/')
                {
                    break;
                }
                else
                {
                    ch = '/';
                }

                if (ch == '/')
                {
                    if (lastSlash == index - 1 || dots == 1)
                    {
                        // nothing
                    }
                    else if (dots == 2)
                    {
                        if (res.Length < 2 || lastSegmentLength != 2 || res[res.Length - 1] != '.' || res[res.Length - 2] != '.')
                        {
                            if (res.Length > 2)
                            {
                                var lastSlashIndex = res.LastIndexOf('/');
                                if (lastSlashIndex == -1)
                                {
                                    res = string.Empty;
                                    lastSegmentLength = 0;
                                }
                                else
                                {
                                    res = res.Substring(0, lastSlashIndex);
                                    lastSegmentLength = res.Length - 1 - res.LastIndexOf('/');
                                }

                                lastSlash = index;
                                dots = 0;
                                continue;
                            }

                            if (res.Length > 0)
                            {
                                res = string.Empty;
                                lastSegmentLength = 0;
                                lastSlash = index;
                                dots = 0;
                                continue;
                            }
                        }

                        if (allowAboveRoot)
                        {
                            res += res.Length > 0 ? "/.." : "..";
                            lastSegmentLength = 2;
                        }
                    }
                    else
                    {
                        var segment = path.Substring(lastSlash + 1, index - lastSlash - 1);
                        res = res.Length > 0 ? res + "/" + segment : segment;
                        lastSegmentLength = index - lastSlash - 1;
                    }

                    lastSlash = index;
                    dots = 0;
                }
                else if (ch == '.' && dots != -1)
                {
                    ++dots;
                }
                else
                {
                    dots = -1;
                }
            }

            return res;
        }

        /// <summary>The SDK's <c>expand-tilde</c>: <c>~</c> and <c>~/x</c> become the home folder, <c>~+</c> the current folder.</summary>
        public static string ExpandTilde(string path, string cwd)
        {
            if (path.Length > 0 && path[0] == '~')
            {
                if (path.Length > 1 && path[1] == '+')
                {
                    return NodeJoin(cwd, path.Substring(2));
                }

                var home = Environment.GetEnvironmentVariable("HOME");
                if (string.IsNullOrEmpty(home))
                {
                    home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                }

                return string.IsNullOrEmpty(home) ? path : NodeJoin(home!, path.Substring(1));
            }

            return path;
        }

        // Node's path.join on POSIX: concatenate with '/', then normalize (pathe's normalize is the same algorithm).
        private static string NodeJoin(string a, string b) => Join(a, b);

        /// <summary>Converts a pathe-style path to one the local file system API accepts.</summary>
        public static string ToNative(string path) =>
            System.IO.Path.DirectorySeparatorChar == '/' ? path : path.Replace('/', System.IO.Path.DirectorySeparatorChar);
    }
}
