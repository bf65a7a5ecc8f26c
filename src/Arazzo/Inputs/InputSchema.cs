using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;

namespace Daytona.Arazzo.Inputs
{
    /// <summary>
    /// The inputs schema of one workflow as a self-contained JSON Schema document: the schema as written, with the
    /// document's <c>components.inputs</c> beside it so that <c>$ref: '#/components/inputs/x'</c> (and the schema's
    /// own <c>#/$defs/…</c>) resolve inside it. Also answers what defaults and conversions need: the properties a
    /// schema declares through <c>$ref</c> and <c>allOf</c>, and which are required.
    /// </summary>
    public sealed class InputSchema
    {
        private const int MaxDepth = 32;

        private readonly JsonObject? _root;

        private InputSchema(JsonObject? root, bool? boolean)
        {
            _root = root;
            Boolean = boolean;
        }

        /// <summary>The document to validate against (an object schema), or null for a boolean schema.</summary>
        public JsonObject? Root => _root;

        /// <summary><c>true</c>/<c>false</c> when the inputs schema is a boolean schema.</summary>
        public bool? Boolean { get; }

        /// <summary>The schema of the workflow's inputs, or null when it declares none (or one that is not a schema).</summary>
        public static InputSchema? For(Workflow workflow)
        {
            switch (workflow.Inputs)
            {
                case JsonValue value when value.TryGetValue<bool>(out var flag):
                    return new InputSchema(null, flag);
                case JsonObject obj:
                    var root = (JsonObject)obj.DeepClone();
                    if (!root.ContainsKey("components") && workflow.Document?.Components.Inputs.Count > 0)
                    {
                        var inputs = new JsonObject();
                        foreach (var pair in workflow.Document.Components.Inputs)
                        {
                            inputs[pair.Key] = pair.Value?.DeepClone();
                        }

                        root["components"] = new JsonObject { ["inputs"] = inputs };
                    }

                    var schema = new InputSchema(root, null);
                    schema.AnchorComponentReferences();
                    return schema;
                default:
                    return null;
            }
        }

        /// <summary>The names of the inputs the workflow declares (through <c>$ref</c> and <c>allOf</c> too), in document order.</summary>
        public static IReadOnlyList<string> NamesOf(Workflow workflow)
        {
            var schema = For(workflow);
            return schema?.Root == null ? Array.Empty<string>() : schema.Properties(schema.Root).Keys.ToList();
        }

        /// <summary>The schema a <c>$ref</c> inside this document points at (local references only), or null.</summary>
        public JsonNode? Follow(string reference)
        {
            if (!reference.StartsWith("#", StringComparison.Ordinal))
            {
                return null;
            }

            var pointer = Uri.UnescapeDataString(reference.Substring(1));
            return JsonUtil.TryResolvePointer(_root, pointer, out var target) ? target : null;
        }

        /// <summary>
        /// The properties an object schema declares, merged over its <c>$ref</c> target and <c>allOf</c> members (the
        /// schema's own first); each value is the property's schema with its own <c>$ref</c> followed.
        /// </summary>
        public IReadOnlyDictionary<string, JsonNode?> Properties(JsonNode? schema)
        {
            var found = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            var order = new List<string>();
            Collect(schema, 0, (name, value) =>
            {
                if (!found.ContainsKey(name))
                {
                    found[name] = Resolve(value);
                    order.Add(name);
                }
            }, null);
            var ordered = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var name in order)
            {
                ordered[name] = found[name];
            }

            return ordered;
        }

        /// <summary>The names an object schema requires, over its <c>$ref</c> target and <c>allOf</c> members.</summary>
        public ISet<string> Required(JsonNode? schema)
        {
            var required = new HashSet<string>(StringComparer.Ordinal);
            Collect(schema, 0, null, name => required.Add(name));
            return required;
        }

        /// <summary>The schema itself, or what its <c>$ref</c> points at when it is only a reference.</summary>
        public JsonNode? Resolve(JsonNode? schema)
        {
            for (var i = 0; i < MaxDepth && schema is JsonObject obj && obj.Count == 1 && obj["$ref"] is JsonValue reference && reference.TryGetValue<string>(out var target); i++)
            {
                var next = Follow(target);
                if (next == null)
                {
                    return schema;
                }

                schema = next;
            }

            return schema;
        }

        /// <summary>The declared JSON types of a schema (<c>type: x</c> or <c>type: [x, y]</c>), following <c>$ref</c>.</summary>
        public IReadOnlyList<string> Types(JsonNode? schema)
        {
            for (var i = 0; i < MaxDepth && schema is JsonObject obj; i++)
            {
                switch (obj["type"])
                {
                    case JsonValue one when one.TryGetValue<string>(out var type):
                        return new[] { type };
                    case JsonArray many:
                        return many.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var t) ? t : null).Where(t => t != null).Cast<string>().ToList();
                }

                if (!(obj["$ref"] is JsonValue reference && reference.TryGetValue<string>(out var target)))
                {
                    break;
                }

                schema = Follow(target);
            }

            return Array.Empty<string>();
        }

        /// <summary>
        /// A component written as a schema of its own (<c>$ref: '#/$defs/x'</c> with its <c>$defs</c> beside it) would
        /// point at the document's root once embedded; such references are read inside the component, as its author meant.
        /// </summary>
        private void AnchorComponentReferences()
        {
            if (!(_root?["components"] is JsonObject components) || !(components["inputs"] is JsonObject inputs))
            {
                return;
            }

            foreach (var pair in inputs)
            {
                var prefix = "#/components/inputs/" + Uri.EscapeDataString(pair.Key.Replace("~", "~0").Replace("/", "~1"));
                Anchor(pair.Value, pair.Value, prefix, 0);
            }
        }

        private void Anchor(JsonNode? node, JsonNode? component, string prefix, int depth)
        {
            if (depth > MaxDepth)
            {
                return;
            }

            switch (node)
            {
                case JsonObject obj:
                    if (obj["$ref"] is JsonValue reference && reference.TryGetValue<string>(out var target) && target.StartsWith("#/", StringComparison.Ordinal)
                        && Follow(target) == null && JsonUtil.TryResolvePointer(component, Uri.UnescapeDataString(target.Substring(1)), out _))
                    {
                        obj["$ref"] = prefix + target.Substring(1);
                    }

                    foreach (var pair in obj)
                    {
                        Anchor(pair.Value, component, prefix, depth + 1);
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        Anchor(item, component, prefix, depth + 1);
                    }

                    break;
            }
        }

        private void Collect(JsonNode? schema, int depth, Action<string, JsonNode?>? property, Action<string>? required)
        {
            if (depth > MaxDepth || !(schema is JsonObject obj))
            {
                return;
            }

            if (obj["properties"] is JsonObject properties && property != null)
            {
                foreach (var pair in properties)
                {
                    property(pair.Key, pair.Value);
                }
            }

            if (obj["required"] is JsonArray names && required != null)
            {
                foreach (var name in names.OfType<JsonValue>())
                {
                    if (name.TryGetValue<string>(out var text))
                    {
                        required(text);
                    }
                }
            }

            if (obj["$ref"] is JsonValue reference && reference.TryGetValue<string>(out var target))
            {
                Collect(Follow(target), depth + 1, property, required);
            }

            if (obj["allOf"] is JsonArray all)
            {
                foreach (var member in all)
                {
                    Collect(member, depth + 1, property, required);
                }
            }
        }
    }
}
