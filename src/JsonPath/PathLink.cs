using System.Text;

namespace Daytona.JsonPath;

/// <summary>
/// A node's location as a parent-linked chain; the root is represented by <c>null</c>. Building the normalized path
/// string is deferred until someone reads <see cref="JsonPathNode.Location"/>, and is done without recursion.
/// </summary>
internal sealed class PathLink
{
    public readonly PathLink? Parent;
    public readonly string? Name;  // member name, or null for an array index
    public readonly int Index;
    private string? _text;

    public PathLink(PathLink? parent, string name)
    {
        Parent = parent;
        Name = name;
    }

    public PathLink(PathLink? parent, int index)
    {
        Parent = parent;
        Index = index;
    }

    public static string ToNormalizedPath(PathLink? link)
    {
        if (link is null) return "$";
        var cached = link._text;
        if (cached != null) return cached;

        int depth = 0;
        for (var l = link; l != null; l = l.Parent) depth++;
        var chain = new PathLink[depth];
        int k = depth;
        for (var l = link; l != null; l = l.Parent) chain[--k] = l;

        var sb = new StringBuilder(depth * 8 + 1);
        sb.Append('$');
        foreach (var l in chain)
        {
            if (l.Name is null)
            {
                sb.Append('[').Append(l.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                sb.Append("['");
                AppendEscaped(sb, l.Name);
                sb.Append("']");
            }
        }
        var text = sb.ToString();
        link._text = text;
        return text;
    }

    /// <summary>RFC 9535 §2.7 normal-single-quoted: \b \f \n \r \t \' \\ and \u00xx (lowercase) for other controls.</summary>
    internal static void AppendEscaped(StringBuilder sb, string name)
    {
        foreach (char c in name)
        {
            switch (c)
            {
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\'': sb.Append("\\'"); break;
                case '\\': sb.Append("\\\\"); break;
                default:
                    if (c < 0x20)
                    {
                        const string hex = "0123456789abcdef";
                        sb.Append("\\u00").Append(hex[c >> 4]).Append(hex[c & 0xF]);
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
    }
}
