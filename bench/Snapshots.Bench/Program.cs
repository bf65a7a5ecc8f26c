// Wait on 100 snapshots whose builds take 2-10 s on the emulator, twice: with our SnapshotWaiter and with Daytona's
// own TypeScript SDK (node/sdk-wait.js, @daytonaio/sdk), each creating and waiting on its own 100 snapshots with the
// same build durations. Prints, for both: (a) wall time beyond the slowest build (from the first create to the last
// settle, minus the longest build) and the worst per-snapshot lag (settle seen minus build end), (b) requests made
// (the emulator's counter), and the ratios. Not run in CI.
//
//   dotnet run -c Release --project bench/Snapshots.Bench [-- --count 100 --min-ms 2000 --max-ms 10000]
using System.Diagnostics;
using System.Text.Json.Nodes;
using Daytona.Api;
using Daytona.Emulator;

var count = Arg("--count", 100);
var minMs = Arg("--min-ms", 2000);
var maxMs = Arg("--max-ms", 10000);
var random = new Random(42);
var durations = Enumerable.Range(0, count).Select(_ => random.Next(minMs, maxMs + 1)).ToArray();

await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 1.0 });
var connection = new DaytonaConnection(emulator.ApiUrl, emulator.ApiKey, null, "the benchmark");
using var client = new DaytonaClient(connection);
Console.WriteLine($"Waiting on {count} snapshots, builds {minMs / 1000.0:0.#}-{maxMs / 1000.0:0.#} s (seeded), emulator at {emulator.ApiUrl}");

var ours = await RunOursAsync();
Console.WriteLine();
var sdk = await RunSdkAsync();

Console.WriteLine();
Console.WriteLine($"{"",-34}{"Daytona.Snapshots",20}{"TypeScript SDK",18}{"ratio (SDK/ours)",20}");
Row("wall - slowest build (s)", ours?.Overshoot, sdk?.Overshoot);
Row("poll interval then (goal: above) (s)", new SnapshotWaitOptions().IntervalAt(TimeSpan.FromMilliseconds(durations.Max())).TotalSeconds, 1.0);
Row("worst lag after a build ends (s)", ours?.WorstLag, sdk?.WorstLag);
Row("requests while waiting", ours?.WaitRequests, sdk?.WaitRequests);
Row("requests in all (with creates)", ours?.Requests, sdk?.Requests);
if (sdk == null)
{
    Console.WriteLine("The TypeScript SDK could not be run: see the message above (npm install in bench/Snapshots.Bench/node).");
}

return 0;

async Task<Result?> RunOursAsync()
{
    var names = Enumerable.Range(0, count).Select(i => $"ours-{i:000}").ToArray();
    SetDurations(names);
    emulator.Control.ResetRequests();
    var watch = Stopwatch.StartNew();
    // Created side by side, as the SDK side creates its 100 at once.
    var createdAt = new System.Collections.Concurrent.ConcurrentDictionary<string, double>();
    await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (name, token) =>
    {
        await client.CreateSnapshotAsync(new CreateSnapshotRequest(name) { ImageName = "python:3.12-slim" }, token);
        createdAt[name] = watch.Elapsed.TotalSeconds;
    });

    var afterCreates = emulator.Control.GetRequests().Total;
    var settled = new Dictionary<string, double>();
    var failures = 0;
    await foreach (var result in new SnapshotWaiter(client).WaitAsync(names, new SnapshotWaitOptions(), CancellationToken.None))
    {
        settled[result.Target] = watch.Elapsed.TotalSeconds;
        if (!result.Succeeded) failures++;
    }

    var requests = emulator.Control.GetRequests();
    var r = Summarize("Daytona.Snapshots SnapshotWaiter (adaptive interval, list polling)", names, new Dictionary<string, double>(createdAt), settled, requests.Total, requests.Total - afterCreates, failures);
    foreach (var (route, n) in requests.ByRoute.OrderByDescending(p => p.Value)) Console.WriteLine($"    {route,-40} {n,6}");
    return r;
}

