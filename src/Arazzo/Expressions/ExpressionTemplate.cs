using System;
using System.Collections.Generic;
using System.Text;

namespace Daytona.Arazzo.Expressions
{
    /// <summary>A piece of a string value: literal text, an embedded <c>{$…}</c> expression, or a bare <c>$…</c> one.</summary>
    public readonly struct TemplateSegment
    {
        public TemplateSegment(string text, RuntimeExpression? expression, bool bare, int start)
        {
            Text = text;
            Expression = expression;
            IsBare = bare;
            Start = start;
        }

        public string Text { get; }

        public RuntimeExpression? Expression { get; }

        /// <summary>True for an expression written without braces inside a longer string (a leniency).</summary>
        public bool IsBare { get; }

        public int Start { get; }
    }

    /// <summary>
    /// Splits string values into literal text and runtime expressions: <c>{$expr}</c> embedding as the spec defines it,
    /// and (leniently) bare expressions such as <c>Bearer $inputs.apiToken</c> that real documents write.
    /// </summary>
    public static class ExpressionTemplate
    {
        private static readonly string[] s_bareHeads =
        {
            "$url", "$method", "$statusCode", "$request.", "$response.", "$inputs.", "$outputs.", "$steps.", "$workflows.", "$sourceDescriptions.", "$components.",
        };

        /// <summary>Every <c>{$expression}</c> in the text that parses.</summary>
        public static IReadOnlyList<TemplateSegment> Embedded(string text)
        {
            var result = new List<TemplateSegment>();
            var i = 0;
            while (i < text.Length)
            {
                var open = text.IndexOf("{$", i, StringComparison.Ordinal);
                if (open < 0)
                {
                    break;
                }

                var close = text.IndexOf('}', open + 1);
                if (close < 0)
                {
                    break;
                }

                var inner = text.Substring(open + 1, close - open - 1);
                if (RuntimeExpression.TryParse(inner, out var expression, out _) || RuntimeExpression.TryParseLenient(inner, out expression, out _))
                {
                    result.Add(new TemplateSegment(text.Substring(open, close - open + 1), expression, false, open));
                    i = close + 1;
                }
                else
                {
                    i = open + 1;
                }
            }

            return result;
        }

        /// <summary>
        /// Expressions written without braces inside a longer string (e.g. <c>Bearer $inputs.apiToken</c>), outside any
        /// <c>{…}</c> embedding. Each is the longest prefix from the <c>$</c> that parses as an expression.
        /// </summary>
        public static IReadOnlyList<TemplateSegment> Bare(string text)
        {
            var result = new List<TemplateSegment>();
            if (RuntimeExpression.IsExpression(text))
            {
                return result;
            }

            var embedded = Embedded(text);
            var i = 0;
            while (i < text.Length)
            {
                var dollar = text.IndexOf('$', i);
                if (dollar < 0)
                {
                    break;
                }

                i = dollar + 1;
                if (InsideEmbedded(embedded, dollar) || (dollar > 0 && (char.IsLetterOrDigit(text[dollar - 1]) || text[dollar - 1] == '{' || text[dollar - 1] == '_')))
                {
                    continue;
                }

                if (!StartsWithHead(text, dollar))
                {
                    continue;
                }

                var end = dollar;
                while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] != '"' && text[end] != '\'' && text[end] != ',' && text[end] != '&' && text[end] != ';' && text[end] != '{' && text[end] != '}' && text[end] != ')' && text[end] != '(' && text[end] != '<')
                {
                    end++;
                }

                for (var length = end - dollar; length > 1; length--)
                {
                    var candidate = text.Substring(dollar, length);
                    // A lenient form only as the whole run of text: a shorter prefix read leniently would cut a name in two.
                    if (RuntimeExpression.TryParse(candidate, out var expression, out _) || (length == end - dollar && RuntimeExpression.TryParseLenient(candidate, out expression, out _)))
                    {
                        result.Add(new TemplateSegment(candidate, expression, true, dollar));
                        i = dollar + length;
                        break;
                    }
                }
            }

            return result;
        }

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, bool), List<TemplateSegment>> s_segments =
            new System.Collections.Concurrent.ConcurrentDictionary<(string, bool), List<TemplateSegment>>();

        /// <summary>Replaces embedded and (when <paramref name="bare"/>) bare expressions by their rendered values.</summary>
        public static string Interpolate(string text, Func<RuntimeExpression, string> render, bool bare)
        {
            if (!s_segments.TryGetValue((text, bare), out var segments))
            {
                segments = new List<TemplateSegment>(Embedded(text));
                if (bare)
                {
                    segments.AddRange(Bare(text));
                }

                segments.Sort((a, b) => a.Start.CompareTo(b.Start));
                if (text.Length < 16_384 && s_segments.Count < 50_000)
                {
                    s_segments[(text, bare)] = segments;
                }
            }

            if (segments.Count == 0)
            {
                return text;
            }

            var builder = new StringBuilder(text.Length);
            var position = 0;
            foreach (var segment in segments)
            {
                if (segment.Start < position)
                {
                    continue;
                }

                builder.Append(text, position, segment.Start - position);
                builder.Append(render(segment.Expression!));
                position = segment.Start + segment.Text.Length;
            }

            builder.Append(text, position, text.Length - position);
            return builder.ToString();
        }

        private static bool StartsWithHead(string text, int index)
        {
            foreach (var head in s_bareHeads)
            {
                if (string.CompareOrdinal(text, index, head, 0, head.Length) == 0)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool InsideEmbedded(IReadOnlyList<TemplateSegment> embedded, int index)
        {
            foreach (var segment in embedded)
            {
                if (index >= segment.Start && index < segment.Start + segment.Text.Length)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
