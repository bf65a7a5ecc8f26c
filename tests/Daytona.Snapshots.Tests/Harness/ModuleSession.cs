using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Daytona.Snapshots.Tests.Harness;

/// <summary>
/// A fresh runspace of the real PowerShell 7.6 engine (<see cref="InitialSessionState.CreateDefault2"/>) with the
/// built module imported from out/Daytona.Snapshots/, the way a user imports it. Only Microsoft.PowerShell.Core
/// cmdlets exist in this engine: scripts use those and .NET calls.
/// </summary>
public sealed class ModuleSession : IDisposable
{
    private readonly Runspace _runspace;

    private ModuleSession(Runspace runspace) => _runspace = runspace;

    public Runspace Runspace => _runspace;

    public static ModuleSession Create(bool importModule = true, string? beforeImport = null, System.Management.Automation.Host.PSHost? host = null)
    {
        if (!File.Exists(RepoPaths.ModuleManifest))
        {
            throw new InvalidOperationException($"The module is not built: {RepoPaths.ModuleManifest} is missing. Run 'dotnet build Module.sln -c Release'.");
        }

        var state = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows())
        {
            state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        }

        var runspace = host == null ? RunspaceFactory.CreateRunspace(state) : RunspaceFactory.CreateRunspace(host, state);
        runspace.Open();
        var session = new ModuleSession(runspace);
        if (beforeImport != null)
        {
            session.Run(beforeImport).ShouldSucceed();
        }

        if (importModule)
        {
            session.Import().ShouldSucceed();
        }

        return session;
    }

    public PowerShellRun Import() =>
        Run("Import-Module -Name $args[0] -ErrorAction Stop", RepoPaths.ModuleManifest);

    /// <summary>Runs a script; <paramref name="arguments"/> arrive as <c>$args</c>.</summary>
    public PowerShellRun Run(string script, params object?[] arguments)
    {
        using var shell = CreateShell(script, arguments);
        return Collect(shell, () => shell.Invoke());
    }

    /// <summary>Runs a script with named variables set first (e.g. a connection object).</summary>
    public PowerShellRun RunWith(string script, IDictionary<string, object?> variables)
    {
        foreach (var (name, value) in variables)
        {
            _runspace.SessionStateProxy.SetVariable(name, value);
        }

        return Run(script);
    }

    /// <summary>A PowerShell instance on this runspace, for tests that start and stop a pipeline themselves.</summary>
    public PowerShell CreateShell(string script, params object?[] arguments)
    {
        var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        foreach (var argument in arguments)
        {
            shell.AddArgument(argument);
        }

        return shell;
    }

    public static PowerShellRun Collect(PowerShell shell, Func<IEnumerable<PSObject>> invoke)
    {
        var output = new List<PSObject>();
        RuntimeException? terminating = null;
        try
        {
            output.AddRange(invoke());
        }
        catch (RuntimeException e)
        {
            terminating = e;
        }

        var errors = shell.Streams.Error.ToList();
        if (terminating?.ErrorRecord != null && !errors.Any(e => ReferenceEquals(e, terminating.ErrorRecord)))
        {
            errors.Add(terminating.ErrorRecord);
        }

        return new PowerShellRun
        {
            Output = output.Where(o => o != null).ToList(),
            Errors = errors,
            Warnings = shell.Streams.Warning.ToList(),
            Verbose = shell.Streams.Verbose.ToList(),
            Debug = shell.Streams.Debug.ToList(),
            Information = shell.Streams.Information.ToList(),
            Progress = shell.Streams.Progress.ToList(),
            Terminating = terminating,
        };
    }

    /// <summary>The manifest's data, read by the real PowerShell parser (no code runs).</summary>
    public static Hashtable ReadManifest(string path)
    {
        var ast = System.Management.Automation.Language.Parser.ParseFile(path, out _, out var errors);
        if (errors.Length > 0)
        {
            throw new InvalidOperationException($"{path} does not parse: {errors[0]}");
        }

        var table = ast.Find(a => a is System.Management.Automation.Language.HashtableAst, false)
            ?? throw new InvalidOperationException($"{path} holds no hashtable.");
        return (Hashtable)((System.Management.Automation.Language.HashtableAst)table).SafeGetValue();
    }

    public void Dispose() => _runspace.Dispose();
}
