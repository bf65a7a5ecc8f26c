using System;
using System.Text.RegularExpressions;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// Removes secrets from text that may reach a stream or an error message: account keys and SAS signatures in
    /// connection strings and URLs, AWS secret keys and session tokens. Every message a storage backend builds from
    /// user or service text goes through <see cref="Text"/>.
    /// </summary>
    public static class Redaction
    {
        public const string Mask = "***";

        private static readonly Regex s_connectionSecrets = new Regex(
            @"(?<name>AccountKey|SharedAccessSignature|SharedAccessKey|AWSSecretAccessKey|SecretAccessKey|SessionToken)\s*=\s*(?<value>[^;\s""']+)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        // SAS query parameters that carry or complete the signature; the rest (sv, sp, se…) are not secret.
        private static readonly Regex s_queryParameters = new Regex(
            @"(?<name>[?&](sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|skoid|sktid|sks|skv|saoid|suoid))=(?<value>[^&\s""'#]+)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary><paramref name="text"/> with every secret replaced by <see cref="Mask"/>.</summary>
        public static string Text(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text ?? string.Empty;
            }

            var result = s_connectionSecrets.Replace(text, m => m.Groups["name"].Value + "=" + Mask);
            return s_queryParameters.Replace(result, m => m.Groups["name"].Value + "=" + Mask);
        }

        /// <summary>A URL with no query string (where a SAS lives) and no user information.</summary>
        public static string Url(Uri url)
        {
            var builder = new UriBuilder(url) { Query = string.Empty, UserName = string.Empty, Password = string.Empty };
            return builder.Uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped);
        }
    }
}
