// Hand-written: the Dockerfile the SDK writes depends on npm shell-quote's exact quoting and word splitting; no .NET library reproduces them.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace Daytona.Images
{
    /// <summary>What <see cref="ShellQuote.Parse"/> returns for one shell word.</summary>
    public enum ShellTokenKind
    {
        Word,
        Operator,
        Glob,
        Comment,
    }

    public readonly struct ShellToken
    {
        public ShellToken(ShellTokenKind kind, string value)
        {
            Kind = kind;
            Value = value;
        }

        public ShellTokenKind Kind { get; }

        public string Value { get; }

        public override string ToString() => Kind + ":" + Value;
    }

    /// <summary>
    /// Shell quoting and word splitting as the npm package <c>shell-quote</c> 1.12 does them. Daytona's TypeScript SDK
    /// quotes pip arguments, ENV values and WORKDIR with <c>quote</c> and reads COPY sources with <c>parse</c>; to produce
    /// a byte-identical Dockerfile and the same build context we follow that package's rules, quirks included
    /// (a <c>#</c> starts a comment anywhere, an unquoted <c>*</c> or <c>?</c> turns a word into a glob token,
    /// unknown <c>$VARS</c> expand to nothing). No .NET package implements these rules, hence this port.
    /// </summary>
    public static class ShellQuote
    {
        private const string Control = @"(?:\|\||\&(?:\&|>>?)|;;\&?|[;|]\&|\<\(|\<\<\<|\<\<-|\<\<(?!\()|>>|>[&|(]|<[&>]|[&;()|<>])";
        private const string Meta = @"|&;()<> \t";
        private const string SingleQuote = @"'([^']*?)'";
        private const string AnsiCBody = @"(?:\\[\s\S]|[^\\'])*?";
        private const string AnsiCQuote = @"\$'" + AnsiCBody + "'";
        private static readonly Regex ControlRe = new Regex("^" + Control + @"\z", RegexOptions.CultureInvariant);
        private static readonly Regex AnsiCAt = new Regex(@"\G\$'" + AnsiCBody + @"(?:(')|\\?\z)", RegexOptions.CultureInvariant);
        private static readonly Regex AnsiCEscape = new Regex(@"\\([0-7]{1,3}|x[\dA-Fa-f]{1,2}|u[\dA-Fa-f]{1,4}|U[\dA-Fa-f]{1,8}|c(?:\\\\|[\s\S])|[abeEfnrtv\\'""?])", RegexOptions.CultureInvariant);
        private static readonly Regex Chunker = BuildChunker();
        private static readonly Regex PlainSpecial = new Regex(@"([A-Za-z]:)?([#!""$&'()*,:;<=>?@[\\\]^`{|}~])", RegexOptions.CultureInvariant);
        private static readonly Regex LineTerminators = new Regex("[\n\r\u2028\u2029]", RegexOptions.CultureInvariant);

        private static Regex BuildChunker()
        {
            var bareword = @"(\\['""$\\" + Meta + @"]|\$\$|\$(?!" + AnsiCQuote.Substring(2) + @")|[^\s'""$" + Meta + "])+";
            var doubleQuote = @"""(?:\\[\s\S]|[^""\\])*""";
            return new Regex("(" + Control + ")|(" + AnsiCQuote + "|" + bareword + "|" + doubleQuote + "|" + SingleQuote + ")+", RegexOptions.CultureInvariant);
        }

        /// <summary><c>quote(xs)</c> for plain string arguments.</summary>
        public static string Quote(IEnumerable<string> words) => string.Join(" ", words.Select(QuoteOne));

        public static string Quote(string word) => QuoteOne(word);

        private static string QuoteOne(string s)
        {
            if (s.Length == 0)
            {
                return "''";
            }

            if (s.IndexOf('\'') >= 0 && s.IndexOf('!') >= 0)
            {
                return "'" + s.Replace("'", "'\"'\"'") + "'";
            }

            if (s.Any(c => c == '"' || c == '\\' || JsText.IsWhiteSpace(c)) && s.IndexOf('\'') < 0)
            {
                return "'" + s + "'";
            }

            if (s.Any(c => c == '"' || c == '\'' || JsText.IsWhiteSpace(c)))
            {
                var sb = new StringBuilder("\"");
                foreach (var c in s)
                {
                    if (c == '"' || c == '\\' || c == '$' || c == '`')
                    {
                        sb.Append('\\');
                    }

                    sb.Append(c);
                }

                return sb.Append('"').ToString();
            }

            return PlainSpecial.Replace(s, m => m.Groups[1].Value + "\\" + m.Groups[2].Value);
        }

        /// <summary><c>parse(s)</c> without an environment: variables expand to the empty string.</summary>
        /// <exception cref="FormatException">A <c>${}</c> substitution that shell-quote rejects ("Bad substitution").</exception>
        public static IReadOnlyList<ShellToken> Parse(string input)
        {
            var result = new List<ShellToken>();
            var commented = false;
            foreach (Match match in Chunker.Matches(input))
            {
                var s = match.Value;
                if (s.Length == 0 || commented)
                {
                    continue;
                }

                if (ControlRe.IsMatch(s))
                {
                    result.Add(new ShellToken(ShellTokenKind.Operator, s));
                    continue;
                }

                char quote = '\0';
                var esc = false;
                var isGlob = false;
                var output = new StringBuilder();
                var done = false;
                var emitted = false;
                int i;
                for (i = 0; i < s.Length && !done; i++)
                {
                    var c = s[i];
                    isGlob = isGlob || (quote == '\0' && (c == '*' || c == '?'));
                    if (esc)
                    {
                        output.Append(c);
                        esc = false;
                    }
                    else if (quote != '\0')
                    {
                        if (c == quote)
                        {
                            quote = '\0';
                        }
                        else if (quote == '\'')
                        {
                            output.Append(c);
                        }
                        else if (c == '\\')
                        {
                            i += 1;
                            var next = i < s.Length ? s[i].ToString() : string.Empty;
                            if (next == "\"" || next == "\\" || next == "$")
                            {
                                output.Append(next);
                            }
                            else
                            {
                                output.Append('\\').Append(next);
                            }
                        }
                        else if (c == '$')
                        {
                            output.Append(ParseEnvVar(s, ref i));
                        }
                        else
                        {
                            output.Append(c);
                        }
                    }
                    else if (c == '"' || c == '\'')
                    {
                        quote = c;
                    }
                    else if (ControlRe.IsMatch(c.ToString()))
                    {
                        result.Add(new ShellToken(ShellTokenKind.Operator, s));
                        done = true;
                        emitted = true;
                    }
                    else if (c == '#')
                    {
                        commented = true;
                        if (output.Length > 0)
                        {
                            result.Add(new ShellToken(ShellTokenKind.Word, output.ToString()));
                        }

                        result.Add(new ShellToken(ShellTokenKind.Comment, input.Substring(match.Index + i + 1)));
                        done = true;
                        emitted = true;
                    }
                    else if (c == '\\')
                    {
                        esc = true;
                    }
                    else if (c == '$' && i + 1 < s.Length && s[i + 1] == '\'' && ClosesAnsiC(s, i, out var end))
                    {
                        output.Append(ExpandAnsiC(s.Substring(i + 2, end - 1 - (i + 2))));
                        i = end - 1;
                    }
                    else if (c == '$')
                    {
                        output.Append(ParseEnvVar(s, ref i));
                    }
                    else
                    {
                        output.Append(c);
                    }
                }

                if (emitted)
                {
                    continue;
                }

                result.Add(new ShellToken(isGlob ? ShellTokenKind.Glob : ShellTokenKind.Word, output.ToString()));
            }

            return result;
        }

        private static bool ClosesAnsiC(string s, int i, out int end)
        {
            var m = AnsiCAt.Match(s, i);
            end = m.Success ? m.Index + m.Length : i;
            return m.Success && m.Groups[1].Success;
        }

        private static string ParseEnvVar(string s, ref int i)
        {
            i += 1;
            string varname;
            var ch = i < s.Length ? s[i] : '\0';
            if (ch == '{')
            {
                i += 1;
                if (i < s.Length && s[i] == '}')
                {
                    throw new FormatException("Bad substitution: " + JsSlice(s, i - 2, i + 1));
                }

                var depth = 1;
                var varend = i;
                while (depth > 0 && varend < s.Length)
                {
                    if (s[varend] == '{' && varend > 0 && s[varend - 1] == '$')
                    {
                        depth += 1;
                    }
                    else if (s[varend] == '}')
                    {
                        depth -= 1;
                    }

                    varend += 1;
                }

                if (depth != 0)
                {
                    throw new FormatException("Bad substitution: " + JsSlice(s, i, s.Length));
                }

                varend -= 1;
                varname = s.Substring(i, varend - i);
                i = varend;
            }
            else if (i < s.Length && "*@#?$!-".IndexOf(ch) >= 0)
            {
                varname = ch.ToString();
            }
            else
            {
                var sliced = i < s.Length ? s.Substring(i) : string.Empty;
                var stop = -1;
                for (var k = 0; k < sliced.Length; k++)
                {
                    var c = sliced[k];
                    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                    {
                        stop = k;
                        break;
                    }
                }

                if (stop < 0)
                {
                    varname = sliced;
                    i = s.Length;
                }
                else
                {
                    varname = sliced.Substring(0, stop);
                    i += stop - 1;
                }
            }

            // No environment is given: an unknown variable is empty, a bare '$' stays '$'.
            return varname.Length == 0 ? "$" : string.Empty;
        }

        private static string JsSlice(string s, int start, int end)
        {
            start = Math.Max(0, Math.Min(start, s.Length));
            end = Math.Max(start, Math.Min(end, s.Length));
            return s.Substring(start, end - start);
        }

        private static string ExpandAnsiC(string body)
        {
            var expanded = AnsiCEscape.Replace(body, m =>
            {
                var escape = m.Groups[1].Value;
                var kind = escape[0];
                if (kind == 'c')
                {
                    var ctrl = escape[1];
                    return ctrl == '?' ? "\x7F" : ((char)(ctrl & 0x1F)).ToString();
                }

                if (kind == 'x' || kind == 'u' || kind == 'U')
                {
                    var cp = long.Parse(escape.Substring(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (cp > 0x10FFFF)
                    {
                        return m.Value;
                    }

                    return cp > 0xFFFF ? char.ConvertFromUtf32((int)cp) : ((char)cp).ToString();
                }

                if (kind >= '0' && kind <= '7')
                {
                    return ((char)(Convert.ToInt32(escape, 8) & 0xFF)).ToString();
                }

                var letter = "abeEfnrtv".IndexOf(escape, StringComparison.Ordinal);
                return letter < 0 ? escape : "\x07\b\x1B\x1B\f\n\r\t\v"[letter].ToString();
            });
            var nul = expanded.IndexOf('\0');
            return nul >= 0 ? expanded.Substring(0, nul) : expanded;
        }

        internal static bool HasLineTerminator(string s) => LineTerminators.IsMatch(s);
    }

    /// <summary>JavaScript's notion of white space (<c>String.prototype.trim</c>, <c>\s</c>).</summary>
    internal static class JsText
    {
        public static bool IsWhiteSpace(char c) =>
            c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == '\u00A0' || c == '\u1680' ||
            (c >= '\u2000' && c <= '\u200A') || c == '\u2028' || c == '\u2029' || c == '\u202F' || c == '\u205F' ||
            c == '\u3000' || c == '\uFEFF';

        public static string Trim(string s) => TrimEnd(TrimStart(s));

        public static string TrimStart(string s)
        {
            var i = 0;
            while (i < s.Length && IsWhiteSpace(s[i]))
            {
                i++;
            }

            return s.Substring(i);
        }

        public static string TrimEnd(string s)
        {
            var i = s.Length;
            while (i > 0 && IsWhiteSpace(s[i - 1]))
            {
                i--;
            }

            return s.Substring(0, i);
        }

        /// <summary>Orders strings as JavaScript's default <c>Array.prototype.sort</c> does: by UTF-16 code units.</summary>
        public static int CompareCodeUnits(string a, string b) => string.CompareOrdinal(a, b);
    }
}
