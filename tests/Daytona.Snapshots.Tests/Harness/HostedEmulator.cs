using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Daytona.Snapshots.Tests.Harness;

/// <summary>
/// The bundled emulator started the way a user starts it, with <c>Start-DaytonaEmulator</c> (a child process on a
/// free 127.0.0.1 port), held by its own module session for the life of a test class; its control API
/// (/_emulator) is driven over HTTP by the test, and <see cref="Session"/> opens module sessions connected to it.
/// </summary>
public sealed class HostedEmulator : IDisposable
{
    private readonly ModuleSession _owner;
    private readonly HttpClient _control;

    private HostedEmulator(ModuleSession owner, Uri apiUrl, string apiKey)
    {
        _owner = owner;
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
        var owner = ModuleSession.Create();
        var run = owner.Run(
            "$emulator = Start-DaytonaEmulator -TimeScale $args[0]; $emulator.ApiUrl.ToString(); [System.Net.NetworkCredential]::new('', $emulator.ApiKey).Password",
            timeScale).ShouldSucceed();
        return new HostedEmulator(owner, new Uri((string)run.Output[0].BaseObject), (string)run.Output[1].BaseObject);
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
    public string? State(string idOrName) => (string?)Get(idOrName)?["state"];

    /// <summary>A snapshot as the API reports it (every field), or null when it does not exist.</summary>
    public JsonNode? Get(string idOrName)
    {
        using var api = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        var response = api.GetAsync(new Uri(ApiUrl + "/snapshots/" + Uri.EscapeDataString(idOrName))).GetAwaiter().GetResult();
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        return JsonNode.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
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
        _owner.Run("Stop-DaytonaEmulator -InputObject $emulator -Confirm:$false -ErrorAction SilentlyContinue");
        _owner.Dispose();
    }
}

/// <summary>One emulator child process shared by the tests of a class (they run one after another).</summary>
public sealed class EmulatorFixture : IDisposable
{
    public HostedEmulator Emulator { get; } = HostedEmulator.Start(timeScale: 0.1);

    public void Dispose() => Emulator.Dispose();
}
