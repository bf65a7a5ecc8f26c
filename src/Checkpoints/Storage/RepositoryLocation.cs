using System;
using System.Text;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// Where a repository lives, as a user names it with <c>-Repository</c> (or <c>$env:DAYTONA_CHECKPOINT_REPOSITORY</c>),
    /// parsed once:
    /// <list type="bullet">
    /// <item>a folder: a file-system path (the cmdlets resolve PowerShell paths first, see <see cref="ForFolder"/>);</item>
    /// <item><c>az://&lt;container&gt;/&lt;prefix&gt;</c>: Azure Blob Storage, the account from the environment
    ///   (<c>AZURE_STORAGE_CONNECTION_STRING</c>, <c>AZURE_STORAGE_ACCOUNT</c>);</item>
    /// <item><c>https://&lt;account&gt;.blob.core.windows.net/&lt;container&gt;/&lt;prefix&gt;</c> (other Azure clouds'
    ///   <c>.blob.</c> endpoints too), optionally with a SAS as its query; and the emulator's path style,
    ///   <c>http(s)://&lt;host&gt;:&lt;port&gt;/&lt;account&gt;/&lt;container&gt;/&lt;prefix&gt;</c> for an IP address or
    ///   <c>localhost</c>;</item>
    /// <item><c>s3://&lt;bucket&gt;/&lt;prefix&gt;</c>: S3 or an S3-compatible server, region, endpoint and keys from
    ///   the environment (<c>AWS_REGION</c>, <c>AWS_ENDPOINT_URL_S3</c>, <c>AWS_ENDPOINT_URL</c>, profiles).</item>
    /// </list>
    /// <see cref="ToString"/> is safe to show: a SAS or any other query is never part of it.
    /// </summary>
    public sealed class RepositoryLocation
    {
        private RepositoryLocation(StorageKind kind, string display)
        {
            Kind = kind;
            Display = display;
        }

        public StorageKind Kind { get; }

        /// <summary>The folder's full path (<see cref="StorageKind.Folder"/>).</summary>
        public string? Path { get; private set; }

        /// <summary>The Azure storage account, when the location names it (https form); null for az:// (the environment says).</summary>
        public string? Account { get; private set; }

        /// <summary>The Azure blob service endpoint the https form names (scheme, host, port; with the account segment for the emulator's path style).</summary>
        public Uri? ServiceUri { get; private set; }

        /// <summary>The Azure container or the S3 bucket.</summary>
        public string? Container { get; private set; }

        /// <summary>The S3 bucket (the same as <see cref="Container"/>).</summary>
        public string? Bucket => Kind == StorageKind.S3 ? Container : null;

        /// <summary>The prefix of every key in the container or bucket: empty, or ending with '/'.</summary>
        public string Prefix { get; private set; } = string.Empty;

        /// <summary>The query of the https form (a SAS token) without its '?'; a secret, never shown.</summary>
        public string? SasToken { get; private set; }

        /// <summary>The location as the user may see it (no secret).</summary>
        public string Display { get; }

        public override string ToString() => Display;

        /// <summary>A folder repository at a full file-system path.</summary>
        public static RepositoryLocation ForFolder(string fullPath) =>
            new RepositoryLocation(StorageKind.Folder, fullPath) { Path = fullPath };

        /// <summary>
        /// True when <paramref name="value"/> is written as a URL (scheme://…) rather than a path: such values are parsed
        /// here and never resolved as paths. A Windows drive path (C:\…, C:/…) is not a URL.
        /// </summary>
        public static bool LooksLikeUrl(string value)
        {
            var colon = value.IndexOf("://", StringComparison.Ordinal);
            if (colon < 2)
            {
                return false;
            }

            for (var i = 0; i < colon; i++)
            {
                var c = value[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Parses a URL form; <c>CheckpointRepositoryLocationInvalid</c> when it is malformed or of an unknown kind.</summary>
        public static RepositoryLocation ParseUrl(string value)
        {
            var text = value.Trim();
            var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
            if (schemeEnd < 0)
            {
                throw StorageErrors.BadLocation(Redact(text), "it is not a URL.");
            }

            var scheme = text.Substring(0, schemeEnd).ToLowerInvariant();
            switch (scheme)
            {
                case "az":
                    return ParseBucketForm(StorageKind.AzureBlob, "az", text.Substring(schemeEnd + 3), text);
                case "s3":
                    return ParseBucketForm(StorageKind.S3, "s3", text.Substring(schemeEnd + 3), text);
                case "https":
                case "http":
                    return ParseBlobEndpoint(text);
                default:
                    throw StorageErrors.BadLocation(Redact(text), $"the scheme '{scheme}' is not one this module knows.");
            }
        }

        private static RepositoryLocation ParseBucketForm(StorageKind kind, string scheme, string rest, string original)
        {
            var query = rest.IndexOf('?');
            if (query >= 0)
            {
                throw StorageErrors.BadLocation(Redact(original), $"{scheme}:// locations take no query; credentials come from the environment.");
            }

            var slash = rest.IndexOf('/');
            var container = slash < 0 ? rest : rest.Substring(0, slash);
            var prefix = slash < 0 ? string.Empty : rest.Substring(slash + 1);
            var what = kind == StorageKind.S3 ? "bucket" : "container";
            CheckContainer(kind, container, original, what);
            var normalized = NormalizePrefix(prefix, original);
            return new RepositoryLocation(kind, scheme + "://" + container + "/" + normalized)
            {
                Container = container,
                Prefix = normalized,
            };
        }

        private static RepositoryLocation ParseBlobEndpoint(string original)
        {
            if (!Uri.TryCreate(original, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                throw StorageErrors.BadLocation(Redact(original), "it is not a well-formed URL.");
            }

            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                throw StorageErrors.BadLocation(Redact(original), "a repository URL carries no user name or password.");
            }

            var segments = uri.AbsolutePath.Trim('/');
            var parts = segments.Length == 0 ? Array.Empty<string>() : segments.Split(new[] { '/' }, 2);
            var host = uri.Host;
            var sas = uri.Query.Length > 1 ? uri.Query.Substring(1) : null;
            var authority = uri.GetLeftPart(UriPartial.Authority);
            string account;
            string containerAndPrefix;
            Uri service;
            var labels = host.Split('.');
            if (labels.Length > 2 && string.Equals(labels[1], "blob", StringComparison.OrdinalIgnoreCase))
            {
                // https://<account>.blob.core.windows.net/<container>/<prefix> (and the other Azure clouds' suffixes).
                account = labels[0];
                containerAndPrefix = segments;
                service = new Uri(authority + "/");
            }
            else if (uri.HostNameType == UriHostNameType.IPv4 || uri.HostNameType == UriHostNameType.IPv6 || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                // The emulator's path style: http://127.0.0.1:10000/<account>/<container>/<prefix>.
                if (parts.Length < 2)
                {
                    throw StorageErrors.BadLocation(Redact(original), "an emulator URL names the account and the container: http://127.0.0.1:10000/<account>/<container>/<prefix>.");
                }

                account = parts[0];
                containerAndPrefix = parts[1];
                service = new Uri(authority + "/" + account + "/");
            }
            else
            {
                throw StorageErrors.BadLocation(Redact(original), $"{host} is not an Azure Blob Storage endpoint (<account>.blob.core.windows.net).");
            }

            var slash = containerAndPrefix.IndexOf('/');
            var container = slash < 0 ? containerAndPrefix : containerAndPrefix.Substring(0, slash);
            var prefix = slash < 0 ? string.Empty : containerAndPrefix.Substring(slash + 1);
            CheckContainer(StorageKind.AzureBlob, container, original, "container");
            var normalized = NormalizePrefix(Uri.UnescapeDataString(prefix), original);
            return new RepositoryLocation(StorageKind.AzureBlob, service.GetLeftPart(UriPartial.Path) + container + "/" + normalized)
            {
                Account = account,
                ServiceUri = service,
                Container = container,
                Prefix = normalized,
                SasToken = sas,
            };
        }

        private static void CheckContainer(StorageKind kind, string container, string original, string what)
        {
            if (container.Length == 0)
            {
                throw StorageErrors.BadLocation(Redact(original), $"the {what} is missing.");
            }

            // Azure containers: 3-63 of a-z, 0-9 and '-'; S3 buckets: 3-63 of a-z, 0-9, '-' and '.'.
            var valid = container.Length >= 3 && container.Length <= 63;
            foreach (var c in container)
            {
                valid &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (kind == StorageKind.S3 && c == '.');
            }

            if (!valid)
            {
                throw StorageErrors.BadLocation(Redact(original),
                    $"'{container}' is not a valid {what} name (3 to 63 lower-case letters, digits and hyphens{(kind == StorageKind.S3 ? " or dots" : string.Empty)}).");
            }
        }

        private static string NormalizePrefix(string prefix, string original)
        {
            var trimmed = prefix.Trim('/');
            if (trimmed.Length == 0)
            {
                return string.Empty;
            }

            foreach (var segment in trimmed.Split('/'))
            {
                if (segment.Length == 0 || segment == "." || segment == "..")
                {
                    throw StorageErrors.BadLocation(Redact(original), $"the prefix '{prefix}' has an empty, '.' or '..' segment.");
                }
            }

            return trimmed + "/";
        }

        /// <summary>A URL as it may be shown: without its query (a SAS) and without user info.</summary>
        public static string Redact(string url)
        {
            var query = url.IndexOf('?');
            var text = query >= 0 ? url.Substring(0, query) + "?<redacted>" : url;
            var scheme = text.IndexOf("://", StringComparison.Ordinal);
            var at = text.IndexOf('@');
            var slash = scheme >= 0 ? text.IndexOf('/', scheme + 3) : -1;
            if (scheme >= 0 && at > scheme && (slash < 0 || at < slash))
            {
                text = text.Substring(0, scheme + 3) + "<redacted>@" + text.Substring(at + 1);
            }

            return text;
        }
    }
}
