using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi.Models;
using Microsoft.OpenApi.Readers;

namespace Daytona.Emulator.Tests.Http;

/// <summary>One answer of the emulator, as its response log keeps it.</summary>
internal sealed record LoggedResponse(string Method, string Path, string? Query, int Status, string? ContentType, string? Body, long BodyBytes, string? Fault, string Origin)
{
    public static IEnumerable<LoggedResponse> ReadFolder(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "responses-*.jsonl").OrderBy(f => f, StringComparer.Ordinal))
        {
            var number = 0;
            using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            while (reader.ReadLine() is { } line)
            {
                number++;
                if (line.Length == 0)
                {
                    continue;
                }

                JsonElement root;
                try
                {
                    root = JsonDocument.Parse(line).RootElement;
                }
                catch (JsonException)
                {
                    continue; // the last line of an emulator killed while writing it
                }

                static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                yield return new LoggedResponse(
                    Text(root, "method")!, Text(root, "path")!, Text(root, "query"), root.GetProperty("status").GetInt32(),
                    Text(root, "contentType"), Text(root, "body"), root.GetProperty("bodyBytes").GetInt64(), Text(root, "fault"),
                    $"{System.IO.Path.GetFileName(file)}:{number}");
            }
        }
    }

    public override string ToString() => $"{Method} /api{Path["/api".Length..]}{Query} -> {Status} ({Origin})";
}

/// <summary>What checking a set of answers found.</summary>
internal sealed class ContractReport
{
    public int Checked { get; set; }

    public int InjectedFaults { get; set; }

    public SortedDictionary<string, int> ByOperation { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, int> Undescribed { get; } = new(StringComparer.Ordinal);

    public List<string> OutsideTheDescription { get; } = new();

    public List<string> Mismatches { get; } = new();

    public string Summary() =>
        $"{Checked} responses checked against the Daytona OpenAPI description ({string.Join(", ", ByOperation.Select(p => $"{p.Key} {p.Value}"))}); "
        + $"{Undescribed.Values.Sum()} with a status the description omits and daytona-api.md documents ({string.Join(", ", Undescribed.Select(p => $"{p.Key} {p.Value}"))}); "
        + $"{InjectedFaults} injected infrastructure faults not checked; {OutsideTheDescription.Count} to paths outside the description; {Mismatches.Count} mismatches.";
}

/// <summary>
/// Daytona's published contract for the snapshot API (../shared/reference/daytona-openapi.yaml, read with
/// Microsoft.OpenApi), and the statuses the description omits but the real server sends — one explicit list per
/// operation, each with the sentence of ../shared/reference/daytona-api.md that says so.
/// </summary>
internal sealed class DaytonaContract
{
    /// <summary>Every error the server sends has this body (daytona-api.md, "Error body").</summary>
    public const string ErrorBodyCitation = "Every error is:";

    private const string Auth = "Auth: `Authorization: Bearer <API key or JWT>` (the controller has @ApiBearerAuth and AuthStrategy API_KEY|JWT";
    private const string OtherOrganization = "403 \"Request organization ID does not match resource organization ID\" for another org";
    private const string RateLimit = "A block returns 429 through the same filter";
    private const string SnapshotNotFound = "SnapshotAccessGuard: 404 if not found";

    /// <summary>Statuses the description omits, per operation, each with the daytona-api.md sentence that documents it.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<int, string>> Undocumented = new Dictionary<string, IReadOnlyDictionary<int, string>>
    {
        ["getAllSnapshots"] = Common(new() { [400] = "query: page (int>=1, default 1), limit (int 1..200, default 100)" }),
        ["createSnapshot"] = Common(new() { [409] = "A duplicate name gives **409**" }),
        ["getSnapshot"] = Common(new()),
        ["removeSnapshot"] = Common(new() { [400] = "ParseUUIDPipe, so a non-UUID gives 400", [404] = SnapshotNotFound }),
        ["activateSnapshot"] = Common(new()),
        ["deactivateSnapshot"] = Common(new() { [400] = "| POST /snapshots/{id}/deactivate | deactivateSnapshot | **204** no body | UUID only.", [404] = SnapshotNotFound }),
        ["getSnapshotBuildLogs"] = Common(new() { [400] = "query `follow` (bool, optional)", [404] = "404 `Snapshot <id> has no build info` for image-name snapshots" }),
        ["getSnapshotBuildLogsUrl"] = Common(new() { [404] = "Same no-buildInfo 404" }),
        ["getPushAccess"] = Common(new()),
        ["HealthController_live"] = new Dictionary<int, string>(),
    };

    /// <summary>
    /// Daytona's error body as JSON Schema, from daytona-api.md ("Error body": <c>{path, timestamp, statusCode, error,
    /// message}</c>, an ISO timestamp); the description itself gives errors no schema.
    /// </summary>
    private static readonly JsonSchema ErrorBody = OpenApiJsonSchemas.Build(
        """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "required": ["path", "timestamp", "statusCode", "error", "message"],
          "properties": {
            "path": { "type": "string" },
            "timestamp": { "type": "string", "format": "date-time" },
            "statusCode": { "type": "integer", "minimum": 400, "maximum": 599 },
            "error": { "type": "string" },
            "message": { "type": "string" }
          }
        }
        """,
        "error-body");

    private readonly List<(string Method, Regex Path, string Template, OpenApiOperation Operation)> _operations = new();
    private readonly OpenApiJsonSchemas _schemas;

