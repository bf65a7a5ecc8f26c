using Daytona.Checkpoints;

namespace Checkpoints.Tests;

/// <summary>CheckpointRepository.ListIfChanged: a poller re-reads a repository only when its list can have changed.</summary>
public sealed class ListIfChangedTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AListIsReadAgainOnlyAfterACaptureARenameOrARemoval()
    {
        var repository = TestTree.NewRepository(_temp);
        var source = _temp.Sub("source");
        TestTree.Write(source, "a.txt", TestTree.Text(100, 1));
        var first = repository.Capture(source, null, default);

        string? version = null;
        Assert.Single(repository.ListIfChanged(ref version)!);
        Assert.Null(repository.ListIfChanged(ref version));

        TestTree.Write(source, "a.txt", TestTree.Text(100, 2));
        var second = repository.Capture(source, null, default);
        Assert.Equal(new[] { first.Id, second.Id }, repository.ListIfChanged(ref version)!.Select(c => c.Id));
        Assert.Null(repository.ListIfChanged(ref version));

        repository.Rename(first.Id, "renamed");
        Assert.Equal("renamed", repository.ListIfChanged(ref version)!.First().Name);
        Assert.Null(repository.ListIfChanged(ref version));

        repository.Remove(first.Id);
        Assert.Equal(new[] { second.Id }, repository.ListIfChanged(ref version)!.Select(c => c.Id));
        Assert.Null(repository.ListIfChanged(ref version));
    }

    [Fact]
    public void AFolderUnchangedForAWhileIsNotListedAgainAndAChangeIsSeen()
    {
        var repository = TestTree.NewRepository(_temp);
        var source = _temp.Sub("source");
        TestTree.Write(source, "a.txt", TestTree.Text(100, 1));
        repository.Capture(source, null, default);
        Age(repository.Root);

        string? version = null;
        Assert.Single(repository.ListIfChanged(ref version)!);
        Assert.Null(repository.ListIfChanged(ref version));

        TestTree.Write(source, "a.txt", TestTree.Text(100, 2));
        repository.Capture(source, null, default);
        Assert.Equal(2, repository.ListIfChanged(ref version)!.Count);
        Age(repository.Root);
        Assert.Null(repository.ListIfChanged(ref version));

        var manifest = Directory.GetFiles(Path.Combine(repository.Root, "checkpoints"), "*.json").OrderBy(f => f, StringComparer.Ordinal).First();
        File.Delete(manifest); // a removal by hand changes the folder: seen without waiting
        Assert.Single(repository.ListIfChanged(ref version)!);
    }

    private static void Age(string root)
    {
        foreach (var folder in new[] { "checkpoints", "catalog" }.Select(f => Path.Combine(root, f)).Where(Directory.Exists))
        {
            Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow.AddMinutes(-5));
        }
    }
}
