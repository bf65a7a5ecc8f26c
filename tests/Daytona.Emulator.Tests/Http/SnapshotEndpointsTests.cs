using System.Net;
using System.Text.Json.Nodes;
using Daytona.Emulator;

namespace Daytona.Emulator.Tests.Http;

/// <summary>The emulator's snapshot endpoints against Daytona's published facts (paths, fields, codes, messages).</summary>
public sealed class SnapshotEndpointsTests
{
    private static readonly string[] s_requiredFields =
        { "id", "general", "name", "state", "size", "entrypoint", "cpu", "gpu", "mem", "disk", "errorReason", "createdAt", "updatedAt", "lastUsedAt" };

    [Fact]
    public async Task CreateFromAnImageNameReturns200PendingWithEveryRequiredField()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var created = await emulator.CreateAsync(new { name = "py", imageName = "python:3.12-slim", cpu = 2, memory = 4, disk = 10 });

        foreach (var field in s_requiredFields)
        {
            Assert.True(created.ContainsKey(field), $"SnapshotDto lacks {field}");
        }

        Assert.Equal("pending", (string)created["state"]!);
        Assert.Equal(4, (int)created["mem"]!);
        Assert.False(created.ContainsKey("memory"));
        Assert.Equal(2, (int)created["cpu"]!);
        Assert.Equal(10, (int)created["disk"]!);
        Assert.Equal(0, (int)created["gpu"]!);
        Assert.Null(created["size"]);
        Assert.Null(created["lastUsedAt"]);
        Assert.Null(created["errorReason"]);
        Assert.Equal("python:3.12-slim", (string)created["imageName"]!);
        Assert.Equal(emulator.Server.OrganizationId, (string)created["organizationId"]!);
        Assert.False(created.ContainsKey("buildInfo"));
        Assert.True(Guid.TryParse((string)created["id"]!, out _));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", (string)created["createdAt"]!);
    }

    [Fact]
    public async Task DefaultsAreDaytonasEntityDefaults()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var created = await emulator.CreateAsync(new { name = "defaults", imageName = "ubuntu:22.04", entrypoint = new[] { "sleep", "", "infinity" } });
        Assert.Equal(1, (int)created["cpu"]!);
        Assert.Equal(1, (int)created["mem"]!);
        Assert.Equal(3, (int)created["disk"]!);
        Assert.Equal(new[] { "sleep", "infinity" }, created["entrypoint"]!.AsArray().Select(e => (string)e!));
    }

    [Fact]
    public async Task AnImageSnapshotGoesPendingPullingActive()
    {
        await using var emulator = await EmulatorHarness.StartAsync(timeScale: 0.4);
        var created = await emulator.CreateAsync(new { name = "pull-me", imageName = "ubuntu:22.04" });
        var (active, seen) = await emulator.WaitForAsync((string)created["id"]!, "active", "error");

        Assert.Equal(new[] { "pending", "pulling", "active" }, seen);
        Assert.NotNull(active["size"]);
        Assert.NotNull(active["lastUsedAt"]);
        Assert.NotNull(active["ref"]);
        Assert.NotNull(active["initialRunnerId"]);
    }

    [Fact]
    public async Task AnImageWhoseRepositoryContainsFailEndsInErrorWithAReason()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        await emulator.CreateAsync(new { name = "broken", imageName = "registry.example/fail-image:1.0" });
        var (failed, seen) = await emulator.WaitForAsync("broken", "active", "error");

        Assert.Equal("error", (string)failed["state"]!);
        Assert.Contains("registry.example/fail-image:1.0", (string)failed["errorReason"]!);
        Assert.Contains("pulling", seen);
    }

    [Fact]
    public async Task ATagNamedFailDoesNotFail()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        await emulator.CreateAsync(new { name = "tag-only", imageName = "ubuntu:fail" });
        var (settled, _) = await emulator.WaitForAsync("tag-only", "active", "error");
        Assert.Equal("active", (string)settled["state"]!);
    }

    [Fact]
    public async Task GetFindsByIdOrNameAndSays404Otherwise()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var created = await emulator.CreateAsync(new { name = "findable", imageName = "ubuntu:22.04" });
        Assert.Equal((string)created["id"]!, (string)(await emulator.GetAsync("findable"))["id"]!);
        Assert.Equal("findable", (string)(await emulator.GetAsync((string)created["id"]!))["name"]!);

        var (status, body, _) = await emulator.SendAsync(HttpMethod.Get, "snapshots/nope");
        Assert.Equal(404, status);
        EmulatorHarness.AssertError(body, 404, "Snapshot nope not found", "/api/snapshots/nope");
        Assert.Equal("Not Found", (string)body!["error"]!);
    }

    [Theory]
    [InlineData("{\"name\":\"x\"}", "Must specify an image name when not using a build info entry")]
    [InlineData("{\"name\":\"x\",\"imageName\":\"ubuntu\"}", "Image name must include a tag (e.g., ubuntu:22.04) or digest (@sha256:...)")]
    [InlineData("{\"name\":\"x\",\"imageName\":\"ubuntu:latest\"}", "Images with tag \":latest\" are not allowed")]
    [InlineData("{\"name\":\"x\",\"imageName\":\"ubuntu@sha256:abc\"}", "Invalid digest format. Must be image@sha256:64_hex_characters")]
    [InlineData("{\"name\":\"bad name!\",\"imageName\":\"ubuntu:22.04\"}", "Invalid snapshot name format. May contain letters, digits, dots, colons, and dashes")]
    [InlineData("{\"name\":\"x\",\"imageName\":\"ubuntu:22.04\",\"buildInfo\":{\"dockerfileContent\":\"FROM a:1\"}}", "Cannot specify an image name when using a build info entry")]
    [InlineData("{\"name\":\"x\",\"entrypoint\":[\"a\"],\"buildInfo\":{\"dockerfileContent\":\"FROM a:1\"}}", "Cannot specify an entrypoint when using a build info entry")]
    [InlineData("{\"imageName\":\"ubuntu:22.04\"}", "name must be a string")]
    [InlineData("{\"name\":\"x\",\"imageName\":\"ubuntu:22.04\",\"gpu\":2}", "gpu must not be greater than 1")]
    [InlineData("{\"name\":\"x\",\"imageName\":\"ubuntu:22.04\",\"cpu\":-1}", "cpu must not be less than 0")]
    [InlineData("{\"name\":\"x\",\"buildInfo\":{\"dockerfileContent\":\"\"}}", "buildInfo.dockerfileContent should not be empty")]
    [InlineData("{\"name\":\"x\",\"imageName\":\"ubuntu:22.04\",\"sandboxClass\":\"windows\"}", "Windows snapshots cannot be created via this endpoint")]
    public async Task CreateValidatesAsTheRealApi(string json, string message)
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        using var response = await emulator.Http.PostAsync("snapshots", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        EmulatorHarness.AssertError(body, 400, message, "/api/snapshots");
        Assert.Equal("Bad Request", (string)body!["error"]!);
        Assert.Equal(0, (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Body!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task ADigestAndARegistryWithAPortAreAccepted()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        await emulator.CreateAsync(new { name = "digest", imageName = "ubuntu@sha256:" + new string('a', 64) });
        await emulator.CreateAsync(new { name = "ported", imageName = "localhost:5000/team/app:1.2" });
    }

    [Fact]
    public async Task ADuplicateNameIs409()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        await emulator.CreateAsync(new { name = "twice", imageName = "ubuntu:22.04" });
        var (status, body, _) = await emulator.SendAsync(HttpMethod.Post, "snapshots", new { name = "twice", imageName = "ubuntu:24.04" });
        Assert.Equal(409, status);
        EmulatorHarness.AssertError(body, 409, "Snapshot with name \"twice\" already exists for this organization", "/api/snapshots");
        Assert.Equal("Conflict", (string)body!["error"]!);
    }

    [Fact]
    public async Task AMissingOrWrongKeyIs401WithTheErrorJson()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = emulator.Http.BaseAddress };
        var (status, body, _) = await emulator.SendAsync(HttpMethod.Get, "snapshots?page=1", client: anonymous);
        Assert.Equal(401, status);
        EmulatorHarness.AssertError(body, 401, "Unauthorized", "/api/snapshots?page=1");

        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "dtn_emu_wrong");
        (status, body, _) = await emulator.SendAsync(HttpMethod.Get, "snapshots/x", client: anonymous);
        Assert.Equal(401, status);
        Assert.Equal("Unauthorized", (string)body!["error"]!);
        Assert.DoesNotContain(emulator.Server.ApiKey, body.ToJsonString());
    }

    [Fact]
    public async Task TheKeyIsRandomUnlessGiven()
    {
        await using var a = await EmulatorHarness.StartAsync();
        await using var b = await EmulatorHarness.StartAsync(apiKey: "my-key");
        Assert.Matches("^dtn_emu_[0-9a-f]{32}$", a.Server.ApiKey);
        Assert.Equal("my-key", b.Server.ApiKey);
        Assert.NotEqual(a.Server.ApiUrl.Port, b.Server.ApiUrl.Port);
        Assert.Equal("127.0.0.1", a.Server.ApiUrl.Host);
        Assert.Equal("/api", a.Server.ApiUrl.AbsolutePath);
    }

    [Fact]
    public async Task AnotherOrganizationHeaderIs403AndTheOwnIsAccepted()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "snapshots");
        request.Headers.Add("X-Daytona-Organization-ID", "someone-else");
        using var response = await emulator.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        using var own = new HttpRequestMessage(HttpMethod.Get, "snapshots");
        own.Headers.Add("X-Daytona-Organization-ID", emulator.Server.OrganizationId);
        using var ok = await emulator.Http.SendAsync(own);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task ListPagesWithTotalsAndFiltersByPartialNameCaseInsensitively()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            await emulator.CreateAsync(new { name = $"app-{i}", imageName = "ubuntu:22.04" });
        }

        await emulator.CreateAsync(new { name = "other", imageName = "ubuntu:22.04" });

        var page = (await emulator.SendAsync(HttpMethod.Get, "snapshots?page=2&limit=3&sort=name&order=asc")).Body!.AsObject();
        Assert.Equal(new[] { "items", "total", "page", "totalPages" }, page.Select(p => p.Key));
        Assert.Equal(8, (int)page["total"]!);
        Assert.Equal(2, (int)page["page"]!);
        Assert.Equal(3, (int)page["totalPages"]!);
        Assert.Equal(new[] { "app-3", "app-4", "app-5" }, page["items"]!.AsArray().Select(s => (string)s!["name"]!));

        var filtered = (await emulator.SendAsync(HttpMethod.Get, "snapshots?name=APP&sort=name&order=desc&limit=200")).Body!;
        Assert.Equal(7, (int)filtered["total"]!);
        Assert.Equal("app-6", (string)filtered["items"]![0]!["name"]!);

        var beyond = (await emulator.SendAsync(HttpMethod.Get, "snapshots?page=9&limit=3")).Body!;
        Assert.Empty(beyond["items"]!.AsArray());
        Assert.Equal(8, (int)beyond["total"]!);

        var empty = (await emulator.SendAsync(HttpMethod.Get, "snapshots?name=zzz")).Body!;
        Assert.Equal(0, (int)empty["totalPages"]!);
    }

    [Fact]
    public async Task DefaultSortIsLastUsedAtDescendingNullsLastThenNewestFirst()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        emulator.Server.Control.SetBuilds(new EmulatorBuilds { DurationMs = 1_000_000 });
        emulator.Server.Control.SetBuild("used", TimeSpan.Zero);
        await emulator.CreateAsync(new { name = "old-pending", imageName = "ubuntu:22.04" });
        await emulator.CreateAsync(new { name = "used", imageName = "ubuntu:22.04" });
        await emulator.WaitForAsync("used", "active");
        await emulator.CreateAsync(new { name = "new-pending", imageName = "ubuntu:22.04" });

        var names = (await emulator.SendAsync(HttpMethod.Get, "snapshots")).Body!["items"]!.AsArray().Select(s => (string)s!["name"]!).ToList();
        Assert.Equal(new[] { "used", "new-pending", "old-pending" }, names);
        var ascending = (await emulator.SendAsync(HttpMethod.Get, "snapshots?order=asc")).Body!["items"]!.AsArray().Select(s => (string)s!["name"]!).ToList();
        Assert.Equal(new[] { "used", "new-pending", "old-pending" }, ascending); // nulls last either way
    }

    [Theory]
    [InlineData("page=0", "page must not be less than 1")]
    [InlineData("limit=201", "limit must not be greater than 200")]
    [InlineData("limit=abc", "limit must be an integer number")]
    [InlineData("sort=size", "sort must be one of the following values: name, state, lastUsedAt, createdAt")]
    [InlineData("order=up", "order must be one of the following values: asc, desc")]
    public async Task ListValidatesItsQuery(string query, string message)
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var (status, body, _) = await emulator.SendAsync(HttpMethod.Get, "snapshots?" + query);
        Assert.Equal(400, status);
        EmulatorHarness.AssertError(body, 400, message, "/api/snapshots?" + query);
    }

    [Fact]
    public async Task DeleteIs200ThenRemovingThenGone()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var id = (string)(await emulator.CreateAsync(new { name = "doomed", imageName = "ubuntu:22.04" }))["id"]!;
        var (status, body, response) = await emulator.SendAsync(HttpMethod.Delete, "snapshots/" + id);
        Assert.Equal(200, status);
        Assert.Null(body);
        Assert.Equal("removing", (string)(await emulator.GetAsync(id))["state"]!);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await emulator.SendAsync(HttpMethod.Get, "snapshots/" + id)).Status != 404)
        {
            Assert.True(DateTime.UtcNow < deadline, "the snapshot was never removed");
            await Task.Delay(20);
        }

        (status, _, _) = await emulator.SendAsync(HttpMethod.Delete, "snapshots/" + id);
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task IdOnlyEndpointsRefuseANameWith400AndAnUnknownOneWith404()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        await emulator.CreateAsync(new { name = "named", imageName = "ubuntu:22.04" });
        foreach (var (method, path) in new[] { (HttpMethod.Delete, "snapshots/named"), (HttpMethod.Post, "snapshots/named/activate"), (HttpMethod.Post, "snapshots/named/deactivate") })
        {
            var (status, body, _) = await emulator.SendAsync(method, path);
            Assert.Equal(400, status);
            Assert.Equal("Validation failed (uuid is expected)", (string)body!["message"]!);
        }

        Assert.Equal(404, (await emulator.SendAsync(HttpMethod.Delete, "snapshots/unknown")).Status);
    }

    [Fact]
    public async Task DeactivateIs204AndIdempotentAndActivateFollowsDaytonasRules()
    {
        await using var emulator = await EmulatorHarness.StartAsync(timeScale: 0.1);
        var id = (string)(await emulator.CreateAsync(new { name = "cycle", imageName = "ubuntu:22.04" }))["id"]!;
        await emulator.WaitForAsync(id, "active");

        var (status, body, _) = await emulator.SendAsync(HttpMethod.Post, $"snapshots/{id}/activate");
        Assert.Equal(400, status);
        Assert.Equal($"Snapshot {id} is already active", (string)body!["message"]!);

        (status, body, _) = await emulator.SendAsync(HttpMethod.Post, $"snapshots/{id}/deactivate");
        Assert.Equal(204, status);
        Assert.Null(body);
        Assert.Equal(204, (await emulator.SendAsync(HttpMethod.Post, $"snapshots/{id}/deactivate")).Status);
        Assert.Equal("inactive", (string)(await emulator.GetAsync(id))["state"]!);

        // Daytona refuses to activate within 10 minutes (× TimeScale here) of a deactivation.
        (status, body, _) = await emulator.SendAsync(HttpMethod.Post, $"snapshots/{id}/activate");
        Assert.Equal(400, status);
        Assert.Equal("Snapshot deactivation is still in progress. Please try again in a few minutes.", (string)body!["message"]!);

        emulator.Server.Control.SetBuilds(new EmulatorBuilds { DeactivationCooldownMs = 0 });
        (status, body, _) = await emulator.SendAsync(HttpMethod.Post, $"snapshots/{id}/activate");
        Assert.Equal(200, status);
        Assert.Equal("pending", (string)body!["state"]!);
        var (_, seen) = await emulator.WaitForAsync(id, "active");
        Assert.Equal("active", seen[^1]);

        // Not inactive and not active: "cannot be activated".
        emulator.Server.Control.SetBuilds(new EmulatorBuilds { DurationMs = 1_000_000 });
        var pendingId = (string)(await emulator.CreateAsync(new { name = "slow", imageName = "ubuntu:22.04" }))["id"]!;
        (status, body, _) = await emulator.SendAsync(HttpMethod.Post, $"snapshots/{pendingId}/activate");
        Assert.Equal(400, status);
        Assert.Equal($"Snapshot {pendingId} cannot be activated - it is in pending state", (string)body!["message"]!);
    }

    [Fact]
    public async Task DeactivateUnusedMakesAnActiveSnapshotInactiveAndActivatableAtOnce()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var id = (string)(await emulator.CreateAsync(new { name = "idle", imageName = "ubuntu:22.04" }))["id"]!;
        await emulator.WaitForAsync(id, "active");

        using var control = emulator.RootClient();
        using var response = await control.PostAsync("_emulator/snapshots/idle/deactivate-unused", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var inactive = await emulator.GetAsync(id);
        Assert.Equal("inactive", (string)inactive["state"]!);
        Assert.True(DateTime.Parse((string)inactive["lastUsedAt"]!).ToUniversalTime() < DateTime.UtcNow.AddDays(-14));

        var (status, body, _) = await emulator.SendAsync(HttpMethod.Post, $"snapshots/{id}/activate");
        Assert.Equal(200, status);
        Assert.Equal("pending", (string)body!["state"]!);
        var (_, seen) = await emulator.WaitForAsync(id, "active");
        Assert.Contains("active", seen);

        // Only an active snapshot is deactivated for being unused.
        emulator.Server.Control.SetBuilds(new EmulatorBuilds { DurationMs = 1_000_000 });
        await emulator.CreateAsync(new { name = "busy", imageName = "ubuntu:22.04" });
        Assert.Throws<InvalidOperationException>(() => emulator.Server.Control.DeactivateUnused("busy"));
        using var notFound = await control.PostAsync("_emulator/snapshots/none/deactivate-unused", null);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
    }

    [Fact]
    public async Task PerNameBuildSettingsChooseDurationAndFailure()
    {
        await using var emulator = await EmulatorHarness.StartAsync(timeScale: 1);
        emulator.Server.Control.SetBuilds(new EmulatorBuilds
        {
            DurationMs = 600_000,
            ByName = new() { ["quick"] = new SnapshotBuildBehavior { DurationMs = 100 }, ["doomed"] = new SnapshotBuildBehavior { DurationMs = 100, Fail = "disk full" } },
        });
        await emulator.CreateAsync(new { name = "quick", imageName = "ubuntu:22.04" });
        await emulator.CreateAsync(new { name = "doomed", imageName = "ubuntu:22.04" });
        await emulator.CreateAsync(new { name = "slow", imageName = "ubuntu:22.04" });

        Assert.Equal("active", (string)(await emulator.WaitForAsync("quick", "active", "error")).Snapshot["state"]!);
        var doomed = (await emulator.WaitForAsync("doomed", "active", "error")).Snapshot;
        Assert.Equal("error", (string)doomed["state"]!);
        Assert.Equal("disk full", (string)doomed["errorReason"]!);
        Assert.Equal("pending", (string)(await emulator.GetAsync("slow"))["state"]!);
    }

    [Fact]
    public async Task TheHttpControlApiNeedsTheKeyAndIsNotUnderApi()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        using var anonymous = emulator.RootClient(authenticated: false);
        using var denied = await anonymous.GetAsync("_emulator/requests");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);

        using var control = emulator.RootClient();
        using var put = await control.PutAsync("_emulator/builds", new StringContent("{\"durationMs\":1234,\"byName\":{\"a\":{\"durationMs\":5,\"fail\":\"no\"}}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var builds = emulator.Server.Control.GetBuilds();
        Assert.Equal(1234, builds.DurationMs);
        Assert.Equal("no", builds.ByName!["a"]!.Fail);
        var (status, _, _) = await emulator.SendAsync(HttpMethod.Get, "_emulator/requests");
        Assert.Equal(404, status); // /api/_emulator does not exist
    }
}
