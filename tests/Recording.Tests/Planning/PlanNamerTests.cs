using Daytona.Recording.Planning;

namespace Recording.Tests.Planning;

/// <summary>Labels: the part of each snapshot name that tells it from the others, cut at separators.</summary>
public sealed class PlanNamerTests
{
    [Theory]
    [InlineData("rec-ab12-web,rec-ab12-api", "Web,Api")]
    [InlineData("app,app-db", "App,AppDb")]
    [InlineData("web-prod,api-prod", "Web,Api")]
    [InlineData("team.web.v1,team.api.v1", "Web,Api")]
    [InlineData("x-1,x-2", "Snapshot1,Snapshot2")]
    [InlineData("web-a,web-ab", "A,Ab")]
    public void LabelsAreWhatTellsTheNamesApart(string names, string labels)
    {
        var list = names.Split(',');
        var result = PlanNamer.Labels(list);
        Assert.Equal(labels.Split(','), list.Select(n => result[n]));
    }
}
