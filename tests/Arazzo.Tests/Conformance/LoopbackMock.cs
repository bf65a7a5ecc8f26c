using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.OpenApi;

namespace Arazzo.Tests.Conformance;

/// <summary>One canned answer of a loopback mock.</summary>
internal sealed class MockRoute
{
    public string Method { get; init; } = "GET";

    /// <summary>A path template (<c>/pets/{id}</c>) or an absolute URL template, matched against the original API URL.</summary>
    public string Path { get; init; } = "/";

    public JsonObject? RequestBody { get; init; }

    public JsonObject? Query { get; init; }

    public int Status { get; init; } = 200;

    public JsonNode? Body { get; init; }

    public string? Text { get; init; }

    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>A request the mock received.</summary>
internal sealed record MockRequest(string Method, string Source, string OriginalUrl, string Body);

/// <summary>
/// An HTTP server on 127.0.0.1 (free port) standing in for the APIs of a workflow: each source description gets
/// a base URL <c>http://127.0.0.1:N/{source}</c>; requests are matched against canned routes by method, original URL
/// (the source's real server URL plus the path), query and body subset, and otherwise answered from the OpenAPI
/// description's first success response (its example, or a value synthesized from its schema).
/// </summary>
internal sealed class LoopbackMock : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, (string OriginalBase, OpenApiDescription? OpenApi)> _sources = new(StringComparer.Ordinal);
    private readonly List<MockRoute> _routes = new();
    private readonly Dictionary<MockRoute, byte[]?> _canned = new();
    private readonly List<MockRequest> _requests = new();
    private readonly Task _loop;

    public LoopbackMock()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            try
            {
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public IReadOnlyList<MockRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    /// <summary>Registers a source description and returns the base URL to use for it.</summary>
    public string AddSource(string name, string originalBase, OpenApiDescription? openApi)
    {
        _sources[name] = (originalBase.TrimEnd('/'), openApi);
        return $"http://127.0.0.1:{Port}/{Uri.EscapeDataString(name)}";
    }

    public void Add(MockRoute route) => _routes.Add(route);

    /// <summary>Tells the mock which step runs, from the runner's listener (steps of nested documents too).</summary>
    public StepTracker TrackSteps(params Daytona.Arazzo.Model.ArazzoDocument[] documents)
    {
        var tracker = new StepTracker(documents);
        CurrentStep = () => tracker.Current;
        CurrentWorkflow = () => tracker.CurrentWorkflow;
        return tracker;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            // Each request is answered on its own: a client that gives up mid-answer (a run's timeout) must not stall the
            // requests after it, as one served after another would.
            _ = Task.Run(() => Serve(context));
        }
    }

