// Hand-written: .NET has no I-Regexp (RFC 9485) mode, and match()/search() need its code-point semantics exactly.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Daytona.JsonPath;

/// <summary>
/// I-Regexp (RFC 9485) for match() and search(): validates a pattern against the I-Regexp grammar and translates it
/// into an equivalent .NET regex that works on Unicode code points rather than UTF-16 units:
/// <list type="bullet">
/// <item>'.' matches any code point except \n and \r (so U+2028/U+2029 and surrogate pairs match, as one character);</item>
/// <item>character classes and \p{..}/\P{..} become explicit code point sets, emitted as a BMP class plus surrogate-pair
/// alternatives, so supplementary characters are matched whole and never split;</item>
/// <item>literal characters are escaped; groups become non-capturing; quantifiers are copied after validation;</item>
/// <item>unescaped '^' and '$' act as start/end assertions, as in RFC 9485 §5.3/§5.4 mappings (and the JSONPath CTS's
/// "explicit caret/dollar" cases); '$' becomes \z so it never matches before a final newline;</item>
/// <item>match() anchors the whole pattern (\A(?:...)\z); search() does not.</item>
/// </list>
/// A pattern that is not a valid I-Regexp yields null: per RFC 9535 §2.4.6/§2.4.7 match/search then give LogicalFalse.
/// </summary>
internal static class InteroperableRegexTranslator
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);
    private const int CacheLimit = 512;

    private sealed class Entry
    {
        public Regex? Regex;
    }

    private static readonly ConcurrentDictionary<string, Entry> FullCache = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Entry> SearchCache = new(StringComparer.Ordinal);

    public static Regex? GetOrCompile(string pattern, bool fullMatch)
    {
        var cache = fullMatch ? FullCache : SearchCache;
        if (cache.TryGetValue(pattern, out var hit)) return hit.Regex;
        var entry = new Entry { Regex = Compile(pattern, fullMatch) };
        if (cache.Count >= CacheLimit) cache.Clear();
        cache[pattern] = entry;
        return entry.Regex;
    }

    public static bool IsMatch(Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return false; // documented: a pathological pattern/input pair that exceeds the timeout counts as no match
        }
    }

    public static Regex? Compile(string pattern, bool fullMatch)
    {
        var translated = Translate(pattern);
        if (translated == null) return null;
        var text = fullMatch ? "\\A(?:" + translated + ")\\z" : translated;
        try
        {
            return new Regex(text, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Returns the .NET pattern, or null when <paramref name="pattern"/> is not a valid I-Regexp.</summary>
    public static string? Translate(string pattern)
    {
        var t = new Translator(pattern);
        try
        {
            t.RegExp();
            if (t.Pos != pattern.Length) return null;
            return t.Output.ToString();
        }
        catch (InvalidPattern)
        {
            return null;
        }
    }

    private sealed class InvalidPattern : Exception
    {
    }

    private sealed class Translator
    {
        private readonly string _p;
        public int Pos;
        public readonly StringBuilder Output = new();
        private int _depth;

        public Translator(string pattern) => _p = pattern;

        private static InvalidPattern Invalid() => new();

        private int Peek() => Pos < _p.Length ? _p[Pos] : -1;

        /// <summary>Reads one code point (a surrogate pair counts as one); lone surrogates are invalid.</summary>
        private int ReadCodePoint()
        {
            char c = _p[Pos];
            if (char.IsHighSurrogate(c))
            {
                if (Pos + 1 >= _p.Length || !char.IsLowSurrogate(_p[Pos + 1])) throw Invalid();
                Pos += 2;
                return char.ConvertToUtf32(c, _p[Pos - 1]);
            }
            if (char.IsLowSurrogate(c)) throw Invalid();
            Pos++;
            return c;
        }

        // i-regexp = branch *( "|" branch )
        public void RegExp()
        {
            if (++_depth > 200) throw Invalid();
            Branch();
            while (Peek() == '|')
            {
                Pos++;
                Output.Append('|');
                Branch();
            }
            _depth--;
        }

        // branch = *piece
        private void Branch()
        {
            while (Pos < _p.Length && _p[Pos] != '|' && _p[Pos] != ')') Piece();
        }

        // piece = atom [ quantifier ]
        private void Piece()
        {
            bool quantifiable = Atom();
            int c = Peek();
            if (c == '*' || c == '+' || c == '?')
            {
                if (!quantifiable) throw Invalid();
                Output.Append((char)c);
                Pos++;
            }
            else if (c == '{')
            {
                if (!quantifiable) throw Invalid();
                RangeQuantifier();
            }
        }

        // range-quantifier = "{" QuantExact [ "," [ QuantExact ] ] "}"
        private void RangeQuantifier()
        {
            Pos++; // '{'
            int min = QuantExact();
            int max = min;
            bool open = false;
            if (Peek() == ',')
            {
                Pos++;
                if (Peek() == '}') open = true;
                else max = QuantExact();
            }
            if (Peek() != '}') throw Invalid();
            Pos++;
            if (!open && max < min) throw Invalid();
            Output.Append('{').Append(min.ToString(CultureInfo.InvariantCulture));
            if (open) Output.Append(',');
            else if (max != min) Output.Append(',').Append(max.ToString(CultureInfo.InvariantCulture));
            Output.Append('}');
        }

        private int QuantExact()
        {
            int start = Pos;
            long v = 0;
            while (Pos < _p.Length && _p[Pos] >= '0' && _p[Pos] <= '9')
            {
                v = v * 10 + (_p[Pos] - '0');
                if (v > int.MaxValue) throw Invalid();
                Pos++;
            }
            if (Pos == start) throw Invalid();
            return (int)v;
        }

        /// <summary>atom = NormalChar / charClass / "(" i-regexp ")"; returns false for ^/$ assertions (not quantifiable).</summary>
        private bool Atom()
        {
            char c = _p[Pos];
            switch (c)
            {
                case '(':
                    Pos++;
                    Output.Append("(?:");
                    RegExp();
                    if (Peek() != ')') throw Invalid();
                    Pos++;
                    Output.Append(')');
                    return true;
                case '.':
                    Pos++;
                    Output.Append(Dot);
                    return true;
                case '[':
                    EmitSet(CharClassExpr());
                    return true;
                case '\\':
                {
                    int next = Pos + 1 < _p.Length ? _p[Pos + 1] : -1;
                    if (next == 'p' || next == 'P')
                    {
                        EmitSet(CategoryEscape());
                        return true;
                    }
                    EmitLiteral(SingleCharEscape());
                    return true;
                }
                case '^':
                    Pos++;
                    Output.Append('^'); // start-of-input assertion (no RegexOptions.Multiline)
                    return false;
                case '$':
                    Pos++;
                    Output.Append("\\z");
                    return false;
                case ')':
                case '*':
                case '+':
                case '?':
                case '{':
                case '}':
                case ']':
                case '|':
                    throw Invalid();
                default:
                    EmitLiteral(ReadCodePoint());
                    return true;
            }
        }

        // SingleCharEsc = "\" ( %x28-2B / "-" / "." / "?" / %x5B-5E / "n" / "r" / "t" / %x7B-7D )
        private int SingleCharEscape()
        {
            Pos++; // '\'
            if (Pos >= _p.Length) throw Invalid();
            char e = _p[Pos++];
            switch (e)
            {
                case 'n': return '\n';
                case 'r': return '\r';
                case 't': return '\t';
                case '(': case ')': case '*': case '+': case '-': case '.': case '?':
                case '[': case '\\': case ']': case '^': case '{': case '|': case '}':
                    return e;
                default:
                    throw Invalid();
            }
        }

        // catEsc = "\p{" charProp "}" ; complEsc = "\P{" charProp "}"
        private CodePointSet CategoryEscape()
        {
            bool complement = _p[Pos + 1] == 'P';
            Pos += 2;
            if (Peek() != '{') throw Invalid();
            Pos++;
            int close = _p.IndexOf('}', Pos);
            if (close < 0) throw Invalid();
            string name = _p.Substring(Pos, close - Pos);
            Pos = close + 1;
            var set = UnicodeCategories.Get(name) ?? throw Invalid();
            return complement ? set.Complement() : set;
        }

        // charClassExpr = "[" [ "^" ] ( "-" / CCE1 ) *CCE1 [ "-" ] "]"
        private CodePointSet CharClassExpr()
        {
            Pos++; // '['
            bool negated = false;
            if (Peek() == '^')
            {
                negated = true;
                Pos++;
            }
            var set = new CodePointSet();
            bool first = true;
            while (true)
            {
                if (Pos >= _p.Length) throw Invalid();
                char c = _p[Pos];
                if (c == ']')
                {
                    if (first) throw Invalid();
                    Pos++;
                    break;
                }
                if (c == '-')
                {
                    if (first || (Pos + 1 < _p.Length && _p[Pos + 1] == ']'))
                    {
                        set.Add('-', '-');
                        Pos++;
                        first = false;
                        continue;
                    }
                    throw Invalid();
                }
                first = false;
                if (c == '\\' && Pos + 1 < _p.Length && (_p[Pos + 1] == 'p' || _p[Pos + 1] == 'P'))
                {
                    set.AddAll(CategoryEscape());
                    continue;
                }
                int lo = CCChar();
                if (Peek() == '-' && Pos + 1 < _p.Length && _p[Pos + 1] != ']')
                {
                    Pos++;
                    if (Peek() == '-' || (Peek() == '\\' && Pos + 1 < _p.Length && (_p[Pos + 1] == 'p' || _p[Pos + 1] == 'P'))) throw Invalid();
                    int hi = CCChar();
                    if (hi < lo) throw Invalid();
                    set.Add(lo, hi);
                }
                else
                {
                    set.Add(lo, lo);
                }
            }
            return negated ? set.Complement() : set;
        }

        // CCchar = ( %x00-2C / %x2E-5A / %x5E-D7FF / %xE000-10FFFF ) / SingleCharEsc
        private int CCChar()
        {
            if (Pos >= _p.Length) throw Invalid();
            char c = _p[Pos];
            if (c == '\\') return SingleCharEscape();
            if (c == '-' || c == '[' || c == ']') throw Invalid();
            return ReadCodePoint();
        }

        private const string Dot = "(?:[^\\n\\r\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])";

        private void EmitLiteral(int cp)
        {
            if (cp > 0xFFFF)
            {
                string pair = char.ConvertFromUtf32(cp);
                Output.Append("(?:");
                AppendUnit(Output, pair[0]);
                AppendUnit(Output, pair[1]);
                Output.Append(')');
                return;
            }
            char c = (char)cp;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) Output.Append(c);
            else AppendUnit(Output, c);
        }

        private void EmitSet(CodePointSet set) => set.AppendRegex(Output);
    }

    internal static void AppendUnit(StringBuilder sb, char c) =>
        sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
}
