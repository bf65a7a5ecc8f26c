using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Daytona.Arazzo.Expressions;

namespace Daytona.Arazzo.Execution
{
    /// <summary>
    /// Keeps secrets off every stream: values of inputs named like a token, key, secret or password, credential
    /// headers (Authorization, Cookie, API keys) and secret-looking query parameters are shown as ***.
    /// </summary>
    public sealed class Redactor
    {
        private static readonly Regex s_secretName = new Regex("token|key|secret|password|passwd|pwd|credential|authorization|auth|cookie|session|signature|bearer", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private readonly List<string> _values = new List<string>();
        private readonly List<string> _escaped = new List<string>();

        public const string Mask = "***";

        public static bool IsSecretName(string name) => s_secretName.IsMatch(name);

        /// <summary>Registers the secret-named values of an inputs object (recursively).</summary>
        public void AddInputs(JsonObject inputs) => Collect(inputs, false, 0);

        public void AddSecret(string? value)
        {
            if (!string.IsNullOrEmpty(value) && value!.Length >= 3 && !_values.Contains(value))
            {
                _values.Add(value);
                _values.Sort((a, b) => b.Length.CompareTo(a.Length));
                _escaped.Clear();
                _escaped.AddRange(_values.Select(Uri.EscapeDataString).Where((e, i) => e != _values[i]));
            }
        }

        private void Collect(JsonNode? node, bool secret, int depth)
        {
            if (depth > 32)
            {
                return;
            }

            switch (node)
            {
                case JsonObject obj:
                    foreach (var pair in obj)
                    {
                        Collect(pair.Value, secret || IsSecretName(pair.Key), depth + 1);
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Collect(item, secret, depth + 1);
                    }

                    break;
                case JsonValue value when secret:
                    AddSecret(JsonUtil.Render(value));
                    break;
            }
        }

        /// <summary>Replaces every registered secret in the text.</summary>
        public string Redact(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text ?? string.Empty;
            }

            var result = text!;
            foreach (var secret in _values)
            {
                if (result.IndexOf(secret, StringComparison.Ordinal) >= 0)
                {
                    result = result.Replace(secret, Mask);
                }
            }

            foreach (var escaped in _escaped)
            {
                if (result.IndexOf(escaped, StringComparison.Ordinal) >= 0)
                {
                    result = result.Replace(escaped, Mask);
                }
            }

            return result;
        }

        /// <summary>A URL with secret-named query values masked and registered secrets removed.</summary>
        public string RedactUrl(string url)
        {
            var question = url.IndexOf('?');
            if (question >= 0)
            {
                var query = url.Substring(question + 1).Split('&').Select(part =>
                {
                    var equals = part.IndexOf('=');
                    if (equals > 0 && IsSecretName(Uri.UnescapeDataString(part.Substring(0, equals))))
                    {
                        return part.Substring(0, equals + 1) + Mask;
                    }

                    return part;
                });
                url = url.Substring(0, question + 1) + string.Join("&", query);
            }

            return Redact(url);
        }

        /// <summary>A header value as it may be shown.</summary>
        public string RedactHeader(string name, string value) => IsSecretName(name) ? Mask : Redact(value);
    }
}
