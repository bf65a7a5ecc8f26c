using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;

namespace Arazzo.Tests.OpenApi;

/// <summary>How steps bind to operations when the OpenAPI description itself is at fault.</summary>
public sealed class StepBinderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("arazzo-binder-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task AnOperationIdUsedTwiceInADescriptionBindsTheFirstInDocumentOrderWithAWarningNamingBoth()
    {
        File.WriteAllText(Path.Combine(_folder, "api.yaml"), """
            openapi: 3.0.3
            info: {title: a, version: '1'}
            paths:
              /v2/customers/{id}:
                post: {operationId: Customers_Get, responses: {'200': {description: ok}}}
                get: {operationId: Customers_Get, responses: {'200': {description: ok}}}
              /v1/customers/{id}:
                get: {operationId: Customers_Get, responses: {'200': {description: ok}}}
            """);
        var path = Path.Combine(_folder, "doc.arazzo.yaml");
        File.WriteAllText(path, """
            arazzo: 1.0.1
            info: {title: t, version: '1'}
            sourceDescriptions: [{name: api, url: ./api.yaml}]
            workflows:
            - workflowId: w
              steps:
              - {stepId: plain, operationId: Customers_Get}
              - {stepId: qualified, operationId: $sourceDescriptions.api.Customers_Get}
            """);
        var loaded = ArazzoLoader.LoadFile(path);
        var resolver = new SourceResolver { AllowRemote = false };
        foreach (var step in loaded.Document!.Workflows[0].Steps)
        {
            var target = await StepBinder.BindAsync(loaded.Document, step, resolver, CancellationToken.None);
            Assert.Null(target.Error);
            Assert.Equal("POST", target.Operation!.Method);
            Assert.Equal("/v2/customers/{id}", target.Operation.PathTemplate);
            Assert.Contains("#/paths/~1v2~1customers~1{id}/post", target.Warning);
            Assert.Contains("#/paths/~1v2~1customers~1{id}/get", target.Warning);
            Assert.Contains("#/paths/~1v1~1customers~1{id}/get", target.Warning);
        }

        var report = await ArazzoValidator.AssessAsync(loaded, resolver);
        Assert.True(report.For("w")!.CanRun);
        var warnings = report.Diagnostics.Where(d => d.Code == "DuplicateOperationId").ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.All(warnings, d => Assert.False(d.IsLeniency));
    }

    [Fact]
    public async Task AWorkflowOfAnotherDocumentNamedWithTheOlderWorkflowsFormBindsAsALeniency()
    {
        File.WriteAllText(Path.Combine(_folder, "shared.arazzo.yaml"), """
            arazzo: 1.0.1
            info: {title: shared, version: '1'}
            sourceDescriptions: [{name: api, url: ./api.yaml}]
            workflows:
            - workflowId: create
              steps: [{stepId: s, operationId: op}]
            """);
        File.WriteAllText(Path.Combine(_folder, "api.yaml"), "openapi: 3.1.0\ninfo: {title: a, version: '1'}\npaths:\n  /x: {get: {operationId: op, responses: {'200': {description: ok}}}}\n");
        var path = Path.Combine(_folder, "doc.arazzo.yaml");
        File.WriteAllText(path, """
            arazzo: 1.0.1
            info: {title: t, version: '1'}
            sourceDescriptions: [{name: shared, url: ./shared.arazzo.yaml, type: arazzo}]
            workflows:
            - workflowId: w
              steps:
              - {stepId: older, workflowId: $sourceDescriptions.shared.workflows.create}
              - {stepId: spec, workflowId: $sourceDescriptions.shared.create}
              - {stepId: missing, workflowId: $sourceDescriptions.shared.workflows.nowhere}
            """);
        var loaded = ArazzoLoader.LoadFile(path);
        var resolver = new SourceResolver { AllowRemote = false };
        var steps = loaded.Document!.Workflows[0].Steps;

        var older = await StepBinder.BindAsync(loaded.Document, steps[0], resolver, CancellationToken.None);
        Assert.Equal("create", older.Workflow!.WorkflowId);
        Assert.Equal("shared.arazzo.yaml", Path.GetFileName(older.Workflow.Document.Location));
        Assert.Contains("write '$sourceDescriptions.shared.create'", older.Lenient);

        var spec = await StepBinder.BindAsync(loaded.Document, steps[1], resolver, CancellationToken.None);
        Assert.Same(older.Workflow, spec.Workflow);
        Assert.Null(spec.Lenient);

        var missing = await StepBinder.BindAsync(loaded.Document, steps[2], resolver, CancellationToken.None);
        Assert.Null(missing.Workflow);
        Assert.Equal("UnknownWorkflow", missing.ErrorCode);

        // A leniency: the workflow runs by default, and -Strict refuses it; the unknown one is an error of its workflow.
        var report = await ArazzoValidator.AssessAsync(loaded, resolver);
        var leniency = Assert.Single(report.Diagnostics, d => d.Code == "QualifiedWorkflowId");
        Assert.True(leniency.IsLeniency);
        Assert.Contains(report.Diagnostics, d => d.Code == "UnknownWorkflow" && d.Severity == DiagnosticSeverity.Error);
    }
}
