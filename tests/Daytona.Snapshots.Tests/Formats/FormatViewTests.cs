using System.Xml.Linq;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Formats;

/// <summary>What people see: every object the module outputs has a format view, and tables fit a 120-column console.</summary>
public sealed class FormatViewTests
{
    private static IEnumerable<XElement> Views() =>
        Directory.GetFiles(Path.Combine(RepoPaths.ModuleFolder, "Formats"), "*.format.ps1xml")
            .SelectMany(f => XDocument.Load(f).Descendants("View"));

    [Fact]
    public void EveryOutputTypeOfTheModuleHasAView()
    {
        var viewed = Views().SelectMany(v => v.Descendants("TypeName")).Select(t => t.Value.Trim()).ToHashSet(StringComparer.Ordinal);
        using var session = ModuleSession.Create();
        var run = session.Run("Get-Command -Module Daytona.Snapshots | ForEach-Object { $_.OutputType } | ForEach-Object { $_.Type.FullName }").ShouldSucceed();
        var outputs = run.Output.Select(o => (string)o.BaseObject).Where(n => n.StartsWith("Daytona.", StringComparison.Ordinal)).Distinct().ToList();

        Assert.NotEmpty(outputs);
        Assert.Empty(outputs.Where(t => !viewed.Contains(t)));
    }

    [Fact]
    public void EveryTableFitsA120ColumnConsole()
    {
        foreach (var table in Views().Where(v => v.Element("TableControl") != null))
        {
            var headers = table.Element("TableControl")!.Element("TableHeaders")!.Elements("TableColumnHeader").ToList();
            var widths = headers.Select(h => (int?)h.Element("Width")).ToList();
            // Fixed columns plus one space between columns; a last column without a width takes what is left.
            var fixedWidth = widths.Where(w => w.HasValue).Sum(w => w!.Value) + headers.Count - 1;
            Assert.True(fixedWidth <= 120, $"view {table.Element("Name")?.Value}: {fixedWidth} columns");
        }
    }
}
