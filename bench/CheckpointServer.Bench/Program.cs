// The checkpoint server against nginx, both loaded by wrk on loopback in one run. Hand-written driver: it starts the
// two servers and wrk with the same settings and reads wrk's own report; nothing here measures time itself.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Daytona.Checkpoints;

var seconds = Arg("--seconds", 10);
var files = Arg("--files", 1000);
var count = Arg("--checkpoints", 100_000);
var work = Path.Combine(Path.GetTempPath(), "ckpt-server-bench-" + Guid.NewGuid().ToString("N")[..8]);
var root = FindRoot();
var serverDll = Path.Combine(root, "out", "Daytona.Snapshots", "CheckpointServer", "Daytona.Checkpoints.Server.dll");
foreach (var tool in new[] { "nginx", "wrk" })
{
    if (Which(tool) == null)
    {
        Console.Error.WriteLine($"{tool} is not installed: apt-get install nginx-light wrk");
        return 2;
    }
}

if (!File.Exists(serverDll))
{
    Console.Error.WriteLine($"{serverDll} is missing: dotnet build Module.sln -c Release first.");
    return 2;
}

var processes = new List<Process>();
try
{
    Console.WriteLine($"load before: {File.ReadAllText("/proc/loadavg").Trim()}  ({Environment.ProcessorCount} cores)");

    // 1. A folder of 4 KiB files, captured once, and the same files on disk for nginx.
    var site = Path.Combine(work, "site");
    Directory.CreateDirectory(site);
    var random = new Random(16);
    var names = new List<string>();
    for (var i = 0; i < files; i++)
    {
        var bytes = new byte[4096];
        random.NextBytes(bytes);
        var name = $"f{i:D5}.bin";
        File.WriteAllBytes(Path.Combine(site, name), bytes);
        names.Add(name);
    }

    var repository = CheckpointRepository.OpenOrCreate(Path.Combine(work, "repo"));
    var id = repository.Capture(site, new CaptureOptions(), CancellationToken.None).Id;

    // 2. A repository of 100,000 checkpoints of one source, one a minute back from an hour ago (manifests of one
    //    small file each, written as the folder storage keeps them; the next capture compacts them into the catalog).
    var many = Path.Combine(work, "many");
    var manyRepository = CheckpointRepository.OpenOrCreate(many);
    Directory.CreateDirectory(Path.Combine(work, "one"));
    File.WriteAllText(Path.Combine(work, "one", "a.txt"), "a");
    var seed = manyRepository.ReadManifest(manyRepository.Capture(Path.Combine(work, "one"), new CaptureOptions(), CancellationToken.None).Id);
    var start = DateTime.UtcNow.AddHours(-1).AddMinutes(-count);
    start = new DateTime(start.Ticks - start.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        seed.Time = start.AddMinutes(i);
        seed.Id = CheckpointTime.ToId(seed.Time);
        using var file = File.Create(Path.Combine(many, "checkpoints", seed.Id + ".json"));
        seed.WriteTo(file);
    }

    // A capture after them, as an agent's next capture would: the writer compacts the catalog of what it found.
    File.WriteAllText(Path.Combine(work, "one", "a.txt"), "b");
    manyRepository.Capture(Path.Combine(work, "one"), new CaptureOptions(), CancellationToken.None);
    var listed = CheckpointRepository.Open(many).List().Count;
    Console.WriteLine($"setup: {files} files of 4 KiB captured; {listed:N0} checkpoints written and listed in {sw.Elapsed.TotalSeconds:0.0} s");

    // 3. The servers.
    var serverPort = FreePort();
    var server = Start("dotnet", serverDll, "--repository", Path.Combine(work, "repo"), "--repository", many, "--port", serverPort.ToString(CultureInfo.InvariantCulture), "--ready-json");
    processes.Add(server);
    var ready = server.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the server did not start: " + server.StandardError.ReadToEnd());
    Console.WriteLine($"checkpoint server: {ready}");

    var nginxPort = FreePort();
    var conf = Path.Combine(work, "nginx.conf");
    File.WriteAllText(conf, $$"""
        daemon off;
        worker_processes 1;
        pid {{work}}/nginx.pid;
        error_log {{work}}/nginx-error.log;
        events { worker_connections 1024; }
        http {
            access_log off;
            sendfile on;
            tcp_nopush on;
            default_type application/octet-stream;
            client_body_temp_path {{work}}/tmp;
            proxy_temp_path {{work}}/tmp;
            fastcgi_temp_path {{work}}/tmp;
            uwsgi_temp_path {{work}}/tmp;
            scgi_temp_path {{work}}/tmp;
            server {
                listen 127.0.0.1:{{nginxPort}};
                location / { root {{site}}; }
            }
        }
        """);
    Directory.CreateDirectory(Path.Combine(work, "tmp"));
    var nginx = Start("nginx", "-c", conf, "-p", work);
    processes.Add(nginx);
    Thread.Sleep(1000);

    // 4. wrk: the same connections and threads against both, each request a random one of the files.
    var filesScript = Path.Combine(work, "files.lua");
    File.WriteAllText(filesScript, "local names = {" + string.Join(",", names.Select(n => "\"" + n + "\"")) + "}\n" +
        "local prefix = ''\nfunction init(args) prefix = args[1] or '' end\n" +
        "request = function() return wrk.format('GET', prefix .. names[math.random(#names)]) end\n");
    var wrkThreads = "2";
    var wrkConnections = "32";
    Wrk($"http://127.0.0.1:{serverPort}/", filesScript, $"/site/{id}/", 2); // warm-up (JIT, caches)
    Wrk($"http://127.0.0.1:{nginxPort}/", filesScript, "/", 2);
    var serverRate = Rate(Wrk($"http://127.0.0.1:{serverPort}/", filesScript, $"/site/{id}/", seconds));
    var nginxRate = Rate(Wrk($"http://127.0.0.1:{nginxPort}/", filesScript, "/", seconds));
    Console.WriteLine($"4 KiB files, wrk -t{wrkThreads} -c{wrkConnections} -d{seconds}s: checkpoint server {serverRate:N0} req/s, nginx {nginxRate:N0} req/s");

    // 5. Redirect resolution: a random instant (never a checkpoint's own second) over the 100,000 checkpoints.
    var redirectScript = Path.Combine(work, "redirect.lua");
    File.WriteAllText(redirectScript, $$"""
        local start = {{new DateTimeOffset(start).ToUnixTimeSeconds()}}
        local span = {{count}} * 60 - 60
        request = function()
          local t = start + math.random(span)
          if t % 60 == 0 then t = t + 1 end
          return wrk.format('GET', '/one/' .. os.date('!%Y%m%dT%H%M%SZ', t) .. '/a.txt')
        end
        """);
    Wrk($"http://127.0.0.1:{serverPort}/", redirectScript, null, 2, "-t1", "-c4");
    var redirect = Wrk($"http://127.0.0.1:{serverPort}/", redirectScript, null, seconds, "-t1", "-c4", "--latency");
    var p99 = Percentile(redirect, "99%");
    var statusLine = Regex.Match(redirect, @"Non-2xx or 3xx responses: (\d+)");
    Console.WriteLine($"redirect over {listed:N0} checkpoints, wrk -t1 -c4 --latency: p99 {p99:0.000} ms, {Rate(redirect):N0} req/s{(statusLine.Success ? $" ({statusLine.Groups[1].Value} were not 301)" : string.Empty)}");
    Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
    Console.WriteLine($"RATIOS: 4 KiB files {serverRate / nginxRate:0.00}x nginx (goal >= 0.5); redirect p99 {p99 / 2.0:0.00}x the 2 ms limit (goal < 1)");
    return 0;

    string Wrk(string url, string script, string? prefix, int duration, params string[] extra)
    {
        var arguments = new List<string> { "-t" + wrkThreads, "-c" + wrkConnections, "-d" + duration + "s", "-s", script };
        if (extra.Length > 0)
        {
            arguments.RemoveRange(0, 2);
            arguments.InsertRange(0, extra);
        }

        arguments.Add(url);
        if (prefix != null)
        {
            arguments.Add("--");
            arguments.Add(prefix);
        }

        using var wrk = Start("wrk", arguments.ToArray());
        var output = wrk.StandardOutput.ReadToEnd();
        wrk.WaitForExit();
        return output;
    }
}
finally
{
    foreach (var process in processes)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    try
    {
        Directory.Delete(work, recursive: true);
    }
    catch (IOException)
    {
    }
}

static double Rate(string wrk) => double.Parse(Regex.Match(wrk, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);

static double Percentile(string wrk, string which)
{
    var match = Regex.Match(wrk, Regex.Escape(which) + @"\s+([\d.]+)(us|ms|s)");
    var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
}

static Process Start(string file, params string[] arguments)
{
    var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    return Process.Start(start)!;
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
}

static string? Which(string name) => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
    ?? (File.Exists("/usr/sbin/" + name) ? "/usr/sbin/" + name : null);

static string FindRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Module.sln")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? throw new InvalidOperationException("Module.sln not found");
}

static int Arg(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
