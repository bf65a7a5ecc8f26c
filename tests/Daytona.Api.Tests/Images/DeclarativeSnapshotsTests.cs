using System.Formats.Tar;
using Daytona.Api;
using Daytona.Api.Images;
using Daytona.Common;
using Daytona.Emulator;
using Daytona.Images;

namespace Daytona.Api.Tests.Images;

/// <summary>
/// The declarative build path against the emulator over real HTTP on 127.0.0.1: push access, ListObjectsV2 and
/// PutObject with SigV4, the tar that lands in storage, the create call with buildInfo, and reuse.
/// </summary>
public sealed class BuildPathTests : IAsyncLifetime
{
    private EmulatorServer _emulator = null!;
    private DaytonaClient _client = null!;
    private readonly TempFolder _folder = new();

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.05 });
        _client = new DaytonaClient(new DaytonaConnection(_emulator.ApiUrl, _emulator.ApiKey, _emulator.OrganizationId, "test"));
        _folder.Write("app.py", "print('hello')\n");
        _folder.Write("src/pkg/__init__.py", string.Empty);
        _folder.Write("src/pkg/core.py", "X = 1\n");
        Directory.CreateDirectory(Path.Combine(_folder.Path, "src", "empty"));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _emulator.DisposeAsync();
        _folder.Dispose();
    }

    private DaytonaImage Image() =>
        DaytonaImage.DebianSlim("3.12")
            .RunCommands("apt-get update")
            .PipInstall(new[] { "numpy" })
            .AddLocalFile("app.py", "/app/app.py", _folder.Path)
            .AddLocalDir("src", "/app/src", _folder.Path);

    private int Route(string prefix) => _emulator.Control.GetRequests().ByRoute.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(r => r.Value);

    private async Task<Snapshot> WaitActiveAsync(string name)
    {
        for (var i = 0; i < 400; i++)
        {
            var snapshot = await _client.GetSnapshotAsync(name, CancellationToken.None);
            if (snapshot.State == SnapshotState.Active)
            {
                return snapshot;
            }

            Assert.NotEqual(SnapshotState.BuildFailed, snapshot.State);
            await Task.Delay(25);
        }

        throw new TimeoutException(name + " did not become active");
    }

    [Fact]
    public async Task UploadsEachContextOnceAndCreatesTheSnapshotWithBuildInfo()
    {
        var image = Image();
        var result = await DeclarativeSnapshots.CreateAsync(_client, "app", image, null, null, CancellationToken.None);

        Assert.False(result.Reused);
        Assert.Equal(2, result.Uploads.Count);
        Assert.All(result.Uploads, u => Assert.True(u.Uploaded));
        var expectedHashes = image.Context.Select(c => c.ComputeHash()).ToArray();
        Assert.Equal(expectedHashes, result.Uploads.Select(u => u.Hash));
        var objects = _emulator.Control.ListObjects();
        foreach (var upload in result.Uploads)
        {
            Assert.Equal(_emulator.OrganizationId + "/" + upload.Hash + "/context.tar", upload.Key);
            Assert.Equal(upload.Bytes, objects[upload.Key]);
        }

        Assert.Equal(1, Route("GET /api/object-storage/push-access"));
        Assert.Equal(2, Route("PUT /s3/"));
        var snapshot = await WaitActiveAsync("app");
        Assert.Equal(image.Dockerfile, snapshot.BuildInfo!.DockerfileContent);
        Assert.Equal(expectedHashes, snapshot.BuildInfo.ContextHashes);
    }

    [Fact]
    public async Task ASecondRunOfTheSameDefinitionMakesOneLookupAndNoUploadOrBuild()
    {
        await DeclarativeSnapshots.CreateAsync(_client, "app", Image(), null, null, CancellationToken.None);
        await WaitActiveAsync("app");
        _emulator.Control.ResetRequests();

        var messages = new List<string>();
        var again = await DeclarativeSnapshots.CreateAsync(_client, "app", Image(), null, messages.Add, CancellationToken.None);

        Assert.True(again.Reused);
        Assert.Equal(SnapshotState.Active, again.Snapshot.State);
        Assert.Equal(1, _emulator.Control.GetRequests().Total);
        Assert.Contains(messages, m => m.Contains("reusing it: no upload, no build", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AChangedFileChangesTheHashAndRebuildsUploadingOnlyThatContext()
    {
        var first = await DeclarativeSnapshots.CreateAsync(_client, "app", Image(), null, null, CancellationToken.None);
        await WaitActiveAsync("app");
        File.AppendAllText(Path.Combine(_folder.Path, "app.py"), "print('changed')\n");
        var changed = Image();
        Assert.NotEqual(first.Uploads[0].Hash, changed.Context[0].ComputeHash());
        Assert.Equal(first.Uploads[1].Hash, changed.Context[1].ComputeHash());

        _emulator.Control.ResetRequests();
        var messages = new List<string>();
        var rebuilt = await DeclarativeSnapshots.CreateAsync(_client, "app", changed, null, messages.Add, CancellationToken.None);
        Assert.False(rebuilt.Reused);
        Assert.Contains(messages, m => m.Contains("the definition changed", StringComparison.Ordinal));
        Assert.Equal(new[] { true, false }, rebuilt.Uploads.Select(u => u.Uploaded));
        Assert.Equal(1, Route("PUT /s3/"));
        var snapshot = await WaitActiveAsync("app");
        Assert.Equal(changed.Context.Select(c => c.ComputeHash()), snapshot.BuildInfo!.ContextHashes);
    }

    [Fact]
    public async Task AnImageNameSnapshotOfTheSameNameIsReplacedOnlyWithForce()
    {
        await _client.CreateSnapshotAsync(new CreateSnapshotRequest("named") { ImageName = "python:3.12-slim" }, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<DaytonaException>(() => DeclarativeSnapshots.CreateAsync(_client, "named", Image(), null, null, CancellationToken.None));
        Assert.Equal(DaytonaErrorIds.SnapshotAlreadyExists, refused.ErrorId);
        Assert.Equal(ErrorKind.ResourceExists, refused.Kind);

        var replaced = await DeclarativeSnapshots.CreateAsync(_client, "named", Image(), new DeclarativeSnapshotOptions { Force = true }, null, CancellationToken.None);
        Assert.NotNull(replaced.Snapshot.BuildInfo);
    }

    [Fact]
    public async Task AnInactiveSnapshotOfTheSameDefinitionIsReturnedNotRebuilt()
    {
        var first = await DeclarativeSnapshots.CreateAsync(_client, "app", Image(), null, null, CancellationToken.None);
        await WaitActiveAsync("app");
        _emulator.Control.DeactivateUnused("app");
        _emulator.Control.ResetRequests();

        var again = await DeclarativeSnapshots.CreateAsync(_client, "app", Image(), null, null, CancellationToken.None);
        Assert.True(again.Reused);
        Assert.Equal(SnapshotState.Inactive, again.Snapshot.State);
        Assert.Equal(first.Snapshot.Id, again.Snapshot.Id);
        Assert.Equal(1, _emulator.Control.GetRequests().Total);
    }

    [Fact]
    public async Task AFailedBuildOfTheSameDefinitionIsBuiltAgain()
    {
        var failing = Image().DockerfileCommands(new[] { "# emulator: fail" });
        await DeclarativeSnapshots.CreateAsync(_client, "flaky", failing, null, null, CancellationToken.None);
        for (var i = 0; i < 400 && (await _client.GetSnapshotAsync("flaky", CancellationToken.None)).State != SnapshotState.BuildFailed; i++)
        {
            await Task.Delay(25);
        }

        var messages = new List<string>();
        var retried = await DeclarativeSnapshots.CreateAsync(_client, "flaky", failing, null, messages.Add, CancellationToken.None);
        Assert.False(retried.Reused);
        Assert.Contains(messages, m => m.Contains("ended build_failed", StringComparison.Ordinal));
        Assert.All(retried.Uploads, u => Assert.False(u.Uploaded));
    }

    [Fact]
    public async Task ForceBuildsAnActiveUnchangedSnapshotAgain()
    {
        await DeclarativeSnapshots.CreateAsync(_client, "app", Image(), null, null, CancellationToken.None);
        var first = await WaitActiveAsync("app");
        var forced = await DeclarativeSnapshots.CreateAsync(_client, "app", Image(), new DeclarativeSnapshotOptions { Force = true }, null, CancellationToken.None);
        Assert.False(forced.Reused);
        Assert.NotEqual(first.Id, forced.Snapshot.Id);
    }

    [Fact]
    public async Task TheStoredArchiveHoldsTheContextUnderItsArchivePath()
    {
        var image = Image();
        var dir = image.Context[1];
        var entries = ContextArchive.Plan(dir.FullPath, dir.ArchivePath);
        using var buffer = new MemoryStream();
        ContextArchive.Write(buffer, entries);
        Assert.Equal(ContextArchive.Measure(entries), buffer.Length);

        buffer.Position = 0;
        using var reader = new TarReader(buffer);
        var read = new List<(string Name, TarEntryType Type, string Content)>();
        while (reader.GetNextEntry() is { } entry)
        {
            using var content = new StreamReader(entry.DataStream ?? Stream.Null);
            read.Add((entry.Name, entry.EntryType, content.ReadToEnd()));
        }

        Assert.Equal(
            new[] { "src/", "src/empty/", "src/pkg/", "src/pkg/__init__.py", "src/pkg/core.py" },
            read.Select(r => r.Name));
        Assert.Equal(TarEntryType.Directory, read[0].Type);
        Assert.Equal("X = 1\n", read.Single(r => r.Name == "src/pkg/core.py").Content);
    }

    [Fact]
    public async Task LongPathsGoIntoPaxHeaders()
    {
        var deep = string.Join("/", Enumerable.Repeat("a-rather-long-folder-name", 8)) + "/file-with-a-long-name.txt";
        _folder.Write(Path.Combine("deep", deep), "deep");
        var entries = ContextArchive.Plan(Path.Combine(_folder.Path, "deep"), "deep");
        using var buffer = new MemoryStream();
        ContextArchive.Write(buffer, entries);
        buffer.Position = 0;
        using var reader = new TarReader(buffer);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }

        Assert.Contains("deep/" + deep, names);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task AMissingContextFailsBeforeAnyRequest()
    {
        var image = DaytonaImage.Base("alpine").DockerfileCommands(new[] { "COPY missing.txt /m" }, null, false, _folder.Path);
        _emulator.Control.ResetRequests();
        var error = await Assert.ThrowsAsync<DaytonaException>(() => DeclarativeSnapshots.CreateAsync(_client, "missing", image, null, null, CancellationToken.None));
        Assert.Equal(ImageErrors.FileNotFound, error.ErrorId);
        Assert.Equal(0, _emulator.Control.GetRequests().Total);
    }
}
