using Daytona.Checkpoints;

// Usage: Checkpoints.CrashWriter <repository> <source> [count]
// Captures <source> into <repository> <count> times (default 1), printing "started" first and each id as it commits.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Checkpoints.CrashWriter <repository> <source> [count]");
    return 2;
}

var count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1;
var repository = CheckpointRepository.OpenOrCreate(args[0], new RepositoryOptions { LockWait = TimeSpan.FromSeconds(30) });
Console.WriteLine("started");
Console.Out.Flush();
for (var i = 0; i < count; i++)
{
    var checkpoint = repository.Capture(args[1], new CaptureOptions { ReuseUnchanged = false }, CancellationToken.None);
    Console.WriteLine(checkpoint.Id);
    Console.Out.Flush();
}

return 0;