    private DaytonaContract(OpenApiDocument document)
    {
        _schemas = new OpenApiJsonSchemas(document);
        foreach (var (template, item) in document.Paths)
        {
            var pattern = "^" + Regex.Replace(Regex.Escape(template), @"\\\{[^/]+?\}", "[^/]+") + "$";
            foreach (var (method, operation) in item.Operations)
            {
                _operations.Add((method.ToString().ToUpperInvariant(), new Regex(pattern, RegexOptions.CultureInvariant), template, operation));
            }
        }
    }

    public static string DescriptionPath => Path.Combine(ReferenceFolder, "daytona-openapi.yaml");

    public static string FactsPath => Path.Combine(ReferenceFolder, "daytona-api.md");

    private static string ReferenceFolder => Path.Combine(EmulatorProgramTests.RepoRoot, "..", "shared", "reference");

    public static DaytonaContract Load()
    {
        using var stream = File.OpenRead(DescriptionPath);
        var document = new OpenApiStreamReader().Read(stream, out var diagnostic);
        if (diagnostic.Errors.Count > 0)
        {
            throw new InvalidDataException("The Daytona description does not read cleanly: " + string.Join("; ", diagnostic.Errors.Select(e => e.Message)));
        }

        return new DaytonaContract(document);
    }

    public ContractReport Check(IEnumerable<LoggedResponse> responses)
    {
        var report = new ContractReport();
        foreach (var response in responses)
        {
            if (response.Fault is { } fault && fault != "429")
            {
                // A 5xx the test told the emulator to inject stands for a proxy or an outage, not the API's answer.
                report.InjectedFaults++;
                continue;
            }

            var path = response.Path.StartsWith("/api/", StringComparison.Ordinal) ? response.Path["/api".Length..] : response.Path;
            var match = _operations.FirstOrDefault(o => o.Method == response.Method && o.Path.IsMatch(path));
            if (match.Operation == null)
            {
                report.OutsideTheDescription.Add(response.ToString());
                continue;
            }

            var operationId = match.Operation.OperationId;
            report.Checked++;
            report.ByOperation[operationId] = report.ByOperation.TryGetValue(operationId, out var n) ? n + 1 : 1;
            var problems = new List<string>();
            var status = response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (match.Operation.Responses.TryGetValue(status, out var described))
            {
                CheckBody(response, described, problems);
            }
            else if (Undocumented.TryGetValue(operationId, out var extra) && extra.ContainsKey(response.Status))
            {
                var key = $"{operationId} {response.Status}";
                report.Undescribed[key] = report.Undescribed.TryGetValue(key, out var m) ? m + 1 : 1;
            }
            else
            {
                problems.Add($"status {response.Status} is neither in the description ({string.Join(", ", match.Operation.Responses.Keys)}) nor documented for {operationId} in daytona-api.md");
            }

            if (response.Status >= 400)
            {
                CheckErrorBody(response, problems);
            }

            report.Mismatches.AddRange(problems.Select(p => $"{operationId}: {response}: {p}"));
        }

        return report;
    }

    private void CheckBody(LoggedResponse response, OpenApiResponse described, List<string> problems)
    {
        if (described.Content.Count == 0)
        {
            if (response.Status == 204 && response.BodyBytes > 0)
            {
                problems.Add("204 with a body");
            }

            return;
        }

        var mediaType = (response.ContentType ?? string.Empty).Split(';')[0].Trim();
        if (!described.Content.TryGetValue(mediaType, out var content))
        {
            problems.Add($"content type '{response.ContentType}', the description has {string.Join(", ", described.Content.Keys)}");
            return;
        }

        if (content.Schema == null)
        {
            return;
        }

        if (response.Body == null)
        {
            problems.Add($"a body of {response.BodyBytes} bytes, too large to keep for checking");
            return;
        }

        JsonElement body;
        try
        {
            body = JsonDocument.Parse(response.Body).RootElement;
        }
        catch (JsonException e)
        {
            problems.Add("the body is not JSON: " + e.Message);
            return;
        }

        problems.AddRange(_schemas.Validate(body, content.Schema, "body"));
    }

    /// <summary>Daytona's error body: <c>{path, timestamp, statusCode, error, message}</c> (daytona-api.md, "Error body").</summary>
    private static void CheckErrorBody(LoggedResponse response, List<string> problems)
    {
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(response.Body ?? string.Empty).RootElement;
        }
        catch (JsonException)
        {
            problems.Add("an error without Daytona's error JSON body");
            return;
        }

        var shape = OpenApiJsonSchemas.Validate(body, ErrorBody, "error body");
        problems.AddRange(shape);
        if (shape.Count > 0)
        {
            return;
        }

        if (body.TryGetProperty("statusCode", out var code) && code.GetInt32() != response.Status)
        {
            problems.Add($"the error body's statusCode {code.GetRawText()} is not the status {response.Status}");
        }

        if (body.TryGetProperty("error", out var error) && error.GetString() != ReasonPhrases.GetReasonPhrase(response.Status))
        {
            problems.Add($"the error body's error '{error.GetString()}' is not '{ReasonPhrases.GetReasonPhrase(response.Status)}'");
        }

        if (body.TryGetProperty("path", out var path) && path.GetString() != response.Path + response.Query)
        {
            problems.Add($"the error body's path '{path.GetString()}' is not the request's");
        }
    }

    /// <summary>What every snapshot operation and push access can answer: no valid key, another organization, a rate limit.</summary>
    private static IReadOnlyDictionary<int, string> Common(Dictionary<int, string> specific)
    {
        specific.TryAdd(401, Auth);
        specific.TryAdd(403, OtherOrganization);
        specific.TryAdd(429, RateLimit);
        return specific;
    }
}
