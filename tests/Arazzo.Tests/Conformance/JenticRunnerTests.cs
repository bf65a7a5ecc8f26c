using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;
using Daytona.Arazzo.Yaml;

namespace Arazzo.Tests.Conformance;

/// <summary>
/// jentic/arazzo-engine runner fixtures: every workflow case of every fixtures/*/test_config.yaml runs against a
/// loopback mock serving the configured mocks (workflow ones first, then the fixture's) and synthesizing other
/// answers from the OpenAPI response schemas; success, expected outputs and the number of API calls must agree.
/// </summary>
public class JenticRunnerTests
{
    private static string Folder => Environment.GetEnvironmentVariable("ARAZZO_JENTIC_FIXTURES") is { Length: > 0 } other ? other : Path.Combine(TestPaths.Corpus("jentic-arazzo-runner"), "fixtures");

    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public JenticRunnerTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    /// <summary>
    /// The causes that explain a disagreement with a fixture, each with the test that recognises it: a case passes
    /// only when it agrees, or when one of these names why it cannot — never by its name.
    /// </summary>
    internal static readonly (string Cause, Func<string?, string, bool> Applies)[] Rules =
    {
        ("the fixture holds no Arazzo document or OpenAPI description: it runs only against the real server upstream",
            (document, problem) => document == null),
        ("the document writes the output the fixture checks as a literal null (its comment: string concatenation is not supported), so no engine can produce the expected value",
            (document, problem) => OutputName(problem) is string output && document != null
                && Regex.IsMatch(File.ReadAllText(document), @"^\s+" + Regex.Escape(output) + @":\s*(null|~)?\s*(#.*)?$", RegexOptions.Multiline)),
        ("a step id contains a space, so no runtime expression can name it (identifiers are letters, digits, '-' and '_'); the output that reads it stays literal text",
            (document, problem) => document != null && OutputName(problem) != null
                && Regex.IsMatch(File.ReadAllText(document), @"stepId:\s*['""]?[A-Za-z0-9_-]+ [^'""\n]*")),
    };

