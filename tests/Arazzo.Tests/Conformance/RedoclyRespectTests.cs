using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;

namespace Arazzo.Tests.Conformance;

/// <summary>
/// Redocly Respect e2e tests: each test's Arazzo document runs (every workflow, with the test's --input values)
/// against a loopback mock built from its OpenAPI descriptions (the Cafe API's local copy for the remote URL); the
/// per-step outcome of the success criteria, in order, must match the one its recorded output shows.
/// </summary>
public class RedoclyRespectTests
{
    private const string CafeUrl = "https://cafe.redocly.com/_bundle/openapi/cafe.yaml";

    private static string Folder => TestPaths.Corpus("redocly-respect");

    private static string TestsFolder => Path.Combine(Folder, "tests", "e2e", "respect");

    /// <summary>Cases we disagree with, and why.</summary>
    internal static readonly Dictionary<string, string> Disagreements = new()
    {
        ["severity-off-level"] = "runs with Respect's --severity flags turning failed checks off, and asserts the live Cafe API's 400 validation error and photo text; the mock answers 2xx with schema values",
        ["severity-warn-level"] = "runs with Respect's --severity flags turning failed checks into warnings, and asserts the live Cafe API's 400 validation error and photo text; the mock answers 2xx with schema values",
        ["consider-severity-in-next-step-execution"] = "Respect's --severity flags make a failed step a warning and go on; the spec (and we) stop at a failed step without a failure action",
        ["outputs-access-syntax-variations"] = "asserts values of the live Cafe menu (search results, a 400 validation error with details/errors); the mock answers with schema values",
        ["outputs-in-path-parameters"] = "asserts the live photo text 'A classic Italian tiramisu…' of a seeded menu item; the mock answers the schema's example",
        ["replacements"] = "asserts the live Cafe API's 400 answer to a registration with a replaced body; the mock answers 2xx",
        ["x-allow-reserved-query-param"] = "asserts the live Cafe API's 400 answer to reserved characters in a query value; the mock answers 2xx",
        ["inputs-passed-to-step-target-workflow"] = "asserts the live Cafe API's 400 answer to a client registration; the mock answers 2xx",
        ["reveal-masked-input-secrets"] = "asserts the live Cafe API's 400 answer to a client registration; the mock answers 2xx",
        ["inputs-with-cli-and-env"] = "asserts the live Cafe API's 400 answer to a client registration; the mock answers 2xx",
        ["case-insensitive-headers"] = "asserts headers of the live server (X-Powered-By: Express, its exact Content-Type); the mock sends neither",
        ["x-security-on-workflow-level-merged-to-steps"] = "relies on Respect's x-security extension (auth schemes applied to requests) and the live API's 401 for a wrong password; the extension is not implemented here",
        ["workflow-failure-actions"] = "after a retry's retryLimit is used up Respect goes on to the next step; the spec says the next matching failure action runs (here a goto to search-menu-items), which is what we do",
    };

    public static IEnumerable<object[]> Cases() =>
        Directory.GetDirectories(TestsFolder)
            .Where(d => Directory.GetFiles(d, "*.test.ts").Length > 0 && Directory.Exists(Path.Combine(d, "__snapshots__")))
            .Select(d => new object[] { Path.GetFileName(d) })
            .OrderBy(c => (string)c[0], StringComparer.Ordinal);

    [Fact]
    public void EveryTestIsEnumerated() => Assert.True(Cases().Count() >= 20, $"only {Cases().Count()} tests");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case(string name)
    {
        var problem = await RunAsync(name);
        if (Disagreements.TryGetValue(name, out var reason))
        {
            Assert.True(problem != null, $"{name} now agrees; remove it from the disagreements ({reason}).");
            return;
        }

        Assert.True(problem == null, $"{name}: {problem}");
    }

