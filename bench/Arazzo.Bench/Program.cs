using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.OpenApi;

// Per-step overhead, one run: the same workflow (N getSnapshot steps, each checking the status code and the
// state, each with an output) against the same loopback server, three ways. Per-step time is measured as
// (time for N steps - time for 1 step) / (N - 1), so process start-up and document loading do not count.
var repoRoot = FindRepoRoot();
var steps = args.Length > 0 ? int.Parse(args[0]) : 100;
var repeats = args.Length > 1 ? int.Parse(args[1]) : 15;

using var server = new Server();
var work = Directory.CreateTempSubdirectory("arazzo-bench-");
var openApi = Path.Combine(work.FullName, "snapshots.openapi.yml");
File.Copy(Path.Combine(repoRoot, "examples", "openapi", "daytona-snapshots-api-openapi.yml"), openApi);
string Workflow(int count)
{
    var path = Path.Combine(work.FullName, $"bench-{count}.arazzo.yaml");
    var text = new StringBuilder("arazzo: 1.0.1\ninfo: {title: bench, version: '1'}\nsourceDescriptions:\n- {name: snapshotsApi, url: ./snapshots.openapi.yml, type: openapi}\n")
        .Append("workflows:\n- workflowId: poll\n  inputs: {type: object, properties: {apiToken: {type: string}, id: {type: string}}}\n  steps:\n");
    for (var i = 0; i < count; i++)
    {
        text.Append($"  - stepId: get{i}\n    operationId: getSnapshot\n    parameters:\n    - {{name: Authorization, in: header, value: 'Bearer {{$inputs.apiToken}}'}}\n    - {{name: id, in: path, value: $inputs.id}}\n")
            .Append("    successCriteria:\n    - condition: $statusCode == 200\n    - condition: $response.body#/state == 'active'\n    outputs:\n      state: $response.body#/state\n");
    }

    text.Append($"  outputs:\n    state: $steps.get{count - 1}.outputs.state\n");
    File.WriteAllText(path, text.ToString());
    return path;
}

var small = Workflow(1);
var large = Workflow(steps);
var inputs = new JsonObject { ["apiToken"] = "bench-token", ["id"] = "b0e7c0de-0000-4000-8000-000000000001" };

// 1. A hand-written HttpClient loop making the same requests and checks.
using var client = new HttpClient();
async Task<TimeSpan> Loop(int count)
{
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{server.ApiUrl}/snapshots/{inputs["id"]}");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer bench-token");
        using var response = await client.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        if ((int)response.StatusCode != 200 || (string?)body?["state"] != "active")
        {
            throw new InvalidOperationException("unexpected answer");
        }
    }

    return watch.Elapsed;
}

// 2. This engine, in-process: load, validate, bind and run.
async Task<TimeSpan> Engine(string path)
{
    var watch = Stopwatch.StartNew();
    var options = new RunOptions { Inputs = (JsonObject)inputs.DeepClone(), ServerUrls = new Dictionary<string, string> { ["snapshotsApi"] = server.ApiUrl }, PollInterval = TimeSpan.Zero, HttpClient = client };
    var resolver = new SourceResolver(client);
    var (document, _) = await WorkflowRunner.PrepareAsync(path, options, resolver, CancellationToken.None);
    var result = await new WorkflowRunner(document, options, resolver).RunWorkflowAsync("poll", CancellationToken.None);
    if (result.Status != WorkflowStatus.Succeeded)
    {
        throw new InvalidOperationException(result.Error);
    }

    return watch.Elapsed;
}

// 2b. This engine with the document loaded, validated and bound once (a workflow run again and again).
var prepared = new Dictionary<string, (Daytona.Arazzo.Model.ArazzoDocument Document, SourceResolver Resolver)>();
async Task<TimeSpan> EngineRun(string path)
{
    var options = new RunOptions { Inputs = (JsonObject)inputs.DeepClone(), ServerUrls = new Dictionary<string, string> { ["snapshotsApi"] = server.ApiUrl }, PollInterval = TimeSpan.Zero, HttpClient = client };
    if (!prepared.TryGetValue(path, out var ready))
    {
        var resolver = new SourceResolver(client);
        ready = ((await WorkflowRunner.PrepareAsync(path, options, resolver, CancellationToken.None)).Document, resolver);
        prepared[path] = ready;
    }

    var watch = Stopwatch.StartNew();
    var result = await new WorkflowRunner(ready.Document, options, ready.Resolver).RunWorkflowAsync("poll", CancellationToken.None);
    if (result.Status != WorkflowStatus.Succeeded)
    {
        throw new InvalidOperationException(result.Error);
    }

    return watch.Elapsed;
}

// 3. Redocly Respect (node), the same document and server.
var respect = Path.Combine(repoRoot, "bench", "Arazzo.Bench", "respect", "node_modules", ".bin", "redocly");
TimeSpan? Respect(string path)
{
    if (!File.Exists(respect))
    {
        return null;
    }

    var start = new ProcessStartInfo(respect)
    {
        ArgumentList = { "respect", path, "--input", inputs.ToJsonString(), "--server", $"snapshotsApi={server.ApiUrl}", "--severity", "SCHEMA_CHECK=off", "--severity", "STATUS_CODE_CHECK=off", "--severity", "CONTENT_TYPE_CHECK=off" },
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        Environment = { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" },
    };
    var watch = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var error = process.StandardError.ReadToEndAsync();
    process.WaitForExit();
    var elapsed = watch.Elapsed;
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException("Respect failed: " + output.Result + error.Result);
    }

    // Respect reports its own run time (without Node's start-up, which varies by a second on a busy machine).
    var reported = System.Text.RegularExpressions.Regex.Match(output.Result + error.Result, @"Time:\s*(\d+)\s*ms");
    return reported.Success ? TimeSpan.FromMilliseconds(int.Parse(reported.Groups[1].Value)) : elapsed;
}

