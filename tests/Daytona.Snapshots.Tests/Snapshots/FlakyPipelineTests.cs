using System.Management.Automation;
using System.Text.Json.Nodes;
using Daytona.Snapshots.Tests.Harness;
using Xunit.Abstractions;

namespace Daytona.Snapshots.Tests.Snapshots;

/// <summary>
/// Twenty snapshots through <c>Get-DaytonaSnapshot | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot</c> as a user runs
/// it, while the API (the bundled emulator, a child process) drops connections before and after processing and answers
/// 429 and 503 at random (seeded: about 35% of the requests, once seven in a row, so one call runs out of retries). Two
/// of the builds fail. Each snapshot comes out once or has one per-item error (a failed build, or the call whose
/// retries ran out), every one emitted is active, every one not active has its error, and nothing ends the pipeline —
/// also under -ErrorAction SilentlyContinue. And a create whose answer was lost after the server made it makes no
/// second snapshot.
/// </summary>
public sealed class FlakyPipelineTests : IClassFixture<EmulatorFixture>
{
    private const int Count = 20;
    private readonly HostedEmulator _emulator;
    private readonly ITestOutputHelper _output;

    public FlakyPipelineTests(EmulatorFixture fixture, ITestOutputHelper output)
    {
        _emulator = fixture.Emulator;
        _output = output;
    }

    private static JsonObject Flaky(int seed) => new()
    {
        ["tooManyRequests"] = new JsonObject { ["count"] = 0, ["retryAfterSeconds"] = 1, ["retryAfterForm"] = "both" },
        ["intermittent"] = new JsonObject
        {
            ["dropRate"] = 0.10,
            ["dropAfterProcessingRate"] = 0.05,
            ["tooManyRequestsRate"] = 0.10,
            ["serverErrorRate"] = 0.10,
            ["serverErrorStatus"] = 503,
            ["seed"] = seed,
        },
    };

    [Theory]
    [InlineData("Continue")]
    [InlineData("SilentlyContinue")]
    public void TwentySnapshotsOnAFlakyApiAreEachEmittedOnceOrReportedOnce(string errorAction)
    {
        var prefix = "flaky-" + errorAction.ToLowerInvariant()[..4] + "-" + Guid.NewGuid().ToString("N")[..6];
        var names = Enumerable.Range(1, Count).Select(i => $"{prefix}-{i:D2}").ToList();
        var failing = new HashSet<string> { names[4], names[13] };
        for (var i = 0; i < Count; i++)
        {
            _emulator.SetBuild(names[i], durationMs: 1000 + (i % 7) * 700, fail: failing.Contains(names[i]) ? "manifest unknown" : null);
            _emulator.Create(names[i], "alpine:3.20");
        }

        using var s = _emulator.Session();
        _emulator.ResetRequests();
        _emulator.SetFaults(Flaky(seed: 18));
        PowerShellRun run;
        int requests;
        try
        {
            run = s.Run($"$Error.Clear(); Get-DaytonaSnapshot -Name '{prefix}-*' -ErrorAction {errorAction} | Wait-DaytonaSnapshot -ErrorAction {errorAction} | Enable-DaytonaSnapshot -ErrorAction {errorAction}");
            requests = _emulator.Requests().Total;
        }
        finally
        {
            _emulator.SetFaults(new JsonObject());
        }

        // Under SilentlyContinue the errors are not shown, but PowerShell still records them in $Error.
        var errors = errorAction == "Continue" ? run.Errors.ToList() : s.Run("$Error").Output.Select(o => (ErrorRecord)o.BaseObject).ToList();
        var ids = names.ToDictionary(n => (string)_emulator.Get(n)!["id"]!, n => n);
        string NameOf(ErrorRecord e)
        {
            var text = $"{e.TargetObject} {e.Exception.Message}";
            return names.SingleOrDefault(n => text.Contains(n, StringComparison.Ordinal)) ?? ids.Single(i => text.Contains(i.Key, StringComparison.Ordinal)).Value;
        }

        var emitted = run.Output.Select(o => (string)o.Properties["Name"].Value).ToList();
        var errored = errors.Select(NameOf).ToList();
        var activeOnServer = names.Where(n => _emulator.State(n) == "active").ToHashSet();
        _output.WriteLine($"-ErrorAction {errorAction}: {requests} API requests under faults (seed 18: ~35% of them faulted); {activeOnServer.Count} of {Count} active on the server; " +
            $"{emitted.Count} emitted ({emitted.Count - emitted.Distinct().Count()} duplicates); {errors.Count} per-item errors " +
            $"({run.Errors.Count} shown); terminating: {(run.Terminating == null ? "none" : run.Terminating.ErrorRecord.FullyQualifiedErrorId)}");
        foreach (var error in errors)
        {
            _output.WriteLine($"  {NameOf(error)}: {error.InvocationInfo?.MyCommand?.Name}: {error.FullyQualifiedErrorId.Split(',')[0]}: {error.Exception.Message}");
        }

        // Nothing ends the pipeline; each snapshot is accounted for exactly once: emitted (and active on the server), or
        // a per-item error for it — a failed build, or a call whose retries ran out (the snapshot may be active then).
        Assert.Null(run.Terminating);
        Assert.Equal(emitted.Count, emitted.Distinct().Count());
        Assert.Equal(errored.Count, errored.Distinct().Count());
        Assert.Empty(emitted.Intersect(errored));
        Assert.Equal(names, emitted.Concat(errored).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Subset(activeOnServer, emitted.ToHashSet());
        Assert.Subset(errored.ToHashSet(), failing);
        Assert.Equal(Count - failing.Count, activeOnServer.Count);
        if (errorAction == "SilentlyContinue")
        {
            Assert.Empty(run.Errors);
        }
    }

    [Fact]
    public void ACreateWhoseAnswerWasLostAfterTheServerMadeItIsNotMadeTwice()
    {
        var name = "flaky-create-" + Guid.NewGuid().ToString("N")[..6];
        using var s = _emulator.Session();
        _emulator.ResetRequests();
        _emulator.SetFaults(new JsonObject { ["dropAfterProcessing"] = 1, ["methods"] = new JsonArray("POST") });
        PowerShellRun run;
        try
        {
            run = s.Run($"New-DaytonaSnapshot -Name {name} -Image alpine:3.20 -Verbose");
        }
        finally
        {
            _emulator.SetFaults(new JsonObject());
        }

        var (_, byRoute) = _emulator.Requests();
        var posts = byRoute.Where(r => r.Key.StartsWith("POST ", StringComparison.Ordinal) && r.Key.EndsWith("/snapshots", StringComparison.Ordinal)).Sum(r => r.Value);
        var list = s.Run($"Get-DaytonaSnapshot -Name '{name}*'").ShouldSucceed();
        _output.WriteLine($"create dropped after processing: {posts} POST, {list.Output.Count} snapshot(s) named {name}, {run.Errors.Count} errors");
        run.ShouldSucceed();
        Assert.Equal(name, (string)Assert.Single(run.Output).Properties["Name"].Value);
        Assert.Equal(1, posts);
        Assert.Single(list.Output);
        Assert.Contains(run.Verbose, v => v.Message.Contains("outcome unknown", StringComparison.Ordinal));
    }
}