    internal static async Task<string?> RunAsync(string name)
    {
        var directory = Path.Combine(TestsFolder, name);
        var testText = File.ReadAllText(Directory.GetFiles(directory, "*.test.ts")[0]);
        var fixture = Regex.Matches(testText, @"join\(__dirname,\s*'([^']+)'\)").Select(m => m.Groups[1].Value).FirstOrDefault(f => f.EndsWith(".yaml") || f.EndsWith(".yml")) ?? string.Empty;
        var documentPath = Path.Combine(directory, fixture);
        var inputs = new JsonObject();
        foreach (Match match in Regex.Matches(testText, @"'--input',\s*'([^']*)'"))
        {
            var value = match.Groups[1].Value;
            if (JsonUtil.TryParseJson(value, out var json) && json is JsonObject obj)
            {
                foreach (var pair in obj.ToList())
                {
                    inputs[pair.Key] = pair.Value?.DeepClone();
                }
            }
            else if (value.Contains('='))
            {
                inputs[value[..value.IndexOf('=')]] = value[(value.IndexOf('=') + 1)..];
            }
        }

        var snapshot = File.ReadAllText(Directory.GetFiles(Path.Combine(directory, "__snapshots__"))[0]);
        var expected = ParseSnapshot(snapshot);

        var resolver = new SourceResolver { AllowRemote = false };
        resolver.Mappings[CafeUrl] = Path.Combine(Folder, "resources", "cafe.yaml");
        var loaded = ArazzoLoader.LoadFile(documentPath);
        if (loaded.Document == null)
        {
            return "the document does not load: " + string.Join("; ", loaded.Diagnostics.Select(d => d.Message));
        }

        var document = loaded.Document;
        using var mock = new LoopbackMock();
        var servers = new Dictionary<string, string>();
        await RegisterSources(document, resolver, mock, servers, 0);
        var options = new RunOptions { Inputs = inputs, ServerUrls = servers, PollInterval = TimeSpan.Zero, MaxSteps = 200, Timeout = TimeSpan.FromSeconds(20), AllowRemoteSources = false };
        var actual = new List<(string Workflow, string Step, bool Passed)>();
        // Like Respect, one run of the whole document: a workflow others depend on runs once.
        var runner = new WorkflowRunner(document, options, resolver);
        foreach (var workflow in document.Workflows)
        {
            WorkflowResult result;
            try
            {
                result = await runner.RunWorkflowAsync(workflow.WorkflowId, CancellationToken.None);
            }
            catch (Daytona.Common.DaytonaException e)
            {
                return $"workflow '{workflow.WorkflowId}' was refused: {e.Message}";
            }

            actual.AddRange(result.Steps.Where(s => s.Method != "WORKFLOW").Select(s => (s.WorkflowId, s.StepId, s.Succeeded)));
        }

        var expectedText = string.Join(", ", expected.Select(e => $"{e.Step}:{(e.Passed == null ? "?" : e.Passed.Value ? "pass" : "fail")}"));
        var actualText = string.Join(", ", actual.Select(a => $"{a.Step}:{(a.Passed ? "pass" : "fail")}"));
        if (expected.Count != actual.Count)
        {
            return $"Respect ran [{expectedText}], we ran [{actualText}]";
        }

        for (var i = 0; i < expected.Count; i++)
        {
            if (expected[i].Step != actual[i].Step || (expected[i].Passed.HasValue && expected[i].Passed != actual[i].Passed))
            {
                return $"Respect ran [{expectedText}], we ran [{actualText}]";
            }
        }

        return null;
    }

    private static async Task RegisterSources(Daytona.Arazzo.Model.ArazzoDocument document, SourceResolver resolver, LoopbackMock mock, Dictionary<string, string> servers, int depth)
    {
        foreach (var source in document.SourceDescriptions)
        {
            var loaded = await resolver.LoadAsync(document, source, CancellationToken.None);
            if (loaded.OpenApi != null && !servers.ContainsKey(source.Name))
            {
                var original = loaded.OpenApi.Operations.SelectMany(o => o.Servers).FirstOrDefault() ?? "https://api.example.com";
                servers[source.Name] = mock.AddSource(source.Name, original, loaded.OpenApi);
            }
            else if (loaded.Arazzo != null && depth < 4)
            {
                await RegisterSources(loaded.Arazzo, resolver, mock, servers, depth + 1);
            }
        }
    }

    /// <summary>The steps Respect ran, in order, with the outcome of their success criteria check when shown.</summary>
    internal static List<(string Workflow, string Step, bool? Passed)> ParseSnapshot(string snapshot)
    {
        var result = new List<(string, string, bool?)>();
        var workflow = string.Empty;
        var summary = snapshot.IndexOf("Failed tests info:", StringComparison.Ordinal);
        var body = summary > 0 ? snapshot[..summary] : snapshot;
        var summaryIndex = body.IndexOf("Summary for", StringComparison.Ordinal);
        if (summaryIndex > 0)
        {
            body = body[..summaryIndex];
        }

        foreach (var line in body.Split('\n'))
        {
            var running = Regex.Match(line, @"Running workflow \S+ / (\S+)");
            if (running.Success)
            {
                workflow = running.Groups[1].Value;
                continue;
            }

            var step = Regex.Match(line, @"^\s{2}[✓✗] .* - step (\S+)\s*$");
            if (step.Success)
            {
                result.Add((workflow, step.Groups[1].Value, null));
                continue;
            }

            var criteria = Regex.Match(line, @"^\s{4}([✓✗]) success criteria check");
            if (criteria.Success && result.Count > 0)
            {
                var last = result[^1];
                var passed = criteria.Groups[1].Value == "✓";
                result[^1] = (last.Item1, last.Item2, last.Item3 == null ? passed : last.Item3 & passed);
            }
        }

        return result;
    }
}
