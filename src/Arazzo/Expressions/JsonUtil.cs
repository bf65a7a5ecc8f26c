using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Daytona.Arazzo.Expressions
{
    /// <summary>Helpers over System.Text.Json nodes: JSON Pointer, rendering, conversion to plain .NET values.</summary>
    public static class JsonUtil
    {
        public static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

        /// <summary>Resolves an RFC 6901 pointer; false when a token does not exist.</summary>
        public static bool TryResolvePointer(JsonNode? root, string? pointer, out JsonNode? value)
        {
            value = root;
            if (string.IsNullOrEmpty(pointer))
            {
                return true;
            }

            foreach (var token in RuntimeExpression.PointerTokens(pointer!))
            {
                switch (value)
                {
                    case JsonObject obj when obj.TryGetPropertyValue(token, out var child):
                        value = child;
                        break;
                    case JsonArray array when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count && (token == "0" || token[0] != '0'):
                        value = array[index];
                        break;
                    default:
                        value = null;
                        return false;
                }
            }

            return true;
        }

        /// <summary>Sets the value at a pointer (creating the last object member), for payload replacements.</summary>
        public static bool TrySetPointer(ref JsonNode? root, string pointer, JsonNode? value)
        {
            if (pointer.Length == 0)
            {
                root = value;
                return true;
            }

            var tokens = RuntimeExpression.PointerTokens(pointer);
            var current = root;
            for (var i = 0; i < tokens.Count - 1; i++)
            {
                if (!TryResolvePointer(current, "/" + Escape(tokens[i]), out current))
                {
                    return false;
                }
            }

            var last = tokens[tokens.Count - 1];
            switch (current)
            {
                case JsonObject obj:
                    obj[last] = value;
                    return true;
                case JsonArray array when last == "-":
                    array.Add(value);
                    return true;
                case JsonArray array when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count:
                    array[index] = value;
                    return true;
                default:
                    return false;
            }
        }

        private static string Escape(string token) => token.Replace("~", "~0").Replace("/", "~1");

        /// <summary>Text for embedding in strings: strings as they are, null as empty, everything else as JSON.</summary>
        public static string Render(JsonNode? value)
        {
            if (value == null)
            {
                return string.Empty;
            }

            if (value is JsonValue scalar && scalar.TryGetValue<string>(out var text))
            {
                return text;
            }

            return value.ToJsonString();
        }

        public static string Kind(JsonNode? node) => node switch
        {
            null => "null",
            JsonObject _ => "object",
            JsonArray _ => "array",
            JsonValue v => v.GetValueKind() switch
            {
                JsonValueKind.String => "string",
                JsonValueKind.Number => "number",
                JsonValueKind.True => "boolean",
                JsonValueKind.False => "boolean",
                _ => "null",
            },
            _ => "unknown",
        };

        public static bool TryGetNumber(JsonNode? node, out double number)
        {
            number = 0;
            if (node is JsonValue value)
            {
                // Fast paths for the common representations; text parsing only for the rest (e.g. decimal).
                if (value.TryGetValue<int>(out var i))
                {
                    number = i;
                    return true;
                }

                if (value.TryGetValue<long>(out var l))
                {
                    number = l;
                    return true;
                }

                if (value.TryGetValue<double>(out var d))
                {
                    number = d;
                    return true;
                }

                if (value.GetValueKind() == JsonValueKind.Number)
                {
                    return double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
                }
            }

            return false;
        }

        public static bool TryGetString(JsonNode? node, out string text)
        {
            text = string.Empty;
            if (node is JsonValue value && value.TryGetValue<string>(out var s))
            {
                text = s;
                return true;
            }

            return false;
        }

        /// <summary>Parses JSON text; null when it is not JSON.</summary>
        public static bool TryParseJson(string text, out JsonNode? node)
        {
            node = null;
            if (string.IsNullOrWhiteSpace(text))
            {
                return false;
            }

            try
            {
                node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
                return true;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        /// <summary>Converts .NET values (dictionaries, lists, primitives) to JSON nodes.</summary>
        public static JsonNode? FromObject(object? value, int depth = 0)
        {
            if (depth > 64)
            {
                throw new ArgumentException("The value nests too deeply.");
            }

            switch (value)
            {
                case null:
                    return null;
                case JsonNode node:
                    return node.DeepClone();
                case string s:
                    return JsonValue.Create(s);
                case bool b:
                    return JsonValue.Create(b);
                case int i:
                    return JsonValue.Create(i);
                case long l:
                    return JsonValue.Create(l);
                case short sh:
                    return JsonValue.Create(sh);
                case byte by:
                    return JsonValue.Create(by);
                case uint ui:
                    return JsonValue.Create(ui);
                case ulong ul:
                    return JsonValue.Create(ul);
                case double d:
                    return JsonValue.Create(d);
                case float f:
                    return JsonValue.Create(f);
                case decimal m:
                    return JsonValue.Create(m);
                case char c:
                    return JsonValue.Create(c.ToString());
                case DateTime dt:
                    return JsonValue.Create(dt.ToString("o", CultureInfo.InvariantCulture));
                case DateTimeOffset dto:
                    return JsonValue.Create(dto.ToString("o", CultureInfo.InvariantCulture));
                case Guid g:
                    return JsonValue.Create(g.ToString());
                case Uri u:
                    return JsonValue.Create(u.ToString());
                case Enum e:
                    return JsonValue.Create(e.ToString());
                case System.Collections.IDictionary dictionary:
                    {
                        var obj = new JsonObject();
                        foreach (System.Collections.DictionaryEntry entry in dictionary)
                        {
                            obj[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = FromObject(entry.Value, depth + 1);
                        }

                        return obj;
                    }

                case System.Collections.IEnumerable enumerable:
                    {
                        var array = new JsonArray();
                        foreach (var item in enumerable)
                        {
                            array.Add(FromObject(item, depth + 1));
                        }

                        return array;
                    }

                default:
                    return JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }

        /// <summary>Converts a JSON node to plain .NET values: string, long, double, bool, null, object?[] and ordered dictionaries.</summary>
        public static object? ToPlain(JsonNode? node)
        {
            switch (node)
            {
                case null:
                    return null;
                case JsonObject obj:
                    {
                        var result = new System.Collections.Specialized.OrderedDictionary(StringComparer.OrdinalIgnoreCase);
                        foreach (var pair in obj)
                        {
                            result[pair.Key] = ToPlain(pair.Value);
                        }

                        return result;
                    }

                case JsonArray array:
                    return array.Select(ToPlain).ToArray();
                case JsonValue value:
                    switch (value.GetValueKind())
                    {
                        case JsonValueKind.String:
                            return value.GetValue<string>();
                        case JsonValueKind.True:
                            return true;
                        case JsonValueKind.False:
                            return false;
                        case JsonValueKind.Number:
                            var text = value.ToJsonString();
                            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                            {
                                return l >= int.MinValue && l <= int.MaxValue ? (object)(int)l : l;
                            }

                            return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                        default:
                            return null;
                    }

                default:
                    return null;
            }
        }

        /// <summary>Every string value in the tree (depth-first, to <paramref name="maxDepth"/> levels).</summary>
        internal static IEnumerable<string> Strings(JsonNode? node, int maxDepth)
        {
            var pending = new Stack<(JsonNode? Node, int Depth)>();
            pending.Push((node, 0));
            while (pending.Count > 0)
            {
                var (current, depth) = pending.Pop();
                switch (current)
                {
                    case JsonValue value when value.TryGetValue<string>(out var text):
                        yield return text;
                        break;
                    case JsonObject obj when depth < maxDepth:
                        foreach (var pair in obj.Reverse())
                        {
                            pending.Push((pair.Value, depth + 1));
                        }

                        break;
                    case JsonArray list when depth < maxDepth:
                        for (var i = list.Count - 1; i >= 0; i--)
                        {
                            pending.Push((list[i], depth + 1));
                        }

                        break;
                }
            }
        }
    }
}
