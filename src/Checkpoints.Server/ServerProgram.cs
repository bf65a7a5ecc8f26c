using System.Globalization;
using System.Net;
using Daytona.Checkpoints.Remote;
using Daytona.Common;
using Daytona.Hosting;

namespace Daytona.Checkpoints.Server;

/// <summary>
/// The command line: standalone (prints the URL and the sources; Ctrl+C or SIGTERM stops it, so it runs as a
/// container's main process) or as Start-CheckpointServer's child (<c>--ready-json</c> prints one JSON line when
/// listening; <c>--parent-pid</c> and a closed standard input stop it).
/// </summary>
public static class ServerProgram
{
    private const string Usage = """
        Usage: Daytona.Checkpoints.Server --repository PATH [--repository PATH ...] [--port N] [--listen ADDRESS]
                                          [--path-base /PREFIX] [--refresh SECONDS] [--log]
                                          [--parent-pid PID] [--ready-json]
          --repository   a checkpoint repository to serve (repeat for more; their sources share one root)
          --port         the port (0: a free port; default 8080 standalone, 0 with --ready-json)
          --listen       the address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every interface)
          --path-base    serve under this path, e.g. /checkpoints behind a reverse proxy
          --refresh      seconds between listings of the repositories (default 2)
          --log          print one line per request on standard output
          --parent-pid   exit when this process ends
          --ready-json   print one JSON line {"url"} when listening, nothing else (child mode)
        The key clients must send (Authorization: Bearer KEY, or Basic auth with KEY as the password) is read from
        $DAYTONA_CHECKPOINT_SERVER_KEY; without it the server answers anyone who can reach it. Repositories may also be
        given one per line in $DAYTONA_CHECKPOINT_SERVER_REPOSITORIES (a storage URL with a SAS stays off the command line).
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CheckpointServerOptions();
        int? parentPid = null;
        int? port = null;
        var readyJson = false;
        var log = false;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--repository":
                        options.Repositories.Add(Value());
                        break;
                    case "--port":
                        port = int.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--listen":
                        var address = Value();
                        options.ListenAddress = address == "localhost" ? IPAddress.Loopback : IPAddress.Parse(address);
                        break;
                    case "--path-base":
                        options.PathBase = Value();
                        break;
                    case "--refresh":
                        options.RefreshInterval = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture));
                        break;
                    case "--log":
                        log = true;
                        break;
                    case "--parent-pid":
                        parentPid = int.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--ready-json":
                        readyJson = true;
                        break;
                    case "--help":
                    case "-h":
                    case "-?":
                        Console.WriteLine(Usage);
                        return 0;
                    default:
                        throw new ArgumentException($"Unknown argument '{args[i]}'.");
                }
            }

            // Start-CheckpointServer passes its repositories through the environment: a storage URL may hold a SAS.
            foreach (var line in (Environment.GetEnvironmentVariable(CheckpointServerLauncher.RepositoriesVariable) ?? string.Empty).Split('\n'))
            {
                if (line.Trim().Length > 0)
                {
                    options.Repositories.Add(line.Trim());
                }
            }

            if (options.Repositories.Count == 0)
            {
                throw new ArgumentException("Name a repository to serve with --repository.");
            }

            if (options.RefreshInterval <= TimeSpan.Zero)
            {
                throw new ArgumentException("--refresh must be more than 0 seconds.");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        options.Port = port ?? (readyJson ? 0 : 8080);
        if (Environment.GetEnvironmentVariable(CheckpointProtocol.ApiKeyVariable) is { Length: > 0 } key)
        {
            options.ApiKey = key;
        }

        var output = TextWriter.Synchronized(Console.Out);
        if (log)
        {
            options.RequestLog = line => output.WriteLine(line);
        }

        using var lifetime = new ChildLifetime();
        if (parentPid is { } pid && !lifetime.TryWatchParent(pid))
        {
            Console.Error.WriteLine($"The parent process {pid} is not running.");
            return 3;
        }

        CheckpointServer server;
        try
        {
            server = await CheckpointServer.StartAsync(options, lifetime.Stopping);
        }
        catch (DaytonaException e)
        {
            Console.Error.WriteLine(e.Message + (e.RecommendedAction is { } action ? " " + action : string.Empty));
            return 5;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"The checkpoint server could not start on {options.ListenAddress}:{options.Port}: {e.Message}");
            return 4;
        }

        await using var running = server;
        if (readyJson)
        {
            ChildLifetime.WriteReadyLine(new Dictionary<string, string> { ["url"] = server.Url.ToString() });
        }
        else
        {
            output.WriteLine($"Checkpoint server listening on {server.Url}");
            foreach (var (basePath, source, count) in await server.ListSourcesAsync())
            {
                output.WriteLine($"  {server.Url}{basePath}/  {source} ({count} checkpoint{(count == 1 ? string.Empty : "s")})");
            }

            if (string.IsNullOrEmpty(options.ApiKey) && !IPAddress.IsLoopback(options.ListenAddress))
            {
                output.WriteLine($"  No key is set: anyone who can reach {options.ListenAddress} can read these checkpoints (set ${CheckpointProtocol.ApiKeyVariable}).");
            }

            output.WriteLine("Press Ctrl+C to stop.");
        }

        if (readyJson || parentPid != null)
        {
            lifetime.WatchStandardInput();
        }

        await lifetime.WaitAsync(server.Completion);
        return 0;
    }
}
