using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Snapshots;

/// <summary>-WhatIf, Ctrl+C, bad keys, unreachable servers, and the API key on no stream.</summary>
// One test here sets DAYTONA_API_URL/DAYTONA_API_KEY, which are process-wide: the class runs apart from the others.
[Collection(nameof(Daytona.Snapshots.Tests.AzureDevOps.ProcessEnvironmentCollection))]
public sealed class SnapshotSafetyTests : IClassFixture<EmulatorFixture>
{
    private readonly HostedEmulator _emulator;

    public SnapshotSafetyTests(EmulatorFixture fixture) => _emulator = fixture.Emulator;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public void WhatIfChangesNothing()
    {
        var name = Unique("whatif");
        var created = _emulator.Create(name);
        _emulator.WaitForState((string)created["id"]!, "active");
        using var s = _emulator.Session();
        _emulator.ResetRequests();

        s.Run($"Disable-DaytonaSnapshot -Name {name} -WhatIf").ShouldSucceed();
        s.Run($"Get-DaytonaSnapshot -Name {name} | Remove-DaytonaSnapshot -WhatIf").ShouldSucceed();
        s.Run($"Remove-DaytonaSnapshot -Name {name} -Force -WhatIf").ShouldSucceed();
        var created2 = s.Run($"New-DaytonaSnapshot -Name {name}-new -Image python:3.12-slim -WhatIf").ShouldSucceed();
        Assert.Empty(created2.Output);
        Assert.Equal("active", _emulator.State(name));
        Assert.Null(_emulator.State(name + "-new"));

        _emulator.DeactivateUnused(name);
        s.Run($"Enable-DaytonaSnapshot -Name {name} -WhatIf").ShouldSucceed();
        Assert.Equal("inactive", _emulator.State(name));

        var requests = _emulator.Requests();
        Assert.Equal(0, requests.ByRoute.Where(r => !r.Key.StartsWith("GET ", StringComparison.Ordinal)).Sum(r => r.Value));
    }

    [Fact]
    public void StoppingARunningWaitReturnsWithinASecond()
    {
        var name = Unique("forever");
        _emulator.SetBuild(name, 6_000_000);
        _emulator.Create(name);
        using var s = _emulator.Session();
        using var shell = s.CreateShell($"Wait-DaytonaSnapshot -Name {name}");
        var async = shell.BeginInvoke();
        Thread.Sleep(1500);
        Assert.False(async.IsCompleted);

        var watch = Stopwatch.StartNew();
        shell.Stop();
        watch.Stop();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"Stop took {watch.Elapsed}");
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
    }

    [Fact]
    public void ABadKeyIsAuthenticationFailedAndSaysWhereTheKeyCameFrom()
    {
        const string badKey = "dtn_this_key_is_wrong_0123456789";
        using var s = ModuleSession.Create();
        var run = s.Run("Connect-Daytona -ApiUrl $args[0] -ApiKey $args[1] | Out-Null; Get-DaytonaSnapshot -Verbose -Debug", _emulator.ApiUrl.ToString(), HostedEmulator.Secure(badKey));
        var error = Assert.Single(run.Errors);
        Assert.StartsWith("DaytonaAuthenticationFailed,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("-ApiKey parameter", error.ErrorDetails.RecommendedAction);
        Assert.Contains("DAYTONA_API_KEY", error.ErrorDetails.RecommendedAction);
        Assert.DoesNotContain(badKey, run.AllText());

        // Without a connection the environment is used, and the error says so.
        using var fresh = ModuleSession.Create();
        var env = fresh.Run(
            "$env:DAYTONA_API_URL = $args[0]; $env:DAYTONA_API_KEY = $args[1]; try { Get-DaytonaSnapshot } finally { [Environment]::SetEnvironmentVariable('DAYTONA_API_URL', $null); [Environment]::SetEnvironmentVariable('DAYTONA_API_KEY', $null) }",
            _emulator.ApiUrl.ToString(), badKey);
        var envError = Assert.Single(env.Errors);
        Assert.StartsWith("DaytonaAuthenticationFailed,", envError.FullyQualifiedErrorId);
        Assert.Contains("environment variable DAYTONA_API_KEY", envError.Exception.Message);
        Assert.DoesNotContain(badKey, env.AllText());
    }

    [Fact]
    public void AnUnreachableServerFailsFastWithAClearMessage()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var s = ModuleSession.Create();
        var watch = Stopwatch.StartNew();
        var run = s.Run("Connect-Daytona -ApiUrl $args[0] -ApiKey $args[1] | Out-Null; Get-DaytonaSnapshot", $"http://127.0.0.1:{port}/api", HostedEmulator.Secure("dtn_unreachable_key_0123"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        var error = Assert.Single(run.Errors);
        Assert.StartsWith("DaytonaUnreachable,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        Assert.Contains($"127.0.0.1:{port}", error.Exception.Message);
    }

    [Fact]
    public void TheApiKeyAppearsOnNoStreamEvenWithVerboseAndDebug()
    {
        var prefix = Unique("secret");
        using var s = _emulator.Session();
        _emulator.SetFaults(new System.Text.Json.Nodes.JsonObject { ["serverErrors"] = new System.Text.Json.Nodes.JsonObject { ["count"] = 1 } });
        var run = s.Run(
            $"$c = Connect-Daytona -ApiUrl $args[0] -ApiKey $args[1] -Verbose -Debug; $c; " +
            $"New-DaytonaSnapshot {prefix}-a python:3.12-slim -Verbose -Debug | Wait-DaytonaSnapshot -Verbose -Debug | Enable-DaytonaSnapshot -Verbose -Debug; " +
            $"New-DaytonaSnapshot {prefix}-b registry.example/fail-image:1.0 -Verbose -Debug | Wait-DaytonaSnapshot -Verbose -Debug; " +
            $"Get-DaytonaSnapshot -Name {prefix}-missing -Verbose -Debug; Get-DaytonaSnapshot -Verbose -Debug | Disable-DaytonaSnapshot -WhatIf -Verbose -Debug",
            _emulator.ApiUrl.ToString(), _emulator.SecureKey);
        _emulator.SetFaults(new System.Text.Json.Nodes.JsonObject());
        Assert.NotEmpty(run.Debug);
        Assert.Contains(run.Debug, d => d.Message.Contains("GET snapshots"));
        Assert.NotEmpty(run.Errors);
        Assert.DoesNotContain(_emulator.ApiKey, run.AllText());
        Assert.DoesNotContain(_emulator.ApiKey, string.Join("\n", run.Errors.Select(e => e.Exception.ToString())));
    }
}
