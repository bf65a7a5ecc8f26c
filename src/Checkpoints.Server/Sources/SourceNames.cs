using System.Security.Cryptography;
using System.Text;

namespace Daytona.Checkpoints.Server.Sources;

/// <summary>One stream of checkpoints before it has a URL: which checkpoints belong together and the name it asks for.</summary>
/// <param name="Key">What ties the checkpoints together: <c>label:&lt;label&gt;</c>, else <c>source:&lt;source&gt;</c>, with the repository.</param>
/// <param name="Wanted">The URL-safe base path it would like.</param>
/// <param name="Explicit">True when the name comes from a label given at capture.</param>
/// <param name="FirstTicks">When its first checkpoint was taken (older streams keep a shared name).</param>
internal readonly record struct SourceClaim(string Key, string Wanted, bool Explicit, long FirstTicks);

/// <summary>
/// The URL base path of each source. A source is reached at its label, made URL-safe, or by default at its folder's
/// name (<c>daytona-&lt;host&gt;</c> for snapshot definitions). When two sources want the same path, a label given at
/// capture wins over a folder name, then the source whose first checkpoint is older; every other one is served at
/// <c>&lt;name&gt;-&lt;8 hex digits of SHA-256 of its key&gt;</c>, a name that never changes. So a pinned URL keeps
/// pointing at the same source when another source of the same name appears later.
/// </summary>
internal static class SourceNames
{
    private const string Fallback = "checkpoints";

    /// <summary>The name a source asks for when no label says otherwise.</summary>
    public static string Default(string source)
    {
        if (source.StartsWith("daytona:", StringComparison.Ordinal))
        {
            return Uri.TryCreate(source.Substring("daytona:".Length), UriKind.Absolute, out var api)
                ? Slug("daytona-" + api.Host + (api.IsDefaultPort ? string.Empty : "-" + api.Port))
                : "daytona";
        }

        var trimmed = source.TrimEnd('/', '\\');
        var slash = trimmed.LastIndexOfAny(new[] { '/', '\\' });
        return Slug(slash >= 0 ? trimmed.Substring(slash + 1) : trimmed);
    }

    /// <summary>
    /// A URL-safe path segment: ASCII letters, digits, '.', '_', '~' and '-' stay, every run of other characters becomes
    /// one '-'; no leading '.', '_', '~' or '-' (paths starting with '_' are the server's own) and no trailing '-' or '.'.
    /// </summary>
    public static string Slug(string name)
    {
        var text = new StringBuilder(name.Length);
        var dash = false;
        foreach (var c in name)
        {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '~' || c == '-')
            {
                if (c == '-')
                {
                    if (dash)
                    {
                        continue;
                    }

                    dash = true;
                }
                else
                {
                    dash = false;
                }

                text.Append(c);
            }
            else if (!dash)
            {
                text.Append('-');
                dash = true;
            }
        }

        var slug = text.ToString().TrimStart('.', '_', '~', '-').TrimEnd('-', '.');
        return slug.Length == 0 ? Fallback : slug;
    }

    /// <summary>The base path of every claim (same order), with clashes resolved as the class summary says.</summary>
    public static string[] Assign(IReadOnlyList<SourceClaim> claims)
    {
        var result = new string[claims.Count];
        foreach (var group in Enumerable.Range(0, claims.Count).GroupBy(i => claims[i].Wanted, StringComparer.Ordinal))
        {
            var ordered = group
                .OrderByDescending(i => claims[i].Explicit)
                .ThenBy(i => claims[i].FirstTicks)
                .ThenBy(i => claims[i].Key, StringComparer.Ordinal)
                .ToList();
            result[ordered[0]] = group.Key;
            foreach (var other in ordered.Skip(1))
            {
                result[other] = group.Key + "-" + ShortHash(claims[other].Key);
            }
        }

        return result;
    }

    private static string ShortHash(string key) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0, 4).ToLowerInvariant();
}
