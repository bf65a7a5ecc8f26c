using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;

namespace Arazzo.Tests.Validation;

/// <summary>Load-time warnings for step outputs that read what the documented response cannot hold.</summary>
public sealed class ResponseReadsTests : IDisposable
{
    private const string OpenApi = """
        openapi: 3.1.0
        info: {title: pets, version: '1'}
        servers: [{url: 'https://pets.example/v1'}]
        paths:
          /pets:
            get:
              operationId: listPets
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          data: {type: array, items: {$ref: '#/components/schemas/Pet'}}
                          total: {type: integer}
            post:
              operationId: addPet
              responses: {'201': {description: created, headers: {Location: {schema: {type: string}}}}}
          /pets/{id}:
            get:
              operationId: getPet
              parameters: [{name: id, in: path, required: true, schema: {type: string}}]
              responses:
                '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
          /blobs:
            get:
              operationId: getBlob
              responses:
                '200': {description: ok, content: {application/json: {schema: {type: object}}}}
          /notes:
            get:
              operationId: getNote
              responses:
                '200': {description: ok, content: {application/json: {example: {a: 1}}}}
          /things:
            get:
              operationId: listThings
              responses:
                '200': {description: ok, content: {application/json: {schema: {type: object, additionalProperties: true}}}}
        components:
          schemas:
            Pet:
              allOf:
              - {type: object, properties: {id: {type: string}}}
              - {type: object, properties: {name: {type: string}, tags: {type: array, items: {type: string}}}}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("arazzo-reads-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<List<Diagnostic>> Warnings(string outputs, string operationId = "listPets", string? laterStep = null)
    {
        File.WriteAllText(Path.Combine(_folder, "pets.yaml"), OpenApi);
        var path = Path.Combine(_folder, "doc.arazzo.yaml");
        File.WriteAllText(path, "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows:\n"
            + $"- workflowId: w\n  steps:\n  - stepId: s\n    operationId: {operationId}\n    outputs: {outputs}\n" + (laterStep == null ? string.Empty : "  - " + laterStep + "\n"));
        var report = await ArazzoValidator.AssessAsync(ArazzoLoader.LoadFile(path), new SourceResolver { AllowRemote = false });
        Assert.True(report.For("w")!.CanRun, "a warning does not stop the workflow");
        return report.Diagnostics.Where(d => d.Code == "ResponseValueNotDocumented").ToList();
    }

    [Fact]
    public async Task ValuesTheDocumentedResponseHoldsRaiseNothing()
    {
        Assert.Empty(await Warnings("{all: $response.body, first: $response.body#/data/0/id, name: '$response.body#/data/0/name', count: $response.body.total, tag: '$response.body#/data/0/tags/0'}"));
        Assert.Empty(await Warnings("{id: $response.body#/id, name: $response.body#/name}", "getPet"));
        Assert.Empty(await Warnings("{anything: $response.body#/whatever/below}", "listThings"));
        Assert.Empty(await Warnings("{where: $response.header.Location, code: $statusCode}", "addPet"));
    }

    [Fact]
    public async Task APropertyTheSchemaDoesNotListIsNamedWithWhatItDocuments()
    {
        var warning = Assert.Single(await Warnings("{petId: $response.body#/id}"));
        Assert.Equal("w", warning.WorkflowId);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("Step 's' output 'petId' reads $response.body#/id", warning.Message);
        Assert.Contains("the documented 200 response of GET /pets (listPets) has no 'id' at '/' (it documents data, total)", warning.Message);
    }

    [Fact]
    public async Task ANameReadFromAListAPointerIntoAScalarAndABodylessResponseAreNamed()
    {
        var list = Assert.Single(await Warnings("{ids: $response.body#/data/id}"));
        Assert.Contains("documents a list at '/data', from which 'id' is read as a name", list.Message);

        var scalar = Assert.Single(await Warnings("{x: $response.body#/data/0/name/first}"));
        Assert.Contains("documents a string at '/data/0/name', which has no 'first'", scalar.Message);

        var bodyless = Assert.Single(await Warnings("{created: $response.body#/id}", "addPet"));
        Assert.Contains("the documented 201 response of POST /pets (addPet) has no body", bodyless.Message);
    }

    [Fact]
    public async Task AReadALaterStepMakesBelowAnOutputIsCheckedAgainstTheBody()
    {
        // The output is the whole list envelope; the next step reads 'id' below it, which the envelope does not document.
        var later = "{stepId: t, operationId: getPet, parameters: [{name: id, in: path, value: $steps.s.outputs.page.id}]}";
        var warning = Assert.Single(await Warnings("{page: $response.body}", laterStep: later));
        Assert.Contains("Step 's' output 'page' is read as $steps.s.outputs.page.id, which reads the body at '/id'", warning.Message);
        Assert.Contains("has no 'id' at '/' (it documents data, total)", warning.Message);

        // Read below it where the body documents it: nothing to say.
        Assert.Empty(await Warnings("{page: $response.body}", laterStep: "{stepId: t, operationId: getPet, parameters: [{name: id, in: path, value: '$steps.s.outputs.page.data[0].id'}]}"));
    }

    [Fact]
    public async Task APlaceTheDescriptionLeavesUndescribedIsNamedButADeclaredOpenMapIsNot()
    {
        // {type: object} without members, and a JSON media type with no schema at all.
        var warning = Assert.Single(await Warnings("{id: $response.body#/id}", "getBlob"));
        Assert.Contains("does not describe the members of the object at '/', so 'id' is not documented there", warning.Message);
        var schemaless = Assert.Single(await Warnings("{id: $response.body#/id}", "getNote"));
        Assert.Contains("does not describe what is at '/' (no schema), so 'id' is not documented there", schemaless.Message);

        // additionalProperties: true declares the members open: anything may be there.
        Assert.Empty(await Warnings("{anything: $response.body#/whatever/below}", "listThings"));
    }
}
