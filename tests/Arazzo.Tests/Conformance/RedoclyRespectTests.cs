using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;
using Xunit.Abstractions;

namespace Arazzo.Tests.Conformance;

/// <summary>
/// Redocly Respect e2e tests: each test's Arazzo document runs as its CLI arguments say (inputs, <c>--workflow</c>, the
/// step limit) against a loopback mock built from its OpenAPI descriptions (the Cafe API's local copy for the remote
/// URL) that answers what each step's criteria ask for; the steps run and the outcome of their success criteria, in
/// order, must match Respect's recorded output. A case that disagrees passes only when a rule names the cause — never
/// by its name — so a new case with a known cause is classified without editing anything.
/// </summary>
public class RedoclyRespectTests
{
    private const string CafeUrl = "https://cafe.redocly.com/_bundle/openapi/cafe.yaml";

    private readonly ITestOutputHelper _output;

    public RedoclyRespectTests(ITestOutputHelper output) => _output = output;

    /// <summary>What a disagreement with Respect is explained by: the cause, and when it applies.</summary>
    internal sealed record Rule(string Cause, Func<RespectCase, Documents, Disagreement, bool> Applies);

    /// <summary>The case's document and the Arazzo documents it runs workflows of.</summary>
    internal sealed record Documents(ArazzoDocument Main, IReadOnlyList<ArazzoDocument> All)
    {
        public IEnumerable<SourceDescription> Sources => All.SelectMany(d => d.SourceDescriptions);

        public Step? Find(StepRecord record) => All.Select(d => d.FindWorkflow(record.WorkflowId)?.FindStep(record.StepId)).FirstOrDefault(s => s != null);

        public Workflow WorkflowOf(Step step) => All.SelectMany(d => d.Workflows).First(w => w.Steps.Contains(step));

        public bool Any(Func<ArazzoElement, bool> predicate) => All.Any(d => predicate(d) || d.Workflows.Any(w => predicate(w) || w.Steps.Any(predicate)));
    }

    /// <summary>Where the runs part: Respect's step and ours (null when one of them ran no further).</summary>
    internal sealed record Disagreement(int Index, RespectStep? Expected, StepRecord? Actual, IReadOnlyList<RespectStep> ExpectedSteps, IReadOnlyList<StepRecord> ActualSteps);

