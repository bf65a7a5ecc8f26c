using System.Globalization;
using System.Net;
using System.Text;

namespace Daytona.Checkpoints.Server.Http;

/// <summary>One line of an index page: a name (a folder's ends with '/'), its link, and what the line shows beside it.</summary>
internal readonly record struct IndexLine(string Name, string Href, DateTime? Date, long? Size);

/// <summary>
/// Index pages in the look Pulp gives its checkpoint listings (nginx's autoindex): a title, <c>../</c> except at the
/// root, one link per line padded to a column of dates (<c>18-Mar-2025 14:03</c>, UTC) and sizes (<c>1.0 kB</c>,
/// <c>228 Bytes</c>), names in ordinal order.
/// </summary>
internal static class IndexPage
{
    public static string Render(string path, IEnumerable<IndexLine> lines, bool root)
    {
        var title = WebUtility.HtmlEncode(path);
        var html = new StringBuilder(512);
        html.Append("<html>\n<head><title>Index of ").Append(title).Append("</title></head>\n<body bgcolor=\"white\">\n<h1>Index of ")
            .Append(title).Append("</h1>\n<hr><pre>");
        if (!root)
        {
            html.Append("<a href=\"../\">../</a>");
        }

        html.Append('\n');
        foreach (var line in lines.OrderBy(l => l.Name, StringComparer.Ordinal))
        {
            var name = WebUtility.HtmlEncode(line.Name);
            html.Append("<a href=\"").Append(WebUtility.HtmlEncode(line.Href)).Append("\">").Append(name).Append("</a>");
            html.Append(' ', Math.Max(0, 100 - name.Length));
            if (line.Date is DateTime date)
            {
                html.Append(date.ToString("dd-MMM-yyyy HH:mm", CultureInfo.InvariantCulture));
            }

            html.Append("  ");
            if (line.Size is long size)
            {
                html.Append(FormatSize(size));
            }

            html.Append('\n');
        }

        html.Append("</pre><hr></body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Sizes as Pulp's pages write them (decimal units): <c>1 Byte</c>, <c>228 Bytes</c>, <c>1.0 kB</c>, <c>4.2 MB</c>.</summary>
    public static string FormatSize(long bytes)
    {
        if (bytes == 1)
        {
            return "1 Byte";
        }

        if (bytes < 1000)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " Bytes";
        }

        string[] prefixes = { "kB", "MB", "GB", "TB", "PB", "EB" };
        double unit = 1000;
        foreach (var prefix in prefixes)
        {
            unit *= 1000;
            if (bytes < unit || prefix == "EB")
            {
                return (1000 * bytes / unit).ToString("0.0", CultureInfo.InvariantCulture) + " " + prefix;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