    private void Serve(HttpListenerContext context)
    {
        try
        {
            Answer(context);
        }
        catch (Exception e)
        {
            try
            {
                context.Response.StatusCode = 599;
                var bytes = Encoding.UTF8.GetBytes(e.Message);
                context.Response.OutputStream.Write(bytes);
            }
            catch (Exception)
            {
                // The client is gone (or the answer was already under way): nothing more to say to it.
            }
        }
        finally
        {
            try
            {
                context.Response.Close();
            }
            catch (Exception)
            {
            }
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var request = context.Request;
        var rawPath = request.RawUrl ?? "/";
        var query = request.Url!.Query;
        var path = rawPath.Split('?')[0];
        var segments = path.TrimStart('/').Split('/', 2);
        var source = Uri.UnescapeDataString(segments[0]);
        var remainder = "/" + (segments.Length > 1 ? segments[1] : string.Empty);
        using var reader = new StreamReader(request.InputStream, request.ContentEncoding ?? Encoding.UTF8);
        var body = reader.ReadToEnd();
        _sources.TryGetValue(source, out var info);
        var original = (info.OriginalBase ?? string.Empty) + remainder;
        lock (_requests)
        {
            _requests.Add(new MockRequest(request.HttpMethod, source, original + query, body));
        }

        var queryValues = System.Web.HttpUtility.ParseQueryString(query);
        JsonUtil.TryParseJson(body, out var bodyJson);
        foreach (var route in _routes)
        {
            if (!string.Equals(route.Method, request.HttpMethod, StringComparison.OrdinalIgnoreCase) || !PathMatches(route.Path, remainder, original))
            {
                continue;
            }

            if (route.Query != null && route.Query.Any(p => !QueryMatches(queryValues.GetValues(p.Key), p.Value)))
            {
                continue;
            }

            if (route.RequestBody != null && !(bodyJson is JsonObject given && route.RequestBody.All(p => given.TryGetPropertyValue(p.Key, out var v) && JsonUtil.Render(v) == JsonUtil.Render(p.Value))))
            {
                continue;
            }

            // A canned body is serialized once: a large one sent in a loop is the mock's cost, not the engine's.
            byte[]? cannedBytes;
            lock (_canned)
            {
                if (!_canned.TryGetValue(route, out cannedBytes))
                {
                    var text = route.Text ?? route.Body?.ToJsonString();
                    cannedBytes = text == null ? null : Encoding.UTF8.GetBytes(text);
                    _canned[route] = cannedBytes;
                }
            }

            Write(context, route.Status, cannedBytes, route.Text != null ? "text/plain" : "application/json", route.Headers);
            return;
        }

        // A path template may carry a query (/rest?method=photos.getInfo): then the request must have that query too.
        var operation = info.OpenApi?.Operations
            .Where(o => string.Equals(o.Method, request.HttpMethod, StringComparison.OrdinalIgnoreCase) && TemplateMatches(o.PathTemplate.Split('?')[0], remainder))
            .Where(o => !o.PathTemplate.Contains('?') || System.Web.HttpUtility.ParseQueryString(o.PathTemplate[(o.PathTemplate.IndexOf('?') + 1)..]) is var fixedQuery
                && fixedQuery.AllKeys.All(k => k == null || queryValues.GetValues(k)?.Contains(fixedQuery[k]) == true))
            .OrderByDescending(o => Specificity(o.PathTemplate))
            .ThenByDescending(o => o.PathTemplate.Length)
            .FirstOrDefault();
        if (operation == null)
        {
            Write(context, 404, "{\"error\":\"no mock and no operation for " + request.HttpMethod + " " + remainder + "\"}", "application/json", new());
            return;
        }

        var (status, response) = ChooseResponse(operation, Wanted());
        if (status == null)
        {
            Write(context, 200, "{}", "application/json", new());
            return;
        }

        var content = response["content"] as JsonObject;
        var media = content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value as JsonObject ?? content?.FirstOrDefault().Value as JsonObject;
        JsonNode? sample = null;
        if (media != null)
        {
            sample = media["example"]?.DeepClone()
                ?? (media["examples"] as JsonObject)?.Select(e => info.OpenApi!.Resolve(e.Value) as JsonObject).FirstOrDefault(e => e?["value"] != null)?["value"]?.DeepClone();
            sample = sample == null ? SchemaSample.Create(info.OpenApi!, media["schema"], 0) : SchemaSample.FillEmptyLists(info.OpenApi!, sample, media["schema"], 0);
        }
        else if (response["schema"] != null)
        {
            // Swagger 2.0: the schema (and examples by media type) sit on the response itself.
            media = response;
            sample = (response["examples"] as JsonObject)?.Select(e => e.Value).FirstOrDefault()?.DeepClone() ?? SchemaSample.Create(info.OpenApi!, response["schema"], 0);
        }

        if (CompletesReads && media != null && CurrentStep?.Invoke() is Daytona.Arazzo.Model.Step step)
        {
            sample = Complete(info.OpenApi!, step, sample, media["schema"]);
        }

        // The headers the description documents for this response, with their example or a value from their schema.
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (response["headers"] is JsonObject documented)
        {
            foreach (var header in documented)
            {
                if (info.OpenApi!.Resolve(header.Value) is JsonObject definition && !header.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && !header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    var value = definition["example"]?.DeepClone() ?? SchemaSample.Create(info.OpenApi, definition["schema"] ?? definition, 0);
                    headers[header.Key] = header.Key.Equals("Location", StringComparison.OrdinalIgnoreCase) && (value == null || JsonUtil.Render(value) == "string")
                        ? $"http://127.0.0.1:{Port}/{Uri.EscapeDataString(source)}{remainder.TrimEnd('/')}/{Guid.NewGuid():N}"
                        : JsonUtil.Render(value);
                }
            }
        }

        Write(context, status.Value, sample?.ToJsonString() ?? (media == null ? null : "null"), "application/json", headers);
    }

    /// <summary>
    /// The step being run, when the harness says (see <see cref="StepTracker"/>): its success criteria decide which
    /// documented response the mock answers with.
    /// </summary>
    public Func<Daytona.Arazzo.Model.Step?>? CurrentStep { get; set; }

    /// <summary>The workflow being run, when the harness says (see <see cref="StepTracker"/>).</summary>
    public Func<Daytona.Arazzo.Model.Workflow?>? CurrentWorkflow { get; set; }

    /// <summary>
    /// When set, a documented answer gets the fields the workflow reads from it that the description leaves out, where
    /// its schema permits them (see <see cref="ResponseCompletion"/>); each is recorded in <see cref="Additions"/>.
    /// </summary>
    public bool CompletesReads { get; set; }

    private readonly List<string> _additions = new();

    /// <summary>The fields added so far, as "step: pointer".</summary>
    public IReadOnlyList<string> Additions
    {
        get
        {
            lock (_additions)
            {
                return _additions.ToList();
            }
        }
    }

    private JsonNode? Complete(OpenApiDescription description, Daytona.Arazzo.Model.Step step, JsonNode? sample, JsonNode? schema)
    {
        var workflow = CurrentWorkflow?.Invoke();
        var reads = ResponseCompletion.BodyReads(workflow, step, workflow?.Document.Source?.Root);
        if (Environment.GetEnvironmentVariable("ARAZZO_MOCK_DEBUG") == "1")
        {
            Console.WriteLine($"mock-reads {workflow?.WorkflowId}/{step.StepId}: {string.Join(" | ", reads.Select(r => "/" + string.Join("/", r)))} on {sample?.ToJsonString()[..Math.Min(200, sample?.ToJsonString().Length ?? 0)]}");
        }

        if (reads.Count == 0)
        {
            return sample;
        }

        // A body the description leaves undescribed (a media type without a schema) may hold anything: start from an object.
        if (sample == null && (description.Resolve(schema) is not JsonObject described || (described["type"] == null && described["properties"] == null && described["items"] == null && described["$ref"] == null)))
        {
            sample = new JsonObject();
        }

        // The deepest reads first: a field read both whole and below (x and x.id) is made a container, not a string.
        foreach (var read in reads.OrderByDescending(r => r.Count))
        {
            foreach (var added in ResponseCompletion.Complete(description, sample, schema, read))
            {
                lock (_additions)
                {
                    _additions.Add(step.StepId + ": " + added);
                }
            }
        }

        return sample;
    }

    /// <summary>Answers whose status the criteria asked for but the description does not document (the first documented success's body was sent).</summary>
    public int UndocumentedStatusAnswers => _undocumented;

    private int _undocumented;

    /// <summary>The status the current step's success criteria ask for (<c>$statusCode == N</c>), if any.</summary>
    private int? Wanted()
    {
        var step = CurrentStep?.Invoke();
        if (step == null)
        {
            return null;
        }

        foreach (var criterion in step.SuccessCriteria)
        {
            var match = Regex.Match(criterion.Condition, @"\$statusCode\s*==\s*(\d{3})\b|\b(\d{3})\s*==\s*\$statusCode");
            if (match.Success)
            {
                return int.Parse(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value);
            }
        }

        return null;
    }

    /// <summary>
    /// The response a server following its description would send for what the step expects: the documented one
    /// with the wanted status (exact, then its class like <c>4XX</c>, then <c>default</c> — but never <c>default</c> for a
    /// wanted success when another success is documented); when the description does not document that status, the
    /// wanted status with the first documented success's body (counted in
    /// <see cref="UndocumentedStatusAnswers"/>); without a wanted status, the first documented success.
    /// </summary>
    private (int? Status, JsonObject Response) ChooseResponse(OperationInfo operation, int? wanted)
    {
        var firstSuccess = operation.Responses
            .Where(r => r.Key.StartsWith("2", StringComparison.Ordinal))
            .OrderBy(r => r.Key)
            .Select(r => ((int?)(int.TryParse(r.Key, out var code) ? code : 200), r.Value))
            .FirstOrDefault();
        if (wanted == null)
        {
            return firstSuccess;
        }

        var code = wanted.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // A success the description documents under another 2xx (criteria "== 200", description "201") is that success,
        // not the "default" response, which describes the errors.
        var keys = code[0] == '2' && firstSuccess.Item2 != null ? new[] { code, code[0] + "XX", code[0] + "xx" } : new[] { code, code[0] + "XX", code[0] + "xx", "default" };
        foreach (var key in keys)
        {
            if (operation.Responses.TryGetValue(key, out var documented))
            {
                return (wanted, documented);
            }
        }

        Interlocked.Increment(ref _undocumented);
        return (wanted, firstSuccess.Item2 ?? new JsonObject());
    }

    /// <summary>
    /// How concrete a path template is: as OpenAPI says, <c>/customers</c> matches before <c>/{objectName}</c> — more
    /// literal segments first, then more literal characters.
    /// </summary>
    private static (int Segments, int Characters) Specificity(string template)
    {
        var segments = template.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var literal = segments.Where(s => !s.Contains('{')).ToList();
        return (literal.Count, literal.Sum(s => s.Length) + segments.Where(s => s.Contains('{')).Sum(s => Regex.Replace(s, @"\{[^}]*\}", string.Empty).Length));
    }

    private static bool QueryMatches(string[]? given, JsonNode? expected)
    {
        var actual = (given ?? Array.Empty<string>()).SelectMany(v => v.Split(',')).ToList();
        var wanted = expected is JsonArray list ? list.Select(JsonUtil.Render).ToList() : new List<string> { JsonUtil.Render(expected) };
        return actual.Count == wanted.Count && actual.OrderBy(x => x, StringComparer.Ordinal).SequenceEqual(wanted.OrderBy(x => x, StringComparer.Ordinal));
    }

    private static bool PathMatches(string pattern, string remainder, string original)
    {
        if (pattern.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || pattern.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return TemplateMatches(StripScheme(pattern), StripScheme(original));
        }

        // A path is the operation's path below the server URL, or (as Jentic's fixtures write it) the whole path of the
        // API's URL, server path included (/bnpl/v1/products under the server /bnpl/v1).
        return TemplateMatches(pattern, remainder) || (pattern.StartsWith("/", StringComparison.Ordinal) && TemplateMatches(pattern, "/" + Regex.Replace(original, "^(https?://[^/]+)?/*", string.Empty, RegexOptions.IgnoreCase)));
    }

    private static string StripScheme(string url) => Regex.Replace(url, "^https?://", string.Empty, RegexOptions.IgnoreCase).TrimEnd('/');

    private static bool TemplateMatches(string template, string path)
    {
        var regex = "^" + Regex.Replace(Regex.Escape(template.TrimEnd('/')), @"\\\{[^}]*\}", "[^/]+") + "/?$";
        return Regex.IsMatch(path.TrimEnd('/'), regex, RegexOptions.IgnoreCase) || (template.Length > 1 && Regex.IsMatch(Uri.UnescapeDataString(path.TrimEnd('/')), regex, RegexOptions.IgnoreCase));
    }

    private static void Write(HttpListenerContext context, int status, string? body, string contentType, Dictionary<string, string> headers) =>
        Write(context, status, body == null ? null : Encoding.UTF8.GetBytes(body), contentType, headers);

    private static void Write(HttpListenerContext context, int status, byte[]? body, string contentType, Dictionary<string, string> headers)
    {
        context.Response.StatusCode = status;
        foreach (var header in headers)
        {
            context.Response.Headers[header.Key] = header.Value;
        }

        if (body != null)
        {
            context.Response.ContentType = contentType;
            context.Response.ContentLength64 = body.Length;
            context.Response.OutputStream.Write(body);
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
    }
}

/// <summary>A value that satisfies a JSON Schema, preferring its examples, defaults and enums.</summary>
internal static class SchemaSample
{
    /// <summary>
    /// A documented example whose lists are empty (<c>"flows": []</c>) describes a server with nothing in it; the mock
    /// stands for one that has what the workflow lists, so each empty list whose items the schema documents gets one
    /// item made from that schema. Everything else of the example is kept as written.
    /// </summary>
    public static JsonNode? FillEmptyLists(OpenApiDescription description, JsonNode? example, JsonNode? schemaNode, int depth)
    {
        if (depth > 8 || description.Resolve(schemaNode) is not JsonObject schema)
        {
            return example;
        }

        switch (example)
        {
            case JsonArray { Count: 0 } empty when schema["items"] is JsonNode items && Create(description, items, depth + 1) is JsonNode item:
                empty.Add(item);
                return empty;
            case JsonArray list when schema["items"] is JsonNode items:
                for (var i = 0; i < list.Count; i++)
                {
                    list[i] = FillEmptyLists(description, list[i]?.DeepClone(), items, depth + 1);
                }

                return list;
            case JsonObject obj:
                var properties = new Dictionary<string, JsonNode?>();
                foreach (var part in new[] { schema }.Concat((schema["allOf"] as JsonArray)?.Select(p => description.Resolve(p) as JsonObject).OfType<JsonObject>() ?? Enumerable.Empty<JsonObject>()))
                {
                    foreach (var property in part["properties"] as JsonObject ?? new JsonObject())
                    {
                        properties.TryAdd(property.Key, property.Value);
                    }
                }

                foreach (var pair in obj.ToList())
                {
                    if (properties.TryGetValue(pair.Key, out var propertySchema))
                    {
                        obj[pair.Key] = FillEmptyLists(description, pair.Value?.DeepClone(), propertySchema, depth + 1);
                    }
                }

                return obj;
            default:
                return example;
        }
    }

    public static JsonNode? Create(OpenApiDescription description, JsonNode? schemaNode, int depth)
    {
        if (depth > 8 || description.Resolve(schemaNode) is not JsonObject schema)
        {
            return null;
        }

        if (schema["example"] is JsonNode example)
        {
            return example.DeepClone();
        }

        if (schema["examples"] is JsonArray examples && examples.Count > 0)
        {
            return examples[0]?.DeepClone();
        }

        if (schema["default"] is JsonNode defaultValue)
        {
            return defaultValue.DeepClone();
        }

        if (schema["enum"] is JsonArray values && values.Count > 0)
        {
            return values[0]?.DeepClone();
        }

        if (schema["allOf"] is JsonArray allOf)
        {
            var merged = new JsonObject();
            foreach (var part in allOf)
            {
                if (Create(description, part, depth + 1) is JsonObject piece)
                {
                    foreach (var pair in piece.ToList())
                    {
                        merged[pair.Key] = pair.Value?.DeepClone();
                    }
                }
            }

            return merged;
        }

        foreach (var choice in new[] { "oneOf", "anyOf" })
        {
            if (schema[choice] is JsonArray options && options.Count > 0)
            {
                return Create(description, options[0], depth + 1);
            }
        }

        var type = schema["type"] is JsonArray types ? types.Select(JsonUtil.Render).FirstOrDefault(t => t != "null") : schema["type"] is JsonNode t ? JsonUtil.Render(t) : schema["properties"] != null ? "object" : null;
        switch (type)
        {
            case "object":
                {
                    var result = new JsonObject();
                    if (schema["properties"] is JsonObject properties)
                    {
                        foreach (var property in properties)
                        {
                            result[property.Key] = Create(description, property.Value, depth + 1);
                        }
                    }

                    return result;
                }

            case "array":
                return new JsonArray(schema["items"] == null ? JsonValue.Create("string") : Create(description, schema["items"], depth + 1));
            case "integer":
                return JsonValue.Create(1);
            case "number":
                return JsonValue.Create(1.0);
            case "boolean":
                return JsonValue.Create(true);
            case "string":
                return JsonValue.Create(schema["format"] is JsonNode format ? JsonUtil.Render(format) switch
                {
                    "date-time" => "2024-01-01T00:00:00Z",
                    "date" => "2024-01-01",
                    "uuid" => "00000000-0000-4000-8000-000000000000",
                    "email" => "user@example.com",
                    "uri" => "https://example.com/",
                    _ => "string",
                } : "string");
            default:
                // A schema that says nothing of its type: a server sends some value; a string is the common one.
                return schema["additionalProperties"] != null ? new JsonObject() : JsonValue.Create("string");
        }
    }
}

/// <summary>A run listener that remembers the step being run, so a <see cref="LoopbackMock"/> can answer what it expects.</summary>
internal sealed class StepTracker : Daytona.Arazzo.Execution.IRunListener
{
    private readonly List<Daytona.Arazzo.Model.ArazzoDocument> _documents;

    public StepTracker(IEnumerable<Daytona.Arazzo.Model.ArazzoDocument> documents) => _documents = documents.ToList();

    public Daytona.Arazzo.Model.Step? Current { get; private set; }

    public IReadOnlyList<Daytona.Arazzo.Model.ArazzoDocument> Documents => _documents;

    public List<string> Warnings { get; } = new();

    public void Add(Daytona.Arazzo.Model.ArazzoDocument document) => _documents.Add(document);

    public Daytona.Arazzo.Model.Workflow? CurrentWorkflow { get; private set; }

    public void StepStarting(string workflowId, string stepId, int attempt, int stepIndex, int stepCount)
    {
        CurrentWorkflow = _documents.Select(d => d.FindWorkflow(workflowId)).FirstOrDefault(w => w?.FindStep(stepId) != null);
        Current = CurrentWorkflow?.FindStep(stepId);
    }

    public void Trace(string message)
    {
    }

    public void Warning(string message)
    {
        lock (Warnings)
        {
            Warnings.Add(message);
        }
    }

    public void StepFailed(Daytona.Arazzo.Execution.StepFailure failure)
    {
    }
}
