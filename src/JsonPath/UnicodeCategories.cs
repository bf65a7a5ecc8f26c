// Part of the I-Regexp translation (see InteroperableRegexTranslator.cs).
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Daytona.JsonPath;

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
