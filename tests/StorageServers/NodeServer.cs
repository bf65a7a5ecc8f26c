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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <paramref name="script"/> (a path under node_modules) and waits until the port accepts connections.</summary>
    protected static async Task<(Process Process, int Port, StringBuilder Log)> StartNodeAsync(string script, Func<int, IEnumerable<string>> arguments, TimeSpan timeout, int? fixedPort, params string[] nodeOptions)
    {
        var reason = WhyNot();
        if (reason != null)
        {
            throw new InvalidOperationException(reason);
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = fixedPort ?? FreePort();
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
            foreach (var argument in arguments(port))
            {
                start.ArgumentList.Add(argument);
            }

            var log = new StringBuilder();
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, e) => Append(log, e.Data);
            process.ErrorDataReceived += (_, e) => Append(log, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    return (process, port, log);
                }
                catch (SocketException)
                {
                    await Task.Delay(50);
                }
            }

            last = new InvalidOperationException($"{script} did not listen on 127.0.0.1:{port} within {timeout.TotalSeconds:0} s. It printed:\n{log}");
            Stop(process);
        }

        throw last!;
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
