using System.Diagnostics;
using System.Security.Cryptography;
using Daytona.StorageServers;

namespace ObjectStorage.Bench;

/// <summary>
/// Four writers, one repository: 4 pwsh processes (each its own machine: its own cache folder) run New-Checkpoint at
/// once, two on one tree and two on another that shares most of its content, for N rounds; in each round one of them is
/// killed at a random moment. Then: Test-Checkpoint, every listed checkpoint restored and compared with the tree it was
/// taken from, ids unique, every capture that said OK listed. On Azurite (create-only honoured) and s3rver (ignored:
/// writers commit under the lock object).
/// </summary>
public sealed class WritersBench
{
    private const int Writers = 4;
    private readonly Bench _bench;
    private readonly int _rounds;
    private readonly string _backend;
    private readonly Random _random = new(20);

    public WritersBench(Bench bench, int rounds, string backend)
    {
        _bench = bench;
        _rounds = rounds;
        _backend = backend;
    }

    public async Task<int> RunAsync()
    {
        var verdicts = new List<string>();
        var ok = true;
        if (_backend is "azure" or "both")
        {
            await using var azurite = await AzuriteServer.StartAsync();
            var (pass, line) = Run("Azurite", "az://checkpoints/writers", Bench.AzureEnvironment(azurite.Port));
            ok &= pass;
            verdicts.Add(line);
        }

        if (_backend is "s3" or "both")
        {
            await using var s3 = await S3Server.StartAsync();
            var (pass, line) = Run("s3rver", $"s3://{S3Server.Bucket}/writers", Bench.S3Environment(s3.ServiceUrl));
            ok &= pass;
            verdicts.Add(line);
        }

        foreach (var line in verdicts)
        {
            Console.WriteLine(line);
        }

        return ok ? 0 : 1;
    }

