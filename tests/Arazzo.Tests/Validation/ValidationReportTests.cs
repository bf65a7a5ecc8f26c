using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;

namespace Arazzo.Tests.Validation;

/// <summary>A finding fails only what it is about: its workflow, the workflows using its component, and their dependants.</summary>
public sealed class ValidationReportTests : IDisposable
{
    private const string OpenApi = """
        openapi: 3.1.0
        info: {title: pets, version: '1'}
        servers: [{url: 'https://pets.example/v1'}]
        paths:
          /pets:
            get: {operationId: listPets, responses: {'200': {description: ok}}}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("arazzo-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<ValidationReport> Assess(string workflows, bool strict = false, string components = "")
    {
        File.WriteAllText(Path.Combine(_folder, "pets.yaml"), OpenApi);
        var path = Path.Combine(_folder, "doc.arazzo.yaml");
        File.WriteAllText(path, "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows:\n" + workflows + "\n" + components);
        return await ArazzoValidator.AssessAsync(ArazzoLoader.LoadFile(path), new SourceResolver { AllowRemote = false }, strict);
    }

    [Fact]
    public async Task ADuplicateStepIdFailsItsWorkflowOnly()
    {
        var report = await Assess("""
            - workflowId: good
              steps: [{stepId: a, operationId: listPets}]
            - workflowId: twice
              steps: [{stepId: a, operationId: listPets}, {stepId: a, operationId: listPets}]
            """);

        Assert.Empty(report.DocumentErrors);
        Assert.True(report.For("good")!.CanRun);
        var twice = report.For("twice")!;
        Assert.False(twice.CanRun);
        Assert.Equal("DuplicateStepId", Assert.Single(twice.Errors).Code);
        Assert.Equal("twice", Assert.Single(report.Diagnostics, d => d.Code == "DuplicateStepId").WorkflowId);
        Assert.True(report.CanRunAny);
        Assert.False(report.IsValid);
    }

    [Fact]
    public async Task AWorkflowThatDependsOnABrokenOneCannotRunEitherAndSaysWhy()
    {
        var report = await Assess("""
            - workflowId: broken
              steps: [{stepId: a, operationId: nowhere}]
            - workflowId: after
              dependsOn: [broken]
              steps: [{stepId: a, operationId: listPets}]
            - workflowId: caller
              steps: [{stepId: a, workflowId: after}]
            - workflowId: alone
              steps: [{stepId: a, operationId: listPets}]
            """);

        Assert.False(report.For("broken")!.CanRun);
        var after = report.For("after")!;
        Assert.False(after.CanRun);
        Assert.Empty(after.Errors);
        Assert.Equal("broken", after.BlockedBy);
        Assert.Contains("depends on workflow 'broken'", after.Reason);
        Assert.Equal("after", report.For("caller")!.BlockedBy);
        Assert.True(report.For("alone")!.CanRun);
    }

    [Fact]
    public async Task AComponentErrorFailsTheWorkflowsThatUseItOnly()
    {
        var report = await Assess("""
            - workflowId: uses
              steps:
              - stepId: a
                operationId: listPets
                onFailure: [{reference: $components.failureActions.broken}]
            - workflowId: ignores
              steps: [{stepId: a, operationId: listPets}]
            """, components: """
            components:
              failureActions:
                broken: {name: broken, type: goto}
            """);

        Assert.False(report.For("uses")!.CanRun);
        Assert.Contains(report.For("uses")!.Errors, e => e.Code == "MissingGotoTarget");
        Assert.True(report.For("ignores")!.CanRun);
        Assert.Null(Assert.Single(report.Diagnostics, d => d.Code == "MissingGotoTarget").WorkflowId);
    }

    [Fact]
    public async Task UnderStrictALeniencyFailsOnlyTheWorkflowThatBendsTheSpec()
    {
        const string workflows = """
            - workflowId: bends
              parameters: [{name: Authorization, in: header, value: 'Bearer $inputs.token'}]
              steps: [{stepId: a, operationId: listPets}]
            - workflowId: clean
              steps: [{stepId: a, operationId: listPets}]
            """;
        var lenient = await Assess(workflows);
        Assert.All(lenient.Workflows, w => Assert.True(w.CanRun));
        Assert.Contains(lenient.For("bends")!.Warnings, d => d.Code == "BareExpression" && d.IsLeniency);

        var strict = await Assess(workflows, strict: true);
        Assert.False(strict.For("bends")!.CanRun);
        Assert.True(strict.For("clean")!.CanRun);
    }

    [Fact]
    public async Task OnlyADocumentThatIsNotArazzoAtAllStopsEveryWorkflow()
    {
        var path = Path.Combine(_folder, "v2.arazzo.yaml");
        File.WriteAllText(path, "arazzo: 2.0.0\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: a, url: a.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: s, operationId: o}]}]");
        var report = await ArazzoValidator.AssessAsync(ArazzoLoader.LoadFile(path), null);
        Assert.Equal("UnsupportedVersion", Assert.Single(report.DocumentErrors).Code);
        Assert.False(report.For("w")!.CanRun);

        // Metadata errors (info) stop nothing; a document without workflows has nothing that could run.
        var untitled = Path.Combine(_folder, "untitled.arazzo.yaml");
        File.WriteAllText(untitled, "arazzo: 1.0.1\ninfo: {version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows: [{workflowId: w, steps: [{stepId: a, operationId: listPets}]}]\n");
        var noTitle = await ArazzoValidator.AssessAsync(ArazzoLoader.LoadFile(untitled), new SourceResolver { AllowRemote = false });
        Assert.Contains(noTitle.Diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Message.Contains("'title'"));
        Assert.True(noTitle.For("w")!.CanRun);
        var empty = Path.Combine(_folder, "empty.arazzo.yaml");
        File.WriteAllText(empty, "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nworkflows: []\n");
        Assert.NotEmpty((await ArazzoValidator.AssessAsync(ArazzoLoader.LoadFile(empty), null)).DocumentErrors);
    }
}