    private static string? OutputName(string problem)
    {
        var match = Regex.Match(problem, "^output '([^']+)' is");
        return match.Success ? match.Groups[1].Value : null;
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (var config in Directory.GetFiles(Folder, "test_config.yaml", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
        {
            var fixture = Path.GetFileName(Path.GetDirectoryName(config))!;
            var root = YamlJson.Parse(File.ReadAllText(config)) as JsonObject;
            var workflows = root?["workflows"] as JsonArray ?? new JsonArray();
            for (var i = 0; i < workflows.Count; i++)
            {
                yield return new object[] { fixture, i, JsonUtil.Render(workflows[i]?["id"]) };
            }
        }
    }

    [Fact]
    public void EveryFixtureIsEnumerated() => Assert.True(Cases().Count() >= 3, $"only {Cases().Count()} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case(string fixture, int index, string workflowId)
    {
        var key = $"{fixture}/{workflowId}#{index}";
        var problem = await RunAsync(fixture, index);
        if (problem == null)
        {
            return;
        }

        var directory = Path.Combine(Folder, fixture);
        var entry = (JsonObject)((JsonArray)((JsonObject)YamlJson.Parse(File.ReadAllText(Path.Combine(directory, "test_config.yaml")))!)["workflows"]!)[index]!;
        var cause = Rules.FirstOrDefault(r => r.Applies(FindDocument(directory, entry), problem)).Cause;
        Assert.True(cause != null, $"{key}: {problem}");
        _output.WriteLine($"{key}: disagrees with the fixture, explained: {cause}\n{problem}");
    }

    /// <summary>Runs one case; null when it agrees with the fixture, else what differs.</summary>
    internal static async Task<string?> RunAsync(string fixture, int index)
    {
        var directory = Path.Combine(Folder, fixture);
        var config = (JsonObject)YamlJson.Parse(File.ReadAllText(Path.Combine(directory, "test_config.yaml")))!;
        var entry = (JsonObject)((JsonArray)config["workflows"]!)[index]!;
        var documentPath = FindDocument(directory, entry);
        if (documentPath == null)
        {
            return "the fixture holds no Arazzo document";
        }

        var loaded = ArazzoLoader.LoadFile(documentPath);
        var resolver = new SourceResolver { AllowRemote = false };
        var diagnostics = await ArazzoValidator.ValidateAsync(loaded, resolver);
        var document = loaded.Document!;
        var workflowId = JsonUtil.Render(entry["id"]);

        using var mock = new LoopbackMock();
        var tracker = mock.TrackSteps(document);
        var servers = new Dictionary<string, string>();
        var baseUrls = config["base_urls"] as JsonObject;
        foreach (var source in document.SourceDescriptions)
        {
            var openApi = (await resolver.LoadAsync(document, source, CancellationToken.None)).OpenApi;
            var original = openApi?.Operations.SelectMany(o => o.Servers).FirstOrDefault() ?? JsonUtil.Render(baseUrls?[source.Name]);
            servers[source.Name] = mock.AddSource(source.Name, original, openApi);
        }

        foreach (var route in Routes(entry["custom_mocks"]))
        {
            mock.Add(route);
        }

        if (config["custom_mocks"] is JsonObject global)
        {
            foreach (var pair in global)
            {
                foreach (var route in Routes(pair.Value))
                {
                    mock.Add(route);
                }
            }
        }

        var inputs = (entry["inputs"] ?? entry["params"]) as JsonObject ?? new JsonObject();
        var options = new RunOptions
        {
            Inputs = (JsonObject)inputs.DeepClone(),
            ServerUrls = servers,
            PollInterval = TimeSpan.Zero,
            MaxSteps = 200,
            Timeout = TimeSpan.FromSeconds(20),
            AllowRemoteSources = false,
            Listener = tracker,
        };
        WorkflowResult result;
        try
        {
            result = await new WorkflowRunner(document, options, resolver).RunWorkflowAsync(workflowId, CancellationToken.None);
        }
        catch (Daytona.Common.DaytonaException e)
        {
            result = new WorkflowResult();
            if (entry["expect_success"] is JsonValue expectSuccess && !expectSuccess.GetValue<bool>())
            {
                return null;
            }

            return $"the run was refused: {e.ErrorId}: {e.Message}";
        }

        var expected = entry["expect_success"] is not JsonValue e2 || e2.GetValue<bool>();
        var succeeded = result.Status == WorkflowStatus.Succeeded;
        if (expected != succeeded)
        {
            return $"expected {(expected ? "success" : "failure")}, got {result.Status}: {result.Error} (errors in validation: {string.Join("; ", diagnostics.Where(d => d.Severity == Daytona.Arazzo.Diagnostics.DiagnosticSeverity.Error).Select(d => d.Message))})";
        }

        if (entry["expected_outputs"] is JsonObject outputs)
        {
            foreach (var pair in outputs)
            {
                JsonNode? actual;
                if (result.OutputsJson.TryGetPropertyValue(pair.Key, out var value))
                {
                    actual = value;
                }
                else
                {
                    // The runner's results name step outputs "step.output", or by the output's name alone.
                    var dot = pair.Key.IndexOf('.');
                    var byName = result.StepOutputsJson.Values.LastOrDefault(o => o.ContainsKey(pair.Key));
                    if (byName != null)
                    {
                        actual = byName[pair.Key];
                    }
                    else if (dot <= 0 || !result.StepOutputsJson.TryGetValue(pair.Key[..dot], out var stepOutputs) || !stepOutputs.TryGetPropertyValue(pair.Key[(dot + 1)..], out actual))
                    {
                        return $"output '{pair.Key}' is missing (outputs: {result.OutputsJson.ToJsonString()})";
                    }
                }

                if (!SameValue(pair.Value, actual))
                {
                    return $"output '{pair.Key}' is {actual?.ToJsonString() ?? "null"}, expected {pair.Value?.ToJsonString() ?? "null"}";
                }
            }
        }

        if (entry["expected_api_calls"] is JsonValue calls && ToInt(calls) != mock.Requests.Count)
        {
            return $"{mock.Requests.Count} API calls, expected {ToInt(calls)}: {string.Join(", ", mock.Requests.Select(r => r.Method + " " + r.OriginalUrl))}";
        }

        return null;
    }

    private static int ToInt(JsonNode node) => JsonUtil.TryGetNumber(node, out var n) ? (int)n : int.Parse(JsonUtil.Render(node));

    private static bool SameValue(JsonNode? expected, JsonNode? actual)
    {
        if (JsonUtil.TryGetNumber(expected, out var a) && JsonUtil.TryGetNumber(actual, out var b))
        {
            return a == b;
        }

        return JsonNode.DeepEquals(expected, actual);
    }

    private static string? FindDocument(string directory, JsonObject entry)
    {
        if (entry["arazzo_spec"] is JsonValue spec)
        {
            var named = Path.Combine(directory, Path.GetFileName(JsonUtil.Render(spec)));
            if (File.Exists(named))
            {
                return named;
            }
        }

        foreach (var file in Directory.GetFiles(directory).Where(f => f.EndsWith(".yaml") || f.EndsWith(".yml") || f.EndsWith(".json")).OrderBy(f => f, StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            if (text.Contains("arazzo:") || text.Contains("\"arazzo\""))
            {
                if (YamlJson.Parse(text) is JsonObject root && root["arazzo"] != null)
                {
                    return file;
                }
            }
        }

        return null;
    }

    private static IEnumerable<MockRoute> Routes(JsonNode? node)
    {
        if (node is not JsonArray list)
        {
            yield break;
        }

        foreach (var item in list.OfType<JsonObject>())
        {
            yield return new MockRoute
            {
                Method = JsonUtil.Render(item["method"] ?? "get").ToUpperInvariant(),
                Path = JsonUtil.Render(item["path"] ?? item["url"]),
                RequestBody = item["request_body"] as JsonObject,
                Query = item["query_params"] as JsonObject,
                Status = item["status_code"] is JsonValue status ? ToInt(status) : 200,
                Body = item["response"]?.DeepClone(),
                Text = item["text"] is JsonValue text ? JsonUtil.Render(text) : null,
            };
        }
    }
}
