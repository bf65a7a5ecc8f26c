using Daytona.Common.FileSystem;

namespace Daytona.Common.Tests.FileSystem;

/// <summary>Replace-by-move on this machine's file system.</summary>
public sealed class FileMovesTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("file-moves-");

    public void Dispose() => _root.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_root.FullName, name);

    [Fact]
    public void ATemporaryFileReplacesItsDestination()
    {
        File.WriteAllText(PathOf("index"), "old");
        File.WriteAllText(PathOf("index.tmp"), "new");

        FileMoves.MoveReplacing(PathOf("index.tmp"), PathOf("index"));

        Assert.Equal("new", File.ReadAllText(PathOf("index")));
        Assert.False(File.Exists(PathOf("index.tmp")));
    }

    [Fact]
    public void AMissingDestinationIsCreated()
    {
        File.WriteAllText(PathOf("a.tmp"), "content");

        FileMoves.MoveReplacing(PathOf("a.tmp"), PathOf("a"));

        Assert.Equal("content", File.ReadAllText(PathOf("a")));
    }

    [Fact]
    public void AMissingSourceFailsAndLeavesTheDestination()
    {
        File.WriteAllText(PathOf("kept"), "kept");

        Assert.ThrowsAny<IOException>(() => FileMoves.MoveReplacing(PathOf("absent.tmp"), PathOf("kept")));
        Assert.Equal("kept", File.ReadAllText(PathOf("kept")));
    }

    [Fact]
    public void OfManyMoversToOneAbsentDestinationExactlyOneWins()
    {
        // File.Move checks and then renames on Unix: two movers could both win. Each round races 8 movers.
        for (var round = 0; round < 50; round++)
        {
            var destination = PathOf("race-" + round);
            var sources = Enumerable.Range(0, 8).Select(i => PathOf($"race-{round}.{i}.tmp")).ToArray();
            for (var i = 0; i < sources.Length; i++)
            {
                File.WriteAllText(sources[i], "mover " + i);
            }

            using var start = new Barrier(sources.Length);
            var won = sources.AsParallel().WithDegreeOfParallelism(sources.Length).Select(source =>
            {
                start.SignalAndWait();
                return FileMoves.MoveIfAbsent(source, destination);
            }).ToArray();

            Assert.Equal(1, won.Count(w => w));
            var winner = File.ReadAllText(destination);
            Assert.Equal(7, sources.Count(File.Exists));
            Assert.False(File.Exists(sources[int.Parse(winner.Split(' ')[1])]), "the winner's source is moved away");
        }
    }

    [Fact]
    public void AMoveIfAbsentIntoAMissingFolderSaysSo()
    {
        File.WriteAllText(PathOf("a.tmp"), "content");

        Assert.Throws<DirectoryNotFoundException>(() => FileMoves.MoveIfAbsent(PathOf("a.tmp"), PathOf("no/such/a")));
        Assert.True(File.Exists(PathOf("a.tmp")));
    }

    [Fact]
    public void AReaderNeverSeesTheDestinationMissing()
    {
        // Replaced over and over while another thread reads: every read finds a whole old or new file.
        File.WriteAllText(PathOf("state"), "0");
        using var stop = new CancellationTokenSource();
        var misses = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var text = File.ReadAllText(PathOf("state"));
                    Assert.True(int.TryParse(text, out _), $"read '{text}'");
                }
                catch (FileNotFoundException)
                {
                    Interlocked.Increment(ref misses);
                }
                catch (IOException) when (OperatingSystem.IsWindows())
                {
                    // Windows: the file was being swapped under an open handle; a real reader retries.
                }
            }
        });

        for (var i = 1; i <= 200; i++)
        {
            File.WriteAllText(PathOf("state.tmp"), i.ToString());
            FileMoves.MoveReplacing(PathOf("state.tmp"), PathOf("state"));
        }

        stop.Cancel();
        reader.GetAwaiter().GetResult();
        Assert.Equal(0, misses);
        Assert.Equal("200", File.ReadAllText(PathOf("state")));
    }

    [WindowsFact("sharing violations")]
    public void ADestinationHeldOpenBrieflyIsReplacedOnceReleased()
    {
        // Antivirus or an indexer opens a fresh file without FILE_SHARE_DELETE for a moment: MoveFileEx fails with a
        // sharing violation, and the move is retried until the handle is gone.
        File.WriteAllText(PathOf("manifest"), "old");
        File.WriteAllText(PathOf("manifest.tmp"), "new");
        var holder = new FileStream(PathOf("manifest"), FileMode.Open, FileAccess.Read, FileShare.Read);
        var release = Task.Delay(150).ContinueWith(_ => holder.Dispose());

        FileMoves.MoveReplacing(PathOf("manifest.tmp"), PathOf("manifest"));

        release.GetAwaiter().GetResult();
        Assert.Equal("new", File.ReadAllText(PathOf("manifest")));
    }

    [WindowsFact("sharing violations")]
    public void ADestinationHeldOpenTooLongFailsWithTheReason()
    {
        File.WriteAllText(PathOf("locked"), "old");
        File.WriteAllText(PathOf("locked.tmp"), "new");
        using var holder = new FileStream(PathOf("locked"), FileMode.Open, FileAccess.Read, FileShare.Read);

        var error = Assert.ThrowsAny<Exception>(() => FileMoves.MoveReplacing(PathOf("locked.tmp"), PathOf("locked")));

        Assert.True(error is IOException || error is UnauthorizedAccessException, error.GetType().Name);
        Assert.Contains("retries while the file was held open", error.Message);
    }
}