    internal static readonly Rule[] Rules =
    {
        new("the case sets Respect's check severities (--severity), which decide there what passes and whether a failed step stops its workflow; this engine has no such setting",
            (c, _, _) => c.Severities.Count > 0),
        new("Respect's recorded run could not reach the server the description names (a failed network request); the mock here answers",
            (_, _, d) => d.Expected?.NetworkFailure == true || d.ExpectedSteps.Take(d.Index).Any(s => s.NetworkFailure)),
        new("the case runs against a live server (its source description is a remote URL) and asserts what only that server answers: a status the description does not document for the request, or values the mock cannot know",
            (_, documents, d) => documents.Sources.Any(s => s.Url.StartsWith("http", StringComparison.OrdinalIgnoreCase))
                && d.Expected != null && d.Actual != null && d.Expected.Step == d.Actual.StepId
                && (d.Expected.Status != d.Actual.StatusCode || ReadsResponseValues(documents, d.Actual))),
        new("the document uses Respect's x-security extension (credentials applied from the description's security schemes), which this engine does not implement",
            (_, documents, _) => documents.Any(e => e.Extensions.ContainsKey("x-security"))),
        new("the document uses Respect's x-operation extension (steps that call a raw URL and method instead of an operation of a source description), which this engine does not implement",
            (_, documents, _) => documents.Any(e => e.Extensions.ContainsKey("x-operation"))),
        new("the step's criteria read the request's Content-Type, Accept or Authorization header: OpenAPI says a header parameter with one of these names SHALL be ignored, and this engine sends the request body's media type (and no such parameter); Respect fills it from the parameter's example",
            (_, documents, d) => d.Actual != null && documents.Find(d.Actual) is Step step
                && step.SuccessCriteria.Any(c => System.Text.RegularExpressions.Regex.IsMatch(c.Condition ?? string.Empty, @"\$request\.header\.(content-type|accept|authorization)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase))),
        new("after a retry action's retryLimit is used up Respect goes on to the next step; the spec says the next matching failure action is taken, which is what this engine does",
            (_, documents, d) => d.Index > 0 && d.ActualSteps[d.Index - 1] is var last && documents.Find(last) is Step step
                && References.EffectiveActions(documents.WorkflowOf(step), step, failure: true).Any(a => a.Kind == ActionType.Retry)
                && d.ActualSteps.Take(d.Index).Count(r => r.StepId == last.StepId) > 1),
    };

    private static string Folder => Environment.GetEnvironmentVariable("ARAZZO_RESPECT_CASES") is { Length: > 0 } other ? other : TestPaths.Corpus("redocly-respect");

    private static string TestsFolder => Path.Combine(Folder, "tests", "e2e", "respect");

    public static IEnumerable<object[]> Cases() =>
        Directory.GetDirectories(TestsFolder)
            .Where(d => Directory.GetFiles(d, "*.test.ts").Length > 0 && Directory.Exists(Path.Combine(d, "__snapshots__")))
            .Select(d => new object[] { Path.GetFileName(d) })
            .OrderBy(c => (string)c[0], StringComparer.Ordinal);

    [Fact]
    public void EveryTestIsEnumerated() => Assert.True(Cases().Count() >= 12, $"only {Cases().Count()} tests");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case(string name)
    {
        var (problem, cause) = await RunAsync(name);
        if (cause != null)
        {
            _output.WriteLine($"{name}: disagrees with Respect, explained: {cause}\n{problem}");
            return;
        }

        Assert.True(problem == null, $"{name}: {problem}");
    }

    /// <summary>Runs one case; null when it agrees with Respect, else what differs and the rule that explains it (if one does).</summary>
    internal static async Task<(string? Problem, string? Cause)> RunAsync(string name)
    {
        var respect = RespectCase.Read(Path.Combine(TestsFolder, name));
        if (respect.Document == null)
        {
            return ("the test names no Arazzo document that exists", null);
        }

        var resolver = new SourceResolver { AllowRemote = false };
        resolver.Mappings[CafeUrl] = Path.Combine(Folder, "resources", "cafe.yaml");
        var loaded = ArazzoLoader.LoadFile(respect.Document);
        if (loaded.Document == null)
        {
            return ("the document does not load: " + string.Join("; ", loaded.Diagnostics.Select(d => d.Message)), null);
        }

        var options = new RunOptions { Inputs = respect.Inputs, PollInterval = TimeSpan.Zero, MaxSteps = respect.MaxSteps ?? 200, Timeout = TimeSpan.FromSeconds(20), AllowRemoteSources = false };
        var document = (await RunPreparation.PrepareAsync(respect.Document, options, resolver, CancellationToken.None)).Document;
        using var mock = new LoopbackMock();
        var tracker = mock.TrackSteps(document);
        var servers = new Dictionary<string, string>();
        await RegisterSources(document, resolver, mock, tracker, servers, 0);
        options.ServerUrls = servers;
        options.Listener = tracker;
        var actual = new List<StepRecord>();

        // Like Respect, one run of the whole document: a workflow others depend on runs once.
        var runner = new WorkflowRunner(document, options, resolver);
        foreach (var workflow in document.Workflows.Where(w => respect.Workflows.Count == 0 || respect.Workflows.Contains(w.WorkflowId)))
        {
            try
            {
                var result = await runner.RunWorkflowAsync(workflow.WorkflowId, CancellationToken.None);
                actual.AddRange(result.Steps.Where(s => s.Method != "WORKFLOW"));
            }
            catch (Daytona.Common.DaytonaException)
            {
                // A workflow that cannot run (e.g. its dependsOn does not resolve) shows no step, as in Respect.
            }
        }

        var expected = respect.Expected;
        var count = respect.Truncated ? Math.Min(expected.Count, actual.Count) : Math.Max(expected.Count, actual.Count);
        for (var i = 0; i < count; i++)
        {
            var e = i < expected.Count ? expected[i] : null;
            var a = i < actual.Count ? actual[i] : null;
            if (e != null && a != null && e.Step == a.StepId && (e.Passed == null || e.Passed == a.Succeeded))
            {
                continue;
            }

            var expectedText = string.Join(", ", expected.Select(x => $"{x.Step}:{(x.Passed == null ? "?" : x.Passed.Value ? "pass" : "fail")}"));
            var actualText = string.Join(", ", actual.Select(x => $"{x.StepId}:{(x.Succeeded ? "pass" : "fail")}"));
            var problem = $"Respect ran [{expectedText}], we ran [{actualText}] (first difference at step {i + 1})";
            var disagreement = new Disagreement(i, e, a, expected, actual);
            return (problem, Rules.FirstOrDefault(r => r.Applies(respect, new Documents(document, tracker.Documents), disagreement))?.Cause);
        }

        return (null, null);
    }

    /// <summary>Whether the step's criteria read values a server answered (its response, or outputs taken from earlier responses).</summary>
    private static bool ReadsResponseValues(Documents documents, StepRecord record) =>
        documents.Find(record) is Step step && step.SuccessCriteria.Any(c => new[] { "$response.", "$steps.", "$workflows.", "$outputs." }.Any(source => c.Condition.Contains(source) || (c.Context ?? string.Empty).Contains(source)));

    private static async Task RegisterSources(ArazzoDocument document, SourceResolver resolver, LoopbackMock mock, StepTracker tracker, Dictionary<string, string> servers, int depth)
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
                tracker.Add(loaded.Arazzo);
                await RegisterSources(loaded.Arazzo, resolver, mock, tracker, servers, depth + 1);
            }
        }
    }
}
