using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Yaml;

namespace Daytona.Recording.Description
{
    /// <summary>
    /// The Daytona OpenAPI description a recorded workflow binds to (the snapshot operations of Daytona's own
    /// description, the file the seed workflow uses), carried inside this assembly and written beside each recorded
    /// document. It names the operations (method and path → operationId) and types the values a user typed
    /// (the CreateSnapshot schema's properties).
    /// </summary>
    public sealed class DaytonaDescription
    {
        /// <summary>The file name the description is written under, beside the document.</summary>
        public const string FileName = "daytona-snapshots-api-openapi.yml";

        /// <summary>The source description's name in recorded documents (the seed's).</summary>
        public const string SourceName = "snapshotsApi";

        private static readonly Lazy<DaytonaDescription> s_instance = new Lazy<DaytonaDescription>(() => new DaytonaDescription(ReadResource()));

        private readonly OpenApiDescription _description;
        private readonly List<(string Method, string[] Template, OperationInfo Operation)> _routes;

        private DaytonaDescription(string text)
        {
            Text = text;
            _description = new OpenApiDescription(SourceName, YamlJson.Parse(text), null);
            _routes = _description.Operations
                .Where(o => o.OperationId != null)
                .Select(o => (o.Method.ToUpperInvariant(), o.PathTemplate.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries), o))
                .ToList();
        }

        public static DaytonaDescription Instance => s_instance.Value;

        /// <summary>The description's text, byte for byte as shipped.</summary>
        public string Text { get; }

        /// <summary>The operation a call was, with its path parameters; null when the description has none for it.</summary>
        public OperationMatch? Match(string method, IReadOnlyList<string> segments)
        {
            foreach (var (routeMethod, template, operation) in _routes)
            {
                if (!string.Equals(routeMethod, method, StringComparison.OrdinalIgnoreCase) || template.Length != segments.Count)
                {
                    continue;
                }

                var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
                var matched = true;
                for (var i = 0; i < template.Length && matched; i++)
                {
                    var part = template[i];
                    if (part.Length > 2 && part[0] == '{' && part[part.Length - 1] == '}')
                    {
                        parameters[part.Substring(1, part.Length - 2)] = segments[i];
                    }
                    else
                    {
                        matched = string.Equals(part, segments[i], StringComparison.Ordinal);
                    }
                }

                if (matched)
                {
                    return new OperationMatch(operation.OperationId!, parameters);
                }
            }

            return null;
        }

        /// <summary>True when the description has an operation of that id.</summary>
        public bool HasOperation(string operationId) => _description.FindByOperationId(operationId).Any();

        /// <summary>
        /// The JSON Schema of a CreateSnapshot property (<c>cpu</c>, or <c>buildInfo.dockerfileContent</c>): its type
        /// (and item type) and description, without examples; null for a property the description does not have.
        /// </summary>
        public JsonObject? CreateSnapshotProperty(string path)
        {
            JsonNode? schema = _description.Resolve(_description.Root["components"]?["schemas"]?["CreateSnapshot"]);
            foreach (var part in path.Split('.'))
            {
                schema = _description.Resolve(Flatten(schema)?["properties"]?[part]);
                if (schema == null)
                {
                    return null;
                }
            }

            var flat = Flatten(schema);
            if (flat == null)
            {
                return null;
            }

            var result = new JsonObject();
            if (flat["type"] is JsonNode type)
            {
                result["type"] = type.DeepClone();
            }

            if (_description.Resolve(flat["items"]) is JsonObject items)
            {
                var itemType = (Flatten(items) ?? items)["type"];
                result["items"] = new JsonObject { ["type"] = itemType?.DeepClone() ?? "string" };
            }

            var description = (schema as JsonObject)?["description"] ?? flat["description"];
            if (description != null)
            {
                result["description"] = description.DeepClone();
            }

            return result;
        }

        /// <summary>An <c>allOf</c> of one reference (how the description writes nested objects) read as that object.</summary>
        private JsonObject? Flatten(JsonNode? schema)
        {
            var resolved = _description.Resolve(schema) as JsonObject;
            if (resolved?["allOf"] is JsonArray all && all.Count == 1)
            {
                return _description.Resolve(all[0]) as JsonObject;
            }

            return resolved;
        }

        private static string ReadResource()
        {
            var assembly = typeof(DaytonaDescription).Assembly;
            using var stream = assembly.GetManifestResourceStream("Daytona.Recording." + FileName)
                ?? throw new InvalidOperationException("The Daytona OpenAPI description is missing from " + assembly.GetName().Name + ".");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>An operation of the description a call matched, with the values of its path parameters.</summary>
    public sealed class OperationMatch
    {
        internal OperationMatch(string operationId, IReadOnlyDictionary<string, string> pathParameters)
        {
            OperationId = operationId;
            PathParameters = pathParameters;
        }

        public string OperationId { get; }

        public IReadOnlyDictionary<string, string> PathParameters { get; }
    }
}
