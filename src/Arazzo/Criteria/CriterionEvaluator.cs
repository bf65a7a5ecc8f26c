using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.XPath;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;

namespace Daytona.Arazzo.Criteria
{
    /// <summary>The outcome of one criterion.</summary>
    public readonly struct CriterionOutcome
    {
        public CriterionOutcome(bool satisfied, string? error, string? leniency = null)
        {
            Satisfied = satisfied;
            Error = error;
            Leniency = leniency;
        }

        /// <summary>Set when the outcome relied on a leniency: what happened and how to write it properly.</summary>
        public string? Leniency { get; }

        public bool Satisfied { get; }

        /// <summary>Why the criterion could not be evaluated (then it is not satisfied).</summary>
        public string? Error { get; }
    }

    /// <summary>Evaluates Criterion Objects: simple, regex, jsonpath (RFC 9535) and xpath (XPath 1.0).</summary>
    public static class CriterionEvaluator
    {
        /// <summary>A regex criterion that takes longer than this is an error naming it (kept short: a match cannot observe the run's timeout).</summary>
        private static readonly TimeSpan s_regexTimeout = TimeSpan.FromMilliseconds(500);

        public static CriterionOutcome Evaluate(Criterion criterion, ExpressionContext context, bool strict = false, System.Threading.CancellationToken cancellationToken = default)
        {
            try
            {
                switch (criterion.Type)
                {
                    case "regex":
                        {
                            var value = Context(criterion, context);
                            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : JsonUtil.Render(value);
                            return new CriterionOutcome(Regex.IsMatch(text, criterion.Condition, RegexOptions.None, s_regexTimeout), null);
                        }

                    case "jsonpath":
                        {
                            var value = Context(criterion, context);
                            if (criterion.Compiled is object compiledQuery ? JsonPathAdapter.Count(compiledQuery, value, cancellationToken) > 0 : EvaluateJsonPath(criterion.Condition, value, out var lenientQuery, cancellationToken) && Cache(criterion, lenientQuery))
                            {
                                return new CriterionOutcome(true, null);
                            }

                            // Real documents (and the spec's own example, $[?count(@.pets) > 0] on a response body)
                            // filter an object context as if the object itself were the one candidate.
                            if (!strict && value is JsonObject && criterion.Condition.TrimStart().StartsWith("$[?", StringComparison.Ordinal)
                                && JsonPathAdapter.TryParse(criterion.Condition, out var query, out _) && JsonPathAdapter.Count(query!, new JsonArray(value.DeepClone()), cancellationToken) > 0)
                            {
                                var rewritten = "$[?" + criterion.Condition.Trim().Substring(3).Replace("@", "$");
                                return new CriterionOutcome(true, null,
                                    $"The jsonpath condition '{criterion.Condition}' selects nothing among the members of the context object; it matched the object itself. Under RFC 9535 a filter tests the members: to test the object, write '{rewritten}'.");
                            }

                            return new CriterionOutcome(false, null);
                        }
                    case "xpath":
                        return new CriterionOutcome(EvaluateXPath(criterion.Condition, Context(criterion, context)), null);
                    default:
                        {
                            var condition = criterion.Compiled as SimpleCondition ?? SimpleCondition.Parse(criterion.Condition);
                            criterion.Compiled = condition;
                            if (criterion.Context != null)
                            {
                                // A context on a simple criterion is not used by the simple language; it is evaluated
                                // only so a broken context expression is noticed.
                                Context(criterion, context);
                            }

                            return new CriterionOutcome(condition.Evaluate(context), null);
                        }
                }
            }
            catch (Exception e) when (e is FormatException || e is ArgumentException || e is XmlException || e is XPathException || e is RegexMatchTimeoutException || JsonPathAdapter.IsQueryError(e))
            {
                return new CriterionOutcome(false, e.Message);
            }
        }

        /// <summary>Keeps the parsed query of a criterion that is a plain RFC 9535 query; always true.</summary>
        private static bool Cache(Criterion criterion, bool lenient)
        {
            if (!lenient && JsonPathAdapter.TryParse(criterion.Condition, out var query, out _))
            {
                criterion.Compiled = query;
            }

            return true;
        }

