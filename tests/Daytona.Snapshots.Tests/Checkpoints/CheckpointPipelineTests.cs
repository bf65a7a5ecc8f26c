using System.Management.Automation;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Checkpoints;

/// <summary>The checkpoint cmdlets in the real engine: pipelines, lookups by time, error ids, -WhatIf, progress.</summary>
public sealed class CheckpointPipelineTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ckpt-hosted-" + Guid.NewGuid().ToString("N")[..10]);

    public CheckpointPipelineTests()
    {
        Directory.CreateDirectory(_root);
        var source = Path.Combine(_root, "workspace");
        Directory.CreateDirectory(Path.Combine(source, "src"));
        Directory.CreateDirectory(Path.Combine(source, "empty"));
        File.WriteAllText(Path.Combine(source, "readme.md"), "# workspace\n");
        var big = new byte[3 * 1024 * 1024];
        new Random(1).NextBytes(big);
        File.WriteAllBytes(Path.Combine(source, "src", "data.bin"), big);
    }

    private string Source => Path.Combine(_root, "workspace");

    private string Repo => Path.Combine(_root, "checkpoints");

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

    private static string Prop(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? string.Empty;

    [Fact]
    public void NewCheckpointPipesIntoExportAndImportKeepsTheTime()
    {
        using var s = ModuleSession.Create();
        var archive = Path.Combine(_root, "ws.dyckpt");
        var run = s.Run(@"
            $c = New-Checkpoint -Path $args[0] -Repository $args[1] -Name 'first' -Label 'workspace/main'
            $file = $c | Export-Checkpoint -Path $args[2]
            $imported = Import-Checkpoint -Path $file.FullName -Repository $args[3]
            $again = $file | Import-Checkpoint -Repository $args[3]
            $c; $file; $imported; $again", Source, Repo, archive, Path.Combine(_root, "elsewhere")).ShouldSucceed();

        var checkpoint = run.Output[0];
        Assert.Contains("Daytona.Checkpoints.Checkpoint", checkpoint.TypeNames);
        Assert.Matches("^[0-9]{8}T[0-9]{6}Z$", Prop(checkpoint, "Id"));
        Assert.Equal("first", Prop(checkpoint, "Name"));
        Assert.Equal("workspace/main", Prop(checkpoint, "Label"));
        Assert.Equal("workspace/main", Prop(run.Output[2], "Label"));
        Assert.Equal("2", Prop(checkpoint, "Files"));
        Assert.Equal(Source, Prop(checkpoint, "Source"));
        Assert.True((long)checkpoint.Properties["NewData"].Value > 0);
        Assert.True(File.Exists(archive));
        Assert.Equal(Prop(checkpoint, "Id"), Prop(run.Output[2], "Id"));
        Assert.Equal(Prop(checkpoint, "Id"), Prop(run.Output[3], "Id"));
        Assert.Contains(run.Progress, p => p.Activity == "Capturing");
    }

    [Fact]
    public void GetCheckpointAtFindsTheNewestAtOrBeforeWithTheExactFlag()
    {
        using var s = ModuleSession.Create();
        var run = s.Run(@"
            $first = New-Checkpoint -Path $args[0] -Repository $args[1] -Name one
            [System.Threading.Thread]::Sleep(2100)
            $second = New-Checkpoint -Path $args[0] -Repository $args[1] -Name two
            $exact = Get-Checkpoint -Repository $args[1] -At $first.Id
            $between = Get-Checkpoint -Repository $args[1] -At ($second.Time.AddSeconds(-1))
            $offset = Get-Checkpoint -Repository $args[1] -At ([DateTimeOffset]::new($second.Time).ToOffset([TimeSpan]::FromHours(5)))
            $now = Get-Checkpoint -Repository $args[1] -At ([datetime]::UtcNow)
            $all = Get-Checkpoint -Repository $args[1]
            $named = Get-Checkpoint -Repository $args[1] -Name 't*'
            $bySource = Get-Checkpoint -Repository $args[1] -Source $args[0]
            @($exact.Id, $exact.ExactMatch, $between.Id, $between.ExactMatch, $offset.Id, $now.Id, ($all.Id -join ','), $named.Name, @($bySource).Count, $first.Id, $second.Id)",
            Source, Repo).ShouldSucceed();

        var values = run.Output.Select(o => o.BaseObject?.ToString()).ToList();
        var first = values[9];
        var second = values[10];
        Assert.Equal(first, values[0]);
        Assert.Equal("True", values[1]);
        Assert.Equal(first, values[2]);
        Assert.Equal("False", values[3]);
        Assert.Equal(second, values[4]);
        Assert.Equal(second, values[5]);
        Assert.Equal(first + "," + second, values[6]);
        Assert.Equal("two", values[7]);
        Assert.Equal("2", values[8]);
    }

    [Theory]
    [InlineData("20259928T092752Z", "CheckpointTimeInvalid")]
    [InlineData("20250318t140338z", "CheckpointTimeInvalid")]
    [InlineData("20000101T000000Z", "CheckpointNotFound")]
    [InlineData("29990101T000000Z", "CheckpointTimeInFuture")]
    public void LookupErrorsHaveStableIds(string at, string errorId)
    {
        using var s = ModuleSession.Create();
        s.Run("New-Checkpoint -Path $args[0] -Repository $args[1] | Out-Null", Source, Repo).ShouldSucceed();
        var run = s.Run("Get-Checkpoint -Repository $args[0] -At $args[1]", Repo, at);
        Assert.Empty(run.Output);
        var error = Assert.Single(run.Errors);
        Assert.Equal(errorId + ",Daytona.Snapshots.Checkpoints.GetCheckpointCommand", error.FullyQualifiedErrorId);
        Assert.Equal(errorId == "CheckpointNotFound" ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
    }

    [Fact]
    public void RestoreRenameCompareTestAndRemoveThroughThePipeline()
    {
        using var s = ModuleSession.Create();
        var restored = Path.Combine(_root, "restored");
        var run = s.Run(@"
            $c = New-Checkpoint -Path $args[0] -Repository $args[1]
            [System.IO.File]::WriteAllText([System.IO.Path]::Combine($args[0], 'added.txt'), 'new')
            $dir = $c | Restore-Checkpoint -Destination $args[2]
            $renamed = $c | Rename-Checkpoint -NewName 'golden'
            $diff = $c | Compare-Checkpoint -Path $args[0]
            $test = $c | Test-Checkpoint
            $c | Remove-Checkpoint -Confirm:$false
            $left = @(Get-Checkpoint -Repository $args[1]).Count
            $dir.FullName; $renamed.Name; ($renamed.Id -eq $c.Id); ($diff | ForEach-Object { $_.Change + ' ' + $_.Path }); $test.IsValid; $left",
            Source, Repo, restored).ShouldSucceed();

        var values = run.Output.Select(o => o.BaseObject?.ToString()).ToList();
        Assert.Equal(new[] { restored, "golden", "True", "Added added.txt", "True", "0" }, values);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Source, "src", "data.bin")), File.ReadAllBytes(Path.Combine(restored, "src", "data.bin")));
        Assert.True(Directory.Exists(Path.Combine(restored, "empty")));
    }

    [Fact]
    public void WhatIfWritesAndDeletesNothing()
    {
        using var s = ModuleSession.Create();
        var run = s.Run(@"
            New-Checkpoint -Path $args[0] -Repository $args[1] -WhatIf
            $exists = [System.IO.Directory]::Exists($args[1])
            $c = New-Checkpoint -Path $args[0] -Repository $args[1]
            $c | Restore-Checkpoint -Destination $args[2] -WhatIf
            $c | Rename-Checkpoint -NewName x -WhatIf
            $c | Remove-Checkpoint -WhatIf
            $c | Export-Checkpoint -Path $args[3] -WhatIf
            @($exists, [System.IO.Directory]::Exists($args[2]), [string](Get-Checkpoint -Repository $args[1]).Name, @(Get-Checkpoint -Repository $args[1]).Count, [System.IO.File]::Exists($args[3]))",
            Source, Repo, Path.Combine(_root, "r"), Path.Combine(_root, "a.dyckpt")).ShouldSucceed();

        Assert.Equal(new[] { "False", "False", string.Empty, "1", "False" }, run.Output.Select(o => o.BaseObject?.ToString() ?? string.Empty));
    }

    [Fact]
    public void RestoreIntoANonEmptyFolderNeedsForceAndATamperedArchiveIsRefused()
    {
        using var s = ModuleSession.Create();
        var destination = Path.Combine(_root, "busy");
        Directory.CreateDirectory(destination);
        File.WriteAllText(Path.Combine(destination, "keep.txt"), "keep");
        var archive = Path.Combine(_root, "t.dyckpt");
        s.Run("$c = New-Checkpoint -Path $args[0] -Repository $args[1]; $c | Export-Checkpoint -Path $args[2] | Out-Null", Source, Repo, archive).ShouldSucceed();

        var run = s.Run("Get-Checkpoint -Repository $args[0] | Restore-Checkpoint -Destination $args[1]", Repo, destination);
        Assert.Equal("CheckpointDestinationNotEmpty,Daytona.Snapshots.Checkpoints.RestoreCheckpointCommand", Assert.Single(run.Errors).FullyQualifiedErrorId);
        Assert.True(File.Exists(Path.Combine(destination, "keep.txt")));
        s.Run("Get-Checkpoint -Repository $args[0] | Restore-Checkpoint -Destination $args[1] -Force | Out-Null", Repo, destination).ShouldSucceed();
        Assert.False(File.Exists(Path.Combine(destination, "keep.txt")));
        Assert.True(File.Exists(Path.Combine(destination, "readme.md")));

        var bytes = File.ReadAllBytes(archive);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(archive, bytes);
        run = s.Run("Import-Checkpoint -Path $args[0] -Repository $args[1]", archive, Path.Combine(_root, "other"));
        var error = Assert.Single(run.Errors);
        Assert.Equal("CheckpointArchiveInvalid,Daytona.Snapshots.Checkpoints.ImportCheckpointCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void AMissingSourceIsASourceNotFoundError()
    {
        using var s = ModuleSession.Create();
        var run = s.Run("New-Checkpoint -Path $args[0] -Repository $args[1]", Path.Combine(_root, "missing"), Repo);
        Assert.Equal("CheckpointSourceNotFound,Daytona.Snapshots.Checkpoints.NewCheckpointCommand", Assert.Single(run.Errors).FullyQualifiedErrorId);
    }
}
