using System.Diagnostics;
using Daytona.Emulator;

namespace Daytona.Emulator.Tests;

/// <summary>
/// A Fact that runs only where node and the installed TypeScript SDK (tests/sdk-compat/node_modules) are present,
/// and is skipped with the reason otherwise (decided at discovery).
/// </summary>
public sealed class NodeSdkFactAttribute : FactAttribute
{
    public NodeSdkFactAttribute()
    {
        Skip = SdkCompat.WhyNot();
    }
}

internal static class SdkCompat
{
    public static string Folder => Path.Combine(EmulatorProgramTests.RepoRoot, "tests", "sdk-compat");

    public static string? Node()
    {
        var names = OperatingSystem.IsWindows() ? new[] { "node.exe" } : new[] { "node" };
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    public static string? WhyNot()
    {
        if (Node() == null)
        {
            return "node is not on PATH: the official TypeScript SDK cannot run here";
        }

        if (!File.Exists(Path.Combine(Folder, "node_modules", "@daytonaio", "sdk", "package.json")))
        {
            return "@daytonaio/sdk is not installed: run 'npm ci --prefix tests/sdk-compat'";
        }

        return null;
    }
}

/// <summary>Issue 4 item 5: Daytona's own TypeScript SDK, unchanged, against the emulator.</summary>
public sealed class SdkCompatTests
{
    [NodeSdkFact]
    public async Task TheOfficialTypeScriptSdkListsCreatesWaitsActivatesDeletesAndBuildsAgainstTheEmulator()
    {
        const double timeScale = 0.2;
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = timeScale });
        var start = new ProcessStartInfo(SdkCompat.Node()!)
        {
            WorkingDirectory = SdkCompat.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("sdk-compat.js");
        start.Environment["DAYTONA_API_URL"] = emulator.ApiUrl.ToString();
        start.Environment["DAYTONA_API_KEY"] = emulator.ApiKey;
        start.Environment["EMULATOR_TIME_SCALE"] = timeScale.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment.Remove("DAYTONA_ORGANIZATION_ID");
        start.Environment.Remove("DAYTONA_JWT_TOKEN");
        start.Environment.Remove("DAYTONA_TARGET");

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the SDK script did not finish in 3 minutes:\n" + await output);
        }

        var text = await output;
        Assert.True(process.ExitCode == 0, $"the SDK script failed ({process.ExitCode}):\n{text}\n{await errors}");
        Assert.Contains("{\"summary\":\"passed\",\"steps\":11}", text);

        // The SDK really went through the emulator's API and its object storage.
        var requests = emulator.Control.GetRequests();
        Assert.True(requests.For("GET /api/snapshots/{id}") > 0);
        Assert.True(requests.For("GET /api/snapshots/{id}/build-logs-url") > 0);
    }
}
