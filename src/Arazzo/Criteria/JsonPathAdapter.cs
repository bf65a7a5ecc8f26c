using System;
using System.Text.Json.Nodes;
using Daytona.JsonPath;

namespace Daytona.Arazzo.Criteria
{
    /// <summary>The one place the engine talks to the RFC 9535 evaluator (Daytona.JsonPath).</summary>
    internal static class JsonPathAdapter
    {
        public static bool TryParse(string text, out object? query, out string? error)
        {
            var ok = JsonPathQuery.TryParse(text, out var parsed, out error);
            query = parsed;
            return ok;
        }

        public static object Parse(string text) => JsonPathQuery.Parse(text);

        /// <summary>The most nodes one criterion's query may visit or select; a query past it is an error naming the criterion.</summary>
        public const long MaxNodes = 1_000_000;

        public static int Count(object query, JsonNode? root, System.Threading.CancellationToken cancellationToken = default) =>
            ((JsonPathQuery)query).Count(root, MaxNodes, cancellationToken);

        public static bool IsQueryError(Exception e) => e is JsonPathException || e is JsonPathLimitException;
    }
}
