// Part of the I-Regexp translation (see InteroperableRegexTranslator.cs).
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Daytona.JsonPath;

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
        InteroperableRegexTranslator.AppendUnit(sb, (char)lo);
        if (hi == lo) return;
        if (hi > lo + 1) sb.Append('-');
        InteroperableRegexTranslator.AppendUnit(sb, (char)hi);
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
                InteroperableRegexTranslator.AppendUnit(b, (char)a);
                return;
            }
            b.Append('[');
            InteroperableRegexTranslator.AppendUnit(b, (char)a);
            b.Append('-');
            InteroperableRegexTranslator.AppendUnit(b, (char)z);
            b.Append(']');
        }
    }
}