async Task<Result?> RunSdkAsync()
{
    var folder = Path.Combine(FindRepo(), "bench", "Snapshots.Bench", "node");
    if (!Directory.Exists(Path.Combine(folder, "node_modules", "@daytonaio", "sdk")))
    {
        Console.WriteLine($"Installing @daytonaio/sdk with npm in {folder} ...");
        if (Run("npm", folder, "install", "--no-audit", "--no-fund", "--loglevel=error") != 0)
        {
            Console.WriteLine("npm install failed: the SDK side is skipped.");
            return null;
        }
    }

    var names = Enumerable.Range(0, count).Select(i => $"sdk-{i:000}").ToArray();
    SetDurations(names);
    emulator.Control.ResetRequests();
    var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, UseShellExecute = false };
    start.ArgumentList.Add("sdk-wait.js");
    foreach (var name in names) start.ArgumentList.Add(name);
    start.Environment["DAYTONA_API_URL"] = emulator.ApiUrl.ToString();
    start.Environment["DAYTONA_API_KEY"] = emulator.ApiKey;
    var watch = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        Console.WriteLine($"The SDK script failed (exit {process.ExitCode}).");
        return null;
    }

    // The SDK sends each create at its start and reports times from its own start; node's startup is not counted.
    var json = JsonNode.Parse(output.Trim().Split('\n').Last())!;
    var settled = new Dictionary<string, double>();
    var failures = 0;
    foreach (var item in json["settled"]!.AsArray())
    {
        settled[(string)item!["name"]!] = (double)item["atMs"]! / 1000.0;
        if ((string)item["state"]! != "active") failures++;
    }

    var createdAt = names.ToDictionary(n => n, _ => 0.0);
    var requests = emulator.Control.GetRequests();
    var creates = requests.For("POST /api/snapshots");
    var r = Summarize("Daytona TypeScript SDK (snapshot.create waits: GET per snapshot per second)", names, createdAt, settled, requests.Total, requests.Total - creates, failures);
    foreach (var (route, n) in requests.ByRoute.OrderByDescending(p => p.Value)) Console.WriteLine($"    {route,-40} {n,6}");
    return r;
}

Result Summarize(string title, string[] names, Dictionary<string, double> createdAt, Dictionary<string, double> settled, int requests, int waitRequests, int failures)
{
    var slowest = durations.Max() / 1000.0;
    var wall = settled.Values.Max();
    var worstLag = names.Select((n, i) => settled[n] - (createdAt[n] + durations[i] / 1000.0)).Max();
    var r = new Result(wall - slowest, worstLag, requests, waitRequests);
    Console.WriteLine(title);
    Console.WriteLine($"  settled {settled.Count} ({failures} failed); wall {wall:0.00} s; slowest build {slowest:0.00} s; wall - slowest {r.Overshoot:0.00} s; worst lag {worstLag:0.00} s");
    Console.WriteLine($"  requests: {requests} in all, {waitRequests} while waiting");
    return r;
}

void SetDurations(string[] names) =>
    emulator.Control.SetBuilds(new EmulatorBuilds
    {
        ByName = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => (SnapshotBuildBehavior?)new SnapshotBuildBehavior { DurationMs = durations[p.i] }),
    });

static void Row(string label, double? ours, double? sdk)
{
    string F(double? v) => v.HasValue ? (Math.Abs(v.Value - Math.Round(v.Value)) < 1e-9 && v.Value > 10 ? v.Value.ToString("0") : v.Value.ToString("0.00")) : "n/a";
    var ratio = ours.HasValue && sdk.HasValue && Math.Abs(ours.Value) > 1e-9 ? (sdk.Value / ours.Value).ToString("0.0") + "x" : "n/a";
    Console.WriteLine($"{label,-34}{F(ours),20}{F(sdk),18}{ratio,20}");
}

static int Run(string file, string folder, params string[] args)
{
    var start = new ProcessStartInfo(file) { WorkingDirectory = folder, UseShellExecute = false };
    foreach (var a in args) start.ArgumentList.Add(a);
    try
    {
        using var p = Process.Start(start)!;
        p.WaitForExit();
        return p.ExitCode;
    }
    catch (System.ComponentModel.Win32Exception e)
    {
        Console.WriteLine($"{file}: {e.Message}");
        return -1;
    }
}

static string FindRepo()
{
    var d = new DirectoryInfo(AppContext.BaseDirectory);
    while (d != null && !File.Exists(Path.Combine(d.FullName, "Module.sln"))) d = d.Parent;
    return d?.FullName ?? Directory.GetCurrentDirectory();
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
}

sealed record Result(double Overshoot, double WorstLag, double Requests, double WaitRequests);
