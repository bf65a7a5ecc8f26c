using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using Daytona.Demo;

// Runs the example scripts (examples/*.ps1, or the ones named on the command line) in the real PowerShell engine
// with the built module imported, as a person would type them at a pwsh prompt: statement by statement, each one
// echoed after "PS>" and its output rendered through the module's format views (Out-Default), so a machine
// without pwsh shows what a pwsh user sees. Comments in the scripts are shown as the narration.
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

// The hosted engine has only Microsoft.PowerShell.Core; the location commands the examples use come from here.
AddFunction("Set-Location", "param([string] $Path) $null = $ExecutionContext.SessionState.Path.SetLocation($Path)");
AddFunction("Push-Location", "param([string] $Path) $ExecutionContext.SessionState.Path.PushCurrentLocation(''); if ($Path) { $null = $ExecutionContext.SessionState.Path.SetLocation($Path) }");
AddFunction("Pop-Location", "$null = $ExecutionContext.SessionState.Path.PopLocation('')");

using var runspace = RunspaceFactory.CreateRunspace(host, state);
runspace.Open();
PowerShell? running = null;
Console.CancelKeyPress += (_, e) => { e.Cancel = true; running?.Stop(); };

Invoke("Import-Module -Name $args[0] -ErrorAction Stop", manifest);
if (Console.IsOutputRedirected)
{
    // A log or a pipe gets plain text, as pwsh gives it; a terminal gets pwsh's colours.
    Invoke("$PSStyle.OutputRendering = 'PlainText'");
}

var failures = 0;
foreach (var example in examples)
{
    Console.WriteLine();
    Console.WriteLine($"### {Path.GetRelativePath(root, example)}");
    var ast = Parser.ParseFile(example, out _, out var parseErrors);
    if (parseErrors.Length > 0)
    {
        Console.Error.WriteLine($"{example}:{parseErrors[0].Extent.StartLineNumber}: {parseErrors[0].Message}");
        failures++;
        continue;
    }

    var scriptRoot = "'" + Path.GetDirectoryName(example)!.Replace("'", "''") + "'";
    var text = File.ReadAllText(example);
    var position = 0;
    foreach (var statement in ast.EndBlock?.Statements ?? (IEnumerable<StatementAst>)Array.Empty<StatementAst>())
    {
        foreach (var line in text[position..statement.Extent.StartOffset].Split('\n'))
        {
            if (line.TrimStart().StartsWith('#'))
            {
                Console.WriteLine(line.Trim());
            }
        }

        position = statement.Extent.EndOffset;
        Console.WriteLine("PS> " + statement.Extent.Text.Replace("\n", "\n>> "));
        // A statement runs outside its file, so $PSScriptRoot is given the value it has when the file runs.
        if (!RunStatement(statement.Extent.Text.Replace("$PSScriptRoot", scriptRoot, StringComparison.OrdinalIgnoreCase)))
        {
            failures++;
        }
    }
}

return failures == 0 ? 0 : 1;

// Runs one statement in the session's global scope, as at a prompt: output, warnings, verbose and information
// rendered by Out-Default as they come, errors shown as pwsh's concise view shows them. An error fails the demo
// unless the statement asks for it to be shown and passed over (-ErrorAction Continue, written out).
bool RunStatement(string statement)
{
    using var shell = PowerShell.Create();
    shell.Runspace = runspace;
    shell.AddScript(statement, useLocalScope: false);
    foreach (var stream in new[] { PipelineResultTypes.Warning, PipelineResultTypes.Verbose, PipelineResultTypes.Debug, PipelineResultTypes.Information })
    {
        shell.Commands.Commands[0].MergeMyResults(stream, PipelineResultTypes.Output);
    }

    shell.AddCommand("Out-Default");
    var errors = 0;
    shell.Streams.Error.DataAdded += (_, e) =>
    {
        var record = shell.Streams.Error[e.Index];
        errors++;
        var command = record.InvocationInfo?.MyCommand?.Name;
        Console.WriteLine((string.IsNullOrEmpty(command) ? string.Empty : command + ": ") + (record.ErrorDetails?.Message ?? record.Exception.Message));
        if (!string.IsNullOrEmpty(record.ErrorDetails?.RecommendedAction))
        {
            Console.WriteLine("  Recommendation: " + record.ErrorDetails.RecommendedAction);
        }
    };
    running = shell;
    try
    {
        shell.Invoke();
        return errors == 0 || statement.Contains("-ErrorAction Continue", StringComparison.OrdinalIgnoreCase);
    }
    catch (RuntimeException e)
    {
        Console.WriteLine($"{e.ErrorRecord?.InvocationInfo?.MyCommand?.Name}: {e.Message}");
        return false;
    }
    finally
    {
        running = null;
    }
}

void AddFunction(string name, string body)
{
    if (!state.Commands.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
    {
        state.Commands.Add(new SessionStateFunctionEntry(name, body));
    }
}

void Invoke(string script, params object[] arguments)
{
    using var shell = PowerShell.Create();
    shell.Runspace = runspace;
    shell.AddScript(script);
    foreach (var argument in arguments)
    {
        shell.AddArgument(argument);
    }

    shell.Invoke();
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
