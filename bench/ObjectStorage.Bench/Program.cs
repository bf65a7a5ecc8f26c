// Object-storage benches, hand-written drivers: they start the servers, run pwsh and restic as users do, and print
// what they measured; see the project file for the commands.
using System.Diagnostics;
using Daytona.StorageServers;

namespace ObjectStorage.Bench;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var command = args.Length > 0 ? args[0] : "";
        var why = NodeServer.WhyNot();
        if (why != null)
        {
            Console.Error.WriteLine(why);
            return 2;
        }

        var bench = Bench.Create(args);
        if (bench == null)
        {
            return 2;
        }

        Console.WriteLine($"load before: {File.ReadAllText("/proc/loadavg").Trim()}  ({Environment.ProcessorCount} cores)");
        try
        {
            return command switch
            {
                "restic" => await new ResticBench(bench, Bench.Arg(args, "--mib", 64), Bench.Arg(args, "--runs", 3)).RunAsync(),
                "writers" => await new WritersBench(bench, Bench.Arg(args, "--rounds", 20), Bench.Arg(args, "--backend", "both")).RunAsync(),
                _ => Usage(),
            };
        }
        finally
        {
            Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
            bench.Dispose();
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: ObjectStorage.Bench restic [--mib 64] [--runs 3] | writers [--rounds 20] [--backend azure|s3|both]");
        return 2;
    }
}

/// <summary>What every bench needs: the project root, the built module, pwsh, a work folder.</summary>
public sealed class Bench : IDisposable
{
    private Bench(string root, string module, string pwsh, string work)
    {
        Root = root;
        Module = module;
        Pwsh = pwsh;
        Work = work;
    }

    public string Root { get; }

    public string Module { get; }

    public string Pwsh { get; }

    public string Work { get; }

    public static Bench? Create(string[] args)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Module.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("run from the project");
        }

        var module = Path.Combine(root, "out", "Daytona.Snapshots", "Daytona.Snapshots.psd1");
        if (!File.Exists(module))
        {
            Console.Error.WriteLine($"{module} is missing: dotnet build Module.sln -c Release first.");
            return null;
        }

        var pwsh = Run("bash", new[] { Path.Combine(root, "tools", "find-pwsh.sh") }, root, null).Output.Trim();
        if (pwsh.Length == 0)
        {
            Console.Error.WriteLine("pwsh not found (tools/find-pwsh.sh)");
            return null;
        }

        var work = Path.Combine(Path.GetTempPath(), "objstore-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        return new Bench(root, module, pwsh, work);
    }

    public static T Arg<T>(string[] args, string name, T fallback)
    {
        var i = Array.IndexOf(args, name);
        return i < 0 || i + 1 >= args.Length ? fallback : (T)Convert.ChangeType(args[i + 1], typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Generates the shared benchmark tree (../shared/checks/mktree.py), as the folder benches do.</summary>
    public string Tree(string name, int mib)
    {
        var path = Path.Combine(Work, name);
        var result = Run("python3", new[] { Path.Combine(Root, "..", "shared", "checks", "mktree.py"), path, mib.ToString() }, Root, null);
        if (result.Exit != 0)
        {
            throw new InvalidOperationException("mktree.py failed: " + result.Error);
        }

        return path;
    }

    /// <summary>A pwsh process with the module imported running <paramref name="script"/>; not waited for.</summary>
    public Process StartPwsh(string script, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Pwsh) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-NoProfile");
        start.ArgumentList.Add("-NonInteractive");
        start.ArgumentList.Add("-Command");
        start.ArgumentList.Add($"$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; Import-Module '{Module}'\n" + script);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    public (int Exit, string Output, string Error) RunPwsh(string script, IReadOnlyDictionary<string, string> environment)
    {
        using var process = StartPwsh(script, environment);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    public static (int Exit, string Output, string Error) Run(string file, IEnumerable<string> arguments, string directory, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>What a user of Azurite sets (the connection string names the port).</summary>
    public static Dictionary<string, string> AzureEnvironment(int port) => new() { ["AZURE_STORAGE_CONNECTION_STRING"] = AzuriteServer.ConnectionStringFor(port) };

    /// <summary>What a user of an S3-compatible server sets.</summary>
    public static Dictionary<string, string> S3Environment(Uri endpoint) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey,
        ["AWS_ENDPOINT_URL_S3"] = endpoint.ToString(),
        ["AWS_REGION"] = "us-east-1",
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
