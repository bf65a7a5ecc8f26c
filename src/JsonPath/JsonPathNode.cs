using System.Text.Json.Nodes;

namespace Daytona.JsonPath;

/// <summary>
/// One node of a JSONPath result nodelist: the value (a <c>null</c> <see cref="JsonNode"/> stands for JSON null) and its
/// location as an RFC 9535 normalized path such as <c>$['a'][0]</c>.
/// </summary>
public readonly struct JsonPathNode
{
    private readonly PathLink? _path;

    internal JsonPathNode(JsonNode? value, PathLink? path)
    {
        Value = value;
        _path = path;
    }

    /// <summary>The selected value. It is the document's own node (never a copy); <c>null</c> means JSON null.</summary>
    public JsonNode? Value { get; }

    /// <summary>The normalized path of the node (RFC 9535 §2.7), relative to the root passed to Select.</summary>
    public string Location => PathLink.ToNormalizedPath(_path);

    public override string ToString() => Location + " = " + (Value is null ? "null" : Value.ToJsonString());
}
