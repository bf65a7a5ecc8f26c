using System.Text.Json.Nodes;
using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;

namespace Arazzo.Tests.Conformance;

/// <summary>How one workflow of a corpus document ended.</summary>
internal sealed record CorpusOutcome(string Document, string WorkflowId, string Kind, string Reason)
{
    /// <summary>True when load-time validation warned about the step output whose value the failure was missing.</summary>
    public bool Announced { get; init; }

    /// <summary>For a failure that reads a value the documented response does not have: which kind of defect (see CorpusRunner.Cause).</summary>
    public string? Cause { get; init; }
}

/// <summary>What a corpus run found: documents, workflows and how each ended.</summary>
internal sealed class CorpusReport
{
    public const string Succeeded = "succeeded";
    public const string Refused = "refused";

    public int Documents { get; set; }

    /// <summary>Documents refused as a whole (not Arazzo 1.0.x at all).</summary>
    public List<CorpusOutcome> RefusedDocuments { get; } = new();

    public List<CorpusOutcome> Workflows { get; } = new();

    /// <summary>ResponseValueNotDocumented warnings over the corpus, and those on workflows that then succeeded.</summary>
    public int ResponseWarnings { get; set; }

    public int ResponseWarningsOnSuccesses { get; set; }

    /// <summary>
    /// Workflows that succeeded only because the mock added a field the workflow reads and the description does not list
    /// (see <see cref="ResponseCompletion"/>): run again against the answers as documented, they fail. Announced:
    /// load-time validation warned about the workflow (ResponseValueNotDocumented).
    /// </summary>
    public List<CorpusOutcome> SucceededWithAddedFields { get; } = new();

    /// <summary>
    /// Workflows that succeeded only because the mock answered a value the schema documents where the description's
    /// example holds null (see <see cref="ResponseCompletion"/>): against the examples as written, they fail.
    /// </summary>
    public List<CorpusOutcome> SucceededWithNullsFilled { get; } = new();

    /// <summary>Requests answered with a status the criteria asked for that the description does not document.</summary>
    public int UndocumentedStatusAnswers { get; set; }

    public int Count(string kind) => Workflows.Count(w => w.Kind == kind);

    public IEnumerable<CorpusOutcome> Failed => Workflows.Where(w => w.Kind != Succeeded && w.Kind != Refused);

