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

        public static int Count(object query, JsonNode? root) => ((JsonPathQuery)query).Select(root).Count;

        public static bool IsQueryError(Exception e) => e is JsonPathException;
    }
}
