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
internal static class IRegexp
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

/// <summary>A set of Unicode code points as sorted, disjoint, non-adjacent inclusive ranges.</summary>
internal sealed class CodePointSet
{
    private readonly List<int> _lo = new();
    private readonly List<int> _hi = new();
    private bool _normalized = true;

    public void Add(int lo, int hi)
    {
        _lo.Add(lo);
        _hi.Add(hi);
        _normalized = false;
    }

    public void AddAll(CodePointSet other)
    {
        other.Normalize();
        for (int i = 0; i < other._lo.Count; i++) Add(other._lo[i], other._hi[i]);
    }

    private void Normalize()
    {
        if (_normalized) return;
        var idx = new int[_lo.Count];
        for (int i = 0; i < idx.Length; i++) idx[i] = i;
        var lo = _lo.ToArray();
        var hi = _hi.ToArray();
        Array.Sort(idx, (a, b) => lo[a].CompareTo(lo[b]));
        _lo.Clear();
        _hi.Clear();
        foreach (int i in idx)
        {
            int n = _lo.Count;
            if (n > 0 && lo[i] <= _hi[n - 1] + 1)
            {
                if (hi[i] > _hi[n - 1]) _hi[n - 1] = hi[i];
            }
            else
            {
                _lo.Add(lo[i]);
                _hi.Add(hi[i]);
            }
        }
        _normalized = true;
    }

    public CodePointSet Complement()
    {
        Normalize();
        var result = new CodePointSet();
        int next = 0;
        for (int i = 0; i < _lo.Count; i++)
        {
            if (_lo[i] > next) result.Add(next, _lo[i] - 1);
            next = _hi[i] + 1;
        }
        if (next <= 0x10FFFF) result.Add(next, 0x10FFFF);
        result._normalized = true;
        return result;
    }

    /// <summary>Emits the set as .NET regex syntax matching exactly one code point of the set (surrogate code points excluded).</summary>
    public void AppendRegex(StringBuilder sb)
    {
        Normalize();
        var bmp = new StringBuilder();
        var alternatives = new List<string>();
        for (int i = 0; i < _lo.Count; i++)
        {
            int lo = _lo[i], hi = _hi[i];
            // BMP part, minus the surrogate block
            if (lo <= 0xFFFF)
            {
                int bhi = Math.Min(hi, 0xFFFF);
                AppendBmpRange(bmp, lo, Math.Min(bhi, 0xD7FF));
                AppendBmpRange(bmp, Math.Max(lo, 0xE000), bhi);
            }
            if (hi >= 0x10000) AppendSupplementary(alternatives, Math.Max(lo, 0x10000), hi);
        }

        int parts = (bmp.Length > 0 ? 1 : 0) + alternatives.Count;
        if (parts == 0)
        {
            sb.Append("(?!)");
            return;
        }
        if (parts > 1) sb.Append("(?:");
        bool firstPart = true;
        if (bmp.Length > 0)
        {
            sb.Append('[').Append(bmp).Append(']');
            firstPart = false;
        }
        foreach (var alt in alternatives)
        {
            if (!firstPart) sb.Append('|');
            sb.Append(alt);
            firstPart = false;
        }
        if (parts > 1) sb.Append(')');
    }

    private static void AppendBmpRange(StringBuilder sb, int lo, int hi)
    {
        if (lo > hi) return;
        IRegexp.AppendUnit(sb, (char)lo);
        if (hi == lo) return;
        if (hi > lo + 1) sb.Append('-');
        IRegexp.AppendUnit(sb, (char)hi);
    }

