using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Daytona.Emulator;

namespace Daytona.Emulator.Tests.Engine;

/// <summary>Pretend builds of buildInfo snapshots: states, build ref, reuse, failures and build logs.</summary>
public sealed class BuildTests
{
    private const string Dockerfile = "FROM python:3.12-slim\nRUN pip install numpy\nCOPY app.py /app/app.py\nENTRYPOINT [\"python\", \"/app/app.py\"]\n";

    private static object Build(string name, string dockerfile = Dockerfile, params string[] hashes) =>
        new { name, buildInfo = new { dockerfileContent = dockerfile, contextHashes = hashes } };

    [Fact]
    public async Task ABuildGoesPendingBuildingActiveWithDaytonasBuildRef()
    {
        await using var emulator = await EmulatorHarness.StartAsync(timeScale: 0.5);
        var created = await emulator.CreateAsync(Build("built", Dockerfile, "bbb", "aaa"));
        Assert.Equal("pending", (string)created["state"]!);
        Assert.False(created.ContainsKey("imageName"));

        var expected = "daytona-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Dockerfile + "aaabbb"))) + ":daytona";
        var buildInfo = created["buildInfo"]!;
        Assert.Equal(expected, (string)buildInfo["snapshotRef"]!);
        Assert.Equal(Dockerfile, (string)buildInfo["dockerfileContent"]!);
        Assert.Equal(new[] { "bbb", "aaa" }, buildInfo["contextHashes"]!.AsArray().Select(h => (string)h!));
        Assert.EndsWith("/" + expected, (string)created["ref"]!);
        Assert.Equal(new[] { "python", "/app/app.py" }, created["entrypoint"]!.AsArray().Select(e => (string)e!));

        var (active, seen) = await emulator.WaitForAsync("built", "active", "build_failed");
        // The create answered 'pending'; a poll on a busy machine may first see a later state, never an earlier one.
        var states = new List<string> { (string)created["state"]! };
        foreach (var state in seen.Where(state => state != states[^1]))
        {
            states.Add(state);
        }
        Assert.Equal(new[] { "pending", "building", "active" }, states);
        Assert.NotNull(active["size"]);
    }

