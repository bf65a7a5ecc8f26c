using System;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Daytona.Arazzo.Expressions
{
    /// <summary>
    /// A received body kept as its bytes: JSON is parsed straight from them (the parsed document refers to the
    /// array, no string and no UTF-8 copy of it are made), and the text is decoded the way HttpContent.ReadAsStringAsync
    /// decodes it, only when something asks for the text.
    /// </summary>
    internal static class BodyBytes
    {
        private static readonly JsonDocumentOptions s_options = new JsonDocumentOptions { MaxDepth = 256 };

        /// <summary>True when the bytes are UTF-8 as far as the declared charset says (none declared counts as UTF-8).</summary>
        public static bool IsUtf8(Encoding? encoding) => encoding == null || encoding.CodePage == Encoding.UTF8.CodePage;

        /// <summary>Parses UTF-8 JSON from <paramref name="bytes"/>; false when it is not JSON (or not UTF-8).</summary>
        public static bool TryParseJson(byte[] bytes, out JsonNode? node)
        {
            node = null;
            int start = 0;
            if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
            {
                start = 3;
            }
            else if (bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)))
            {
                return false; // UTF-16 or UTF-32 by its byte order mark: the text path decodes it
            }

            if (bytes.Length - start == 0)
            {
                return false;
            }

            try
            {
                // Not disposed: the nodes read their values from the document (as JsonNode.Parse's do).
                var document = JsonDocument.Parse(new ReadOnlyMemory<byte>(bytes, start, bytes.Length - start), s_options);
                var root = document.RootElement;
                switch (root.ValueKind)
                {
                    case JsonValueKind.Object:
                        node = JsonObject.Create(root);
                        break;
                    case JsonValueKind.Array:
                        node = JsonArray.Create(root);
                        break;
                    case JsonValueKind.Null:
                        node = null;
                        break;
                    default:
                        node = JsonValue.Create(root);
                        break;
                }

                return true;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        /// <summary>Decodes as HttpContent.ReadAsStringAsync does: the declared charset, else a byte order mark, else UTF-8; a leading mark is skipped.</summary>
        public static string Decode(byte[] bytes, Encoding? encoding)
        {
            if (bytes.Length == 0)
            {
                return string.Empty;
            }

            int skip = 0;
            if (encoding == null)
            {
                foreach (var candidate in new Encoding[] { Encoding.UTF8, Encoding.UTF32, Encoding.Unicode, Encoding.BigEndianUnicode })
                {
                    var mark = candidate.GetPreamble();
                    if (StartsWith(bytes, mark))
                    {
                        encoding = candidate;
                        skip = mark.Length;
                        break;
                    }
                }

                encoding ??= Encoding.UTF8;
            }
            else
            {
                var mark = encoding.GetPreamble();
                if (StartsWith(bytes, mark))
                {
                    skip = mark.Length;
                }
            }

            return encoding.GetString(bytes, skip, bytes.Length - skip);
        }

        private static bool StartsWith(byte[] bytes, byte[] mark)
        {
            if (mark.Length == 0 || bytes.Length < mark.Length)
            {
                return false;
            }

            for (int i = 0; i < mark.Length; i++)
            {
                if (bytes[i] != mark[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
