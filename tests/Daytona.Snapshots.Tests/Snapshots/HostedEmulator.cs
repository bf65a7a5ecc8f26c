using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Snapshots;

/// <summary>
/// The emulator from the built module (out/Daytona.Snapshots/Emulator) as a child process on a free 127.0.0.1 port,
/// with its control API (/_emulator) for the test, and a module session connected to it.
/// </summary>
public sealed class HostedEmulator : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _control;

    private HostedEmulator(Process process, Uri apiUrl, string apiKey)
    {
        _process = process;
        ApiUrl = apiUrl;
        ApiKey = apiKey;
        _control = new HttpClient { BaseAddress = new Uri(apiUrl.GetLeftPart(UriPartial.Authority) + "/_emulator/"), Timeout = TimeSpan.FromSeconds(30) };
        _control.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public Uri ApiUrl { get; }

    public string ApiKey { get; }

    public SecureString SecureKey => Secure(ApiKey);

    public static HostedEmulator Start(double timeScale = 0.1)
    {
        var dll = Path.Combine(RepoPaths.ModuleFolder, "Emulator", "Daytona.Emulator.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build Module.sln first.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "--port", "0", "--parent-pid", Environment.ProcessId.ToString(), "--ready-json", "--time-scale", timeScale.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var read = process.StandardOutput.ReadLineAsync();
        if (!read.Wait(TimeSpan.FromSeconds(30)) || read.Result == null)
        {
            process.Kill(true);
            throw new InvalidOperationException("The emulator did not report ready: " + process.StandardError.ReadToEnd());
        }

        var ready = JsonNode.Parse(read.Result)!;
        return new HostedEmulator(process, new Uri((string)ready["url"]!), (string)ready["apiKey"]!);
    }

    /// <summary>A module session whose default connection is this emulator.</summary>
    public ModuleSession Session(System.Management.Automation.Host.PSHost? host = null)
    {
        var session = ModuleSession.Create(host: host);
        session.Run("$null = Connect-Daytona -ApiUrl $args[0] -ApiKey $args[1]", ApiUrl.ToString(), SecureKey).ShouldSucceed();
        return session;
    }

    public void SetBuild(string name, int durationMs, string? fail = null) =>
        Put("builds", new JsonObject { ["byName"] = new JsonObject { [name] = new JsonObject { ["durationMs"] = durationMs, ["fail"] = fail } } });

    public void SetBuilds(JsonObject builds) => Put("builds", builds);

    public void SetFaults(JsonObject faults) => Put("faults", faults);

    public void ResetRequests() => Send(HttpMethod.Post, "requests/reset", null);

    /// <summary>Requests answered since the last reset, by "METHOD /route".</summary>
    public (int Total, Dictionary<string, int> ByRoute) Requests()
    {
        var body = JsonNode.Parse(Send(HttpMethod.Get, "requests", null))!;
        var byRoute = body["byRoute"]!.AsObject().ToDictionary(p => p.Key, p => (int)p.Value!);
        return ((int)body["total"]!, byRoute);
    }

    public void DeactivateUnused(string idOrName) => Send(HttpMethod.Post, "snapshots/" + Uri.EscapeDataString(idOrName) + "/deactivate-unused", null);

    /// <summary>Creates a snapshot straight through the API (not through the module).</summary>
    public JsonNode Create(string name, string image = "python:3.12-slim")
    {
        using var api = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        var response = api.PostAsync(new Uri(ApiUrl + "/snapshots"), new StringContent(new JsonObject { ["name"] = name, ["imageName"] = image }.ToJsonString(), Encoding.UTF8, "application/json")).GetAwaiter().GetResult();
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    /// <summary>Creates a snapshot built from a Dockerfile straight through the API.</summary>
    public JsonNode CreateBuild(string name, string dockerfile)
    {
        using var api = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        var body = new JsonObject { ["name"] = name, ["buildInfo"] = new JsonObject { ["dockerfileContent"] = dockerfile, ["contextHashes"] = new JsonArray() } };
        var response = api.PostAsync(new Uri(ApiUrl + "/snapshots"), new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json")).GetAwaiter().GetResult();
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    /// <summary>A snapshot's state as the API reports it, or null when it does not exist.</summary>
    public string? State(string idOrName)
    {
        using var api = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        var response = api.GetAsync(new Uri(ApiUrl + "/snapshots/" + Uri.EscapeDataString(idOrName))).GetAwaiter().GetResult();
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        return (string?)JsonNode.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult())!["state"];
    }

    public void WaitForState(string idOrName, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (State(idOrName) != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{idOrName} never became {state}");
            Thread.Sleep(20);
        }
    }

    public static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    private void Put(string path, JsonNode body) => Send(HttpMethod.Put, path, body);

    private string Send(HttpMethod method, string path, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body != null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        var response = _control.Send(request);
        var text = new StreamReader(response.Content.ReadAsStream()).ReadToEnd();
        Assert.True(response.IsSuccessStatusCode, $"{method} /_emulator/{path}: {(int)response.StatusCode} {text}");
        return text;
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

/// <summary>One emulator child process shared by the tests of a class (they run one after another).</summary>
public sealed class EmulatorFixture : IDisposable
{
    public HostedEmulator Emulator { get; } = HostedEmulator.Start(timeScale: 0.1);

    public void Dispose() => Emulator.Dispose();
}
