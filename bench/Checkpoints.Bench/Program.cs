using System.Diagnostics;
using System.Globalization;
using Daytona.Checkpoints;

// Checkpoint benchmark: one generated tree (many small files, some large), every tool measured in this run.
var sizeMiB = 1024;
var rounds = 3;
var workDir = Path.Combine(Path.GetTempPath(), "ckpt-bench");
if (args.Length == 3 && args[0] == "--capture-once")
{
    // Child mode: one capture in a fresh process (the JIT compiles everything on the way), its seconds on stdout.
    var once = CheckpointRepository.OpenOrCreate(args[2], new RepositoryOptions());
    var seconds = Time(() => once.Capture(args[1], null, CancellationToken.None));
    Console.WriteLine(seconds.ToString("R", CultureInfo.InvariantCulture));
    return 0;
}

for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--size": sizeMiB = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--dir": workDir = args[++i]; break;
        case "--rounds": rounds = Math.Max(1, int.Parse(args[++i], CultureInfo.InvariantCulture)); break;
        default: Console.Error.WriteLine("usage: Checkpoints.Bench [--size <MiB>] [--rounds <n>] [--dir <folder>]"); return 2;
    }
}

if (Directory.Exists(workDir))
{
    Directory.Delete(workDir, recursive: true);
}

Directory.CreateDirectory(workDir);
var tree = Path.Combine(workDir, "tree");
var totalBytes = (long)sizeMiB * 1024 * 1024;
Console.WriteLine($"Generating {sizeMiB} MiB in {tree} ...");
var files = Generate(tree, totalBytes, seed: 1);
Console.WriteLine($"  {files.Count} files, {Mib(files.Sum(f => new FileInfo(f).Length))} MiB; {Environment.ProcessorCount} cores; {rounds} rounds (medians, range in brackets)");

// Single-thread speeds of the building blocks, for reading the results below: 1 MiB pieces as the engine hands them
// over, best of three rounds (the first rounds run while the JIT still compiles; the fresh-process capture below
// shows what that costs once).
{
    var sample = Content(64 << 20, 5);
    const int piece = 1 << 20;
    using var compressor = new ZstdSharp.Compressor(1);
    var frame = new byte[ZstdSharp.Compressor.GetCompressBound(piece)];
    var hash = new byte[32];
    var chunker = new Chunker();
    double sha = double.MaxValue, zstd = double.MaxValue, cdc = double.MaxValue;
    for (var round = 0; round < 3; round++)
    {
        sha = Math.Min(sha, Time(() =>
        {
            for (var offset = 0; offset < sample.Length; offset += piece)
            {
                System.Security.Cryptography.SHA256.HashData(sample.AsSpan(offset, piece), hash);
            }
        }));
        zstd = Math.Min(zstd, Time(() =>
        {
            for (var offset = 0; offset < sample.Length; offset += piece)
            {
                compressor.Wrap(sample.AsSpan(offset, piece), frame);
            }
        }));
        cdc = Math.Min(cdc, Time(() =>
        {
            var offset = 0;
            while (offset < sample.Length)
            {
                offset += chunker.NextCut(sample.AsSpan(offset), final: true);
            }
        }));
    }

    Console.WriteLine($"  one core: SHA-256 {Mibs(sample.Length, sha)} MiB/s, zstd -1 (ZstdSharp) {Mibs(sample.Length, zstd)} MiB/s, chunking {Mibs(sample.Length, cdc)} MiB/s");
}

// Warm the page cache once so every tool reads from the same state.
Run("bash", "-c", $"tar -C '{tree}' -cf - . > /dev/null");

// Before each timed write, what earlier steps wrote goes to the disk: a tool that flushes (New-Checkpoint, restic)
// would otherwise wait for the generator's and the previous tools' data too.
static void Settle() => Run("sync");

var results = new List<(string Name, string Value)>();
void Report(string name, string value)
{
    results.Add((name, value));
    Console.WriteLine($"  {name,-52} {value}");
}

