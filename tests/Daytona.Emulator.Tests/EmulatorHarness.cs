using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Daytona.Emulator;

namespace Daytona.Emulator.Tests;

/// <summary>An in-process emulator with a fast clock and an authenticated HttpClient for one test.</summary>
public sealed class EmulatorHarness : IAsyncDisposable
{
    private EmulatorHarness(EmulatorServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = new Uri(server.ApiUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.ApiKey);
    }

    public EmulatorServer Server { get; }

    /// <summary>Base address <c>http://127.0.0.1:N/api/</c>: use relative paths such as <c>snapshots</c>.</summary>
    public HttpClient Http { get; }

    public static async Task<EmulatorHarness> StartAsync(double timeScale = 0.05, TimeSpan? buildDuration = null, string? apiKey = null, string? responseLog = null)
    {
        var server = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            TimeScale = timeScale,
            BuildDuration = buildDuration ?? TimeSpan.FromSeconds(3),
            ApiKey = apiKey,
            ResponseLog = responseLog,
        });
        return new EmulatorHarness(server);
    }

    public Uri Root => new(Server.ApiUrl.GetLeftPart(UriPartial.Authority) + "/");

    public async Task<JsonObject> CreateAsync(object body)
    {
        using var response = await Http.PostAsJsonAsync("snapshots", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"create: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task<JsonObject> GetAsync(string idOrName)
    {
        using var response = await Http.GetAsync("snapshots/" + Uri.EscapeDataString(idOrName));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"get {idOrName}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Polls until the snapshot is in one of <paramref name="states"/>; returns every state seen on the way.</summary>
    public async Task<(JsonObject Snapshot, List<string> Seen)> WaitForAsync(string idOrName, params string[] states)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var snapshot = await GetAsync(idOrName);
            var state = (string)snapshot["state"]!;
            if (seen.Count == 0 || seen[^1] != state)
            {
                seen.Add(state);
            }

            if (states.Contains(state))
            {
                return (snapshot, seen);
            }

            Assert.True(DateTime.UtcNow < deadline, $"{idOrName} stayed {state}; seen {string.Join(" → ", seen)}");
            await Task.Delay(10);
        }
    }

    /// <summary>Sends a request and returns the status and the parsed error or body JSON.</summary>
    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, object? body = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body != null)
        {
            request.Content = JsonContent.Create(body);
        }

        var response = await (client ?? Http).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        if (text.Length > 0)
        {
            try
            {
                json = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                json = JsonValue.Create(text);
            }
        }

        return ((int)response.StatusCode, json, response);
    }

    /// <summary>An HttpClient on the emulator's root (control API, proxy, object storage) with the bearer key.</summary>
    public HttpClient RootClient(bool authenticated = true)
    {
        var client = new HttpClient { BaseAddress = Root, Timeout = TimeSpan.FromSeconds(30) };
        if (authenticated)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Server.ApiKey);
        }

        return client;
    }

    public static void AssertError(JsonNode? body, int status, string messageContains, string path)
    {
        Assert.NotNull(body);
        var error = body!.AsObject();
        Assert.Equal(new[] { "path", "timestamp", "statusCode", "error", "message" }, error.Select(p => p.Key));
        Assert.Equal(status, (int)error["statusCode"]!);
        Assert.Equal(path, (string)error["path"]!);
        Assert.Contains(messageContains, (string)error["message"]!);
        Assert.True(DateTime.TryParse((string)error["timestamp"]!, out _));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
