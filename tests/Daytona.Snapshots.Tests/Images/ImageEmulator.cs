using System.Diagnostics;
using System.Net.Http.Json;
using System.Security;
using System.Text.Json.Nodes;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Images;

/// <summary>
/// The built emulator (out/Daytona.Snapshots/Emulator) as a child process on a free loopback port, for the image
/// pipeline tests: sessions connected to it, and its request counts from the control API.
/// </summary>
public sealed class ImageEmulator : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _control;

    public ImageEmulator()
    {
        var dll = Path.Combine(RepoPaths.ModuleFolder, "Emulator", "Daytona.Emulator.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the module first.");
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, "--port", "0", "--parent-pid", Environment.ProcessId.ToString(), "--ready-json", "--time-scale", "0.05" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        var read = _process.StandardOutput.ReadLineAsync();
        if (!read.Wait(TimeSpan.FromSeconds(30)) || read.Result == null)
        {
            _process.Kill(true);
            throw new InvalidOperationException("The emulator did not report ready: " + _process.StandardError.ReadToEnd());
        }

        var ready = JsonNode.Parse(read.Result)!;
        ApiUrl = new Uri((string)ready["url"]!);
        ApiKey = (string)ready["apiKey"]!;
        _control = new HttpClient { BaseAddress = new Uri(ApiUrl, "/_emulator/") };
        _control.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiKey);
    }

    public Uri ApiUrl { get; }

    public string ApiKey { get; }

    /// <summary>A module session whose default connection is this emulator.</summary>
    public ModuleSession Session()
    {
        var session = ModuleSession.Create();
        var key = new SecureString();
        foreach (var c in ApiKey)
        {
            key.AppendChar(c);
        }

        session.Run("$null = Connect-Daytona -ApiUrl $args[0] -ApiKey $args[1]", ApiUrl.ToString(), key).ShouldSucceed();
        return session;
    }

    public void ResetRequests() => _control.PostAsync("requests/reset", null).Result.EnsureSuccessStatusCode();

    /// <summary>Requests per route since the last reset, e.g. <c>PUT /s3/{bucket}/{**key}</c>.</summary>
    public Dictionary<string, int> Requests()
    {
        var stats = _control.GetFromJsonAsync<JsonObject>("requests").Result!;
        return stats["byRoute"]!.AsObject().ToDictionary(p => p.Key, p => (int)p.Value!);
    }

    public void Dispose()
    {
        _control.Dispose();
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(3000))
            {
                _process.Kill(true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