    private static void AppendSupplementary(List<string> alternatives, int lo, int hi)
    {
        int hs1 = 0xD800 + ((lo - 0x10000) >> 10), ls1 = 0xDC00 + ((lo - 0x10000) & 0x3FF);
        int hs2 = 0xD800 + ((hi - 0x10000) >> 10), ls2 = 0xDC00 + ((hi - 0x10000) & 0x3FF);
        if (hs1 == hs2)
        {
            alternatives.Add(Pair(hs1, hs1, ls1, ls2));
            return;
        }
        int fullFrom = hs1, fullTo = hs2;
        if (ls1 != 0xDC00)
        {
            alternatives.Add(Pair(hs1, hs1, ls1, 0xDFFF));
            fullFrom = hs1 + 1;
        }
        if (ls2 != 0xDFFF)
        {
            fullTo = hs2 - 1;
        }
        if (fullFrom <= fullTo) alternatives.Add(Pair(fullFrom, fullTo, 0xDC00, 0xDFFF));
        if (ls2 != 0xDFFF) alternatives.Add(Pair(hs2, hs2, 0xDC00, ls2));
    }

    private static string Pair(int h1, int h2, int l1, int l2)
    {
        var sb = new StringBuilder();
        Unit(sb, h1, h2);
        Unit(sb, l1, l2);
        return sb.ToString();

        static void Unit(StringBuilder b, int a, int z)
        {
            if (a == z)
            {
                IRegexp.AppendUnit(b, (char)a);
                return;
            }
            b.Append('[');
            IRegexp.AppendUnit(b, (char)a);
            b.Append('-');
            IRegexp.AppendUnit(b, (char)z);
            b.Append(']');
        }
    }
}

/// <summary>
/// Unicode general categories as code point sets, built once on first use from the runtime's character data
/// (CharUnicodeInfo), covering the supplementary planes too.
/// </summary>
internal static class UnicodeCategories
{
    private static readonly Lazy<List<KeyValuePair<int, int>>[]> Ranges = new(Build);

    public static CodePointSet? Get(string name)
    {
        UnicodeCategory[] cats;
        switch (name)
        {
            case "L": cats = new[] { UnicodeCategory.UppercaseLetter, UnicodeCategory.LowercaseLetter, UnicodeCategory.TitlecaseLetter, UnicodeCategory.ModifierLetter, UnicodeCategory.OtherLetter }; break;
            case "Lu": cats = new[] { UnicodeCategory.UppercaseLetter }; break;
            case "Ll": cats = new[] { UnicodeCategory.LowercaseLetter }; break;
            case "Lt": cats = new[] { UnicodeCategory.TitlecaseLetter }; break;
            case "Lm": cats = new[] { UnicodeCategory.ModifierLetter }; break;
            case "Lo": cats = new[] { UnicodeCategory.OtherLetter }; break;
            case "M": cats = new[] { UnicodeCategory.NonSpacingMark, UnicodeCategory.SpacingCombiningMark, UnicodeCategory.EnclosingMark }; break;
            case "Mn": cats = new[] { UnicodeCategory.NonSpacingMark }; break;
            case "Mc": cats = new[] { UnicodeCategory.SpacingCombiningMark }; break;
            case "Me": cats = new[] { UnicodeCategory.EnclosingMark }; break;
            case "N": cats = new[] { UnicodeCategory.DecimalDigitNumber, UnicodeCategory.LetterNumber, UnicodeCategory.OtherNumber }; break;
            case "Nd": cats = new[] { UnicodeCategory.DecimalDigitNumber }; break;
            case "Nl": cats = new[] { UnicodeCategory.LetterNumber }; break;
            case "No": cats = new[] { UnicodeCategory.OtherNumber }; break;
            case "P": cats = new[] { UnicodeCategory.ConnectorPunctuation, UnicodeCategory.DashPunctuation, UnicodeCategory.OpenPunctuation, UnicodeCategory.ClosePunctuation, UnicodeCategory.InitialQuotePunctuation, UnicodeCategory.FinalQuotePunctuation, UnicodeCategory.OtherPunctuation }; break;
            case "Pc": cats = new[] { UnicodeCategory.ConnectorPunctuation }; break;
            case "Pd": cats = new[] { UnicodeCategory.DashPunctuation }; break;
            case "Ps": cats = new[] { UnicodeCategory.OpenPunctuation }; break;
            case "Pe": cats = new[] { UnicodeCategory.ClosePunctuation }; break;
            case "Pi": cats = new[] { UnicodeCategory.InitialQuotePunctuation }; break;
            case "Pf": cats = new[] { UnicodeCategory.FinalQuotePunctuation }; break;
            case "Po": cats = new[] { UnicodeCategory.OtherPunctuation }; break;
            case "Z": cats = new[] { UnicodeCategory.SpaceSeparator, UnicodeCategory.LineSeparator, UnicodeCategory.ParagraphSeparator }; break;
            case "Zs": cats = new[] { UnicodeCategory.SpaceSeparator }; break;
            case "Zl": cats = new[] { UnicodeCategory.LineSeparator }; break;
            case "Zp": cats = new[] { UnicodeCategory.ParagraphSeparator }; break;
            case "S": cats = new[] { UnicodeCategory.MathSymbol, UnicodeCategory.CurrencySymbol, UnicodeCategory.ModifierSymbol, UnicodeCategory.OtherSymbol }; break;
            case "Sm": cats = new[] { UnicodeCategory.MathSymbol }; break;
            case "Sc": cats = new[] { UnicodeCategory.CurrencySymbol }; break;
            case "Sk": cats = new[] { UnicodeCategory.ModifierSymbol }; break;
            case "So": cats = new[] { UnicodeCategory.OtherSymbol }; break;
            // Surrogate code points (Cs) are part of C in Unicode, but a set never emits them (strings hold scalar values).
            case "C": cats = new[] { UnicodeCategory.Control, UnicodeCategory.Format, UnicodeCategory.Surrogate, UnicodeCategory.PrivateUse, UnicodeCategory.OtherNotAssigned }; break;
            case "Cc": cats = new[] { UnicodeCategory.Control }; break;
            case "Cf": cats = new[] { UnicodeCategory.Format }; break;
            case "Co": cats = new[] { UnicodeCategory.PrivateUse }; break;
            case "Cn": cats = new[] { UnicodeCategory.OtherNotAssigned }; break;
            default: return null;
        }
        var all = Ranges.Value;
        var set = new CodePointSet();
        foreach (var cat in cats)
            foreach (var r in all[(int)cat]) set.Add(r.Key, r.Value);
        return set;
    }