    /// <summary>The counts, one line each, then the failures and refusals grouped by reason.</summary>
    public string Describe(string name)
    {
        var lines = new List<string>
        {
            $"{name}: {Documents} documents, {RefusedDocuments.Count} refused as a whole; {Workflows.Count} workflows: " +
            $"{Count(Succeeded)} succeeded, {Failed.Count()} failed, {Count(Refused)} refused (errors of their own); " +
            $"{Workflows.Count - Count(Refused)} error-free, {(Workflows.Count - Count(Refused) == 0 ? 0 : 100.0 * Count(Succeeded) / (Workflows.Count - Count(Refused))):0.0}% of them succeeded; " +
            $"{UndocumentedStatusAnswers} answers with a status the criteria asked for but the description does not document",
            $"{Failed.Count(f => f.Announced)} of the {Failed.Count()} failures were announced at load time: a warning (ResponseValueNotDocumented) named the step output they read and what the description documents instead ({ResponseWarnings} such warnings in all, {ResponseWarningsOnSuccesses} on workflows that succeeded)",
        };
        lines.Add($"{SucceededWithAddedFields.Count} of the {Count(Succeeded)} successes relied on a field the description does not list, which the mock added because the documented schema permits it there (a live server may send fields its description omits; against the answers exactly as documented these workflows fail); {SucceededWithAddedFields.Count(s => s.Announced)} of them were announced at load time (ResponseValueNotDocumented)");
        lines.Add($"{SucceededWithNullsFilled.Count} of the {Count(Succeeded)} successes relied on a value the schema documents where the description's example holds null" + string.Concat(SucceededWithNullsFilled.Select(s => $"; {s.Document}/{s.WorkflowId}")));
        foreach (var example in SucceededWithAddedFields.Where(s => s.Announced).Take(3).Concat(SucceededWithAddedFields.Where(s => !s.Announced)))
        {
            lines.Add($"    {(example.Announced ? "e.g." : "not announced:")} {example.Document}/{example.WorkflowId}: added {Cut(example.Reason, 200)}");
        }

        foreach (var group in Workflows.Where(w => w.Kind != Succeeded).GroupBy(w => w.Kind).OrderByDescending(g => g.Count()))
        {
            lines.Add($"  {group.Key}: {group.Count()}");
            foreach (var cause in group.Where(w => w.Cause != null).GroupBy(w => w.Cause).OrderByDescending(c => c.Count()))
            {
                lines.Add($"    {cause.Count()} {cause.Key} (e.g. {string.Join(", ", cause.Select(w => w.Document.Split('/')[0]).Distinct().Take(4))})");
            }

            foreach (var example in group.Take(3))
            {
                lines.Add($"    e.g. {example.Document}/{example.WorkflowId}: {Cut(example.Reason, 220)}");
            }
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}

/// <summary>
/// Runs every workflow of every document of a corpus laid out as jentic-oak is (workflows/&lt;api&gt;/*.arazzo.json whose
/// source URLs are relative to the corpus folder) the way a user would meet it: validated as Invoke-ArazzoWorkflow
/// does, then every workflow that can run is run with inputs made from its inputs schema against a loopback mock that
/// answers as the description documents, with the status the step's criteria ask for. Each outcome is classified by
/// rule, so a new document with a known kind of failure is classified without editing a list.
/// </summary>
internal static class CorpusRunner
{
    /// <summary>A failure is explained when one of these rules names its cause.</summary>
    internal static readonly (string Kind, Func<WorkflowResult, bool> Applies)[] Rules =
    {
        ("failed: the document reads a value the documented response does not have", r => r.Error != null && r.Error.Contains("no request was sent") && r.Error.Contains("path parameter")),
        ("failed: a source description is not available", r => r.Error != null && r.Error.Contains("could not be loaded from")),
        ("failed: the success criteria were not met", r => r.ErrorId == "ArazzoStepFailed" && r.Error != null && (r.Error.Contains("was not met") || r.Error.Contains("ended the workflow"))),
    };

    public const string Unexplained = "failed: not explained by any rule";

    public static IEnumerable<string> Documents(string root) =>
        Directory.GetFiles(Path.Combine(root, "workflows"), "*.json", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(root, "workflows"), "*.yaml", SearchOption.AllDirectories))
            .OrderBy(f => f, StringComparer.Ordinal);

    public static async Task<CorpusReport> RunAsync(string root)
    {
        var report = new CorpusReport();
        foreach (var file in Documents(root))
        {
            report.Documents++;
            await RunDocumentAsync(root, file, report);
        }

        return report;
    }

    private static async Task RunDocumentAsync(string root, string file, CorpusReport report)
    {
        var name = Path.GetRelativePath(Path.Combine(root, "workflows"), file);
        var loaded = ArazzoLoader.LoadFile(file);
        var resolver = new SourceResolver { AllowRemote = false };
        foreach (var source in loaded.Document?.SourceDescriptions ?? new List<SourceDescription>())
        {
            // Source URLs are relative to the corpus folder, not to the document's.
            if (!source.Url.StartsWith("http", StringComparison.OrdinalIgnoreCase))
            {
                resolver.Mappings[SourceResolver.ResolveLocation(file, source.Url)!] = Path.Combine(root, Uri.UnescapeDataString(source.Url));
            }
        }

        // As Invoke-ArazzoWorkflow prepares a document: validated, each workflow's readiness kept on it.
        var options = new RunOptions { PollInterval = TimeSpan.Zero, MaxSteps = 100, Timeout = TimeSpan.FromSeconds(20), AllowRemoteSources = false };
        ArazzoDocument document;
        try
        {
            document = (await RunPreparation.PrepareAsync(file, options, resolver, CancellationToken.None)).Document;
        }
        catch (Daytona.Common.DaytonaException e)
        {
            report.RefusedDocuments.Add(new CorpusOutcome(name, string.Empty, CorpusReport.Refused, e.Message));
            return;
        }

        var readiness = document.Validation!;
        var rerunUndocumented = 0;
        using var mock = new LoopbackMock();
        var tracker = mock.TrackSteps(document);
        mock.CompletesReads = true;
        var servers = new Dictionary<string, string>();
        foreach (var source in document.SourceDescriptions)
        {
            var openApi = (await resolver.LoadAsync(document, source, CancellationToken.None)).OpenApi;
            servers[source.Name] = mock.AddSource(source.Name, openApi?.Operations.SelectMany(o => o.Servers).FirstOrDefault() ?? "https://api.example.com", openApi);
        }

        foreach (var workflow in document.Workflows)
        {
            var ready = readiness.For(workflow.WorkflowId);
            if (ready is { CanRun: false })
            {
                report.Workflows.Add(new CorpusOutcome(name, workflow.WorkflowId, CorpusReport.Refused, ready.Reason ?? string.Empty));
                continue;
            }

            options.Inputs = Inputs(document, workflow);
            options.ServerUrls = servers;
            options.Listener = tracker;
            var additionsBefore = mock.Additions.Count;
            WorkflowResult result;
            try
            {
                result = await new WorkflowRunner(document, options, resolver).RunWorkflowAsync(workflow.WorkflowId, CancellationToken.None);
            }
            catch (Daytona.Common.DaytonaException e)
            {
                report.Workflows.Add(new CorpusOutcome(name, workflow.WorkflowId, "failed: the run was refused (" + e.ErrorId + ")", e.Message));
                continue;
            }

            var kind = result.Status == WorkflowStatus.Succeeded ? CorpusReport.Succeeded : Rules.FirstOrDefault(r => r.Applies(result)).Kind ?? Unexplained;
            var unresolved = result.Unresolved.Count == 0 ? string.Empty
                : " [unresolved: " + string.Join("; ", result.Unresolved.Keys.Cast<string>().Take(3).Select(k => k + " = " + result.Unresolved[k])) + "]";
            report.Workflows.Add(new CorpusOutcome(name, workflow.WorkflowId, kind, (result.Error ?? string.Empty) + (kind == CorpusReport.Succeeded ? string.Empty : unresolved))
            {
                Announced = kind != CorpusReport.Succeeded && Announced(readiness, workflow, result.Error),
                Cause = kind == Rules[0].Kind ? Cause(readiness, workflow, result.Error) : null,
            });
            var warnings = readiness.Diagnostics.Count(d => d.Code == "ResponseValueNotDocumented" && d.WorkflowId == workflow.WorkflowId);
            var additions = mock.Additions.Skip(additionsBefore).ToList();
            if (kind == CorpusReport.Succeeded && additions.Any(a => !a.EndsWith(ResponseCompletion.ListedMark, StringComparison.Ordinal)))
            {
                // Relied on it: the same workflow against the answers as documented (nothing added) does not succeed.
                mock.CompletesReads = false;
                var undocumentedBefore = mock.UndocumentedStatusAnswers;
                var without = await new WorkflowRunner(document, options, resolver).RunWorkflowAsync(workflow.WorkflowId, CancellationToken.None);
                rerunUndocumented += mock.UndocumentedStatusAnswers - undocumentedBefore;
                mock.CompletesReads = true;
                if (without.Status != WorkflowStatus.Succeeded)
                {
                    (additions.All(ResponseCompletion.IsDocumented) ? report.SucceededWithNullsFilled : report.SucceededWithAddedFields)
                        .Add(new CorpusOutcome(name, workflow.WorkflowId, kind, string.Join("; ", additions.Distinct())) { Announced = warnings > 0 });
                }
            }

            report.ResponseWarnings += warnings;
            report.ResponseWarningsOnSuccesses += kind == CorpusReport.Succeeded ? warnings : 0;
            if (Environment.GetEnvironmentVariable("ARAZZO_CORPUS_VERBOSE") == "1" && kind == CorpusReport.Succeeded && warnings > 0)
            {
                Console.WriteLine($"warned-but-succeeded {name}/{workflow.WorkflowId}: " + string.Join(" | ", readiness.Diagnostics.Where(d => d.Code == "ResponseValueNotDocumented" && d.WorkflowId == workflow.WorkflowId).Select(d => d.Message)));
            }

            if (Environment.GetEnvironmentVariable("ARAZZO_CORPUS_VERBOSE") == "1" && additions.Count > 0)
            {
                Console.WriteLine($"added-fields ({kind}{(warnings > 0 ? ", announced" : ", not announced")}) {name}/{workflow.WorkflowId}: {string.Join("; ", additions.Distinct())}");
            }

            if (Environment.GetEnvironmentVariable("ARAZZO_CORPUS_VERBOSE") == "1" && kind != CorpusReport.Succeeded)
            {
                Console.WriteLine($"{kind} {name}/{workflow.WorkflowId}: {result.Error}{unresolved}");
                foreach (var warning in readiness.Diagnostics.Where(d => d.Code == "ResponseValueNotDocumented" && d.WorkflowId == workflow.WorkflowId))
                {
                    Console.WriteLine("    warned: " + warning.Message);
                }
            }
        }

        report.UndocumentedStatusAnswers += mock.UndocumentedStatusAnswers - rerunUndocumented;
    }

    /// <summary>Whether validation warned that the step output a failure reads is not in the documented response.</summary>
    private static bool Announced(ValidationReport readiness, Workflow workflow, string? error) => Warning(readiness, workflow, error) != null;

    /// <summary>
    /// Why a workflow that reads a value the documented response does not have fails, by rule: from the load-time
    /// warning about the output it reads, else from what the value turned out to be.
    /// </summary>
    internal static string Cause(ValidationReport readiness, Workflow workflow, string? error)
    {
        var warning = Warning(readiness, workflow, error)?.Message ?? string.Empty;
        var text = error ?? string.Empty;
        return warning.Contains(" has no body") ? "reads the body of a success the description documents without one"
            : System.Text.RegularExpressions.Regex.IsMatch(warning, @"documents an? (string|integer|number|boolean) at") ? "reads below a documented scalar (e.g. a list of strings)"
            : warning.Contains(" has no '") ? "reads a property the documented schema does not allow (additionalProperties: false)"
            : warning.Contains("documents a list at") ? "reads a name from a list whose items cannot hold it"
            : text.Contains("is an empty object") || text.Contains("is an object") ? "puts a whole object (the body) in a path segment"
            : text.Contains("which is null") ? "reads a field the documented example holds as null"
            : text.Contains("is not set by the step") ? "a required path parameter neither set by the step nor given a default or example"
            : text.Contains("does not exist") ? "reads a step output the step does not declare"
            : "other";
    }

    private static Diagnostic? Warning(ValidationReport readiness, Workflow workflow, string? error)
    {
        var read = System.Text.RegularExpressions.Regex.Match(error ?? string.Empty, @"\$steps\.([^.\s]+)\.outputs\.([^\s,]+)");
        return !read.Success ? null : readiness.Diagnostics.FirstOrDefault(d => d.Code == "ResponseValueNotDocumented" && d.WorkflowId == workflow.WorkflowId
            && System.Text.RegularExpressions.Regex.Match(d.Message, @"^Step '([^']*)' output '([^']*)'") is { Success: true } warned
            && warned.Groups[1].Value == read.Groups[1].Value
            && (read.Groups[2].Value == warned.Groups[2].Value || read.Groups[2].Value.StartsWith(warned.Groups[2].Value + ".", StringComparison.Ordinal) || read.Groups[2].Value.StartsWith(warned.Groups[2].Value + "[", StringComparison.Ordinal)));
    }

    /// <summary>Inputs a user might pass: a value for every declared input, from its examples, default, enum or type.</summary>
    private static JsonObject Inputs(ArazzoDocument document, Workflow workflow)
    {
        var description = new OpenApiDescription("inputs", document.Source!.Root!.DeepClone(), document.Location);
        return SchemaSample.Create(description, workflow.Inputs, 0) as JsonObject ?? new JsonObject();
    }
}
