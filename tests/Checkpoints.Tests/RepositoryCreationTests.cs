using Checkpoints.Tests.Pruning;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage.Memory;

namespace Checkpoints.Tests;

public sealed class RepositoryCreationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void WritersCreatingOneRepositoryAtOnceAllOpenIt()
    {
        // Agents that start together on a new location each create the repository: the one that writes the format
        // object first creates it, the others open it (one of them seeing the first one's objects is no reason to refuse).
        for (var seed = 1; seed <= 40; seed++)
        {
            var storage = new InterleavingStorage(new MemoryStorage(), seed);
            var failures = new List<Exception>();
            var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
            {
                try
                {
                    CheckpointRepository.OpenOrCreate(storage);
                }
                catch (Exception e)
                {
                    lock (failures)
                    {
                        failures.Add(e);
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.True(failures.Count == 0, $"seed {seed}: {string.Join("; ", failures.Select(f => f.Message))}");
        }

        // On a folder, as processes do it.
        var folder = _temp.Sub("new-repo");
        Parallel.For(0, 8, _ => CheckpointRepository.OpenOrCreate(folder));
        Assert.Empty(CheckpointRepository.Open(folder).List());
    }

    [Fact]
    public void AFolderHoldingSomethingElseIsStillRefused()
    {
        var folder = _temp.Sub("not-a-repo");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");
        var e = Assert.Throws<Daytona.Common.DaytonaException>(() => CheckpointRepository.OpenOrCreate(folder));
        Assert.Equal(CheckpointErrors.RepositoryInvalid, e.ErrorId);
    }
}