    private static List<KeyValuePair<int, int>>[] Build()
    {
        var result = new List<KeyValuePair<int, int>>[32];
        for (int i = 0; i < result.Length; i++) result[i] = new List<KeyValuePair<int, int>>();

        int runStart = 0;
        int runCat = (int)CharUnicodeInfo.GetUnicodeCategory('\0');
        for (int cp = 1; cp <= 0xFFFF; cp++)
        {
            int cat = (int)CharUnicodeInfo.GetUnicodeCategory((char)cp);
            if (cat == runCat) continue;
            result[runCat].Add(new KeyValuePair<int, int>(runStart, cp - 1));
            runStart = cp;
            runCat = cat;
        }

        // Supplementary planes: one string holding every supplementary code point as a surrogate pair.
        var buffer = new char[0x100000 * 2];
        for (int cp = 0x10000, i = 0; cp <= 0x10FFFF; cp++, i += 2)
        {
            int v = cp - 0x10000;
            buffer[i] = (char)(0xD800 + (v >> 10));
            buffer[i + 1] = (char)(0xDC00 + (v & 0x3FF));
        }
        var all = new string(buffer);
        for (int cp = 0x10000, i = 0; cp <= 0x10FFFF; cp++, i += 2)
        {
            int cat = (int)CharUnicodeInfo.GetUnicodeCategory(all, i);
            if (cat == runCat) continue;
            result[runCat].Add(new KeyValuePair<int, int>(runStart, cp - 1));
            runStart = cp;
            runCat = cat;
        }
        result[runCat].Add(new KeyValuePair<int, int>(runStart, 0x10FFFF));
        return result;
    }
}
