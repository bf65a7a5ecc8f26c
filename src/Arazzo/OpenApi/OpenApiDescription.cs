using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Daytona.Arazzo.Expressions;

namespace Daytona.Arazzo.OpenApi
{
    /// <summary>What a step needs to know about one parameter of an operation.</summary>
    public sealed class OperationParameter
    {
        public string Name { get; internal set; } = string.Empty;

        public string In { get; internal set; } = "query";

        /// <summary>The serialization style (OpenAPI defaults: form for query/cookie, simple for path/header).</summary>
        public string Style { get; internal set; } = "form";

        public bool Explode { get; internal set; }

        public bool Required { get; internal set; }

        public bool AllowReserved { get; internal set; }

        public JsonNode? Schema { get; internal set; }

        /// <summary>True when the parameter declares <c>content</c> (serialized as JSON) instead of a style.</summary>
        public string? ContentType { get; internal set; }

        /// <summary>The value the description suggests (its schema's default, else an example or the first enum value), and which it is.</summary>
        public (JsonNode? Value, string Source)? Sample { get; internal set; }
    }

    /// <summary>An operation of a source description, found by operationId or operationPath.</summary>
    public sealed class OperationInfo
    {
        public string SourceName { get; internal set; } = string.Empty;

        public string? OperationId { get; internal set; }

        public string Method { get; internal set; } = "GET";

        public string PathTemplate { get; internal set; } = "/";

        /// <summary>The server URLs that apply (operation, then path item, then document), variables expanded with their defaults.</summary>
        public IReadOnlyList<string> Servers { get; internal set; } = Array.Empty<string>();

        public IReadOnlyList<OperationParameter> Parameters { get; internal set; } = Array.Empty<OperationParameter>();

        /// <summary>The media types of the request body, in document order.</summary>
        public IReadOnlyList<string> RequestContentTypes { get; internal set; } = Array.Empty<string>();

        /// <summary>Response objects by status code (or <c>default</c>, <c>2XX</c>), references resolved.</summary>
        public IReadOnlyDictionary<string, JsonObject> Responses { get; internal set; } = new Dictionary<string, JsonObject>();

        /// <summary>The security requirements that apply (operation, else document).</summary>
        public JsonArray? Security { get; internal set; }

        public OpenApiDescription Description { get; internal set; } = null!;

        /// <summary>The JSON Pointer of the operation in its description, e.g. <c>/paths/~1pets~1{id}/get</c>.</summary>
        public string Pointer => "/paths/" + PathTemplate.Replace("~", "~0").Replace("/", "~1") + "/" + Method.ToLowerInvariant();

        public override string ToString() => $"{Method} {PathTemplate}" + (OperationId == null ? string.Empty : $" ({OperationId})");
    }

    /// <summary>
    /// An OpenAPI 2.0/3.0/3.1/3.2 description read as a JSON tree. The engine binds operations from the tree itself:
    /// Microsoft.OpenApi.Readers 1.6 (the pinned version) refuses OpenAPI 3.1 and 3.2 documents outright, and most
    /// real Arazzo corpora reference 3.1 descriptions; the binding needs only paths, operations, parameters, servers
    /// and local $refs, which this class resolves.
    /// </summary>
    public sealed class OpenApiDescription
    {
        private static readonly string[] s_methods = { "get", "put", "post", "delete", "options", "head", "patch", "trace", "query" };
        private readonly List<OperationInfo> _operations = new List<OperationInfo>();

        public OpenApiDescription(string sourceName, JsonNode? root, string? location)
        {
            SourceName = sourceName;
            Root = root as JsonObject ?? new JsonObject();
            Location = location;
            Version = (Root["openapi"] ?? Root["swagger"]) is JsonValue v ? JsonUtil.Render(v) : null;
            Index();
        }

        public string SourceName { get; }

        public JsonObject Root { get; }

        public string? Location { get; }

        /// <summary>The openapi (or swagger) version string.</summary>
        public string? Version { get; }

        public bool IsOpenApi => Version != null;

        public IReadOnlyList<OperationInfo> Operations => _operations;

        public IEnumerable<OperationInfo> FindByOperationId(string operationId) => _operations.Where(o => string.Equals(o.OperationId, operationId, StringComparison.Ordinal));

