using Daytona.Api;
using Daytona.Common;
using Daytona.Recording;

namespace Recording.Tests;

/// <summary>Ending a recording: the document and the Daytona description beside it, written whole, with no secret in either.</summary>
public sealed class WorkflowRecorderTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task TheDocumentAndItsDescriptionAreWrittenBesideEachOtherWithTheSessionsServerFirst()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Start("build.arazzo.yaml");
        await h.As("New-DaytonaSnapshot", c => c.CreateSnapshotAsync(new CreateSnapshotRequest("described") { ImageName = "alpine:3.20" }, None), "described");
        var result = WorkflowRecorder.Save(h.Recording!);

        Assert.Equal(Path.Combine(h.Folder, "build.openapi.yml"), result.DescriptionPath);
        var document = File.ReadAllText(result.DocumentPath);
        Assert.Contains("url: build.openapi.yml", document);
        Assert.DoesNotContain(h.Emulator.ApiKey, document);
        var description = File.ReadAllText(result.DescriptionPath);
        Assert.DoesNotContain(h.Emulator.ApiKey, description);
        var servers = description.IndexOf("servers:", StringComparison.Ordinal);
        Assert.Contains("- url: '" + h.Emulator.ApiUrl.AbsoluteUri.TrimEnd('/') + "'", description.Substring(servers, 200));
        Assert.Contains("- url: https://app.daytona.io/api", description.Substring(servers, 300));
        Assert.Contains("operationId: createSnapshot", description);
        Assert.Empty(Directory.GetFiles(h.Folder, "*.tmp"));
    }

    [Fact]
    public void TheDescriptionIsTheShippedOneWhenTheSessionTalkedToDaytonaCloud()
    {
        var shipped = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "examples", "openapi", "daytona-snapshots-api-openapi.yml"));
        Assert.Equal(shipped, WorkflowRecorder.DescriptionFor("https://app.daytona.io/api/"));
        Assert.Equal(shipped, WorkflowRecorder.DescriptionFor(null));
    }

    [Fact]
    public async Task ARecordingWithNothingToReplayWritesNothingAndSaysSo()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Start("empty.arazzo.yaml");
        await h.As("Get-DaytonaSnapshot", c => c.FindSnapshotAsync("nothing-here", None));
        var error = Assert.Throws<DaytonaException>(() => WorkflowRecorder.Save(h.Recording!));
        Assert.Equal("ArazzoRecordingEmpty", error.ErrorId);
        Assert.Empty(Directory.GetFiles(h.Folder));
    }

    [Fact]
    public async Task AnExistingDocumentIsReplacedWhole()
    {
        await using var h = await SessionHarness.StartAsync();
        var path = Path.Combine(h.Folder, "again.arazzo.yaml");
        File.WriteAllText(path, new string('x', 100_000));
        h.Start("again.arazzo.yaml");
        await h.As("New-DaytonaSnapshot", c => c.CreateSnapshotAsync(new CreateSnapshotRequest("replaced") { ImageName = "alpine:3.20" }, None), "replaced");
        WorkflowRecorder.Save(h.Recording!);
        var text = File.ReadAllText(path);
        Assert.StartsWith("arazzo: 1.0.1", text);
        Assert.DoesNotContain("xxx", text);
    }

    [Theory]
    [InlineData("build.arazzo.yaml", "build.openapi.yml")]
    [InlineData("build.yml", "build.openapi.yml")]
    [InlineData("session.arazzo.json", "session.openapi.yml")]
    [InlineData("plain", "plain.openapi.yml")]
    public void TheDescriptionIsNamedAfterTheDocument(string document, string description) =>
        Assert.Equal(description, WorkflowRecorder.DescriptionFileName(document));
}
