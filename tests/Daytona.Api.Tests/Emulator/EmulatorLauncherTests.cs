using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using Daytona.Api.Emulator;
using Daytona.Common;

namespace Daytona.Api.Tests.Emulator;

/// <summary>The engine side of Start-DaytonaEmulator: finding dotnet, starting, tracking and stopping the child process.</summary>
public sealed class EmulatorLauncherTests
{
    private static EmulatorStartOptions Options(string? apiKey = null) => new()
    {
        EmulatorPath = TestPaths.EmulatorDll,
        TimeScale = 0.05,
        ApiKey = apiKey,
    };

    [Fact]
    public async Task StartsWithTheKeyGivenThroughTheEnvironmentAndStopsByOwner()
    {
        var owner = new object();
        using var instance = await EmulatorLauncher.StartAsync(Options("launcher-key"), owner, CancellationToken.None);
        Assert.Equal("launcher-key", new System.Net.NetworkCredential(string.Empty, instance.ApiKey).Password);
        Assert.Equal(instance.ApiUrl, instance.Connection.ApiUrl);
        Assert.Equal("Start-DaytonaEmulator", instance.Connection.ApiKeySource);
        Assert.Contains(instance, EmulatorLauncher.Started(owner));
        Assert.DoesNotContain("launcher-key", instance.ToString());

        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            var commandLine = File.ReadAllText($"/proc/{instance.ProcessId}/cmdline");
            Assert.DoesNotContain("launcher-key", commandLine);
            Assert.Contains("--ready-json", commandLine);
        }

        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "launcher-key");
        Assert.Contains("\"total\":0", await http.GetStringAsync(instance.ApiUrl + "/snapshots"));

        Assert.Equal(0, EmulatorLauncher.StopAll(new object()));
        Assert.False(instance.HasExited);
        Assert.Equal(1, EmulatorLauncher.StopAll(owner));
        Assert.True(instance.HasExited);
        Assert.Equal("Exited", instance.State);
        Assert.Empty(EmulatorLauncher.Started(owner));
    }

    [Fact]
    public async Task AMissingEmulatorAssemblyIsEmulatorNotFound()
    {
        var options = Options();
        options.EmulatorPath = Path.Combine(Path.GetTempPath(), "no-such-folder", "Daytona.Emulator.dll");
        var error = await Assert.ThrowsAsync<DaytonaException>(() => EmulatorLauncher.StartAsync(options, null, CancellationToken.None));
        Assert.Equal("EmulatorNotFound", error.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
    }

    [Fact]
    public async Task AnEmulatorThatCannotStartSaysWhatItWrote()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var options = Options();
        options.Port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var error = await Assert.ThrowsAsync<DaytonaException>(() => EmulatorLauncher.StartAsync(options, null, CancellationToken.None));
        Assert.Equal("EmulatorStartFailed", error.ErrorId);
        Assert.Contains("exited before it listened (exit code 4)", error.Message);
        Assert.Contains("address already in use", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}

[CollectionDefinition(nameof(EnvironmentChangingCollection), DisableParallelization = true)]
public sealed class EnvironmentChangingCollection
{
}

/// <summary>Tests that change PATH and DOTNET_* for the whole process: they run alone, after the parallel ones.</summary>
[Collection(nameof(EnvironmentChangingCollection))]
public sealed class DotnetDiscoveryTests
{
    private static readonly string[] s_variables = { "PATH", "DOTNET_HOST_PATH", "DOTNET_ROOT" };

    private static async Task WithEnvironmentAsync(IDictionary<string, string?> values, Func<Task> body)
    {
        var saved = s_variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var name in s_variables)
            {
                Environment.SetEnvironmentVariable(name, values.TryGetValue(name, out var value) ? value : null);
            }

            await body();
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    private static string DotnetFolder()
    {
        var found = EmulatorLauncher.FindDotnet(out _) ?? throw new InvalidOperationException("dotnet is not on PATH");
        return Path.GetDirectoryName(Path.GetFullPath(found))!;
    }

    [Fact]
    public async Task WithoutDotnetAnywhereTheErrorNamesWhereItLookedAndWhatToInstall()
    {
        await WithEnvironmentAsync(new Dictionary<string, string?> { ["PATH"] = string.Empty }, async () =>
        {
            Assert.Null(EmulatorLauncher.FindDotnet(out var searched));
            Assert.Contains("PATH", searched);
            var error = await Assert.ThrowsAsync<DaytonaException>(() =>
                EmulatorLauncher.StartAsync(new EmulatorStartOptions { EmulatorPath = TestPaths.EmulatorDll }, null, CancellationToken.None));
            Assert.Equal("DotnetNotFound", error.ErrorId);
            Assert.Contains("DOTNET_HOST_PATH", error.Message);
            Assert.Contains("DOTNET_ROOT", error.Message);
            Assert.Contains(".NET 10", error.RecommendedAction);
        });
    }

    [Fact]
    public async Task DotnetRootAndDotnetHostPathAreUsedWhenPathHasNoDotnet()
    {
        var folder = DotnetFolder();
        var exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        await WithEnvironmentAsync(new Dictionary<string, string?> { ["PATH"] = string.Empty, ["DOTNET_ROOT"] = folder }, () =>
        {
            Assert.Equal(Path.Combine(folder, exe), EmulatorLauncher.FindDotnet(out _));
            return Task.CompletedTask;
        });

        await WithEnvironmentAsync(new Dictionary<string, string?> { ["PATH"] = string.Empty, ["DOTNET_HOST_PATH"] = Path.Combine(folder, exe) }, async () =>
        {
            Assert.Equal(Path.Combine(folder, exe), EmulatorLauncher.FindDotnet(out _));
            using var instance = await EmulatorLauncher.StartAsync(new EmulatorStartOptions { EmulatorPath = TestPaths.EmulatorDll }, null, CancellationToken.None);
            Assert.False(instance.HasExited);
        });
    }
}