static TimeSpan Median(IEnumerable<TimeSpan> values)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted[sorted.Count / 2];
}

// The contenders take turns in every repetition, so a busy machine slows them alike.
var contenders = new List<(string Name, Func<int, Task<TimeSpan?>> Run, int Every)>
{
    ("HttpClient loop", async n => await Loop(n), 1),
    ("Daytona.Arazzo (load+run)", async n => await Engine(n == 1 ? small : large), 1),
    ("Daytona.Arazzo (run only)", async n => await EngineRun(n == 1 ? small : large), 1),
};
if (File.Exists(respect))
{
    contenders.Add(("Redocly Respect (node)", n => Task.FromResult(Respect(n == 1 ? small : large)), 2));
}

Console.WriteLine($"Arazzo per-step overhead: {steps} getSnapshot steps against {server.ApiUrl}, median of {repeats} interleaved runs after warm-up");

// A cold first run (the process's first workflow: JIT compilation included) is shown, not compared: per-step
// overhead is a steady-state figure, so every in-process contender is then run until the JIT has nothing left to
// compile (tiered compilation promotes hot code after a quiet 100 ms) before anything is measured.
foreach (var contender in contenders)
{
    var cold = await contender.Run(steps);
    if (contender.Every == 1)
    {
        Console.WriteLine($"  cold first run {contender.Name,-28} {steps} steps {cold!.Value.TotalMilliseconds,9:0.0} ms");
    }
}

var warmRounds = 0;
for (long compiled = -1; warmRounds < 60; warmRounds++)
{
    var now = System.Runtime.JitInfo.GetCompiledMethodCount();
    if (now - compiled < 3 && warmRounds >= 5)
    {
        break;
    }

    compiled = now;
    foreach (var contender in contenders.Where(c => c.Every == 1))
    {
        await contender.Run(1);
        await contender.Run(steps);
    }

    await Task.Delay(150);
}

Console.WriteLine($"  warm-up: {warmRounds} rounds until the JIT settled ({System.Runtime.JitInfo.GetCompiledMethodCount()} methods compiled)");

var ones = contenders.ToDictionary(c => c.Name, _ => new List<TimeSpan>());
var manys = contenders.ToDictionary(c => c.Name, _ => new List<TimeSpan>());
var requests = contenders.ToDictionary(c => c.Name, _ => 0);
for (var i = 0; i < repeats; i++)
{
    foreach (var contender in contenders.Where(c => i % c.Every == 0))
    {
        ones[contender.Name].Add((await contender.Run(1))!.Value);
        var before = server.Requests;
        manys[contender.Name].Add((await contender.Run(steps))!.Value);
        requests[contender.Name] = server.Requests - before;
    }
}

var perStep = new Dictionary<string, double>();
foreach (var contender in contenders)
{
    var one = Median(ones[contender.Name]);
    var many = Median(manys[contender.Name]);
    perStep[contender.Name] = (many - one).TotalMilliseconds / (steps - 1);
    Console.WriteLine($"{contender.Name,-28} 1 step {one.TotalMilliseconds,9:0.0} ms   {steps} steps {many.TotalMilliseconds,9:0.0} ms   per step {perStep[contender.Name],7:0.000} ms   requests {requests[contender.Name]}");
}

if (!File.Exists(respect))
{
    Console.WriteLine("Redocly Respect: not installed (cd bench/Arazzo.Bench/respect && npm install)");
}

var loop = (PerStep: perStep["HttpClient loop"], Requests: 0);
var engine = (PerStep: perStep["Daytona.Arazzo (load+run)"], Requests: 0);
var engineRun = (PerStep: perStep["Daytona.Arazzo (run only)"], Requests: 0);
(double PerStep, int Requests)? respectResult = perStep.TryGetValue("Redocly Respect (node)", out var r) ? (r, 0) : null;
Console.WriteLine();
Console.WriteLine($"engine / loop   = {engine.PerStep / loop.PerStep:0.00}x per step including loading and validating the document, {engineRun.PerStep / loop.PerStep:0.00}x running a loaded document (goal: within 1.5x)");
if (respectResult != null)
{
    Console.WriteLine($"Respect / engine = {respectResult.Value.PerStep / engine.PerStep:0.0}x per step (goal: at least 5x)");
}

work.Delete(recursive: true);

static string FindRepoRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Module.sln")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? throw new InvalidOperationException("Module.sln not found");
}

/// <summary>A minimal loopback API: GET /api/snapshots/{id} answers an active snapshot.</summary>
internal sealed class Server : IDisposable
{
    private readonly HttpListener _listener = new();
    private int _requests;

    public Server()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        ApiUrl = $"http://127.0.0.1:{port}/api";
        for (var i = 0; i < 4; i++)
        {
            _ = Task.Run(Serve);
        }
    }

    public string ApiUrl { get; }

    public int Requests
    {
        get => Volatile.Read(ref _requests);
        set => Volatile.Write(ref _requests, value);
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            var id = context.Request.Url!.AbsolutePath.Split('/').Last();
            var body = Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\",\"name\":\"bench\",\"state\":\"active\",\"imageName\":\"alpine:3.20\",\"cpu\":1,\"mem\":1,\"disk\":3}}");
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
