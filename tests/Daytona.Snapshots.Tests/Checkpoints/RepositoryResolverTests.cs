using System.Management.Automation;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Checkpoints;

/// <summary>How every checkpoint cmdlet turns -Repository (or the environment) into a repository, in the real engine.</summary>
public sealed class RepositoryResolverTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ckpt-resolve-" + Guid.NewGuid().ToString("N")[..10]);

    public RepositoryResolverTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "workspace"));
        File.WriteAllText(Path.Combine(_root, "workspace", "a.txt"), "a");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void TheEnvironmentNamesTheRepositoryWhenNoParameterDoesAndItsAbsenceIsAClearError()
    {
        using var s = ModuleSession.Create();
        var repo = Path.Combine(_root, "from-env");
        var run = s.Run(@"
            $env:DAYTONA_CHECKPOINT_REPOSITORY = $args[1]
            try {
                $c = New-Checkpoint -Path $args[0]
                $listed = @(Get-Checkpoint)
                $found = Get-Checkpoint -At ([datetime]::UtcNow)
                $verified = Test-Checkpoint
                $c.Repository; $listed.Count; $found.Id -eq $c.Id; $verified.IsValid
            } finally { [Environment]::SetEnvironmentVariable('DAYTONA_CHECKPOINT_REPOSITORY', $null) }
            Get-Checkpoint", Path.Combine(_root, "workspace"), repo);
        Assert.Equal(new[] { repo, "1", "True", "True" }, run.Output.Select(o => o.BaseObject?.ToString()));
        var error = Assert.Single(run.Errors);
        Assert.StartsWith("CheckpointRepositoryMissing,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("DAYTONA_CHECKPOINT_REPOSITORY", error.Exception.Message);
    }

    [Fact]
    public void PowerShellPathsResolveThroughTheirProviderAndOnlyTheFileSystemHoldsRepositories()
    {
        using var s = ModuleSession.Create();
        var run = s.Run(@"
            $provider = $ExecutionContext.SessionState.Provider.GetOne('FileSystem')
            $null = $ExecutionContext.SessionState.Drive.New([System.Management.Automation.PSDriveInfo]::new('ckres', $provider, $args[0], '', $null), 'global')
            $c = New-Checkpoint -Path ckres:\workspace -Repository ckres:\repo
            $null = $ExecutionContext.SessionState.Path.SetLocation($args[0])
            $relative = Get-Checkpoint -Repository ./repo -Id $c.Id
            $c.Repository; $c.Source; $relative.Id -eq $c.Id
            Get-Checkpoint -Repository Env:\Path", _root);
        Assert.Equal(new[] { Path.Combine(_root, "repo"), Path.Combine(_root, "workspace"), "True" }, run.Output.Select(o => o.BaseObject?.ToString()));
        var error = Assert.Single(run.Errors);
        Assert.StartsWith("CheckpointRepositoryLocationInvalid,", error.FullyQualifiedErrorId);
        Assert.Contains("provider", error.Exception.Message);
    }

    [Theory]
    [InlineData("az://UPPER/prefix", "not a valid container name")]
    [InlineData("s3://b/prefix", "not a valid bucket name")]
    [InlineData("https://example.com/container/prefix?sv=2024&sig=SECRETSIGNATURE", "not an Azure Blob Storage endpoint")]
    [InlineData("ftp://host/prefix", "scheme 'ftp'")]
    public void UrlsAreParsedNotTakenForDrivesAndNoSecretIsShown(string value, string why)
    {
        using var s = ModuleSession.Create();
        var run = s.Run("Get-Checkpoint -Repository $args[0]; New-Checkpoint -Path $args[1] -Repository $args[0]", value, Path.Combine(_root, "workspace"));
        Assert.Empty(run.Output);
        Assert.NotEmpty(run.Errors);
        Assert.All(run.Errors, e => Assert.StartsWith("CheckpointRepositoryLocationInvalid,", e.FullyQualifiedErrorId));
        Assert.Contains(why, run.Errors[0].Exception.Message);
        Assert.DoesNotContain("Cannot find drive", run.AllText());
        Assert.DoesNotContain("SECRETSIGNATURE", run.AllText());
    }
}
