using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;

// Usage: Checkpoints.CrashWriter <repository> <source> [count] [--reuse]
//        Checkpoints.CrashWriter <repository> --find-at <instant, ISO 8601 UTC>
// Captures <source> into <repository> (a folder or a URL: az://, s3://, https://…; credentials and the cache folder from
// the environment, as the module takes them) <count> times (default 1), printing "started" first and each id as it
// commits; --reuse trusts unchanged files as New-Checkpoint does. --find-at prints the id found at an instant.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Checkpoints.CrashWriter <repository> <source> [count] [--reuse] | <repository> --find-at <instant>");
    return 2;
}

var options = new RepositoryOptions { LockWait = TimeSpan.FromSeconds(30) };
var isUrl = args[0].Contains("://", StringComparison.Ordinal);
if (args[1] == "--find-at")
{
    var reader = isUrl ? CheckpointRepository.Open(RepositoryLocation.ParseUrl(args[0]), options) : CheckpointRepository.Open(args[0], options);
    var instant = DateTime.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
    Console.WriteLine(reader.FindAt(instant).Id);
    return 0;
}

var rest = args.Skip(2).ToList();
var reuse = rest.Remove("--reuse");
var count = rest.Count > 0 ? int.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture) : 1;
var repository = isUrl ? CheckpointRepository.OpenOrCreate(RepositoryLocation.ParseUrl(args[0]), options) : CheckpointRepository.OpenOrCreate(args[0], options);
Console.WriteLine("started");
Console.Out.Flush();
for (var i = 0; i < count; i++)
{
    var checkpoint = repository.Capture(args[1], new CaptureOptions { ReuseUnchanged = reuse }, CancellationToken.None);
    Console.WriteLine(checkpoint.Id);
    Console.Out.Flush();
}

return 0;
