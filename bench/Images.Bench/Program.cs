using System.Diagnostics;
using Daytona.Api;
using Daytona.Api.Images;
using Daytona.Emulator;
using Daytona.Images;

// Build-context hashing and packing vs. `tar -c | md5sum` on one generated folder, measured in this run.
var sizeMiB = args.Length > 0 ? int.Parse(args[0]) : 200;
var work = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "images-bench-" + Environment.ProcessId);
var context = Path.Combine(work, "context");
const int Rounds = 3;

try
{
    var (files, bytes) = Generate(context, sizeMiB);
    Console.WriteLine($"Context: {files} files, {bytes / (1024.0 * 1024):0.0} MiB in {context}");

    // Warm the page cache once for everyone: both sides then read from memory.
    Peer(work);

    var peer = Best(Rounds, () => Peer(work));
    var hash = Best(Rounds, () => ContextHasher.ComputeMd5(context, "context"));
    var pack = Best(Rounds, () =>
    {
        using var sink = new CountingStream();
        ContextArchive.Write(sink, ContextArchive.Plan(context, "context"));
        return sink.Length.ToString();
    });
    var both = Best(Rounds, () =>
    {
        var h = ContextHasher.ComputeMd5(context, "context");
        using var sink = new CountingStream();
        ContextArchive.Write(sink, ContextArchive.Plan(context, "context"));
        return h;
    });

    double MiBps(TimeSpan t) => bytes / (1024.0 * 1024) / t.TotalSeconds;
    Console.WriteLine($"tar -c | md5sum          : {peer.TotalMilliseconds,8:0} ms  {MiBps(peer),8:0} MiB/s");
    Console.WriteLine($"hash (MD5 context hash)  : {hash.TotalMilliseconds,8:0} ms  {MiBps(hash),8:0} MiB/s");
    Console.WriteLine($"pack (portable tar)      : {pack.TotalMilliseconds,8:0} ms  {MiBps(pack),8:0} MiB/s");
    Console.WriteLine($"hash + pack (upload path): {both.TotalMilliseconds,8:0} ms  {MiBps(both),8:0} MiB/s");
    Console.WriteLine($"ratio hash+pack / peer   : {MiBps(both) / MiBps(peer):0.00}x (goal >= 0.80x)");
    Console.WriteLine($"ratio hash / peer        : {MiBps(hash) / MiBps(peer):0.00}x");

    await RepeatedCreate(context);
}
finally
{
    if (args.Length < 2)
    {
        Directory.Delete(work, recursive: true);
    }
}

static async Task RepeatedCreate(string context)
{
    await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.05 });
    using var client = new DaytonaClient(new DaytonaConnection(emulator.ApiUrl, emulator.ApiKey, emulator.OrganizationId, "bench"));
    var image = DaytonaImage.DebianSlim("3.12").PipInstall(new[] { "numpy" }).AddLocalDir(context, "/app/context");
    var watch = Stopwatch.StartNew();
    var first = await DeclarativeSnapshots.CreateAsync(client, "bench", image, null, null, CancellationToken.None);
    var firstTime = watch.Elapsed;
    var firstRequests = emulator.Control.GetRequests().Total;
    while ((await client.GetSnapshotAsync("bench", CancellationToken.None)).State != SnapshotState.Active)
    {
        await Task.Delay(20);
    }

    emulator.Control.ResetRequests();
    watch.Restart();
    var again = await DeclarativeSnapshots.CreateAsync(client, "bench", image, null, null, CancellationToken.None);
    var againTime = watch.Elapsed;
    var stats = emulator.Control.GetRequests();
    Console.WriteLine($"first create             : {firstTime.TotalMilliseconds,8:0} ms, {firstRequests} requests, {first.Uploads.Count(u => u.Uploaded)} upload(s)");
    Console.WriteLine($"repeated, unchanged      : {againTime.TotalMilliseconds,8:0} ms, {stats.Total} request(s) ({string.Join(", ", stats.ByRoute.Select(r => r.Key + " x" + r.Value))}), reused={again.Reused} (goal: one lookup)");
}

static TimeSpan Best(int rounds, Func<string> action)
{
    var best = TimeSpan.MaxValue;
    for (var i = 0; i < rounds; i++)
    {
        var watch = Stopwatch.StartNew();
        action();
        watch.Stop();
        best = watch.Elapsed < best ? watch.Elapsed : best;
    }

    return best;
}

static string Peer(string work)
{
    var start = new ProcessStartInfo("bash", new[] { "-c", "tar -c -C \"$0\" context | md5sum", work }) { RedirectStandardOutput = true, UseShellExecute = false };
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException("tar | md5sum failed");
    }

    return output;
}

// A source-tree-like mix: many small files, some medium, a few large binaries; deterministic content.
static (int Files, long Bytes) Generate(string root, int sizeMiB)
{
    if (Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }

    var random = new Random(42);
    long target = sizeMiB * 1024L * 1024;
    long total = 0;
    var files = 0;
    var buffer = new byte[8 * 1024 * 1024];
    while (total < target)
    {
        var kind = files % 20;
        var size = kind < 16 ? random.Next(512, 64 * 1024) : kind < 19 ? random.Next(256 * 1024, 2 * 1024 * 1024) : random.Next(4 * 1024 * 1024, 8 * 1024 * 1024);
        size = (int)Math.Min(size, target - total);
        var dir = Path.Combine(root, "pkg" + (files % 13), "mod" + (files % 7));
        Directory.CreateDirectory(dir);
        random.NextBytes(buffer.AsSpan(0, size));
        File.WriteAllBytes(Path.Combine(dir, $"file{files:D5}.bin"), buffer.AsSpan(0, size).ToArray());
        total += size;
        files++;
    }

    return (files, total);
}

sealed class CountingStream : Stream
{
    private long _length;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => _length += count;
}