    private (bool Pass, string Verdict) Run(string server, string url, Dictionary<string, string> environment)
    {
        var a = _bench.Tree(server + "-a", 4);
        var b = Path.Combine(_bench.Work, server + "-b");
        CopyTree(a, b);
        var expected = new Dictionary<(string Source, string Name), Dictionary<string, string>>();
        var said = new List<(int Round, int Writer, string Line)>();
        var watch = Stopwatch.StartNew();
        for (var round = 1; round <= _rounds; round++)
        {
            // Each round captures new content: one file changed in each tree (the rest is shared with earlier rounds).
            foreach (var (tree, tag) in new[] { (a, "a"), (b, "b") })
            {
                var bytes = new byte[200_000 + _random.Next(300_000)];
                _random.NextBytes(bytes);
                File.WriteAllBytes(Path.Combine(tree, $"round-{tag}.bin"), bytes);
                expected[(tree, "r" + round)] = Hashes(tree);
            }

            var go = Path.Combine(_bench.Work, $"{server}-go{round}");
            var processes = new List<Process>();
            var outputs = new List<Task<string>>();
            for (var w = 0; w < Writers; w++)
            {
                var env = new Dictionary<string, string>(environment) { ["DAYTONA_CHECKPOINT_CACHE"] = Path.Combine(_bench.Work, $"{server}-cache{w}") };
                var source = w % 2 == 0 ? a : b;
                var process = _bench.StartPwsh($@"
[Console]::Out.WriteLine('ready'); [Console]::Out.Flush()
while (-not (Test-Path '{go}')) {{ Start-Sleep -Milliseconds 10 }}
try {{ $c = New-Checkpoint -Path '{source}' -Repository '{url}' -Name 'r{round}'; 'OK ' + $c.Id }}
catch {{ 'FAIL ' + $_.FullyQualifiedErrorId + ': ' + $_.Exception.Message }}", env);
                processes.Add(process);
                process.StandardOutput.ReadLine(); // ready
                outputs.Add(process.StandardOutput.ReadToEndAsync());
                _ = process.StandardError.ReadToEndAsync();
            }

            File.WriteAllText(go, "");
            var victim = _random.Next(Writers);
            Thread.Sleep(_random.Next(50, 2500));
            var killed = !processes[victim].HasExited;
            if (killed)
            {
                processes[victim].Kill(entireProcessTree: true);
            }

            for (var w = 0; w < Writers; w++)
            {
                processes[w].WaitForExit();
                // The last line that says how the capture went (pwsh writes warnings to the same stdout).
                var text = outputs[w].Result.Split('\n', StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith("OK ", StringComparison.Ordinal) || l.StartsWith("FAIL ", StringComparison.Ordinal)) ?? "";
                said.Add((round, w, w == victim && killed ? "KILLED " + text : text));
                processes[w].Dispose();
            }

            Console.WriteLine($"{server} round {round}: " + string.Join(" | ", said.Where(s => s.Round == round).Select(s => $"w{s.Writer} {s.Line}")));
        }

        var captureTime = watch.Elapsed;

        // Afterwards, with no writer running: verify, restore every listed checkpoint, compare.
        var restored = Path.Combine(_bench.Work, server + "-restored");
        var check = _bench.RunPwsh($@"
$all = @(Get-Checkpoint -Repository '{url}')
$bad = @(Test-Checkpoint -Repository '{url}' | Where-Object {{ -not $_.IsValid }})
'INVALID ' + $bad.Count
foreach ($c in $all) {{
  Restore-Checkpoint -Repository '{url}' -Id $c.Id -Destination (Join-Path '{restored}' $c.Id) | Out-Null
  'CK ' + $c.Id + ' ' + $c.Name + ' ' + $c.Source
}}", new Dictionary<string, string>(environment) { ["DAYTONA_CHECKPOINT_CACHE"] = Path.Combine(_bench.Work, $"{server}-cache-check") });
        var lines = check.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var invalid = lines.FirstOrDefault(l => l.StartsWith("INVALID ", StringComparison.Ordinal)) ?? "INVALID ?";
        var listed = lines.Where(l => l.StartsWith("CK ", StringComparison.Ordinal)).Select(l => l.Split(' ', 4)).ToList();
        var mismatched = 0;
        foreach (var parts in listed)
        {
            var (id, name, source) = (parts[1], parts[2], parts[3]);
            if (!expected.TryGetValue((source, name), out var want) || !Same(want, Hashes(Path.Combine(restored, id))))
            {
                mismatched++;
                Console.WriteLine($"{server}: checkpoint {id} ({name} of {source}) does not restore to what was captured");
            }

            Directory.Delete(Path.Combine(restored, id), recursive: true);
        }

        var okIds = said.Where(s => s.Line.StartsWith("OK ", StringComparison.Ordinal) || s.Line.StartsWith("KILLED OK ", StringComparison.Ordinal))
            .Select(s => s.Line.Split(' ')[^1]).ToList();
        var failed = said.Count(s => s.Line.StartsWith("FAIL", StringComparison.Ordinal));
        var killedCount = said.Count(s => s.Line.StartsWith("KILLED", StringComparison.Ordinal));
        var listedIds = listed.Select(p => p[1]).ToHashSet();
        var unique = okIds.Distinct().Count() == okIds.Count;
        var allListed = okIds.All(listedIds.Contains);
        var pass = check.Exit == 0 && invalid == "INVALID 0" && mismatched == 0 && unique && allListed && failed == 0;
        if (check.Exit != 0)
        {
            Console.WriteLine(check.Error);
        }

        return (pass, $"{server}: {_rounds} rounds x {Writers} writers in {captureTime.TotalSeconds:0} s, {killedCount} killed mid-capture, {okIds.Count} captures OK, {failed} failed; " +
            $"listed {listed.Count}; Test-Checkpoint: {invalid.ToLowerInvariant()}; restored byte-identical: {listed.Count - mismatched} of {listed.Count}; " +
            $"ids unique: {(unique ? "yes" : "NO")}; every OK capture listed: {(allListed ? "yes" : "NO")} => {(pass ? "PASS" : "FAIL")}");
    }

    private static Dictionary<string, string> Hashes(string root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            using var stream = File.OpenRead(file);
            result[Path.GetRelativePath(root, file)] = Convert.ToHexString(SHA256.HashData(stream));
        }

        return result;
    }

    private static bool Same(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
