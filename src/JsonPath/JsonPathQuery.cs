// Daytona.JsonPath — an RFC 9535 JSONPath evaluator over System.Text.Json.Nodes, written for this project: no
// JSONPath library is available on the package registry here, so this is our own.
//
// README: `JsonPathQuery.Parse("$.store.book[?@.price < 10].title").Select(JsonNode.Parse(json))` returns the RFC 9535
// nodelist in document order; each JsonPathNode carries the document's own node (null = JSON null, never re-parented)
// and its normalized path (`$['store']['book'][0]['title']`). Proven against the JSONPath Compliance Test Suite
// (../shared/conformance/jsonpath-cts/cts.json): all 703 cases pass, with no exceptions (tests/JsonPath.Tests).
//
// Scope: the whole RFC — root/current identifiers; name, wildcard, index, slice and filter selectors; child and
// descendant segments; filters with comparisons (Nothing, int/float equality, code-point string order, deep equality),
// && || ! and parentheses, existence tests; functions length/count/match/search/value with the §2.4 type system checked
// at parse time; I-Regexp (RFC 9485) translated to .NET regex by code point (see InteroperableRegexTranslator.cs); integers within
// ±(2^53-1); string escapes including surrogate pairs; blank-space rules.
//
// Design: a query is parsed once into an evaluation tree (Parser.cs → Evaluation.cs). Evaluation allocates no LINQ,
// reuses scratch lists, tracks locations only for the top-level query (as parent links, turned into strings lazily),
// and walks descendant segments and deep equality with explicit stacks, so document depth cannot overflow the stack.
// Query nesting is limited to Parser.MaxNesting levels. A compiled query is immutable and safe to share across threads.
// Numbers compare as IEEE doubles (exact for integers up to 2^53). A regex match exceeding 2 s counts as no match.
using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace Daytona.JsonPath;

/// <summary>A parsed (compiled) RFC 9535 JSONPath query.</summary>
public sealed class JsonPathQuery
{
    private readonly Query _query;

    private JsonPathQuery(string text, Query query)
    {
        Text = text;
        _query = query;
    }

    /// <summary>The query text as given.</summary>
    public string Text { get; }

    /// <summary>Parses and validates a query; throws <see cref="JsonPathException"/> when it is not a valid RFC 9535 query.</summary>
    public static JsonPathQuery Parse(string text)
    {
        if (text is null) throw new ArgumentNullException(nameof(text));
        return new JsonPathQuery(text, Parser.ParseQuery(text));
    }

    /// <summary>Parses a query without throwing; on failure <paramref name="error"/> says what is wrong and where.</summary>
    public static bool TryParse(string text, out JsonPathQuery? query, out string? error)
    {
        if (text is null)
        {
            query = null;
            error = "the query is null";
            return false;
        }
        try
        {
            query = new JsonPathQuery(text, Parser.ParseQuery(text));
            error = null;
            return true;
        }
        catch (JsonPathException ex)
        {
            query = null;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>
    /// Applies the query to <paramref name="root"/> (a null root is the JSON value null) and returns the resulting
    /// nodelist in RFC 9535 order: document order for arrays, insertion order for object members.
    /// </summary>
    public IReadOnlyList<JsonPathNode> Select(JsonNode? root) => Select(root, long.MaxValue, default);

    /// <summary>
    /// As <see cref="Select(JsonNode?)"/>, within a budget of nodes visited or selected (past it,
    /// <see cref="JsonPathLimitException"/>) and observing <paramref name="cancellationToken"/> as it goes.
    /// </summary>
    public IReadOnlyList<JsonPathNode> Select(JsonNode? root, long maxNodes, System.Threading.CancellationToken cancellationToken)
    {
        var ctx = new EvalContext(root, maxNodes, cancellationToken);
        var items = new List<Item>();
        _query.Evaluate(ctx, root, track: true, items);
        if (items.Count == 0) return Array.Empty<JsonPathNode>();
        var result = new JsonPathNode[items.Count];
        for (int i = 0; i < result.Length; i++) result[i] = new JsonPathNode(items[i].Value, items[i].Path);
        return result;
    }

    /// <summary>
    /// How many nodes the query selects, within the same budget as <see cref="Select(JsonNode?, long, System.Threading.CancellationToken)"/>,
    /// without building their locations or the nodelist (depth first: a query near its budget holds one node's selections
    /// per segment, not a million nodes).
    /// </summary>
    public int Count(JsonNode? root, long maxNodes, System.Threading.CancellationToken cancellationToken)
    {
        var ctx = new EvalContext(root, maxNodes, cancellationToken);
        return checked((int)_query.Count(ctx, root));
    }

    public override string ToString() => Text;
}
