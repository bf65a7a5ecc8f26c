using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.AzureDevOps;

/// <summary>
/// TF_BUILD is process-wide: while these tests set it, no other test may run (it would write its progress and errors
/// as pipeline log lines), so this collection runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(ProcessEnvironmentCollection), DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
}

/// <summary>
/// What an Azure Pipelines script task sees. Every test that sets TF_BUILD lives in this class and restores it.
/// </summary>
[Collection(nameof(ProcessEnvironmentCollection))]
public sealed class AzurePipelinesTests : IClassFixture<EmulatorFixture>
{
    private readonly HostedEmulator _emulator;

    public AzurePipelinesTests(EmulatorFixture fixture) => _emulator = fixture.Emulator;

    private ModuleSession ConnectedSession(CapturingHost host)
    {
        var session = ModuleSession.Create(host: host);
        session.Run("$null = Connect-Daytona -ApiUrl $args[0] -ApiKey $args[1]", _emulator.ApiUrl.ToString(), _emulator.SecureKey).ShouldSucceed();
        return session;
    }

    [Fact]
    public void AWaitInAJobIsALogGroupWithPlainProgressAndItsResultsBecomeOutputVariables()
    {
        var host = new CapturingHost();
        using var session = ConnectedSession(host);
        var name = "ado-" + Guid.NewGuid().ToString("N")[..8];
        InPipelineJob(true, () => session.Run(
            "New-DaytonaSnapshot -Name $args[0] -Image python:3.12-slim | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot | Set-DaytonaPipelineVariable -Prefix snap -IsOutput", name).ShouldSucceed());

        var lines = host.Lines;
        var start = lines.ToList().FindIndex(l => l.StartsWith("##[group]", StringComparison.Ordinal));
        var end = lines.ToList().FindIndex(l => l == "##[endgroup]");
        Assert.True(start >= 0 && end > start, "the wait is a log group:\n" + string.Join("\n", lines));
        Assert.Contains(lines.Skip(start + 1).Take(end - start - 1), l => l.Contains(name, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("PROGRESS:", StringComparison.Ordinal));
        Assert.Contains("##vso[task.setvariable variable=snap.Name;isOutput=true]" + name, lines);
        Assert.Contains(lines, l => l.StartsWith("##vso[task.setvariable variable=snap.Id;isOutput=true]", StringComparison.Ordinal));
        Assert.DoesNotContain(lines.Where(l => !l.StartsWith("##vso[task.setsecret]", StringComparison.Ordinal)), l => l.Contains(_emulator.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public void AFailedBuildInAJobIsAPipelineIssue()
    {
        var host = new CapturingHost();
        using var session = ConnectedSession(host);
        var name = "ado-fail-" + Guid.NewGuid().ToString("N")[..8];
        var run = InPipelineJob(true, () => session.Run(
            "New-DaytonaSnapshot -Name $args[0] -Image registry.example/fail-image:1.0 | Wait-DaytonaSnapshot", name));

        Assert.StartsWith("SnapshotBuildFailed,", run.ErrorIds.Single());
        Assert.Contains(host.Lines, l => l.StartsWith("##vso[task.logissue type=error;code=SnapshotBuildFailed]", StringComparison.Ordinal) && l.Contains(name, StringComparison.Ordinal));
    }

    [Fact]
    public void AWorkflowRunInAJobIsALogGroupAndItsTokenIsMasked()
    {
        var host = new CapturingHost();
        using var session = ModuleSession.Create(host: host);
        var seed = Path.Combine(RepoPaths.RepoRoot, "examples", "workflows", "daytona-io-build-and-activate-snapshot-workflow.yml");
        var name = "ado-flow-" + Guid.NewGuid().ToString("N")[..8];
        using var emulator = HostedEmulator.Start(timeScale: 0.05); // its own key, which this process has not registered yet
        var run = InPipelineJob(true, () => session.Run(
            "Invoke-ArazzoWorkflow -Path $args[0] -ServerUrl @{ snapshotsApi = $args[1] } -Inputs @{ apiToken = $args[2]; name = $args[3]; imageName = 'python:3.12-slim' } -WarningAction SilentlyContinue",
            seed, emulator.ApiUrl.ToString(), emulator.ApiKey, name).ShouldSucceed());

        Assert.Equal("Succeeded", run.Output.Single().Properties["Status"].Value?.ToString());
        var lines = host.Lines;
        Assert.Contains("##[group]Arazzo workflow daytona-io-build-and-activate-snapshot-workflow.yml", lines);
        Assert.Contains("##[endgroup]", lines);
        Assert.Contains("##vso[task.setsecret]" + emulator.ApiKey, lines);
        Assert.DoesNotContain(lines.Where(l => !l.StartsWith("##vso[task.setsecret]", StringComparison.Ordinal)), l => l.Contains(emulator.ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(emulator.ApiKey, run.AllText(), StringComparison.Ordinal);
    }

    private static T InPipelineJob<T>(bool active, Func<T> body)
    {
        var previous = Environment.GetEnvironmentVariable("TF_BUILD");
        Environment.SetEnvironmentVariable("TF_BUILD", active ? "True" : null);
        try
        {
            return body();
        }
        finally
        {
            Environment.SetEnvironmentVariable("TF_BUILD", previous);
        }
    }

    [Fact]
    public void SetDaytonaPipelineVariablePublishesEscapedOutputVariablesAndPassesObjectsOn()
    {
        var host = new CapturingHost();
        using var session = ModuleSession.Create(host: host);
        var run = InPipelineJob(true, () => session.Run(@"
            [pscustomobject]@{ Name = 'web;app]'; State = 'active'; Size = 1.5; Tags = @('a','b'); Nested = [pscustomobject]@{ X = 1 }; Note = ""two`nlines 100%"" } |
                Set-DaytonaPipelineVariable -Prefix snap -IsOutput").ShouldSucceed());

        Assert.Equal("web;app]", run.Output.Single().Properties["Name"].Value);
        var lines = host.Lines;
        Assert.Contains("##vso[task.setvariable variable=snap.Name;isOutput=true]web;app]", lines);
        Assert.Contains("##vso[task.setvariable variable=snap.State;isOutput=true]active", lines);
        Assert.Contains("##vso[task.setvariable variable=snap.Size;isOutput=true]1.5", lines);
        Assert.Contains("##vso[task.setvariable variable=snap.Tags;isOutput=true]a,b", lines);
        Assert.Contains("##vso[task.setvariable variable=snap.Note;isOutput=true]two%0Alines 100%AZP25", lines);
        Assert.DoesNotContain(lines, l => l.Contains("snap.Nested"));
    }

    [Fact]
    public void SetDaytonaPipelineVariableSelectsPropertiesAndMarksSecrets()
    {
        var host = new CapturingHost();
        using var session = ModuleSession.Create(host: host);
        InPipelineJob(true, () => session.Run("[pscustomobject]@{ Id = '42'; Token = 't0k'; Other = 1 } | Set-DaytonaPipelineVariable out Id, Tok* -IsOutput -IsSecret").ShouldSucceed());

        var lines = host.Lines.Where(l => l.StartsWith("##vso", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            new[] { "##vso[task.setvariable variable=out.Id;isOutput=true;issecret=true]42", "##vso[task.setvariable variable=out.Token;isOutput=true;issecret=true]t0k" },
            lines);
    }

    [Fact]
    public void OutsideAzurePipelinesObjectsOnlyPassThroughWithAVerboseNote()
    {
        var host = new CapturingHost();
        using var session = ModuleSession.Create(host: host);
        var run = InPipelineJob(false, () => session.Run("1, 2 | ForEach-Object { [pscustomobject]@{ N = $_ } } | Set-DaytonaPipelineVariable -Prefix p -Verbose").ShouldSucceed());

        Assert.Equal(2, run.Output.Count);
        Assert.Single(run.Verbose, v => v.Message.Contains("TF_BUILD", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Lines, l => l.Contains("##vso", StringComparison.Ordinal));
    }

    [Fact]
    public void TheApiKeyIsRegisteredAsASecretTheMomentTheModuleReadsIt()
    {
        var host = new CapturingHost();
        using var session = ModuleSession.Create(host: host);
        const string key = "dtn_secret_for_masking_0001";
        var run = InPipelineJob(true, () => session.Run("Connect-Daytona -ApiUrl http://127.0.0.1:9/api -ApiKey $args[0] -Verbose", Module.ManifestTests.Secure(key)).ShouldSucceed());

        var lines = host.Lines;
        Assert.Equal("##vso[task.setsecret]" + key, lines.First(l => l.StartsWith("##vso", StringComparison.Ordinal)));
        Assert.DoesNotContain(key, run.AllText());
    }

    [Fact]
    public void ErrorsAreAlsoRaisedAsPipelineIssues()
    {
        var host = new CapturingHost();
        using var session = ModuleSession.Create(host: host);
        var previous = Environment.GetEnvironmentVariable("DAYTONA_API_KEY");
        Environment.SetEnvironmentVariable("DAYTONA_API_KEY", null);
        try
        {
            var run = InPipelineJob(true, () => session.Run("Connect-Daytona -ApiUrl http://127.0.0.1:9/api"));
            Assert.StartsWith("DaytonaApiKeyMissing,", run.ErrorIds.Single());
            Assert.Contains(host.Lines, l => l.StartsWith("##vso[task.logissue type=error;code=DaytonaApiKeyMissing]Connect-Daytona: No Daytona API key", StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DAYTONA_API_KEY", previous);
        }
    }
}
