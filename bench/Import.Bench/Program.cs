using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

// Measures Import-Module of the built module in the hosted PowerShell engine.
//   cold: the first import in a fresh process (assembly loading, JIT), one sample per child process;
//   warm: later imports in new runspaces of the same process.
// Prints medians, the goal (warm < 100 ms) as a ratio, and which heavy assemblies the import loaded (none should).
// Usage: dotnet run --project bench/Import.Bench -c Release [-- --runs 7]
var runs = args.Length >= 2 && args[0] == "--runs" ? int.Parse(args[1]) : 7;
var manifest = Path.Combine(FindRepoRoot(), "out", "Daytona.Snapshots", "Daytona.Snapshots.psd1");
if (!File.Exists(manifest))
{
    Console.Error.WriteLine($"Build the module first: {manifest} is missing.");
    return 2;
}

if (args.Length > 0 && args[0] == "--once")
{
    // Child mode: one cold import, print milliseconds.
    Console.WriteLine(ImportOnce(manifest).TotalMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}

var cold = new List<double>();
for (var i = 0; i < runs; i++)
{
    var child = Process.Start(new ProcessStartInfo("dotnet", $"\"{typeof(Program).Assembly.Location}\" --once") { RedirectStandardOutput = true })!;
    var line = child.StandardOutput.ReadToEnd().Trim();
    child.WaitForExit();
    cold.Add(double.Parse(line, System.Globalization.CultureInfo.InvariantCulture));
}

ImportOnce(manifest); // this process's first import: not counted as warm
var warm = new List<double>();
for (var i = 0; i < runs; i++)
{
    warm.Add(ImportOnce(manifest).TotalMilliseconds);
}

var heavy = AppDomain.CurrentDomain.GetAssemblies()
    .Select(a => a.GetName().Name)
    .Where(n => n is "YamlDotNet" or "Microsoft.OpenApi" or "Microsoft.OpenApi.Readers" or "JsonSchema.Net" or "SharpYaml" or "ZstdSharp")
    .ToList();

var warmMedian = Median(warm);
Console.WriteLine($"Import-Module Daytona.Snapshots, hosted engine, {runs} runs each");
Console.WriteLine($"  cold (first import in a process): median {Median(cold):F1} ms  (min {cold.Min():F1}, max {cold.Max():F1})");
Console.WriteLine($"  warm (new runspace, same process): median {warmMedian:F1} ms  (min {warm.Min():F1}, max {warm.Max():F1})");
Console.WriteLine($"  warm vs the 100 ms limit: {warmMedian / 100:F2}x of the limit ({(warmMedian < 100 ? "within" : "OVER")})");
Console.WriteLine($"  heavy assemblies loaded by import: {(heavy.Count == 0 ? "none" : string.Join(", ", heavy))}");
return 0;

static TimeSpan ImportOnce(string manifest)
{
    var state = InitialSessionState.CreateDefault2();
    using var runspace = RunspaceFactory.CreateRunspace(state);
    runspace.Open();
    using (var warmup = PowerShell.Create())
    {
        // The engine's own first-command cost is not the module's: pay it before the clock starts.
        warmup.Runspace = runspace;
        warmup.AddCommand("Get-Module").Invoke();
    }

    using var shell = PowerShell.Create();
    shell.Runspace = runspace;
    shell.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("ErrorAction", "Stop");
    var watch = Stopwatch.StartNew();
    shell.Invoke();
    watch.Stop();
    return watch.Elapsed;
}

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string FindRepoRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Module.sln")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? Directory.GetCurrentDirectory();
}
