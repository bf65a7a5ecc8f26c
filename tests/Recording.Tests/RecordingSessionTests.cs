using Daytona.Api;
using Daytona.Recording;

namespace Recording.Tests;

/// <summary>What a recording keeps: the calls of each unit of work in the order they were made, failed ones only when the work went on past them.</summary>
public sealed class RecordingSessionTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task AFailedCallIsKeptOnlyWhenTheWorkWentOnWithTheSameSnapshot()
    {
        await using var h = await SessionHarness.StartAsync();
        await h.Client.CreateSnapshotAsync(new CreateSnapshotRequest("there") { ImageName = "alpine:3.20" }, None);
        h.Start();

        // Get-DaytonaSnapshot -Name missing, there: the first read became the user's error, the command went on to another snapshot.
        await h.As("Get-DaytonaSnapshot", async c =>
        {
            Assert.Null(await c.FindSnapshotAsync("missing", None));
            await c.GetSnapshotAsync("there", None);
        });

        // A lookup that found nothing, then the create of that name: the work went on past the 404.
        await h.As("New-DaytonaSnapshot", async c =>
        {
            Assert.Null(await c.FindSnapshotAsync("fresh", None));
            await c.CreateSnapshotAsync(new CreateSnapshotRequest("fresh") { ImageName = "alpine:3.20" }, None);
        }, "fresh");

        // A read that failed and ended the work.
        await Assert.ThrowsAnyAsync<Daytona.Common.DaytonaException>(() => h.As("Enable-DaytonaSnapshot", c => c.GetSnapshotAsync("nowhere", None)));

        var calls = h.Recording!.End();
        Assert.Equal(new[] { "GET snapshots/there 200", "GET snapshots/fresh 404", "POST snapshots 200" }, calls.Select(c => $"{c.Method} {c.Path} {c.StatusCode}"));
        Assert.Equal(new[] { "Get-DaytonaSnapshot", "New-DaytonaSnapshot", "New-DaytonaSnapshot" }, calls.Select(c => c.Command));
        Assert.True(calls.Select(c => c.Sequence).SequenceEqual(calls.Select(c => c.Sequence).OrderBy(s => s)));
    }

    [Fact]
    public async Task UnitsRunningSideBySideAreOrderedByWhenEachCallWasMade()
    {
        await using var h = await SessionHarness.StartAsync();
        var a = await h.Client.CreateSnapshotAsync(new CreateSnapshotRequest("side-a") { ImageName = "alpine:3.20" }, None);
        h.Start();
        var wait = h.Recording!.BeginCommand("Wait-DaytonaSnapshot", new[] { a.Id });
        using (DaytonaClient.Observe(wait))
        {
            await h.Client.GetSnapshotAsync(a.Id, None);
            await h.As("Enable-DaytonaSnapshot", c => c.GetSnapshotAsync(a.Id, None), a.Id); // ends first
            await h.Client.GetSnapshotAsync(a.Id, None);
        }

        wait.Dispose();
        var calls = h.Recording.End();
        Assert.Equal(new[] { "Wait-DaytonaSnapshot", "Enable-DaytonaSnapshot", "Wait-DaytonaSnapshot" }, calls.Select(c => c.Command));
        Assert.Equal(new[] { a.Id }, calls[0].Targets);
    }

    [Fact]
    public async Task NothingIsKeptAfterTheRecordingEnds()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Start();
        var unit = h.Recording!.BeginCommand("Get-DaytonaSnapshot");
        using (DaytonaClient.Observe(unit))
        {
            await h.Client.ListSnapshotsAsync(null, None);
        }

        Assert.Empty(h.Recording.End());
        unit.Dispose();
        Assert.Equal(0, h.Recording.Count);
    }
}
