using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;

namespace Daytona.Arazzo.Execution
{
    /// <summary>A request ready to send, and what <c>$request.*</c> expressions see of it.</summary>
    internal sealed class BuiltRequest
    {
        public HttpRequestMessage Message { get; set; } = null!;

        public HttpMessageData Data { get; set; } = new HttpMessageData();

        public string Url { get; set; } = string.Empty;

        public string Method { get; set; } = "GET";
    }

    /// <summary>Serializes parameters by their OpenAPI style and explode rules and builds the HTTP request.</summary>
    internal static class RequestBuilder
    {
        private static readonly HashSet<string> s_contentHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Disposition", "Content-MD5", "Content-Range", "Expires", "Last-Modified", "Allow",
        };

        public static BuiltRequest Build(OperationInfo operation, string serverUrl, IEnumerable<(Parameter Parameter, JsonNode? Value)> parameters, RequestBody? body, JsonNode? payload)
        {
            var data = new HttpMessageData();
            var path = operation.PathTemplate;
            var query = new List<string>();
            var headers = new List<KeyValuePair<string, string>>();
            var cookies = new List<string>();
            foreach (var (parameter, value) in parameters)
            {
                var spec = Find(operation.Parameters, parameter)
                    ?? new OperationParameter
                    {
                        Name = parameter.Name,
                        In = parameter.In ?? "query",
                        Style = parameter.In == "path" || parameter.In == "header" ? "simple" : "form",
                        Explode = parameter.In == "query" || parameter.In == "cookie",
                    };
                switch (parameter.In)
                {
                    case "path":
                        {
                            var text = SerializePath(spec, value);
                            data.Path[parameter.Name] = JsonUtil.Render(value);
                            path = path.Replace("{" + parameter.Name + "}", text);
                            break;
                        }

                    case "header":
                        {
                            var text = SerializeSimple(value, spec.Explode);
                            data.Headers[parameter.Name] = text;
                            headers.Add(new KeyValuePair<string, string>(parameter.Name, text));
                            break;
                        }

                    case "cookie":
                        {
                            var text = SerializeSimple(value, spec.Explode);
                            cookies.Add(parameter.Name + "=" + text);
                            break;
                        }

                    default:
                        {
                            if (value == null && !spec.Required)
                            {
                                break;
                            }

                            data.Query[parameter.Name] = JsonUtil.Render(value);
                            query.AddRange(SerializeQuery(spec, value));
                            break;
                        }
                }
            }

            var url = serverUrl.TrimEnd('/') + (path.StartsWith("/", StringComparison.Ordinal) ? path : "/" + path);
            if (query.Count > 0)
            {
                url += (url.Contains("?") ? "&" : "?") + string.Join("&", query);
            }

            var message = new HttpRequestMessage(Method(operation.Method), url);
            if (cookies.Count > 0)
            {
                headers.Add(new KeyValuePair<string, string>("Cookie", string.Join("; ", cookies)));
                data.Headers["Cookie"] = string.Join("; ", cookies);
            }

            string? contentType = body?.ContentType ?? headers.Where(h => string.Equals(h.Key, "Content-Type", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
            if (body != null && body.HasPayload)
            {
                contentType ??= operation.RequestContentTypes.FirstOrDefault() ?? "application/json";
                message.Content = CreateContent(payload, contentType, out var bodyText);
                data.BodyText = bodyText;
                data.ContentType = contentType;
                if (payload is JsonObject || payload is JsonArray)
                {
                    data.Body = payload.DeepClone();
                }

                data.Headers["Content-Type"] = contentType;
            }

            foreach (var header in headers)
            {
                if (s_contentHeaders.Contains(header.Key))
                {
                    if (message.Content != null && !string.Equals(header.Key, "Content-Type", StringComparison.OrdinalIgnoreCase))
                    {
                        message.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }

                    continue;
                }

                message.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            return new BuiltRequest { Message = message, Data = data, Url = url, Method = operation.Method };
        }

        private static OperationParameter? Find(IReadOnlyList<OperationParameter> declared, Parameter parameter)
        {
            for (var i = 0; i < declared.Count; i++)
            {
                var candidate = declared[i];
                if (candidate.Name == parameter.Name && candidate.In == parameter.In)
                {
                    return candidate;
                }
            }

            return null;
        }

        /// <summary>The shared instance for a standard method (the handler recognizes those without comparing text).</summary>
        private static HttpMethod Method(string name)
        {
            switch (name)
            {
                case "GET": return HttpMethod.Get;
                case "POST": return HttpMethod.Post;
                case "PUT": return HttpMethod.Put;
                case "DELETE": return HttpMethod.Delete;
                case "HEAD": return HttpMethod.Head;
                case "OPTIONS": return HttpMethod.Options;
                case "TRACE": return HttpMethod.Trace;
                default: return new HttpMethod(name);
            }
        }

        private static HttpContent CreateContent(JsonNode? payload, string contentType, out string? text)
        {
            var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
            if (mediaType == "application/x-www-form-urlencoded" && payload is JsonObject form)
            {
                text = string.Join("&", form.Select(pair => Uri.EscapeDataString(pair.Key) + "=" + Uri.EscapeDataString(Scalar(pair.Value))));
                return Text(text, contentType);
            }

            if (mediaType.StartsWith("multipart/", StringComparison.Ordinal) && payload is JsonObject parts)
            {
                var multipart = new MultipartFormDataContent();
                foreach (var pair in parts)
                {
                    var part = pair.Value is JsonObject || pair.Value is JsonArray ? pair.Value.ToJsonString() : Scalar(pair.Value);
                    multipart.Add(new StringContent(part, Encoding.UTF8), pair.Key);
                }

                text = string.Join("&", parts.Select(p => p.Key + "=" + Scalar(p.Value)));
                return multipart;
            }

            if (payload is JsonValue value && value.TryGetValue<string>(out var raw))
            {
                text = raw;
                return Text(raw, contentType);
            }

            text = payload == null ? "null" : payload.ToJsonString();
            return Text(text, contentType);
        }

        private static HttpContent Text(string text, string contentType)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
            if (MediaTypeHeaderValue.TryParse(contentType, out var header))
            {
                content.Headers.ContentType = header;
            }
            else
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            return content;
        }

        /// <summary>Applies payload replacements: JSON Pointer targets on JSON payloads, XPath targets on XML text.</summary>
        public static JsonNode? ApplyReplacements(JsonNode? payload, IEnumerable<(string Target, JsonNode? Value)> replacements, out List<string> problems)
        {
            problems = new List<string>();
            foreach (var (target, value) in replacements)
            {
                if (payload is JsonValue text && text.TryGetValue<string>(out var raw))
                {
                    if (JsonUtil.TryParseJson(raw, out var parsed) && (parsed is JsonObject || parsed is JsonArray) && target.StartsWith("/", StringComparison.Ordinal))
                    {
                        if (JsonUtil.TrySetPointer(ref parsed, target, value?.DeepClone()))
                        {
                            payload = JsonValue.Create(parsed!.ToJsonString());
                        }
                        else
                        {
                            problems.Add($"the replacement target '{target}' does not exist in the payload");
                        }

                        continue;
                    }

                    try
                    {
                        var xml = new XmlDocument { XmlResolver = null };
                        xml.LoadXml(raw);
                        var nodes = xml.SelectNodes(target);
                        if (nodes == null || nodes.Count == 0)
                        {
                            problems.Add($"the replacement target '{target}' selects nothing in the payload");
                            continue;
                        }

                        foreach (XmlNode node in nodes)
                        {
                            node.InnerText = JsonUtil.Render(value);
                        }

                        payload = JsonValue.Create(xml.OuterXml);
                    }
                    catch (Exception e) when (e is XmlException || e is System.Xml.XPath.XPathException)
                    {
                        problems.Add($"the replacement target '{target}' could not be applied: {e.Message}");
                    }

                    continue;
                }

                if (!JsonUtil.TrySetPointer(ref payload, target, value?.DeepClone()))
                {
                    problems.Add($"the replacement target '{target}' does not exist in the payload");
                }
            }

            return payload;
        }

        private static string Scalar(JsonNode? value) => JsonUtil.Render(value);

        private static string Encode(string text, bool allowReserved = false) => allowReserved ? Uri.EscapeUriString(text) : Uri.EscapeDataString(text);

        internal static string SerializeSimple(JsonNode? value, bool explode)
        {
            switch (value)
            {
                case JsonArray array:
                    return string.Join(",", array.Select(Scalar));
                case JsonObject obj:
                    return explode
                        ? string.Join(",", obj.Select(p => p.Key + "=" + Scalar(p.Value)))
                        : string.Join(",", obj.SelectMany(p => new[] { p.Key, Scalar(p.Value) }));
                default:
                    return Scalar(value);
            }
        }

        internal static string SerializePath(OperationParameter spec, JsonNode? value)
        {
            switch (spec.Style)
            {
                case "label":
                    switch (value)
                    {
                        case JsonArray array:
                            return "." + string.Join(spec.Explode ? "." : ",", array.Select(v => Encode(Scalar(v))));
                        case JsonObject obj:
                            return "." + (spec.Explode
                                ? string.Join(".", obj.Select(p => Encode(p.Key) + "=" + Encode(Scalar(p.Value))))
                                : string.Join(",", obj.SelectMany(p => new[] { Encode(p.Key), Encode(Scalar(p.Value)) })));
                        default:
                            return "." + Encode(Scalar(value));
                    }

                case "matrix":
                    switch (value)
                    {
                        case JsonArray array:
                            return spec.Explode
                                ? string.Concat(array.Select(v => ";" + spec.Name + "=" + Encode(Scalar(v))))
                                : ";" + spec.Name + "=" + string.Join(",", array.Select(v => Encode(Scalar(v))));
                        case JsonObject obj:
                            return spec.Explode
                                ? string.Concat(obj.Select(p => ";" + Encode(p.Key) + "=" + Encode(Scalar(p.Value))))
                                : ";" + spec.Name + "=" + string.Join(",", obj.SelectMany(p => new[] { Encode(p.Key), Encode(Scalar(p.Value)) }));
                        default:
                            return ";" + spec.Name + "=" + Encode(Scalar(value));
                    }

                default:
                    switch (value)
                    {
                        case JsonArray array:
                            return string.Join(",", array.Select(v => Encode(Scalar(v))));
                        case JsonObject obj:
                            return spec.Explode
                                ? string.Join(",", obj.Select(p => Encode(p.Key) + "=" + Encode(Scalar(p.Value))))
                                : string.Join(",", obj.SelectMany(p => new[] { Encode(p.Key), Encode(Scalar(p.Value)) }));
                        default:
                            return Encode(Scalar(value));
                    }
            }
        }

        internal static IEnumerable<string> SerializeQuery(OperationParameter spec, JsonNode? value)
        {
            var name = Encode(spec.Name);
            if (spec.ContentType != null && (value is JsonObject || value is JsonArray))
            {
                return new[] { name + "=" + Encode(value.ToJsonString()) };
            }

            switch (spec.Style)
            {
                case "deepObject" when value is JsonObject deep:
                    return deep.Select(p => name + "%5B" + Encode(p.Key) + "%5D=" + Encode(Scalar(p.Value), spec.AllowReserved));
                case "spaceDelimited" when value is JsonArray spaced && !spec.Explode:
                    return new[] { name + "=" + string.Join("%20", spaced.Select(v => Encode(Scalar(v), spec.AllowReserved))) };
                case "pipeDelimited" when value is JsonArray piped && !spec.Explode:
                    return new[] { name + "=" + string.Join("%7C", piped.Select(v => Encode(Scalar(v), spec.AllowReserved))) };
            }

            switch (value)
            {
                case JsonArray array:
                    return spec.Explode
                        ? array.Select(v => name + "=" + Encode(Scalar(v), spec.AllowReserved)).ToList()
                        : (IEnumerable<string>)new[] { name + "=" + string.Join(",", array.Select(v => Encode(Scalar(v), spec.AllowReserved))) };
                case JsonObject obj:
                    return spec.Explode
                        ? obj.Select(p => Encode(p.Key) + "=" + Encode(Scalar(p.Value), spec.AllowReserved)).ToList()
                        : (IEnumerable<string>)new[] { name + "=" + string.Join(",", obj.SelectMany(p => new[] { Encode(p.Key), Encode(Scalar(p.Value), spec.AllowReserved) })) };
                default:
                    return new[] { name + "=" + Encode(Scalar(value), spec.AllowReserved) };
            }
        }
    }
}
