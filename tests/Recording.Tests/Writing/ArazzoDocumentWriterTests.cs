using Daytona.Api;
using Daytona.Arazzo;
using Daytona.Recording;

namespace Recording.Tests.Writing;

/// <summary>The YAML a recording writes reads back as the same values: names that look like numbers stay text, a Dockerfile stays whole.</summary>
public sealed class ArazzoDocumentWriterTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task ValuesReadBackAsTheyWereTyped()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Start("typed.arazzo.yaml");
        await h.As("New-DaytonaSnapshot", c => c.CreateSnapshotAsync(new CreateSnapshotRequest("2024") { ImageName = "alpine:3.20", Cpu = 3, Entrypoint = new[] { "true", "--port", "8080" } }, None), "2024");
        var dockerfile = "FROM alpine:3.20\nRUN echo 'a: b' # not a comment\n\nCMD [\"sh\"]\n";
        await h.As("New-DaytonaSnapshot", c => c.CreateSnapshotAsync(new CreateSnapshotRequest("yes") { DockerfileContent = dockerfile, ContextHashes = Array.Empty<string>() }, None), "yes");
        var result = WorkflowRecorder.Save(h.Recording!);

        var loaded = ArazzoLoader.LoadFile(result.DocumentPath);
        Assert.NotNull(loaded.Document);
        var inputs = WorkflowInfo.Describe(loaded.Document!).Single().Inputs.ToDictionary(i => i.Name);
        Assert.Equal("2024", inputs["snapshot2024Name"].Default);
        Assert.Equal(3L, Convert.ToInt64(inputs["snapshot2024Cpu"].Default));
        Assert.Equal(new object[] { "true", "--port", "8080" }, ((IEnumerable<object>)inputs["snapshot2024Entrypoint"].Default!).ToArray());
        Assert.Equal("yes", inputs["yesName"].Default);
        Assert.Equal(dockerfile, inputs["yesDockerfileContent"].Default);
        Assert.Equal("array", inputs["yesContextHashes"].Type);
        Assert.Empty(await Replay.ValidateAsync(result.DocumentPath));
    }
}
