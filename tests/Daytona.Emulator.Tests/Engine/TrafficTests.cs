using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Daytona.Emulator;

namespace Daytona.Emulator.Tests.Engine;

/// <summary>The fault knobs and the request counts, over HTTP and in-process.</summary>
public sealed class TrafficTests
{
    [Fact]
    public async Task TooManyRequestsAnswers429WithRetryAfterForTheNextCountRequests()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        using var control = emulator.RootClient();
        using (var put = await control.PutAsJsonAsync("_emulator/faults", new { tooManyRequests = new { count = 2, retryAfterSeconds = 7 } }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            var (status, body, response) = await emulator.SendAsync(HttpMethod.Get, "snapshots");
            Assert.Equal(429, status);
            Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
            EmulatorHarness.AssertError(body, 429, "ThrottlerException: Too Many Requests", "/api/snapshots");
            Assert.Equal("Too Many Requests", (string)body!["error"]!);
        }

        Assert.Equal(200, (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Status);
    }

    [Fact]
    public async Task ServerErrorsUseTheChosenStatusThenStop()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        emulator.Server.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 1, Status = 502 } });
        var (status, body, _) = await emulator.SendAsync(HttpMethod.Get, "snapshots");
        Assert.Equal(502, status);
        Assert.Equal("Bad Gateway", (string)body!["error"]!);
        Assert.Equal(200, (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Status);
    }

    [Fact]
    public async Task FaultsTakeTurnsDropThenThrottleThenError()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        emulator.Server.Control.SetFaults(new EmulatorFaults
        {
            DropConnections = 1,
            TooManyRequests = new TooManyRequestsFault { Count = 1, RetryAfterSeconds = 1 },
            ServerErrors = new ServerErrorFault { Count = 1, Status = 503 },
        });

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => emulator.Http.GetAsync("snapshots"));
        Assert.Equal(429, (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Status);
        Assert.Equal(503, (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Status);
        Assert.Equal(200, (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Status);
        var left = emulator.Server.Control.GetFaults();
        Assert.Equal(0, left.DropConnections);
        Assert.Equal(0, left.TooManyRequests!.Count);
    }

    [Fact]
    public async Task FaultsHitOnlyApiRequestsAndComeBeforeAuthentication()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        emulator.Server.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 1, Status = 500 } });
        using var control = emulator.RootClient();
        using (var requests = await control.GetAsync("_emulator/requests"))
        {
            Assert.Equal(HttpStatusCode.OK, requests.StatusCode);
        }

        using var anonymous = new HttpClient { BaseAddress = emulator.Http.BaseAddress };
        var (status, body, _) = await emulator.SendAsync(HttpMethod.Get, "snapshots", client: anonymous);
        Assert.Equal(500, status);
        Assert.Equal("An unexpected error occurred.", (string)body!["message"]!);
    }

    [Fact]
    public async Task LatencyDelaysEveryApiRequestUntilCleared()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        emulator.Server.Control.SetFaults(new EmulatorFaults { LatencyMs = 1000 });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(200, (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Status);
        Assert.Equal(200, (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Status);
        Assert.True(watch.ElapsedMilliseconds >= 1980, $"took {watch.ElapsedMilliseconds} ms");

        emulator.Server.Control.ClearFaults();
        watch.Restart();
        Assert.Equal(200, (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Status);
        Assert.True(watch.ElapsedMilliseconds < 900, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task RequestsAreCountedByRouteTemplateAndReset()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var id = (string)(await emulator.CreateAsync(new { name = "counted", imageName = "ubuntu:22.04" }))["id"]!;
        await emulator.GetAsync(id);
        await emulator.GetAsync("counted");
        await emulator.SendAsync(HttpMethod.Get, "snapshots?limit=5");
        await emulator.SendAsync(HttpMethod.Get, "nothing-here");

        using var control = emulator.RootClient();
        var stats = JsonNode.Parse(await control.GetStringAsync("_emulator/requests"))!;
        Assert.Equal(5, (int)stats["total"]!);
        Assert.Equal(2, (int)stats["byRoute"]!["GET /api/snapshots/{id}"]!);
        Assert.Equal(1, (int)stats["byRoute"]!["POST /api/snapshots"]!);
        Assert.Equal(1, (int)stats["byRoute"]!["GET /api/snapshots"]!);
        Assert.Equal(1, (int)stats["byRoute"]!["GET /api/nothing-here"]!);
        Assert.Equal(2, emulator.Server.Control.GetRequests().For("GET /api/snapshots/{id}"));

        using (var reset = await control.PostAsync("_emulator/requests/reset", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        Assert.Equal(0, emulator.Server.Control.GetRequests().Total);
    }

    [Fact]
    public async Task AnUnknownApiRouteIs404InDaytonasShape()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var (status, body, _) = await emulator.SendAsync(HttpMethod.Get, "sandboxes-nope");
        Assert.Equal(404, status);
        EmulatorHarness.AssertError(body, 404, "Cannot GET /api/sandboxes-nope", "/api/sandboxes-nope");
    }
    [Fact]
    public async Task DropAfterProcessingCreatesTheSnapshotAndThenClosesTheConnection()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        emulator.Server.Control.SetFaults(new EmulatorFaults { DropAfterProcessing = 1, Methods = new[] { "POST" } });

        // A GET is not a POST: the fault waits for the create.
        Assert.Equal(200, (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Status);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => emulator.Http.PostAsJsonAsync("snapshots", new { name = "made-anyway", imageName = "alpine:3.20" }));
        Assert.NotNull(emulator.Server.Control.GetState("made-anyway"));
        Assert.Equal(0, emulator.Server.Control.GetFaults().DropAfterProcessing);
    }

    [Theory]
    [InlineData("seconds", "Retry-After", "3")]
    [InlineData("named", "Retry-After-authenticated", "3")]
    [InlineData("both", "Retry-After-authenticated", "3")]
    public async Task A429SaysWhenToComeBackInTheChosenForm(string form, string header, string value)
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        emulator.Server.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 1, RetryAfterSeconds = 3, RetryAfterForm = form } });
        var (status, _, response) = await emulator.SendAsync(HttpMethod.Get, "snapshots");
        Assert.Equal(429, status);
        Assert.Equal(value, response.Headers.GetValues(header).Single());
        Assert.Equal(form != "named", response.Headers.Contains("Retry-After"));
        Assert.Equal(form != "seconds", response.Headers.Contains("Retry-After-authenticated"));
    }

    [Fact]
    public async Task A429CanNameADateOrNoTimeAtAll()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        emulator.Server.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 1, RetryAfterSeconds = 30, RetryAfterForm = "date" } });
        var (_, _, dated) = await emulator.SendAsync(HttpMethod.Get, "snapshots");
        var date = dated.Headers.RetryAfter!.Date!.Value;
        Assert.InRange(date - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(31));

        emulator.Server.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 1, RetryAfterForm = "none" } });
        var (status, _, bare) = await emulator.SendAsync(HttpMethod.Get, "snapshots");
        Assert.Equal(429, status);
        Assert.Null(bare.Headers.RetryAfter);
    }

    [Fact]
    public async Task StorageScopedFaultsAnswerS3RequestsInS3sXmlAndLeaveTheApiAlone()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        emulator.Server.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 1, Status = 503 }, Scope = FaultScope.Storage });
        Assert.Equal(200, (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Status);
        using var root = emulator.RootClient(authenticated: false);
        using var response = await root.GetAsync("s3/daytona-volume-builds?list-type=2");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("<Code>SlowDown</Code>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task IntermittentFaultsWithASeedRepeatThemselves()
    {
        async Task<string> RunAsync()
        {
            await using var emulator = await EmulatorHarness.StartAsync();
            emulator.Server.Control.SetFaults(new EmulatorFaults { Intermittent = new IntermittentFaults { TooManyRequestsRate = 0.3, ServerErrorRate = 0.3, Seed = 7 } });
            var statuses = new List<int>();
            for (var i = 0; i < 30; i++)
            {
                statuses.Add((await emulator.SendAsync(HttpMethod.Get, "snapshots")).Status);
            }

            return string.Join(",", statuses);
        }

        var first = await RunAsync();
        Assert.Equal(first, await RunAsync());
        Assert.Contains("200", first);
        Assert.Contains("429", first);
        Assert.Contains("503", first);
    }
}
