using System;
using System.Collections.Generic;
using System.Globalization;

namespace Daytona.Arazzo.Expressions
{
    public enum NameSegmentKind
    {
        /// <summary>A member name; consecutive names may together be one key with dots (<c>a.b</c>).</summary>
        Name,

        /// <summary>A member name written in brackets (<c>[key]</c>, <c>['key']</c>): always one key.</summary>
        Key,

        /// <summary>An array index (<c>[0]</c>; negative counts from the end).</summary>
        Index,

        /// <summary>Every item (<c>[*]</c> or <c>[]</c>).</summary>
        Wildcard,
    }

    /// <summary>One step of the path an input, output or step-output name is read along.</summary>
    public sealed class NameSegment
    {
        private NameSegment(NameSegmentKind kind, string? text, int index)
        {
            Kind = kind;
            Text = text;
            Index = index;
        }

        public NameSegmentKind Kind { get; }

        /// <summary>The member name (Name and Key).</summary>
        public string? Text { get; }

        /// <summary>The index (Index).</summary>
        public int Index { get; }

        /// <summary>The segment as a JSON Pointer reference token.</summary>
        public string Pointer => Kind == NameSegmentKind.Index ? Index.ToString(CultureInfo.InvariantCulture) : (Text ?? "*").Replace("~", "~0").Replace("/", "~1");

        public override string ToString() => Kind switch
        {
            NameSegmentKind.Index => "[" + Index.ToString(CultureInfo.InvariantCulture) + "]",
            NameSegmentKind.Wildcard => "[*]",
            NameSegmentKind.Key => "[" + Text + "]",
            _ => Text ?? string.Empty,
        };

        /// <summary>A spec name (letters, digits, '.', '-', '_') as its dot-separated names.</summary>
        internal static IReadOnlyList<NameSegment> Dotted(string name)
        {
            var parts = name.Split('.');
            var result = new NameSegment[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                result[i] = new NameSegment(NameSegmentKind.Name, parts[i], 0);
            }

            return result;
        }

        /// <summary>
        /// Reads a name with brackets: names separated by dots (a name may start with '$'), then any of <c>[n]</c>,
        /// <c>[*]</c>, <c>[]</c>, <c>[key]</c>, <c>['key']</c> and further <c>.name</c>s. No braces, spaces or '#'.
        /// </summary>
        internal static bool TryParsePath(string text, out List<NameSegment> segments)
        {
            segments = new List<NameSegment>();
            var i = 0;
            var expectName = true;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '[')
                {
                    var close = text.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        return false;
                    }

                    var inner = text.Substring(i + 1, close - i - 1).Trim();
                    if (inner.Length == 0 || inner == "*")
                    {
                        segments.Add(new NameSegment(NameSegmentKind.Wildcard, null, 0));
                    }
                    else if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
                    {
                        segments.Add(new NameSegment(NameSegmentKind.Index, null, index));
                    }
                    else
                    {
                        if (inner.Length >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[inner.Length - 1] == inner[0])
                        {
                            inner = inner.Substring(1, inner.Length - 2);
                        }

                        if (!IsNameText(inner))
                        {
                            return false;
                        }

                        segments.Add(new NameSegment(NameSegmentKind.Key, inner, 0));
                    }

                    i = close + 1;
                    expectName = false;
                    continue;
                }

                if (c == '.')
                {
                    if (expectName)
                    {
                        return false;
                    }

                    i++;
                    expectName = true;
                    continue;
                }

                if (!expectName)
                {
                    return false;
                }

                var end = i;
                while (end < text.Length && text[end] != '.' && text[end] != '[')
                {
                    end++;
                }

                var name = text.Substring(i, end - i);
                if (!IsNameText(name))
                {
                    return false;
                }

                segments.Add(new NameSegment(NameSegmentKind.Name, name, 0));
                i = end;
                expectName = false;
            }

            // "$.xgafv" is the one input named so: a lone '$' joins the name after it.
            for (var k = 0; k + 1 < segments.Count; k++)
            {
                if (segments[k].Kind == NameSegmentKind.Name && segments[k].Text == "$" && segments[k + 1].Kind == NameSegmentKind.Name)
                {
                    segments[k] = new NameSegment(NameSegmentKind.Name, "$." + segments[k + 1].Text, 0);
                    segments.RemoveAt(k + 1);
                }
            }

            return segments.Count > 0 && !expectName;
        }

        private static bool IsNameText(string text)
        {
            if (text.Length == 0)
            {
                return false;
            }

            foreach (var c in text)
            {
                if (c == '{' || c == '}' || c == '#' || c == ']' || c == '[' || char.IsWhiteSpace(c) || c < 0x20)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
