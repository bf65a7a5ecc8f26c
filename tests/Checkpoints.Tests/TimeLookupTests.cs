using Daytona.Checkpoints;
using Daytona.Common;

namespace Checkpoints.Tests;

/// <summary>Pulp's checkpoint lookup table, on our repository: newest at or before, exact, before first, future, invalid.</summary>
public sealed class LookupFixture : IDisposable
{
    public LookupFixture()
    {
        Repository = TestTree.NewRepository(Temp);
        var source = Temp.Sub("source");
        for (var i = 0; i < 3; i++)
        {
            TestTree.Write(source, "a.txt", TestTree.Text(100 + i, i));
            Checkpoints.Add(Repository.Capture(source, new CaptureOptions { Name = "n" + i }, default));
        }
    }

    public TempFolder Temp { get; } = new();

    public CheckpointRepository Repository { get; }

    public List<Checkpoint> Checkpoints { get; } = new();

    public void Dispose() => Temp.Dispose();
}

public sealed class TimeLookupTests : IClassFixture<LookupFixture>
{
    private readonly CheckpointRepository _repository;
    private readonly List<Checkpoint> _checkpoints;

    public TimeLookupTests(LookupFixture fixture)
    {
        _repository = fixture.Repository;
        _checkpoints = fixture.Checkpoints;
    }

    [Fact]
    public void CheckpointsOfOneSourceNeverShareASecond()
    {
        var ids = _checkpoints.Select(c => c.Id).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(ids.OrderBy(i => i, StringComparer.Ordinal), ids);
        for (var i = 1; i < _checkpoints.Count; i++)
        {
            Assert.True(_checkpoints[i].Time > _checkpoints[i - 1].Time);
        }
    }

    [Fact]
    public void ExactInstantReturnsThatCheckpoint()
    {
        foreach (var checkpoint in _checkpoints)
        {
            var found = _repository.FindAt(CheckpointTime.Parse(checkpoint.Id));
            Assert.Equal(checkpoint.Id, found.Id);
            Assert.True(found.ExactMatch);
        }
    }

    [Fact]
    public void InstantBetweenTwoReturnsTheEarlierOne()
    {
        var between = _checkpoints[0].Time.AddMilliseconds(500);
        var found = _repository.FindAt(between);
        Assert.Equal(_checkpoints[0].Id, found.Id);

        // A whole second between the first two exists only when they are more than a second apart; build one.
        var index = new CheckpointIndex<string>(new[] { "20250318T140338Z", "20250318T140442Z" }, CheckpointTime.Parse);
        Assert.True(index.TryFindAtOrBefore(CheckpointTime.Parse("20250318T140340Z"), out var item, out var exact));
        Assert.Equal("20250318T140338Z", item);
        Assert.False(exact);
    }

    [Fact]
    public void InstantBeforeTheFirstIsNotFound()
    {
        var error = Assert.Throws<DaytonaException>(() => _repository.FindAt(_checkpoints[0].Time.AddSeconds(-1)));
        Assert.Equal("CheckpointNotFound", error.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
    }

    [Fact]
    public void FutureInstantIsAnError()
    {
        var error = Assert.Throws<DaytonaException>(() => _repository.FindAt(DateTime.UtcNow.AddMinutes(5)));
        Assert.Equal("CheckpointTimeInFuture", error.ErrorId);
    }

    [Fact]
    public void NowReturnsTheLatest()
    {
        var found = _repository.FindAt(DateTime.UtcNow);
        Assert.Equal(_checkpoints[^1].Id, found.Id);
    }

    [Theory]
    [InlineData("20259928T092752Z")]
    [InlineData("20250318t140338Z")]
    [InlineData("20250318T140338z")]
    [InlineData("20250230T120000Z")]
    [InlineData("20250318T250000Z")]
    [InlineData("2025-03-18T14:03:38Z")]
    [InlineData("20250318T140338")]
    [InlineData("")]
    [InlineData("20250318T14033８Z")]
    public void InvalidStampsAreArgumentErrors(string stamp)
    {
        var error = Assert.Throws<DaytonaException>(() => CheckpointTime.Parse(stamp));
        Assert.Equal("CheckpointTimeInvalid", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void StampsRoundTrip()
    {
        Assert.Equal(new DateTime(2025, 3, 18, 14, 3, 38, DateTimeKind.Utc), CheckpointTime.Parse("20250318T140338Z"));
        Assert.Equal("20250318T140338Z", CheckpointTime.ToId(new DateTime(2025, 3, 18, 14, 3, 38, 999, DateTimeKind.Utc)));
        var offset = new DateTimeOffset(2025, 3, 18, 16, 3, 38, TimeSpan.FromHours(2));
        Assert.Equal("20250318T140338Z", CheckpointTime.ToId(CheckpointTime.ToUtcSecond(offset)));
    }

    [Fact]
    public void ListIsOldestFirstAndFiltersBySource()
    {
        using var temp = new TempFolder();
        var repository = TestTree.NewRepository(temp);
        TestTree.Write(temp.Sub("one"), "a.txt", TestTree.Text(10, 1));
        TestTree.Write(temp.Sub("two"), "b.txt", TestTree.Text(10, 2));
        var first = repository.Capture(temp.Sub("one"), null, default);
        var second = repository.Capture(temp.Sub("two"), new CaptureOptions { Name = "second" }, default);

        Assert.Equal(new[] { first.Id, second.Id }, repository.List().Select(c => c.Id));
        Assert.Equal(new[] { first.Id }, repository.List(CheckpointRepository.Normalize(temp.Sub("one"))).Select(c => c.Id));
        Assert.Equal(first.Id, repository.FindAt(DateTime.UtcNow, CheckpointRepository.Normalize(temp.Sub("one"))).Id);
        Assert.Equal("second", repository.Get(second.Id).Name);
    }

    [Fact]
    public void LookupOverAHundredThousandCheckpointsStaysUnderAMillisecond()
    {
        var start = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var ids = Enumerable.Range(0, 100_000).Select(i => CheckpointTime.ToId(start.AddSeconds(i * 7L))).ToArray();
        var index = new CheckpointIndex<string>(ids, CheckpointTime.Parse);
        var random = new Random(1);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        const int lookups = 10_000;
        for (var i = 0; i < lookups; i++)
        {
            var at = start.AddSeconds(random.Next(0, 700_000));
            Assert.True(index.TryFindAtOrBefore(at, out var found, out _));
            Assert.True(CheckpointTime.Parse(found) <= at);
        }

        var perLookup = watch.Elapsed.TotalMilliseconds / lookups;
        Assert.True(perLookup < 1.0, $"{perLookup} ms per lookup");
    }
}