// 1. First capture vs tar | zstd -1 and restic backup. This machine's disk and processors are shared and noisy (one
// run of the same command can take twice another's time), so the contenders run in interleaved rounds and each
// reports its median (with the range); every round's captures go to new, empty repositories.
var tarZst = Path.Combine(workDir, "tree.tar.zst");
var tarTimes = new List<double>();
var tarDurableTimes = new List<double>();
var firstTimes = new List<double>();
var firstCpu = new List<double>();
var looseTimes = new List<double>();
var freshTimes = new List<double>();
var repoPath = Path.Combine(workDir, "checkpoints");
CheckpointRepository repository = null!;
Checkpoint first = null!;
for (var round = 0; round < rounds; round++)
{
    File.Delete(tarZst);
    Settle();
    tarTimes.Add(Time(() => Run("bash", "-c", $"tar -C '{tree}' -cf - . | zstd -1 -q -f -o '{tarZst}'")));

    // The same, with the archive flushed to the disk before the clock stops (sync <file>: fsync), as New-Checkpoint
    // flushes its packs and manifest: both outputs survive a power cut when the clock stops.
    File.Delete(tarZst);
    Settle();
    tarDurableTimes.Add(Time(() => Run("bash", "-c", $"tar -C '{tree}' -cf - . | zstd -1 -q -f -o '{tarZst}' && sync '{tarZst}'")));

    // The capture that later steps continue from is the last round's.
    if (Directory.Exists(repoPath))
    {
        Directory.Delete(repoPath, recursive: true);
    }

    repository = CheckpointRepository.OpenOrCreate(repoPath, new RepositoryOptions());
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    Settle();
    firstTimes.Add(Time(() => first = repository.Capture(tree, null, CancellationToken.None)));
    firstCpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);

    // Without flushing packs and manifests to the disk, as tar | zstd does not: the cost of durability.
    var loose = CheckpointRepository.OpenOrCreate(Path.Combine(workDir, "checkpoints-no-fsync"), new RepositoryOptions { Durable = false });
    Settle();
    looseTimes.Add(Time(() => loose.Capture(tree, null, CancellationToken.None)));
    Directory.Delete(loose.Root, recursive: true);

    // In a fresh process: includes the JIT compiling the engine and ZstdSharp (once per session).
    var fresh = CaptureInFreshProcess(tree, Path.Combine(workDir, "checkpoints-fresh"));
    if (fresh != null)
    {
        freshTimes.Add(fresh.Value);
    }
}

var tarTime = Median(tarTimes);
var tarDurableTime = Median(tarDurableTimes);
var firstTime = Median(firstTimes);
Report("tar -c | zstd -1", $"{Spread(tarTimes)}  {Mibs(totalBytes, tarTime)} MiB/s  -> {Mib(new FileInfo(tarZst).Length)} MiB");
Report("tar -c | zstd -1, then fsync of the archive", $"{Spread(tarDurableTimes)}  {Mibs(totalBytes, tarDurableTime)} MiB/s");
Report("New-Checkpoint (first)", $"{Spread(firstTimes)}  {Mibs(totalBytes, firstTime)} MiB/s  -> {Mib(first.NewData)} MiB stored (CPU {Median(firstCpu):0.00} s)");
Report("New-Checkpoint (first, without fsync)", $"{Spread(looseTimes)}  {Mibs(totalBytes, Median(looseTimes))} MiB/s");
Report("New-Checkpoint (first, fresh process: with JIT)", freshTimes.Count == 0 ? "failed" : $"{Spread(freshTimes)}  {Mibs(totalBytes, Median(freshTimes))} MiB/s");

double? resticTime = null;
if (Which("restic"))
{
    var resticRepo = Path.Combine(workDir, "restic");
    Environment.SetEnvironmentVariable("RESTIC_PASSWORD", "bench");
    Run("restic", "init", "--quiet", "--repo", resticRepo);
    Settle();
    resticTime = Time(() => Run("restic", "backup", "--quiet", "--repo", resticRepo, tree));
    Report("restic backup (first)", $"{resticTime:0.00} s  {Mibs(totalBytes, resticTime.Value)} MiB/s  -> {Mib(DirSize(resticRepo))} MiB");
}
else
{
    Report("restic backup (first)", "restic not installed (apt-get install -y restic)");
}

Report("  ratio vs tar|zstd -1 (goal >= 0.8)", $"{tarTime / firstTime:0.00}x");
Report("  ratio vs tar|zstd -1, both flushed to the disk", $"{tarDurableTime / firstTime:0.00}x");
Report("  ratio vs tar|zstd -1, both without fsync", $"{tarTime / Median(looseTimes):0.00}x");
if (freshTimes.Count > 0)
{
    Report("  ratio vs tar|zstd -1, fresh process", $"{tarTime / Median(freshTimes):0.00}x");
}

if (resticTime != null)
{
    Report("  ratio vs restic backup", $"{resticTime.Value / firstTime:0.00}x");
}

// 2. Unchanged re-capture, three times as often as the first (each takes a tenth of a second, so a collector pause or
// a busy neighbour moves one a lot), each opening the repository as New-Checkpoint does. Checkpoints never share a
// second, so each capture below starts in a new second: the wait for the next second is the rule, not work, and is
// left out of the timings.
var unchangedTimes = new List<double>();
var unchangedPauses = new List<double>();
Checkpoint second = null!;
for (var round = 0; round < rounds * 3; round++)
{
    Settle();
    NextSecond();
    var pausedBefore = GC.GetTotalPauseDuration();
    unchangedTimes.Add(Time(() =>
    {
        repository = CheckpointRepository.OpenOrCreate(repoPath, new RepositoryOptions());
        second = repository.Capture(tree, null, CancellationToken.None);
    }));
    unchangedPauses.Add((GC.GetTotalPauseDuration() - pausedBefore).TotalSeconds);
}

