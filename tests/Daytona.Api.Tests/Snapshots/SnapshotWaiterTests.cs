using System.Diagnostics;
using Daytona.Common;
using Daytona.Emulator;

namespace Daytona.Api.Tests.Snapshots;

/// <summary>The waiter against the in-process emulator: many at once, settle order, failures, timeouts, logs.</summary>
public sealed class SnapshotWaiterTests
{
    private static SnapshotWaitOptions Quick(Action<SnapshotWaitOptions>? change = null)
    {
        var options = new SnapshotWaitOptions
        {
            MinInterval = TimeSpan.FromMilliseconds(50),
            MaxInterval = TimeSpan.FromMilliseconds(500),
            Timeout = TimeSpan.FromSeconds(30),
        };
        change?.Invoke(options);
        return options;
    }

    private static async Task<List<SnapshotWaitResult>> WaitAll(ClientFixture f, IEnumerable<string> keys, SnapshotWaitOptions options, CancellationToken token = default)
    {
        var results = new List<SnapshotWaitResult>();
        await foreach (var r in new SnapshotWaiter(f.Client).WaitAsync(keys, options, token))
        {
            results.Add(r);
        }

        return results;
    }

    [Fact]
    public async Task ManySnapshotsSettleTogetherAndComeOutInSettleOrderWithFewRequests()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 1.0);
        var durations = new Dictionary<string, int> { ["many-e"] = 1500, ["many-a"] = 300, ["many-d"] = 1200, ["many-b"] = 600, ["many-c"] = 900 };
        // Created shortest build first, so a slow create (a busy machine) only delays later settles further: the settle
        // order is a..e whatever the creates cost. The waiter is still handed them out of that order.
        foreach (var (name, ms) in durations.OrderBy(d => d.Value))
        {
            f.Control.SetBuild(name, TimeSpan.FromMilliseconds(ms));
            await f.CreateAsync(name);
        }

        await f.CreateAsync("unrelated");
        f.Control.ResetRequests();
        var watch = Stopwatch.StartNew();
        var results = await WaitAll(f, durations.Keys, Quick(o => o.PollInterval = TimeSpan.FromMilliseconds(100)));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.Equal(new[] { "many-a", "many-b", "many-c", "many-d", "many-e" }, results.Select(r => r.Snapshot!.Name));
        Assert.All(results, r => Assert.Equal(SnapshotState.Active, r.Snapshot!.State));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");

        // One list call per round answers for all pending ones; only the last one left alone is read by GET.
        var lists = f.Count("GET /api/snapshots");
        var gets = f.Count("GET /api/snapshots/{id}");
        Assert.InRange(lists, 5, 20);
        Assert.InRange(gets, 0, 5);
        // A GET per snapshot every 100 ms would be about 5 x 9 = 45 requests over the same 1.5 s.
        Assert.True(lists + gets < 25, $"{lists} lists and {gets} gets");
        Assert.True(results.Zip(results.Skip(1)).All(p => p.First.Elapsed <= p.Second.Elapsed));
    }

    [Fact]
    public async Task SnapshotsOnePollFindsSettledComeOutInTheOrderTheySettled()
    {
        // One poll at the start, the next after every build is done: that poll finds all five settled at once, and
        // they still come out in the order the server says they settled, not in the order they were given. The builds
        // take over a second, so five creates on a busy machine are over before the first of them settles.
        await using var f = await ClientFixture.StartAsync(timeScale: 1.0);
        var durations = new Dictionary<string, int> { ["late-e"] = 1500, ["late-a"] = 1100, ["late-d"] = 1400, ["late-b"] = 1200, ["late-c"] = 1300 };
        foreach (var (name, ms) in durations.OrderBy(d => d.Value))
        {
            f.Control.SetBuild(name, TimeSpan.FromMilliseconds(ms));
            await f.CreateAsync(name);
        }

        var results = await WaitAll(f, durations.Keys, Quick(o => o.PollInterval = TimeSpan.FromSeconds(3)));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.Equal(new[] { "late-a", "late-b", "late-c", "late-d", "late-e" }, results.Select(r => r.Snapshot!.Name));
        Assert.Single(results.Select(r => r.Elapsed).Distinct());
    }

    [Fact]
    public async Task ASingleSnapshotIsPolledByGet()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 0.1);
        var created = await f.CreateAsync("alone");
        f.Control.ResetRequests();
        var results = await WaitAll(f, new[] { created.Id }, Quick());
        Assert.True(results.Single().Succeeded);
        Assert.Equal(0, f.Count("GET /api/snapshots"));
        Assert.True(f.Count("GET /api/snapshots/{id}") >= 1);
    }

    [Fact]
    public async Task AFailedPullFailsWithTheServersReasonWhileTheOthersSucceed()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 0.1);
        await f.CreateAsync("ok-1");
        await f.CreateAsync("bad", "registry.example/fail-image:1.0");
        await f.CreateAsync("ok-2");
        var results = await WaitAll(f, new[] { "ok-1", "bad", "ok-2" }, Quick());

        Assert.Equal(3, results.Count);
        var bad = Assert.Single(results, r => !r.Succeeded);
        Assert.Equal("bad", bad.Target);
        var error = Assert.IsType<SnapshotBuildFailedException>(bad.Error);
        Assert.Equal("SnapshotBuildFailed", error.ErrorId);
        Assert.Equal(SnapshotState.Error, error.Snapshot.State);
        Assert.Contains("manifest unknown", error.Message);
        Assert.Empty(error.BuildLogTail);
        Assert.Equal(2, results.Count(r => r.Succeeded));
    }

    [Fact]
    public async Task AFailedBuildCarriesTheTailOfItsBuildLog()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 0.1);
        var created = await f.Client.CreateSnapshotAsync(new CreateSnapshotRequest("broken-build")
        {
            DockerfileContent = "FROM python:3.12-slim\n# emulator: fail\nRUN pip install nothing-here\n",
        }, CancellationToken.None);
        var result = (await WaitAll(f, new[] { created.Id }, Quick())).Single();

        var error = Assert.IsType<SnapshotBuildFailedException>(result.Error);
        Assert.Equal(SnapshotState.BuildFailed, error.Snapshot.State);
        Assert.Contains("returned a non-zero code", error.Message);
        Assert.NotEmpty(error.BuildLogTail);
        Assert.Contains("returned a non-zero code", error.BuildLogTail.Last());
        Assert.Contains("Last build log lines", error.Message);
    }

    [Fact]
    public async Task InactiveIsSettledAndAnUnknownNameIsNotFound()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 0.02);
        var created = await f.CreateAsync("sleepy");
        await DaytonaClientTests.WaitForState(f, created.Id, SnapshotState.Active);
        f.Control.DeactivateUnused("sleepy");

        var results = await WaitAll(f, new[] { "sleepy", "ghost" }, Quick());
        var sleepy = Assert.Single(results, r => r.Target == "sleepy");
        Assert.True(sleepy.Succeeded);
        Assert.Equal(SnapshotState.Inactive, sleepy.Snapshot!.State);
        var ghost = Assert.Single(results, r => r.Target == "ghost");
        Assert.Equal("SnapshotNotFound", ghost.Error!.ErrorId);
    }

    [Fact]
    public async Task ATimeoutEndsWithWaitTimeoutNamingTheLastState()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 1.0);
        f.Control.SetBuild("slow", TimeSpan.FromSeconds(60));
        await f.CreateAsync("slow");
        var watch = Stopwatch.StartNew();
        var result = (await WaitAll(f, new[] { "slow" }, Quick(o => o.Timeout = TimeSpan.FromMilliseconds(600)))).Single();
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(550), TimeSpan.FromSeconds(3));
        Assert.Equal("WaitTimeout", result.Error!.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, result.Error.Kind);
        Assert.Contains("pending", result.Error.Message);
    }

    [Fact]
    public async Task CancellationEndsTheWaitWithinASecond()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 1.0);
        f.Control.SetBuild("forever", TimeSpan.FromMinutes(10));
        await f.CreateAsync("forever");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => WaitAll(f, new[] { "forever" }, Quick(o => o.MinInterval = TimeSpan.FromSeconds(5)), cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.3), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task BurstsOf429And503DuringAWaitAreSurvived()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 0.2);
        await f.CreateAsync("burst-1");
        await f.CreateAsync("burst-2");
        f.Control.SetFaults(new EmulatorFaults
        {
            TooManyRequests = new TooManyRequestsFault { Count = 3, RetryAfterSeconds = 0 },
            ServerErrors = new ServerErrorFault { Count = 3, Status = 503 },
        });
        var results = await WaitAll(f, new[] { "burst-1", "burst-2" }, Quick());
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.Equal(2, results.Count);
    }

    [Fact]
    public async Task AFollowedBuildLogThatIsCutIsReopenedAndNeverFailsTheWait()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 0.5);

        // The wait follows the log only when a poll finds the build running (a build over before the first poll is shown
        // whole: nothing to cut): 4 s of build leave a busy machine's first poll time to find it running.
        f.Control.SetBuild("logged", TimeSpan.FromSeconds(8));
        var created = await f.Client.CreateSnapshotAsync(new CreateSnapshotRequest("logged")
        {
            DockerfileContent = "FROM python:3.12-slim\nRUN pip install requests numpy\nRUN echo done\n",
        }, CancellationToken.None);
        f.Control.CutNextBuildLog();
        var lines = new List<string>();
        var notes = new List<string>();
        var options = Quick(o =>
        {
            o.FollowBuildLogs = true;
            o.OnBuildLogLine = (_, line) => { lock (lines) lines.Add(line); };
            o.OnLog = note => { lock (notes) notes.Add(note); };
        });
        var result = (await WaitAll(f, new[] { created.Id }, options)).Single();
        Assert.True(result.Succeeded, result.Error?.Message);

        var whole = new List<string>();
        await foreach (var line in f.Client.GetBuildLogAsync(created.Id, false, CancellationToken.None))
        {
            whole.Add(line);
        }

        Assert.NotEmpty(whole);
        Assert.Equal(whole, lines);
        Assert.Contains(notes, n => n.Contains("was cut"));
    }

    [Fact]
    public async Task TheListStopsAtTheFirstPageThatShowedEverySnapshotWaitedOn()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 1.0);
        for (var i = 0; i < 230; i++)
        {
            await f.CreateAsync($"older-{i:000}");
        }

        // No common name prefix, so no name filter: newest first, the waited-on ones are all on page 1 of 2.
        f.Control.SetBuild("alpha-new", TimeSpan.FromMilliseconds(600));
        f.Control.SetBuild("beta-new", TimeSpan.FromMilliseconds(900));
        await f.CreateAsync("alpha-new");
        await f.CreateAsync("beta-new");
        Assert.Equal(2, (await f.Client.ListSnapshotsAsync(new SnapshotListQuery { Limit = SnapshotListQuery.MaxPageSize }, CancellationToken.None)).TotalPages);
        f.Control.ResetRequests();

        var waiter = new SnapshotWaiter(f.Client);
        var results = new List<SnapshotWaitResult>();
        await foreach (var r in waiter.WaitAsync(new[] { "alpha-new", "beta-new" }, Quick(o => o.PollInterval = TimeSpan.FromMilliseconds(100)), CancellationToken.None))
        {
            results.Add(r);
        }

        Assert.Equal(new[] { "alpha-new", "beta-new" }, results.Select(r => r.Target));
        var requests = f.Control.GetRequests();
        // One request per round: a list page while both were pending, one GET for the last one left.
        Assert.Equal(waiter.LastRoundCount, requests.Total);
        Assert.True(requests.For("GET /api/snapshots") >= 3, string.Join(", ", requests.ByRoute));
    }

    [Fact]
    public async Task AnOutageLongerThanTheRetriesIsRiddenOutWhileABadKeyOrAWrongUrlEndsTheWaitAtOnce()
    {
        await using var f = await ClientFixture.StartAsync(timeScale: 0.2);
        await f.CreateAsync("outage-1");
        await f.CreateAsync("outage-2");
        var options = ClientFixture.QuickRetries();
        options.MaxRetries = 1;
        using var impatient = new DaytonaClient(f.Connection, options);
        var notes = new List<string>();

        // The first round succeeds; then three rounds fail even after their retry; the wait goes on.
        var results = new List<SnapshotWaitResult>();
        var first = true;
        await foreach (var r in new SnapshotWaiter(impatient).WaitAsync(new[] { "outage-1", "outage-2" }, Quick(o =>
        {
            o.OnLog = n => { lock (notes) notes.Add(n); };
            o.OnProgress = _ =>
            {
                if (first)
                {
                    first = false;
                    f.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 6, Status = 503 } });
                }
            };
        }), CancellationToken.None))
        {
            results.Add(r);
        }

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.Equal(2, results.Count);
        Assert.Contains(notes, n => n.StartsWith("Poll failed", StringComparison.Ordinal));

        using var badKey = f.ClientWith("dtn_wrong_key_for_the_waiter_000");
        var auth = await Assert.ThrowsAsync<DaytonaApiException>(async () =>
        {
            await foreach (var _ in new SnapshotWaiter(badKey).WaitAsync(new[] { "outage-1" }, Quick(), CancellationToken.None)) { }
        });
        Assert.Equal("DaytonaAuthenticationFailed", auth.ErrorId);

        using var nowhere = new DaytonaClient(new DaytonaConnection(new Uri("http://127.0.0.1:9/api"), "dtn_k_0000", null, "a test"), ClientFixture.QuickRetries());
        var watch = Stopwatch.StartNew();
        var unreachable = await Assert.ThrowsAsync<DaytonaApiException>(async () =>
        {
            await foreach (var _ in new SnapshotWaiter(nowhere).WaitAsync(new[] { "a", "b" }, Quick(), CancellationToken.None)) { }
        });
        Assert.Equal("DaytonaUnreachable", unreachable.ErrorId);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void TheAdaptiveIntervalStartsShortAndGrowsToItsCeiling()
    {
        var options = new SnapshotWaitOptions();
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.IntervalAt(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.IntervalAt(TimeSpan.FromSeconds(4)));
        Assert.Equal(TimeSpan.FromSeconds(2), options.IntervalAt(TimeSpan.FromSeconds(20)));
        Assert.Equal(TimeSpan.FromSeconds(10), options.IntervalAt(TimeSpan.FromMinutes(30)));
        options.PollInterval = TimeSpan.FromSeconds(3);
        Assert.Equal(TimeSpan.FromSeconds(3), options.IntervalAt(TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void TheListFilterIsTheNamesCommonPrefix()
    {
        Assert.Equal("web-", SnapshotWaiter.CommonPrefix(new[] { "web-1", "web-22", "web-3" }));
        Assert.Equal(string.Empty, SnapshotWaiter.CommonPrefix(new[] { "api", "web" }));
    }
}
