using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Daytona.Demo;

// Runs the example scripts (examples/*.ps1, or the ones named on the command line) in the real PowerShell engine
// with the built module imported, and renders what they output exactly as a pwsh prompt would (Out-Default).
var root = FindRepoRoot();
var manifest = Path.Combine(root, "out", "Daytona.Snapshots", "Daytona.Snapshots.psd1");
if (!File.Exists(manifest))
{
    Console.Error.WriteLine($"The module is not built ({manifest} is missing). Run: dotnet build Module.sln -c Release");
    return 2;
}

var examples = args.Length > 0
    ? args.Select(Path.GetFullPath).ToArray()
    : Directory.GetFiles(Path.Combine(root, "examples"), "*.ps1").OrderBy(p => p, StringComparer.Ordinal).ToArray();

var host = new ConsoleHost();
var state = InitialSessionState.CreateDefault2();
if (OperatingSystem.IsWindows())
{
    state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
}

using var runspace = RunspaceFactory.CreateRunspace(host, state);
runspace.Open();
var failures = 0;
using (var import = PowerShell.Create())
{
    import.Runspace = runspace;
    import.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("ErrorAction", "Stop").Invoke();
    if (Console.IsOutputRedirected)
    {
        // A log or a pipe gets plain text, as pwsh gives it; a terminal gets pwsh's colours.
        import.Commands.Clear();
        import.AddScript("$PSStyle.OutputRendering = 'PlainText'").Invoke();
    }
}

foreach (var example in examples)
{
    Console.WriteLine();
    Console.WriteLine($"### {Path.GetRelativePath(root, example)}");
    using var shell = PowerShell.Create();
    shell.Runspace = runspace;
    // The script runs in the caller's scope of this runspace; its output, errors included, goes through Out-Default.
    shell.AddScript($". '{example.Replace("'", "''")}' *>&1 | Out-Default");
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; shell.Stop(); };
    try
    {
        shell.Invoke();
        if (shell.HadErrors)
        {
            failures++;
        }
    }
    catch (RuntimeException e)
    {
        Console.Error.WriteLine($"{Path.GetFileName(example)} failed: {e.ErrorRecord?.FullyQualifiedErrorId}: {e.Message}");
        failures++;
    }
}

return failures == 0 ? 0 : 1;

static string FindRepoRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Module.sln")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? Directory.GetCurrentDirectory();
}