var secondTime = Median(unchangedTimes);
Report("New-Checkpoint (unchanged)", $"{Spread(unchangedTimes, "0.000")}  new data {second.NewData} B, of which collector pauses {Spread(unchangedPauses, "0.000")}");
Report("  speed-up vs first (goal >= 20)", $"{firstTime / secondTime:0.0}x");
if (resticTime != null)
{
    var resticRepo = Path.Combine(workDir, "restic");
    var resticSecond = Time(() => Run("restic", "backup", "--quiet", "--repo", resticRepo, tree));
    Report("restic backup (unchanged)", $"{resticSecond:0.000} s");
}

// 3. 1% of the files rewritten.
var random = new Random(7);
var changed = files.OrderBy(_ => random.Next()).Take(Math.Max(1, files.Count / 100)).ToList();
long changedBytes = 0;
foreach (var file in changed)
{
    var length = (int)Math.Min(new FileInfo(file).Length, int.MaxValue);
    var content = Content(length, random.Next());
    File.WriteAllBytes(file, content);
    changedBytes += length;
}

Checkpoint third = null!;
Settle();
NextSecond();
var thirdTime = Time(() => third = repository.Capture(tree, null, CancellationToken.None));
Report($"1% of files rewritten ({changed.Count} files, {Mib(changedBytes)} MiB)", $"{thirdTime:0.00} s  stored {Mib(third.NewData)} MiB");
Report("  stored / changed bytes (goal <= 2)", $"{(double)third.NewData / changedBytes:0.00}");

// An edit of 4 KiB inside the largest file: only the chunks around it are stored.
var largest = files.OrderByDescending(f => new FileInfo(f).Length).First();
using (var stream = new FileStream(largest, FileMode.Open, FileAccess.Write))
{
    stream.Position = stream.Length / 2;
    stream.Write(Content(4096, 99));
}

Checkpoint fourth = null!;
Settle();
NextSecond();
var fourthTime = Time(() => fourth = repository.Capture(tree, null, CancellationToken.None));
Report($"4 KiB edited inside a {Mib(new FileInfo(largest).Length)} MiB file", $"{fourthTime:0.00} s  stored {fourth.NewData / 1024.0:0} KiB");

// 4. Restore vs tar -x.
var tarOut = Path.Combine(workDir, "tar-restore");
Directory.CreateDirectory(tarOut);
var untarTime = Time(() => Run("bash", "-c", $"zstd -dc '{tarZst}' | tar -x -C '{tarOut}'"));
Report("zstd -dc | tar -x", $"{untarTime:0.00} s  {Mibs(totalBytes, untarTime)} MiB/s");
var restoreOut = Path.Combine(workDir, "restore");
var restoreTime = Time(() => repository.Restore(first.Id, restoreOut, null, CancellationToken.None));
Report("Restore-Checkpoint", $"{restoreTime:0.00} s  {Mibs(totalBytes, restoreTime)} MiB/s");
Report("  ratio vs tar -x", $"{untarTime / restoreTime:0.00}x");
if (resticTime != null)
{
    var resticOut = Path.Combine(workDir, "restic-restore");
    var resticRestore = Time(() => Run("restic", "restore", "--quiet", "--repo", Path.Combine(workDir, "restic"), "latest", "--target", resticOut));
    Report("restic restore", $"{resticRestore:0.00} s  {Mibs(totalBytes, resticRestore)} MiB/s");
}

// 5. Lookup by time over 100,000 checkpoints.
var start = new DateTime(2015, 1, 1, 0, 0, 0, DateTimeKind.Utc);
var ids = Enumerable.Range(0, 100_000).Select(i => CheckpointTime.ToId(start.AddSeconds(i * 61L))).ToList();
var index = new CheckpointIndex<string>(ids, CheckpointTime.Parse);
var lookups = 200_000;
var probe = new Random(3);
var instants = Enumerable.Range(0, lookups).Select(_ => start.AddSeconds(probe.NextInt64(0, 100_000L * 61))).ToArray();
var watch = Stopwatch.StartNew();
var hits = 0;
foreach (var instant in instants)
{
    if (index.TryFindAtOrBefore(instant, out _, out _))
    {
        hits++;
    }
}

watch.Stop();
Report("lookup by time, 100,000 checkpoints (in-memory index)", $"{watch.Elapsed.TotalMilliseconds * 1000 / lookups:0.000} µs per lookup ({hits} hits)");

