using System.Management.Automation;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Images;

/// <summary>
/// Declarative images all the way to an active snapshot, in the real engine against the emulator: the issue's
/// pipeline as written, build logs on the information stream, reuse of an unchanged definition (one lookup, no
/// upload, no build), a changed local file rebuilding, -Force, and definition errors before any request.
/// </summary>
public sealed class ImageSnapshotPipelineTests : IClassFixture<ImageEmulatorFixture>, IDisposable
{
    private const string Pipeline =
        "$null = $ExecutionContext.SessionState.Path.SetLocation($args[0]); " +
        "New-DaytonaImage -DebianSlim 3.12 | " +
        "Add-DaytonaImageCommand 'apt-get update', 'apt-get install -y git' | " +
        "Add-DaytonaImagePackage numpy, pandas | " +
        "Add-DaytonaImageFile ./app.py -Destination /app/app.py | " +
        "Set-DaytonaImageEnvironment @{ PORT = '8000' } | ";

    private readonly ImageEmulator _emulator;
    private readonly string _folder;

    public ImageSnapshotPipelineTests(ImageEmulatorFixture fixture)
    {
        _emulator = fixture.Emulator;
        _folder = Path.Combine(Path.GetTempPath(), "daytona-image-pipeline-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "app.py"), "print('hello')\n");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string Prop(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? string.Empty;

    private int Count(Dictionary<string, int> requests, string prefix) => requests.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(r => r.Value);

    [Fact]
    public void TheIssuePipelineBuildsAndActivatesTheSnapshotWithBuildLogs()
    {
        var name = Unique("my-app");
        using var s = _emulator.Session();
        var run = s.Run(Pipeline + $"New-DaytonaSnapshot -Name {name} | Wait-DaytonaSnapshot -ShowBuildLog | Enable-DaytonaSnapshot", _folder).ShouldSucceed();

        var snapshot = Assert.Single(run.Output);
        Assert.Equal(name, Prop(snapshot, "Name"));
        Assert.Equal("Active", Prop(snapshot, "State"));
        var log = run.Information.Select(i => i.MessageData?.ToString() ?? string.Empty).ToList();
        Assert.Contains(log, line => line.Contains("COPY ./app.py /app/app.py", StringComparison.Ordinal));
        Assert.Contains(log, line => line.Contains("Successfully built", StringComparison.Ordinal));
        var dockerfile = (string)PSObject.AsPSObject(snapshot.Properties["BuildInfo"].Value).Properties["DockerfileContent"].Value;
        Assert.EndsWith("COPY ./app.py /app/app.py\nENV PORT=8000\n", dockerfile);
        Assert.Contains("RUN python -m pip install numpy pandas\n", dockerfile);
    }

    [Fact]
    public void ASecondRunOfAnUnchangedDefinitionMakesOneLookupAndNoUploadOrBuild()
    {
        var name = Unique("reuse");
        using var s = _emulator.Session();
        var first = s.Run(Pipeline + $"New-DaytonaSnapshot -Name {name} | Wait-DaytonaSnapshot", _folder).ShouldSucceed();
        var firstId = Prop(Assert.Single(first.Output), "Id");

        _emulator.ResetRequests();
        var second = s.Run(Pipeline + $"New-DaytonaSnapshot -Name {name} -Verbose", _folder).ShouldSucceed();

        var snapshot = Assert.Single(second.Output);
        Assert.Equal(firstId, Prop(snapshot, "Id"));
        Assert.Equal("Active", Prop(snapshot, "State"));
        Assert.Contains(second.Verbose, v => v.Message.Contains("no upload, no build", StringComparison.Ordinal));
        var requests = _emulator.Requests();
        Assert.Equal(1, requests.Values.Sum());
        Assert.Equal(0, Count(requests, "PUT /s3"));
        Assert.Equal(0, Count(requests, "POST /api/snapshots"));
    }

    [Fact]
    public void AChangedLocalFileChangesTheHashAndBuilds()
    {
        var name = Unique("changed");
        using var s = _emulator.Session();
        var first = s.Run(Pipeline + $"New-DaytonaSnapshot -Name {name} | Wait-DaytonaSnapshot", _folder).ShouldSucceed();
        var firstHashes = PSObject.AsPSObject(Assert.Single(first.Output).Properties["BuildInfo"].Value).Properties["ContextHashes"].Value;

        File.AppendAllText(Path.Combine(_folder, "app.py"), "print('changed')\n");
        _emulator.ResetRequests();
        var second = s.Run(Pipeline + $"New-DaytonaSnapshot -Name {name} -Verbose | Wait-DaytonaSnapshot", _folder).ShouldSucceed();

        var snapshot = Assert.Single(second.Output);
        Assert.Equal("Active", Prop(snapshot, "State"));
        var hashes = PSObject.AsPSObject(snapshot.Properties["BuildInfo"].Value).Properties["ContextHashes"].Value;
        Assert.NotEqual(string.Join(",", (string[])firstHashes), string.Join(",", (string[])hashes));
        Assert.Contains(second.Verbose, v => v.Message.Contains("the definition changed", StringComparison.Ordinal));
        var requests = _emulator.Requests();
        Assert.Equal(1, Count(requests, "PUT /s3"));
        Assert.Equal(1, Count(requests, "POST /api/snapshots"));
    }

    [Fact]
    public void ForceBuildsAnUnchangedDefinitionAgain()
    {
        var name = Unique("force");
        using var s = _emulator.Session();
        var first = s.Run(Pipeline + $"New-DaytonaSnapshot -Name {name} | Wait-DaytonaSnapshot", _folder).ShouldSucceed();
        _emulator.ResetRequests();
        var forced = s.Run(Pipeline + $"New-DaytonaSnapshot -Name {name} -Force -Verbose", _folder).ShouldSucceed();
        Assert.NotEqual(Prop(Assert.Single(first.Output), "Id"), Prop(Assert.Single(forced.Output), "Id"));
        Assert.Contains(forced.Verbose, v => v.Message.Contains("-Force", StringComparison.Ordinal));
        Assert.Equal(1, Count(_emulator.Requests(), "POST /api/snapshots"));
    }

    [Theory]
    [InlineData("New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageFile ./missing.py /app/missing.py | New-DaytonaSnapshot -Name NAME", "ImageFileNotFound")]
    [InlineData("New-DaytonaImage -DebianSlim 3.7 | New-DaytonaSnapshot -Name NAME", "ImagePythonVersionUnsupported")]
    [InlineData("New-DaytonaImage -DebianSlim 3.12 | Set-DaytonaImageEnvironment @{ PORT = 8000 } | New-DaytonaSnapshot -Name NAME", "ImageDefinitionInvalid")]
    [InlineData("New-DaytonaImage -Base alpine | Add-DaytonaImageInstruction 'COPY missing.txt /m' | New-DaytonaSnapshot -Name NAME", "ImageFileNotFound")]
    public void DefinitionErrorsComeBeforeAnyRequest(string pipeline, string errorId)
    {
        using var s = _emulator.Session();
        _emulator.ResetRequests();
        var run = s.Run("$null = $ExecutionContext.SessionState.Path.SetLocation($args[0]); " + pipeline.Replace("NAME", Unique("bad")), _folder);
        Assert.Empty(run.Output);
        var error = Assert.Single(run.Errors);
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.Equal(0, _emulator.Requests().Values.Sum());
    }

    [Fact]
    public void AFailingBuildIsReportedWithItsLog()
    {
        var name = Unique("fails");
        using var s = _emulator.Session();
        var run = s.Run(Pipeline + $"Add-DaytonaImageInstruction '# emulator: fail' | New-DaytonaSnapshot -Name {name} | Wait-DaytonaSnapshot", _folder);
        Assert.Empty(run.Output);
        var error = Assert.Single(run.Errors);
        Assert.StartsWith("SnapshotBuildFailed,", error.FullyQualifiedErrorId);
    }

    [Fact]
    public void WhatIfSendsNothingAndUploadsShowProgress()
    {
        var name = Unique("whatif");
        using var s = _emulator.Session();
        _emulator.ResetRequests();
        var whatIf = s.Run(Pipeline + $"New-DaytonaSnapshot -Name {name} -WhatIf", _folder).ShouldSucceed();
        Assert.Empty(whatIf.Output);
        Assert.Equal(0, _emulator.Requests().Values.Sum());

        var run = s.Run(Pipeline + $"New-DaytonaSnapshot -Name {name}", _folder).ShouldSucceed();
        Assert.Single(run.Output);
        Assert.Contains(run.Progress, p => p.StatusDescription.Contains("app.py (1 of 1)", StringComparison.Ordinal));
    }

    [Fact]
    public void AnImageObjectFromAVariableWorksAsTheImageArgument()
    {
        var name = Unique("arg");
        using var s = _emulator.Session();
        var run = s.Run($"$img = New-DaytonaImage -Base alpine:3.20 | Add-DaytonaImageCommand 'echo hi'; New-DaytonaSnapshot -Name {name} -Image $img | Wait-DaytonaSnapshot").ShouldSucceed();
        Assert.Equal("Active", Prop(Assert.Single(run.Output), "State"));
    }
}

/// <summary>One emulator child process for the image pipeline tests of a class.</summary>
public sealed class ImageEmulatorFixture : IDisposable
{
    public ImageEmulator Emulator { get; } = new();

    public void Dispose() => Emulator.Dispose();
}