    [Fact]
    public async Task WithoutAnEntrypointLineTheEntrypointIsSleepInfinity()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var created = await emulator.CreateAsync(Build("plain", "FROM alpine:3.20\nRUN echo hi\n"));
        Assert.Equal(new[] { "sleep", "infinity" }, created["entrypoint"]!.AsArray().Select(e => (string)e!));
    }

    [Fact]
    public async Task AnIdenticalBuildIsActiveAtOnceAndAChangedOneBuilds()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        await emulator.CreateAsync(Build("first", Dockerfile, "h1", "h2"));
        var first = (await emulator.WaitForAsync("first", "active")).Snapshot;

        var second = await emulator.CreateAsync(Build("second", Dockerfile, "h2", "h1")); // order does not matter
        Assert.Equal("active", (string)second["state"]!);
        Assert.Equal((double)first["size"]!, (double)second["size"]!);
        Assert.NotNull(second["lastUsedAt"]);

        var url = (string)(await emulator.SendAsync(HttpMethod.Get, $"snapshots/{(string)second["id"]!}/build-logs-url")).Body!["url"]!;
        using (var log = await emulator.Http.GetAsync(url))
        {
            Assert.Contains("Successfully tagged", await log.Content.ReadAsStringAsync());
        }

        var changed = await emulator.CreateAsync(Build("third", Dockerfile, "h1", "h3"));
        Assert.Equal("pending", (string)changed["state"]!);
    }

    [Fact]
    public async Task ADockerfileMarkedToFailEndsBuildFailedWithAReasonAndALogTail()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var dockerfile = "FROM python:3.12-slim\nRUN pip install numpy\nRUN make test\n# emulator: fail\n";
        var id = (string)(await emulator.CreateAsync(Build("failing", dockerfile)))["id"]!;
        var (failed, seen) = await emulator.WaitForAsync(id, "active", "build_failed");

        Assert.Equal("build_failed", (string)failed["state"]!);
        Assert.Equal("The command '/bin/sh -c make test' returned a non-zero code: 1", (string)failed["errorReason"]!);
        Assert.Contains("building", seen);

        using var response = await emulator.Http.GetAsync($"snapshots/{id}/build-logs");
        var log = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("Step 1/3 : FROM python:3.12-slim\n", log);
        Assert.EndsWith("The command '/bin/sh -c make test' returned a non-zero code: 1\n", log);
        Assert.DoesNotContain("Successfully built", log);
    }

    [Fact]
    public async Task AFailureChosenByNameFailsABuild()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        emulator.Server.Control.SetBuild("chosen", TimeSpan.FromMilliseconds(500), fail: "runner out of disk");
        await emulator.CreateAsync(Build("chosen"));
        var failed = (await emulator.WaitForAsync("chosen", "active", "build_failed")).Snapshot;
        Assert.Equal("build_failed", (string)failed["state"]!);
        Assert.Equal("runner out of disk", (string)failed["errorReason"]!);
    }

    [Fact]
    public async Task FollowingTheLogStreamsLinesAsTheBuildWritesThem()
    {
        await using var emulator = await EmulatorHarness.StartAsync(timeScale: 1);
        emulator.Server.Control.SetBuild("streamed", TimeSpan.FromSeconds(1.5));
        var id = (string)(await emulator.CreateAsync(Build("streamed")))["id"]!;

        var started = DateTime.UtcNow;
        using var response = await emulator.Http.GetAsync($"snapshots/{id}/build-logs?follow=true", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var arrivals = new List<(string Line, TimeSpan At)>();
        while (await reader.ReadLineAsync() is { } line)
        {
            arrivals.Add((line, DateTime.UtcNow - started));
        }

        Assert.StartsWith("Step 1/4 : FROM python:3.12-slim", arrivals[0].Line);
        Assert.StartsWith("Successfully tagged ", arrivals[^1].Line);
        Assert.True(arrivals[^1].At - arrivals[0].At > TimeSpan.FromMilliseconds(500), "the lines came at once, not as the build wrote them");
        Assert.Equal("active", (string)(await emulator.WaitForAsync(id, "active")).Snapshot["state"]!);
    }

    [Fact]
    public async Task BuildLogsOfAnActiveSnapshotEndAtOnceButTheUrlServesTheWholeLog()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var id = (string)(await emulator.CreateAsync(Build("done")))["id"]!;
        await emulator.WaitForAsync(id, "active");

        using var direct = await emulator.Http.GetAsync($"snapshots/{id}/build-logs");
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(string.Empty, await direct.Content.ReadAsStringAsync());

        var url = (string)(await emulator.SendAsync(HttpMethod.Get, $"snapshots/{id}/build-logs-url")).Body!["url"]!;
        Assert.Equal(new Uri(emulator.Root, $"proxy/snapshots/{id}/build-logs").ToString(), url);
        using var proxied = await emulator.Http.GetAsync(url + "?follow=true");
        var text = await proxied.Content.ReadAsStringAsync();
        Assert.Contains("Successfully tagged", text);

        using var anonymous = new HttpClient();
        using var denied = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
    }

    [Fact]
    public async Task AnImageSnapshotHasNoBuildInfoAndAFollowValueMustBeBoolean()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var id = (string)(await emulator.CreateAsync(new { name = "img", imageName = "ubuntu:22.04" }))["id"]!;
        foreach (var path in new[] { $"snapshots/{id}/build-logs", $"snapshots/{id}/build-logs-url" })
        {
            var (status, body, _) = await emulator.SendAsync(HttpMethod.Get, path);
            Assert.Equal(404, status);
            Assert.Equal($"Snapshot {id} has no build info", (string)body!["message"]!);
        }

        var build = (string)(await emulator.CreateAsync(Build("b")))["id"]!;
        var (code, error, _) = await emulator.SendAsync(HttpMethod.Get, $"snapshots/{build}/build-logs?follow=yes");
        Assert.Equal(400, code);
        Assert.Equal("Validation failed (boolean string is expected)", (string)error!["message"]!);
    }

    [Fact]
    public async Task ACutStreamEndsMidBuildAndTheNextOneFollowsToTheEnd()
    {
        await using var emulator = await EmulatorHarness.StartAsync(timeScale: 1);
        emulator.Server.Control.SetBuild("cut", TimeSpan.FromSeconds(2));
        var id = (string)(await emulator.CreateAsync(Build("cut")))["id"]!;
        using var control = emulator.RootClient();
        using (var cut = await control.PostAsync("_emulator/build-logs/cut", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, cut.StatusCode);
        }

        var received = new StringBuilder();
        Exception? failure = null;
        try
        {
            using var response = await emulator.Http.GetAsync($"snapshots/{id}/build-logs?follow=true", HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                received.AppendLine(line);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            failure = e;
        }

        Assert.NotNull(failure); // the connection was reset, not ended cleanly
        Assert.DoesNotContain("Successfully tagged", received.ToString());
        Assert.NotEqual("active", emulator.Server.Control.GetState(id));

        using var again = await emulator.Http.GetAsync($"snapshots/{id}/build-logs?follow=true");
        Assert.Contains("Successfully tagged", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DeactivatingADuringBuildStopsIt()
    {
        await using var emulator = await EmulatorHarness.StartAsync(timeScale: 1);
        emulator.Server.Control.SetBuild("stopped", TimeSpan.FromSeconds(30));
        var id = (string)(await emulator.CreateAsync(Build("stopped")))["id"]!;
        await emulator.WaitForAsync(id, "building");
        Assert.Equal(204, (await emulator.SendAsync(HttpMethod.Post, $"snapshots/{id}/deactivate")).Status);
        await Task.Delay(300);
        Assert.Equal("inactive", emulator.Server.Control.GetState(id));
    }
}