// End to end on a repository of 100,000 manifests: open, read the catalog, look up.
var big = CheckpointRepository.OpenOrCreate(Path.Combine(workDir, "many"));
var manifests = Path.Combine(big.Root, "checkpoints");
foreach (var id in ids)
{
    File.WriteAllText(Path.Combine(manifests, id + ".json"),
        $"{{\"format\":1,\"id\":\"{id}\",\"time\":\"x\",\"source\":\"/src\",\"kind\":\"folder\",\"files\":0,\"size\":0,\"storedSize\":0,\"newData\":0,\"entries\":[]}}");
}

big.Rename(ids[^1], "last"); // a writer: builds and stores the catalog
var endToEnd = Stopwatch.StartNew();
var reopened = CheckpointRepository.Open(big.Root);
var found = reopened.FindAt(start.AddSeconds(50_000L * 61 + 30));
endToEnd.Stop();
Report("Get-Checkpoint -At over 100,000 (open + catalog + lookup)", $"{endToEnd.Elapsed.TotalMilliseconds:0.0} ms (found {found.Id})");

Console.WriteLine();
Console.WriteLine("Summary");
foreach (var (name, value) in results.Where(r => r.Name.StartsWith("  ", StringComparison.Ordinal) || r.Name.StartsWith("lookup", StringComparison.Ordinal)))
{
    Console.WriteLine($"  {name.Trim(),-52} {value}");
}

Directory.Delete(workDir, recursive: true);
return 0;

static List<string> Generate(string root, long total, int seed)
{
    var random = new Random(seed);
    var files = new List<string>();
    var large = total * 6 / 10;
    var largeCount = 6;
    for (var i = 0; i < largeCount; i++)
    {
        var path = Path.Combine(root, "large", $"blob{i}.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        var remaining = large / largeCount;
        while (remaining > 0)
        {
            var block = Content((int)Math.Min(remaining, 4 << 20), random.Next());
            stream.Write(block);
            remaining -= block.Length;
        }

        files.Add(path);
    }

    long small = total - large;
    var n = 0;
    while (small > 0)
    {
        var length = (int)Math.Min(small, random.Next(1024, 96 * 1024));
        var path = Path.Combine(root, "src", $"d{n % 64}", $"e{n % 7}", $"file{n}.dat");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Content(length, random.Next()));
        files.Add(path);
        small -= length;
        n++;
    }

    return files;
}

// Half random bytes, half repetitive text: compresses about 2:1, like a mixed workspace.
static byte[] Content(int length, int seed)
{
    var random = new Random(seed);
    var bytes = new byte[length];
    random.NextBytes(bytes);
    var words = "checkpoint snapshot daytona sandbox restore export import verify "u8.ToArray();
    for (var offset = 0; offset < length; offset += 8192)
    {
        var end = Math.Min(length, offset + 4096);
        for (var i = offset; i < end; i++)
        {
            bytes[i] = words[(i + seed) % words.Length];
        }
    }

    return bytes;
}

// A child process of this bench captures once; its seconds, or null when it failed.
static double? CaptureInFreshProcess(string tree, string repository)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true };
    foreach (var argument in new[] { "--capture-once", tree, repository })
    {
        start.ArgumentList.Add(argument);
    }

    Settle();
    using var child = Process.Start(start)!;
    var output = child.StandardOutput.ReadToEnd();
    child.WaitForExit();
    if (Directory.Exists(repository))
    {
        Directory.Delete(repository, recursive: true);
    }

    return child.ExitCode == 0 && double.TryParse(output.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;
}

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string Spread(List<double> values, string format = "0.00") =>
    values.Count == 1
        ? $"{values[0].ToString(format, CultureInfo.InvariantCulture)} s"
        : $"{Median(values).ToString(format, CultureInfo.InvariantCulture)} s [{values.Min().ToString(format, CultureInfo.InvariantCulture)}-{values.Max().ToString(format, CultureInfo.InvariantCulture)}]";

static void NextSecond()
{
    var now = DateTime.UtcNow;
    Thread.Sleep(TimeSpan.FromTicks(TimeSpan.TicksPerSecond - (now.Ticks % TimeSpan.TicksPerSecond)) + TimeSpan.FromMilliseconds(5));
}

static double Time(Action action)
{
    var watch = Stopwatch.StartNew();
    action();
    return watch.Elapsed.TotalSeconds;
}

static void Run(string file, params string[] arguments)
{
    var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    using var process = Process.Start(start)!;
    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
    }
}

static bool Which(string tool) =>
    (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(p => File.Exists(Path.Combine(p, tool)));

static long DirSize(string path) => new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);

static string Mibs(long bytes, double seconds) => (bytes / 1048576.0 / seconds).ToString("0", CultureInfo.InvariantCulture);
