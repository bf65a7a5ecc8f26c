using System.Globalization;
using Daytona.Hosting;

namespace Daytona.Emulator;

/// <summary>
/// The command line: standalone (prints the URL and key) or as a child process (<c>--ready-json</c> prints one JSON
/// line when listening; <c>--parent-pid</c> makes it exit when that process dies; in child mode it also exits when
/// its standard input closes).
/// </summary>
public static class EmulatorProgram
{
    private const string Usage = """
        Usage: Daytona.Emulator [--port N] [--api-key KEY] [--organization-id ID] [--time-scale X]
                                [--build-duration SECONDS] [--parent-pid PID] [--ready-json]
          --port             port on 127.0.0.1 (0: a free port; default 0)
          --api-key          the bearer key clients must send (default: $env:DAYTONA_EMULATOR_API_KEY,
                             else a random dtn_emu_ key)
          --organization-id  the organization of every snapshot
          --time-scale       multiplies every pretend duration (default 1)
          --build-duration   default seconds from pending to settled (default 3)
          --parent-pid       exit when this process ends
          --ready-json       print one JSON line {"url","apiKey","organizationId"} when listening, nothing else
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new EmulatorOptions();
        int? parentPid = null;
        var readyJson = false;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--port":
                        options.Port = int.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--api-key":
                        options.ApiKey = Value();
                        break;
                    case "--organization-id":
                        options.OrganizationId = Value();
                        break;
                    case "--time-scale":
                        options.TimeScale = double.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--build-duration":
                        options.BuildDuration = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture));
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
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        // Start-DaytonaEmulator passes the key through the environment, so it never shows in a process list.
        if (options.ApiKey == null && Environment.GetEnvironmentVariable("DAYTONA_EMULATOR_API_KEY") is { Length: > 0 } fromEnvironment)
        {
            options.ApiKey = fromEnvironment;
        }

        using var lifetime = new ChildLifetime();
        if (parentPid is { } pid && !lifetime.TryWatchParent(pid))
        {
            Console.Error.WriteLine($"The parent process {pid} is not running.");
            return 3;
        }

        EmulatorServer server;
        try
        {
            server = await EmulatorServer.StartAsync(options, lifetime.Stopping);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"The emulator could not start on 127.0.0.1:{options.Port}: {e.Message}");
            return 4;
        }

        await using var running = server;
        if (readyJson)
        {
            ChildLifetime.WriteReadyLine(new Dictionary<string, string>
            {
                ["url"] = server.ApiUrl.ToString(),
                ["apiKey"] = server.ApiKey,
                ["organizationId"] = server.OrganizationId,
            });
        }
        else
        {
            Console.WriteLine($"Daytona emulator listening on {server.ApiUrl}");
            Console.WriteLine($"  API key:         {server.ApiKey}");
            Console.WriteLine($"  Organization ID: {server.OrganizationId}");
            Console.WriteLine($"  Control API:     {new Uri(server.BaseUrl, "/_emulator")} (same bearer key)");
            Console.WriteLine($"  e.g. $env:DAYTONA_API_URL = '{server.ApiUrl}'; $env:DAYTONA_API_KEY = '<the key above>'");
            Console.WriteLine("Press Ctrl+C to stop.");
        }

        if (readyJson || parentPid != null)
        {
            lifetime.WatchStandardInput();
        }

        await lifetime.WaitAsync(server.Completion);
        return 0;
    }
}
