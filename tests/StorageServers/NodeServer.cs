using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Daytona.StorageServers;

/// <summary>
/// A storage server run by node from this folder's node_modules, bound to 127.0.0.1 on a free port, stopped (with its
/// whole process tree) when disposed. <see cref="WhyNot"/> says why servers cannot run here, for a skipped test.
/// </summary>
public abstract class NodeServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;

    protected NodeServer(Process process, int port, StringBuilder log)
    {
        _process = process;
        Port = port;
        _log = log;
    }

    public int Port { get; }

    /// <summary>What the server printed (for a failing test's message).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The folder holding package.json and node_modules.</summary>
    public static string Folder
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Module.sln")))
            {
                directory = directory.Parent;
            }

            return Path.Combine(directory?.FullName ?? Directory.GetCurrentDirectory(), "tests", "StorageServers");
        }
    }

    /// <summary>Null when node and the servers are installed; else why not, for a skip message.</summary>
    public static string? WhyNot()
    {
        if (Node() == null)
        {
            return "node is not on PATH: the Azurite and s3rver storage servers cannot run here";
        }

        foreach (var package in new[] { "azurite", "s3rver" })
        {
            if (!File.Exists(Path.Combine(Folder, "node_modules", package, "package.json")))
            {
                return $"{package} is not installed: run 'npm ci --prefix tests/StorageServers'";
            }
        }

        return null;
    }

    public static string? Node()
    {
        var name = OperatingSystem.IsWindows() ? "node.exe" : "node";
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>A port nothing listens on now (for a refused connection); a server should bind port 0 instead (see <see cref="StartNodeAsync"/>).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts <paramref name="script"/> (a path under node_modules) and waits until the server itself says it listens:
    /// <paramref name="listening"/> reads its port from the line the server prints once it is bound. Without a
    /// <paramref name="fixedPort"/> the server binds port 0 and the system picks a free port as it binds — a port picked
    /// beforehand and bound later could be taken meanwhile by another server of a test run, which a connection check would
    /// then take for this one.
    /// </summary>
    protected static async Task<(Process Process, int Port, StringBuilder Log)> StartNodeAsync(string script, Func<int, IEnumerable<string>> arguments,
        Func<string, int?> listening, TimeSpan timeout, int? fixedPort, params string[] nodeOptions)
    {
        var reason = WhyNot();
        if (reason != null)
        {
            throw new InvalidOperationException(reason);
        }

        var start = new ProcessStartInfo(Node()!)
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var option in nodeOptions)
        {
            start.ArgumentList.Add(option);
        }

        start.ArgumentList.Add(Path.Combine(Folder, "node_modules", script));
        foreach (var argument in arguments(fixedPort ?? 0))
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        var bound = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            Append(log, e.Data);
            if (e.Data != null && listening(e.Data) is int port)
            {
                bound.TrySetResult(port);
            }
        };
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => bound.TrySetException(new InvalidOperationException($"{script} exited before it listened. It printed:\n{log}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var port = await bound.Task.WaitAsync(timeout);
            if (fixedPort is int wanted && port != wanted)
            {
                throw new InvalidOperationException($"{script} listens on {port}, not on {wanted}. It printed:\n{log}");
            }

            return (process, port, log);
        }
        catch (Exception e) when (e is TimeoutException || e is InvalidOperationException)
        {
            Stop(process);
            throw e is TimeoutException
                ? new InvalidOperationException($"{script} did not say it listens within {timeout.TotalSeconds:0} s. It printed:\n{log}")
                : e;
        }
    }

    /// <summary>The port in a line that starts with <paramref name="prefix"/> and ends with an address (<c>[http://]host:port[/]</c>); else null.</summary>
    protected static int? ListeningPort(string line, string prefix)
    {
        if (!line.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var address = line[prefix.Length..].Trim().TrimEnd('/');
        var colon = address.LastIndexOf(':');
        return colon >= 0 && int.TryParse(address[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port > 0
            ? port
            : null;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line == null)
        {
            return;
        }

        lock (log)
        {
            if (log.Length < 64 * 1024)
            {
                log.AppendLine(line);
            }
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    /// <summary>True when the server stopped by itself (a crash): <see cref="Log"/> says why.</summary>
    public bool HasExited => _process.HasExited;

    public virtual ValueTask DisposeAsync()
    {
        if (_process.HasExited && Environment.GetEnvironmentVariable("STORAGE_SERVERS_LOG") is { Length: > 0 } file)
        {
            File.AppendAllText(file, Log);
        }

        Stop(_process);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
