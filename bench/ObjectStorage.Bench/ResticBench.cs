using System.Diagnostics;
using System.Globalization;
using Daytona.StorageServers;

namespace ObjectStorage.Bench;

/// <summary>
/// New-Checkpoint against restic backup, the same generated tree, the same servers: Azurite (on port 10000, where
/// restic's Azure backend finds the emulator for the account devstoreaccount1) and s3rver. Each capture is a fresh
/// pwsh process (as a pipeline job is) with a machine cache folder; the time is New-Checkpoint's own (Measure-Command,
/// not pwsh's start and Import-Module); restic's is its whole run, with its own cache folder. Our requests go through a
/// counting relay (which only slows us down: a TCP relay that reads request heads, not an HTTP proxy); restic goes
/// straight to the server.
/// </summary>
public sealed class ResticBench
{
    private readonly Bench _bench;
    private readonly int _mib;
    private readonly int _runs;

    /// <param name="runs">Runs of each measurement (a first capture into a new repository each time); the medians are compared.</param>
    public ResticBench(Bench bench, int mib, int runs = 3)
    {
        _bench = bench;
        _mib = mib;
        _runs = Math.Max(1, runs);
    }

    public async Task<int> RunAsync()
    {
        if (Bench.Run("bash", new[] { "-c", "command -v restic" }, _bench.Root, null).Exit != 0)
        {
            Console.Error.WriteLine("restic is not installed: apt-get update && apt-get install -y restic");
            return 2;
        }

        var tree = _bench.Tree("tree", _mib);
        Console.WriteLine($"tree: {_mib} MiB (../shared/checks/mktree.py), {Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories).Count()} files; {_runs} run(s) of each measurement, medians compared");
        var summary = new List<string>();
        await using (var azurite = await AzuriteServer.StartAsync(10000))
        {
            await using var relay = CountingRelay.Start(new Uri($"http://127.0.0.1:{azurite.Port}"));
            var restic = new Dictionary<string, string>
            {
                ["AZURE_ACCOUNT_NAME"] = AzuriteServer.AccountName,
                ["AZURE_ACCOUNT_KEY"] = AzuriteServer.AccountKey,
            };
            summary.Add(Compare("Azurite", tree, "az://checkpoints/ours", Bench.AzureEnvironment(relay.Port), relay, "azure:restic:", restic));
        }

        // restic signs plain-http uploads in chunks (s3rver would store the framing): it gets an https s3rver of its own;
        // New-Checkpoint talks plain http through the counting relay to another.
        var key = Path.Combine(_bench.Work, "s3rver.key");
        var certificate = Path.Combine(_bench.Work, "s3rver.crt");
        var openssl = Bench.Run("openssl", new[] { "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate }, _bench.Work, null);
        if (openssl.Exit != 0)
        {
            throw new InvalidOperationException("openssl failed: " + openssl.Error);
        }

        await using (var s3 = await S3Server.StartAsync())
        await using (var tls = await S3Server.StartAsync((key, certificate)))
        {
            await using var relay = CountingRelay.Start(s3.ServiceUrl);
            var restic = new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretKey,
                ["RESTIC_CACERT"] = certificate,
            };
            summary.Add(Compare("s3rver", tree, $"s3://{S3Server.Bucket}/ours", Bench.S3Environment(relay.Url), relay, $"s3:https://127.0.0.1:{tls.Port}/{S3Server.Bucket}/restic", restic));
        }

        foreach (var line in summary)
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    private string Compare(string server, string tree, string url, Dictionary<string, string> environment, CountingRelay relay, string resticRepository, Dictionary<string, string> resticEnvironment)
    {
        // Ours: each run a first capture into a new repository (with a new machine cache), then an unchanged re-capture of it.
        var firstOurs = new List<double>();
        var againOurs = new List<double>();
        var requests = 0;
        var requestList = string.Empty;
        for (var run = 1; run <= _runs; run++)
        {
            environment["DAYTONA_CHECKPOINT_CACHE"] = Path.Combine(_bench.Work, $"{server}-cache-{run}");
            var repository = $"{url}/run{run}";
            firstOurs.Add(Capture(tree, repository, environment));
            relay.Reset();
            againOurs.Add(Capture(tree, repository, environment));
            requests = relay.Count;
            requestList = string.Join(", ", relay.Requests.Select(r => r.Method + " " + Shorten(r.Target)));
        }

        Console.WriteLine($"{server}: New-Checkpoint first {Times(firstOurs)}, unchanged re-capture {Times(againOurs)}; the last in {requests} requests: {requestList}");

        // restic: likewise, each run a new repository (and cache folder).
        var firstRestic = new List<double>();
        var againRestic = new List<double>();
        for (var run = 1; run <= _runs; run++)
        {
            resticEnvironment["RESTIC_REPOSITORY"] = $"{resticRepository}/run{run}";
            resticEnvironment["RESTIC_PASSWORD"] = "bench";
            resticEnvironment["RESTIC_CACHE_DIR"] = Path.Combine(_bench.Work, $"{server}-restic-cache-{run}");
            var init = Bench.Run("restic", Options(resticEnvironment, "init"), _bench.Work, resticEnvironment);
            if (init.Exit != 0)
            {
                throw new InvalidOperationException("restic init failed: " + init.Error);
            }

            firstRestic.Add(Restic(tree, resticEnvironment));
            againRestic.Add(Restic(tree, resticEnvironment));
        }

        Console.WriteLine($"{server}: restic backup first {Times(firstRestic)}, unchanged re-capture {Times(againRestic)}");
        return string.Create(CultureInfo.InvariantCulture,
            $"{server}: first capture {Median(firstRestic) / Median(firstOurs):0.00}x restic (goal >= 2), unchanged re-capture {Median(againRestic) / Median(againOurs):0.00}x restic (goal >= 3), {requests} requests (goal <= 3)");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Times(List<double> values) =>
        values.Count == 1
            ? string.Create(CultureInfo.InvariantCulture, $"{values[0]:0.00} s")
            : string.Create(CultureInfo.InvariantCulture, $"{Median(values):0.00} s (median of {string.Join(", ", values.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))})");

    private double Capture(string tree, string url, Dictionary<string, string> environment)
    {
        var run = _bench.RunPwsh($"$t = Measure-Command {{ $c = New-Checkpoint -Path '{tree}' -Repository '{url}' }}; $t.TotalSeconds.ToString([cultureinfo]::InvariantCulture)", environment);
        if (run.Exit != 0)
        {
            throw new InvalidOperationException("New-Checkpoint failed: " + run.Error + run.Output);
        }

        return double.Parse(run.Output.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
    }

    private double Restic(string tree, Dictionary<string, string> environment)
    {
        var watch = Stopwatch.StartNew();
        var run = Bench.Run("restic", Options(environment, "backup", "--quiet", tree), _bench.Work, environment);
        watch.Stop();
        if (run.Exit != 0)
        {
            throw new InvalidOperationException("restic backup failed: " + run.Error);
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static string[] Options(Dictionary<string, string> environment, params string[] arguments) =>
        environment.TryGetValue("RESTIC_CACERT", out var certificate) ? new[] { "--cacert", certificate }.Concat(arguments).ToArray() : arguments;

    private static string Shorten(string path) => path.Length > 90 ? path[..90] + "…" : path;
}