        /// <summary>Finds the operation at a JSON Pointer such as <c>/paths/~1pets~1{petId}/get</c>.</summary>
        public OperationInfo? FindByPointer(string pointer)
        {
            var tokens = RuntimeExpression.PointerTokens(pointer);
            if (tokens.Count != 3 || tokens[0] != "paths")
            {
                return null;
            }

            return _operations.FirstOrDefault(o => o.PathTemplate == tokens[1] && string.Equals(o.Method, tokens[2], StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>Follows local <c>$ref</c>s (<c>#/components/…</c>) until a non-reference node.</summary>
        public JsonNode? Resolve(JsonNode? node)
        {
            for (var hops = 0; hops < 32 && node is JsonObject obj && obj["$ref"] is JsonValue reference && reference.TryGetValue<string>(out var target); hops++)
            {
                if (!target.StartsWith("#", StringComparison.Ordinal) || !JsonUtil.TryResolvePointer(Root, Uri.UnescapeDataString(target.Substring(1)), out var resolved))
                {
                    return node;
                }

                node = resolved;
            }

            return node;
        }

        private void Index()
        {
            if (!(Root["paths"] is JsonObject paths))
            {
                return;
            }

            var documentServers = Servers(Root, Location);
            var isSwagger2 = Root["swagger"] != null;
            foreach (var pathItem in paths)
            {
                if (!(Resolve(pathItem.Value) is JsonObject item))
                {
                    continue;
                }

                var pathServers = Servers(item, Location);
                var pathParameters = ReadParameters(item["parameters"] as JsonArray, isSwagger2);
                // In document order, so "the first operation with this operationId" means the first one written.
                foreach (var member in item)
                {
                    var method = member.Key;
                    if (!(member.Value is JsonObject operation) || Array.IndexOf(s_methods, method) < 0)
                    {
                        continue;
                    }

                    var operationServers = Servers(operation, Location);
                    var parameters = new List<OperationParameter>(pathParameters);
                    foreach (var parameter in ReadParameters(operation["parameters"] as JsonArray, isSwagger2))
                    {
                        parameters.RemoveAll(p => p.Name == parameter.Name && p.In == parameter.In);
                        parameters.Add(parameter);
                    }

                    var contentTypes = new List<string>();
                    if (Resolve(operation["requestBody"]) is JsonObject body && body["content"] is JsonObject content)
                    {
                        contentTypes.AddRange(content.Select(c => c.Key));
                    }
                    else if (isSwagger2 && (operation["consumes"] ?? Root["consumes"]) is JsonArray consumes)
                    {
                        contentTypes.AddRange(consumes.Select(JsonUtil.Render));
                    }

                    var responses = new Dictionary<string, JsonObject>(StringComparer.OrdinalIgnoreCase);
                    if (operation["responses"] is JsonObject responseMap)
                    {
                        foreach (var response in responseMap)
                        {
                            if (Resolve(response.Value) is JsonObject resolved)
                            {
                                responses[response.Key] = resolved;
                            }
                        }
                    }

                    _operations.Add(new OperationInfo
                    {
                        SourceName = SourceName,
                        OperationId = operation["operationId"] is JsonValue id ? JsonUtil.Render(id) : null,
                        Method = method.ToUpperInvariant(),
                        PathTemplate = pathItem.Key,
                        Servers = operationServers.Count > 0 ? operationServers : pathServers.Count > 0 ? pathServers : isSwagger2 ? Swagger2Server() : documentServers,
                        Parameters = parameters.Where(p => p.In != "body" && p.In != "formData").ToList(),
                        RequestContentTypes = contentTypes,
                        Responses = responses,
                        Security = (operation["security"] ?? Root["security"]) as JsonArray,
                        Description = this,
                    });
                }
            }
        }

        private IReadOnlyList<string> Swagger2Server()
        {
            var host = Root["host"] is JsonValue h ? JsonUtil.Render(h) : null;
            var basePath = Root["basePath"] is JsonValue b ? JsonUtil.Render(b) : string.Empty;
            var scheme = Root["schemes"] is JsonArray schemes && schemes.Count > 0 ? JsonUtil.Render(schemes[0]) : "https";
            return host == null ? (basePath.Length > 0 ? new[] { basePath } : Array.Empty<string>()) : new[] { $"{scheme}://{host}{basePath}" };
        }

        private List<OperationParameter> ReadParameters(JsonArray? list, bool isSwagger2)
        {
            var result = new List<OperationParameter>();
            if (list == null)
            {
                return result;
            }

            foreach (var node in list)
            {
                if (!(Resolve(node) is JsonObject p))
                {
                    continue;
                }

                var name = p["name"] is JsonValue n ? JsonUtil.Render(n) : string.Empty;
                var location = p["in"] is JsonValue i ? JsonUtil.Render(i) : "query";
                var defaultStyle = location == "path" || location == "header" ? "simple" : "form";
                var style = p["style"] is JsonValue s ? JsonUtil.Render(s) : defaultStyle;
                if (isSwagger2 && p["collectionFormat"] is JsonValue cf)
                {
                    style = JsonUtil.Render(cf) switch { "ssv" => "spaceDelimited", "pipes" => "pipeDelimited", "multi" => "form", _ => defaultStyle };
                }

                var explode = p["explode"] is JsonValue e && e.TryGetValue<bool>(out var ex) ? ex : style == "form";
                if (isSwagger2 && p["collectionFormat"] is JsonValue cf2)
                {
                    explode = JsonUtil.Render(cf2) == "multi";
                }

                result.Add(new OperationParameter
                {
                    Name = name,
                    In = location,
                    Style = style,
                    Explode = explode,
                    Required = p["required"] is JsonValue r && r.TryGetValue<bool>(out var req) && req,
                    AllowReserved = p["allowReserved"] is JsonValue ar && ar.TryGetValue<bool>(out var reserved) && reserved,
                    Schema = Resolve(p["schema"]),
                    ContentType = p["content"] is JsonObject content ? content.Select(c => c.Key).FirstOrDefault() : null,
                    Sample = Sample(p, isSwagger2),
                });
            }

            return result;
        }

        /// <summary>The value the description suggests for a parameter: its schema's default, else an example.</summary>
        private (JsonNode? Value, string Source)? Sample(JsonObject parameter, bool isSwagger2)
        {
            var schema = isSwagger2 ? parameter : Resolve(parameter["schema"]) as JsonObject;
            if (schema != null && schema.TryGetPropertyValue("default", out var defaultValue))
            {
                return (defaultValue?.DeepClone(), "default");
            }

            if (parameter.TryGetPropertyValue("example", out var example) || (isSwagger2 && parameter.TryGetPropertyValue("x-example", out example)))
            {
                return (example?.DeepClone(), "example");
            }

            if (parameter["examples"] is JsonObject examples)
            {
                foreach (var pair in examples)
                {
                    if (Resolve(pair.Value) is JsonObject named && named.TryGetPropertyValue("value", out var value))
                    {
                        return (value?.DeepClone(), "example");
                    }
                }
            }

            if (schema != null && schema.TryGetPropertyValue("example", out var schemaExample))
            {
                return (schemaExample?.DeepClone(), "example");
            }

            if (schema?["examples"] is JsonArray list && list.Count > 0)
            {
                return (list[0]?.DeepClone(), "example");
            }

            if (schema?["enum"] is JsonArray values && values.Count > 0)
            {
                return (values[0]?.DeepClone(), "first enum value");
            }

            return null;
        }

        private static List<string> Servers(JsonObject owner, string? location)
        {
            var result = new List<string>();
            if (!(owner["servers"] is JsonArray servers))
            {
                return result;
            }

            foreach (var server in servers.OfType<JsonObject>())
            {
                if (!(server["url"] is JsonValue u) || !u.TryGetValue<string>(out var url))
                {
                    continue;
                }

                if (server["variables"] is JsonObject variables)
                {
                    foreach (var variable in variables)
                    {
                        var value = variable.Value is JsonObject v && v["default"] is JsonNode d ? JsonUtil.Render(d) : string.Empty;
                        url = url.Replace("{" + variable.Key + "}", value);
                    }
                }

                if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                    && location != null && Uri.TryCreate(location, UriKind.Absolute, out var baseUri) && (baseUri.Scheme == Uri.UriSchemeHttp || baseUri.Scheme == Uri.UriSchemeHttps))
                {
                    url = new Uri(baseUri, url).ToString();
                }

                result.Add(url);
            }

            return result;
        }
    }
}