        private static JsonNode? Context(Criterion criterion, ExpressionContext context)
        {
            if (criterion.Context == null)
            {
                return null;
            }

            if (criterion.CompiledContext is RuntimeExpression cached)
            {
                return ExpressionEvaluator.Evaluate(cached, context).Value;
            }

            if (RuntimeExpression.TryParse(criterion.Context, out var expression, out var error))
            {
                criterion.CompiledContext = expression;
                return ExpressionEvaluator.Evaluate(expression!, context).Value;
            }

            return ExpressionEvaluator.EvaluateValue(JsonValue.Create(criterion.Context), context, bare: true);
        }

        /// <summary>
        /// True when the JSONPath query selects at least one node of the context. A condition that is not a JSONPath
        /// query but a comparison over the root (<c>$.state == "inactive"</c>) is read as the RFC 9535 filter
        /// <c>$[?$.state == "inactive"]</c>, which selects the context's members when the comparison holds;
        /// <paramref name="lenient"/> says so.
        /// </summary>
        public static bool EvaluateJsonPath(string condition, JsonNode? context, out bool lenient, System.Threading.CancellationToken cancellationToken = default)
        {
            lenient = false;
            if (JsonPathAdapter.TryParse(condition, out var query, out var error))
            {
                return JsonPathAdapter.Count(query!, context, cancellationToken) > 0;
            }

            var filter = RewriteAsFilter(condition);
            if (filter != null && JsonPathAdapter.TryParse(filter, out var filterQuery, out _))
            {
                lenient = true;

                // A comparison over an empty object or list still has an answer: evaluate it over a one-member holder.
                var holder = context is JsonObject o && o.Count == 0 || context is JsonArray a && a.Count == 0 || !(context is JsonObject || context is JsonArray);
                return holder
                    ? JsonPathAdapter.Count(JsonPathAdapter.Parse(RewriteAsFilter(condition.Replace("$", "$.v"))!), new JsonObject { ["v"] = context?.DeepClone() }, cancellationToken) > 0
                    : JsonPathAdapter.Count(filterQuery!, context, cancellationToken) > 0;
            }

            throw new FormatException($"'{condition}' is not a JSONPath query (RFC 9535): {error}");
        }

        /// <summary>True when the condition is a valid RFC 9535 query as written.</summary>
        public static bool IsJsonPathQuery(string condition, out string? error) => JsonPathAdapter.TryParse(condition, out _, out error);

        /// <summary>
        /// Rewrites a root comparison such as <c>$.state == "inactive" || $.state == 'x'</c> into the RFC 9535 filter
        /// <c>$[?$.state == "inactive" || $.state == 'x']</c>, or returns null when the condition does not start with <c>$</c>.
        /// </summary>
        public static string? RewriteAsFilter(string condition)
        {
            var text = condition.Trim();
            if (text.Length < 2 || text[0] != '$' || text.StartsWith("$[?", StringComparison.Ordinal))
            {
                return null;
            }

            return "$[?" + text + "]";
        }

        private static bool EvaluateXPath(string condition, JsonNode? context)
        {
            var xml = context is JsonValue v && v.TryGetValue<string>(out var s) ? s : JsonUtil.Render(context);
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 50_000_000 };
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            var navigator = new XPathDocument(reader).CreateNavigator();
            var result = navigator.Evaluate(condition);
            switch (result)
            {
                case bool b:
                    return b;
                case double d:
                    return !double.IsNaN(d) && d != 0;
                case string text:
                    return text.Length > 0;
                case XPathNodeIterator nodes:
                    return nodes.MoveNext();
                default:
                    return result != null;
            }
        }

        /// <summary>Checks that an XPath expression compiles.</summary>
        public static bool IsXPath(string condition, out string? error)
        {
            try
            {
                XPathExpression.Compile(condition);
                error = null;
                return true;
            }
            catch (XPathException e)
            {
                error = e.Message;
                return false;
            }
        }
    }
}
