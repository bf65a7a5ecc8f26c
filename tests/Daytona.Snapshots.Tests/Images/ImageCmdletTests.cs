using System.Management.Automation;
using System.Text.Json;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Images;

/// <summary>
/// The image cmdlets in the real engine: pipelines of builder cmdlets give the Dockerfile, context entries and hashes
/// Daytona's TypeScript SDK gives for the same definition (../shared/conformance/images/cases.json), relative paths
/// follow the PowerShell location, images stay immutable, and bad definitions fail with stable ErrorIds.
/// </summary>
public sealed class ImageCmdletTests : IDisposable
{
    private readonly string _fixture;
    private readonly JsonDocument _cases;

    public ImageCmdletTests()
    {
        _cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Shared, "conformance", "images", "cases.json")));
        _fixture = Path.Combine(Path.GetTempPath(), "daytona-image-cmdlets-" + Guid.NewGuid().ToString("N"));
        foreach (var file in _cases.RootElement.GetProperty("fixture").EnumerateObject())
        {
            var path = Path.Combine(_fixture, file.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, Convert.FromBase64String(file.Value.GetString()!));
        }

        foreach (var dir in _cases.RootElement.GetProperty("emptyDirs").EnumerateArray())
        {
            Directory.CreateDirectory(Path.Combine(_fixture, dir.GetString()!));
        }
    }

    public void Dispose()
    {
        _cases.Dispose();
        Directory.Delete(_fixture, recursive: true);
    }

    [Theory]
    [InlineData("kitchen-sink", "New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageCommand 'apt-get update' | Add-DaytonaImagePackage fastapi, uvicorn | Add-DaytonaImageFile app.py -Destination /app/app.py | Add-DaytonaImageDirectory src /app/src | Set-DaytonaImageEnvironment @{ PORT = '8000' } | Set-DaytonaImageWorkingDirectory /app | Set-DaytonaImageEntrypoint uvicorn | Set-DaytonaImageDefaultCommand 'app:app', '--port', '8000'")]
    [InlineData("base-only", "New-DaytonaImage -Base ubuntu:22.04")]
    [InlineData("debian-default", "New-DaytonaImage")]
    [InlineData("debian-39", "New-DaytonaImage 3.9")]
    [InlineData("pip-options", "New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage torch -IndexUrl https://download.pytorch.org/whl/cpu -ExtraIndexUrl https://a.example/simple, https://b.example/simple -FindLinks /wheels -Pre -ExtraOptions --no-cache-dir")]
    [InlineData("pip-empty", "New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage @()")]
    [InlineData("requirements", "New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage -RequirementsFile requirements.txt")]
    [InlineData("pyproject", "New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage -PyprojectFile pyproject.toml")]
    [InlineData("env", "New-DaytonaImage -DebianSlim 3.12 | Set-DaytonaImageEnvironment ([ordered]@{ FOO = 'bar'; PATH_EXTRA = '/opt/bin:/usr/local/bin'; SPACED = 'hello world'; QUOTE = \"it's\" })")]
    [InlineData("run-commands", "New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageCommand 'apt-get update', 'apt-get install -y git curl'")]
    [InlineData("dockerfile-commands", "New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageInstruction 'RUN echo one', 'USER daytona'")]
    [InlineData("from-dockerfile", "New-DaytonaImage -Dockerfile docker/Dockerfile")]
    [InlineData("local-dir", "New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageDirectory src -Destination /home/daytona/src")]
    public void PipelineMatchesTheSdk(string caseId, string pipeline)
    {
        var expected = _cases.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == caseId);
        using var session = ModuleSession.Create();
        // The process working directory is not the fixture: only the PowerShell location points there.
        Assert.NotEqual(Path.GetFullPath(_fixture), Path.GetFullPath(Environment.CurrentDirectory));
        var run = session.Run("$null = $ExecutionContext.SessionState.Path.SetLocation($args[0]); " + pipeline, _fixture).ShouldSucceed();

        var image = Assert.Single(run.Output);
        Assert.Contains("Daytona.Images.DaytonaImage", image.TypeNames);
        Assert.Equal(expected.GetProperty("dockerfile").GetString(), (string)image.Properties["Dockerfile"].Value);
        var contexts = ((System.Collections.IEnumerable)image.Properties["Context"].Value).Cast<object>().Select(PSObject.AsPSObject).ToList();
        var expectedContexts = expected.GetProperty("context").EnumerateArray().ToList();
        Assert.Equal(expectedContexts.Count, contexts.Count);
        for (var i = 0; i < contexts.Count; i++)
        {
            Assert.Equal(expectedContexts[i].GetProperty("archivePath").GetString(), (string)contexts[i].Properties["ArchivePath"].Value);
            Assert.Equal(expectedContexts[i].GetProperty("md5").GetString(), (string)contexts[i].Properties["Hash"].Value);
        }
    }

    [Fact]
    public void BuilderCmdletsReturnNewImagesAndLeaveTheirInputAlone()
    {
        using var session = ModuleSession.Create();
        var run = session.Run(
            "$a = New-DaytonaImage -Base alpine:3.20; $b = $a | Add-DaytonaImageCommand 'echo hi'; $c = $b | Set-DaytonaImageWorkingDirectory /w; $a.Dockerfile; $b.Dockerfile; $c.Dockerfile; $c.Steps.Count").ShouldSucceed();
        Assert.Equal("FROM alpine:3.20\n", run.Output[0].BaseObject);
        Assert.Equal("FROM alpine:3.20\nRUN echo hi\n", run.Output[1].BaseObject);
        Assert.Equal("FROM alpine:3.20\nRUN echo hi\nWORKDIR /w\n", run.Output[2].BaseObject);
        Assert.Equal(3, run.Output[3].BaseObject);
    }

    [Fact]
    public void ExecFormCommandsQuoteEachArgument()
    {
        using var session = ModuleSession.Create();
        var run = session.Run("(New-DaytonaImage -Base alpine | Add-DaytonaImageCommand -Exec bash, -c, 'echo \"hi\"').Dockerfile").ShouldSucceed();
        Assert.Equal("FROM alpine\nRUN \"bash\" \"-c\" \"echo \\\\\\\"hi\\\\\\\"\"\n", run.Output[0].BaseObject);
    }

    [Fact]
    public void AChangedLocalFileChangesTheHash()
    {
        using var session = ModuleSession.Create();
        const string script = "$null = $ExecutionContext.SessionState.Path.SetLocation($args[0]); (New-DaytonaImage -Base alpine | Add-DaytonaImageFile app.py /app/app.py).Hash";
        var before = (string)session.Run(script, _fixture).ShouldSucceed().Output[0].BaseObject;
        var again = (string)session.Run(script, _fixture).ShouldSucceed().Output[0].BaseObject;
        File.AppendAllText(Path.Combine(_fixture, "app.py"), "print('changed')\n");
        var after = (string)session.Run(script, _fixture).ShouldSucceed().Output[0].BaseObject;
        Assert.Equal(before, again);
        Assert.NotEqual(before, after);
        Assert.Matches("^[0-9a-f]{64}$", after);
    }

    [Theory]
    [InlineData("New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageFile nope.txt /x", "ImageFileNotFound", ErrorCategory.ObjectNotFound, "Local file nope.txt does not exist")]
    [InlineData("New-DaytonaImage -DebianSlim 3.8", "ImagePythonVersionUnsupported", ErrorCategory.InvalidArgument, "Unsupported Python version: 3.8. Daytona supports the following series: 3.9, 3.10, 3.11, 3.12, 3.13")]
    [InlineData("New-DaytonaImage -DebianSlim 3.12 | Set-DaytonaImageEnvironment @{ PORT = 8000 }", "ImageDefinitionInvalid", ErrorCategory.InvalidArgument, "Image ENV variables must be strings. Invalid keys: PORT")]
    [InlineData("New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageDirectory app.py /x", "ImageDefinitionInvalid", ErrorCategory.InvalidArgument, "Local path app.py exists but is not a directory")]
    [InlineData("New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage -RequirementsFile nope.txt", "ImageFileNotFound", ErrorCategory.ObjectNotFound, "Requirements file nope.txt does not exist")]
    [InlineData("New-DaytonaImage -Dockerfile nope/Dockerfile", "ImageFileNotFound", ErrorCategory.ObjectNotFound, "Dockerfile nope/Dockerfile does not exist")]
    public void BadDefinitionsFailWithAStableErrorId(string pipeline, string errorId, ErrorCategory category, string message)
    {
        using var session = ModuleSession.Create();
        var run = session.Run("$null = $ExecutionContext.SessionState.Path.SetLocation($args[0]); " + pipeline, _fixture);
        Assert.Empty(run.Output);
        var error = Assert.Single(run.Errors);
        Assert.StartsWith(errorId + ",Daytona.Snapshots.Images.", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Equal(message, error.Exception.Message);
    }

    [Fact]
    public void APathOnAPowerShellDriveBecomesItsFileSystemPath()
    {
        using var session = ModuleSession.Create();
        var run = session.Run(
            "$fs = $ExecutionContext.SessionState.Provider.GetOne('FileSystem'); $null = $ExecutionContext.SessionState.Drive.New([System.Management.Automation.PSDriveInfo]::new('Fixture', $fs, $args[0], '', $null), 'global'); (New-DaytonaImage -Base alpine | Add-DaytonaImageFile Fixture:/app.py /app.py).Context[0].SourcePath",
            _fixture).ShouldSucceed();
        Assert.Equal(Path.Combine(_fixture, "app.py"), (string)run.Output[0].BaseObject);
        var missing = session.Run("New-DaytonaImage -Base alpine | Add-DaytonaImageFile NoSuchDrive:/app.py /app.py");
        Assert.StartsWith("ImageFileNotFound,", Assert.Single(missing.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void ErrorActionStopEndsThePipelineBeforeLaterStages()
    {
        using var session = ModuleSession.Create();
        var run = session.Run(
            "$null = $ExecutionContext.SessionState.Path.SetLocation($args[0]); $script:reached = $false; try { New-DaytonaImage -Base alpine | Add-DaytonaImageFile missing.py /m.py -ErrorAction Stop | ForEach-Object { $script:reached = $true } } catch { $_.FullyQualifiedErrorId }; $script:reached",
            _fixture);
        Assert.StartsWith("ImageFileNotFound,", (string)run.Output[0].BaseObject);
        Assert.Equal(false, run.Output[1].BaseObject);
    }
}
