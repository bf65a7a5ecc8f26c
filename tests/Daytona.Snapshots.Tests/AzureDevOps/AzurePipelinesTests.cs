using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.AzureDevOps;

/// <summary>
/// What an Azure Pipelines script task sees. TF_BUILD is process-wide, so every test that sets it lives in this
/// class (xunit runs one class's tests one after another) and restores it.
/// </summary>
public sealed class AzurePipelinesTests
{
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
                Set-DaytonaPipelineVariable -Prefix snap").ShouldSucceed());

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
        InPipelineJob(true, () => session.Run("[pscustomobject]@{ Id = '42'; Token = 't0k'; Other = 1 } | Set-DaytonaPipelineVariable out Id, Tok* -Secret").ShouldSucceed());

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
            Assert.Contains(host.Lines, l => l.StartsWith("##vso[task.logissue type=error;code=DaytonaApiKeyMissing]No Daytona API key", StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DAYTONA_API_KEY", previous);
        }
    }
}
