using System;

namespace Daytona.JsonPath;

/// <summary>
/// Thrown by <see cref="JsonPathQuery.Parse"/> when a query is not well-formed or not valid per RFC 9535
/// (syntax errors, out-of-range integers, non-singular queries where a value is needed, function well-typedness errors).
/// </summary>
public sealed class JsonPathException : FormatException
{
    public JsonPathException(string message, int position)
        : base(message + " (at position " + position.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")")
    {
        Position = position;
        Reason = message;
    }

    /// <summary>Zero-based index into the query text where the problem was found.</summary>
    public int Position { get; }

    /// <summary>The message without the position suffix.</summary>
    public string Reason { get; }
}

/// <summary>
/// Thrown by <see cref="JsonPathQuery.Select(System.Text.Json.Nodes.JsonNode?, long, System.Threading.CancellationToken)"/>
/// when evaluating a query visits or selects more nodes than its budget (a query such as <c>$..*..*..*</c> over a large
/// document grows its nodelists without bound otherwise).
/// </summary>
public sealed class JsonPathLimitException : Exception
{
    public JsonPathLimitException(long budget)
        : base("the query visited or selected more than " + budget.ToString(System.Globalization.CultureInfo.InvariantCulture) + " nodes")
    {
        Budget = budget;
    }

    /// <summary>The node budget that was exceeded.</summary>
    public long Budget { get; }
}
