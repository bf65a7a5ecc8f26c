using Daytona.Api.Observation;
using Daytona.Emulator;

namespace Daytona.Api.Tests.Observation;

/// <summary>Observers on the client's send path, against the in-process emulator: one notice per logical call, with its bodies, never the key.</summary>
public sealed class ApiCallTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private sealed class Calls : IApiCallObserver
    {
        public List<ApiCall> Seen { get; } = new();

        public void Called(ApiCall call)
        {
            lock (Seen)
            {
                Seen.Add(call);
            }
        }
    }

    [Fact]
    public async Task EachCallIsSeenOnceWithItsRequestAndResponse()
    {
        await using var f = await ClientFixture.StartAsync();
        var calls = new Calls();
        Snapshot created;
        using (DaytonaClient.Observe(calls))
        {
            created = await f.Client.CreateSnapshotAsync(new CreateSnapshotRequest("observed") { ImageName = "alpine:3.20", Cpu = 2 }, None);
            await f.Client.GetSnapshotAsync("observed", None);
            Assert.Null(await f.Client.FindSnapshotAsync("missing", None));
        }

        await f.Client.GetSnapshotAsync(created.Id, None); // after the scope: not seen

        Assert.Equal(3, calls.Seen.Count);
        var create = calls.Seen[0];
        Assert.Equal("POST", create.Method);
        Assert.Equal("snapshots", create.Path);
        Assert.Equal(f.Server.ApiUrl.AbsoluteUri.TrimEnd('/'), create.ApiUrl!.TrimEnd('/'));
        Assert.Equal(200, create.StatusCode);
        Assert.Contains("\"imageName\":\"alpine:3.20\"", create.RequestBody);
        Assert.Contains(created.Id, create.ResponseBody);
        Assert.Equal(1, create.Attempts);
        Assert.True(create.Duration > TimeSpan.Zero);

        Assert.Equal("GET", calls.Seen[1].Method);
        Assert.Equal("snapshots/observed", calls.Seen[1].Path);
        Assert.Equal(404, calls.Seen[2].StatusCode);
        Assert.DoesNotContain(calls.Seen, c => (c.RequestBody ?? string.Empty).Contains(f.Server.ApiKey) || (c.ResponseBody ?? string.Empty).Contains(f.Server.ApiKey));
    }

    [Fact]
    public async Task RetriesAreInsideOneCall()
    {
        await using var f = await ClientFixture.StartAsync();
        var created = await f.Client.CreateSnapshotAsync(new CreateSnapshotRequest("retried") { ImageName = "alpine:3.20" }, None);
        f.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 2, Status = 503 } });
        var calls = new Calls();
        using (DaytonaClient.Observe(calls))
        {
            await f.Client.GetSnapshotAsync(created.Id, None);
        }

        var call = Assert.Single(calls.Seen);
        Assert.Equal(200, call.StatusCode);
        Assert.Equal(3, call.Attempts);
    }

    [Fact]
    public async Task ObserversFollowTheAsyncFlowThatAttachedThem()
    {
        await using var f = await ClientFixture.StartAsync();
        var created = await f.Client.CreateSnapshotAsync(new CreateSnapshotRequest("flows") { ImageName = "alpine:3.20" }, None);
        var first = new Calls();
        var second = new Calls();

        async Task Read(Calls observer, int times)
        {
            using var scope = DaytonaClient.Observe(observer);
            for (var i = 0; i < times; i++)
            {
                await f.Client.GetSnapshotAsync(created.Id, None);
            }
        }

        await Task.WhenAll(Task.Run(() => Read(first, 3)), Task.Run(() => Read(second, 5)));
        Assert.Equal(3, first.Seen.Count);
        Assert.Equal(5, second.Seen.Count);
    }
}
