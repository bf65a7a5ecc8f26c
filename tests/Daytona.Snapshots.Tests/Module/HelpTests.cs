using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Module;

/// <summary>Get-Help in the real engine shows the docs/en-US pages, shipped as MAML by the build.</summary>
public sealed class HelpTests
{
    [Fact]
    public void EveryExportedCmdletHasASynopsisAndAtLeastTwoExamples()
    {
        Assert.True(File.Exists(Path.Combine(RepoPaths.ModuleFolder, "en-US", "Daytona.Snapshots.dll-Help.xml")), "the build writes the MAML help (pwsh and platyPS are needed for that)");
        using var session = ModuleSession.Create();
        var run = session.Run(@"
            Get-Command -Module Daytona.Snapshots | ForEach-Object {
                $help = Get-Help $_.Name -Examples
                $text = @($help.Examples.Example | ForEach-Object { $_.Introduction.Text; $_.Code; $_.Remarks.Text }) -join ""`n""
                [pscustomobject]@{ Name = $_.Name; Synopsis = [string]$help.Synopsis; Examples = @($help.Examples.Example).Count; Text = $text }
            }").ShouldSucceed();

        Assert.NotEmpty(run.Output);
        foreach (var help in run.Output)
        {
            var name = (string)help.Properties["Name"].Value;
            var synopsis = (string)help.Properties["Synopsis"].Value;
            Assert.False(string.IsNullOrWhiteSpace(synopsis) || synopsis.StartsWith(name, StringComparison.Ordinal), $"{name} has no synopsis, only its syntax");
            Assert.True((int)help.Properties["Examples"].Value >= 2, $"{name} shows fewer than two examples");
            Assert.Contains(name, (string)help.Properties["Text"].Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ParameterHelpAndTheAboutTopicAreThere()
    {
        using var session = ModuleSession.Create();
        var run = session.Run(@"
            (Get-Help New-DaytonaSnapshot -Parameter Name).Name
            (Get-Help New-Checkpoint -Full).Description.Text -join ' '
            [string](Get-Help about_Daytona_Snapshots)").ShouldSucceed();

        Assert.Equal("Name", run.Output[0].BaseObject);
        Assert.Contains("checkpoint", (string)run.Output[1].BaseObject, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("as Pulp's checkpoints do", (string)run.Output[2].BaseObject, StringComparison.Ordinal);
    }
}
