using Daytona.Emulator;

namespace Daytona.Api.Tests;

/// <summary>An in-process emulator on a free 127.0.0.1 port and a <see cref="DaytonaClient"/> on it, with quick retries.</summary>
public sealed class ClientFixture : IAsyncDisposable
{
    private ClientFixture(EmulatorServer server, DaytonaClient client)
    {
        Server = server;
        Client = client;
    }

    public EmulatorServer Server { get; }

    public DaytonaClient Client { get; }

    public EmulatorControl Control => Server.Control;

    public DaytonaConnection Connection => Client.Connection;

    public static DaytonaClientOptions QuickRetries() => new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        RequestTimeout = TimeSpan.FromSeconds(20),
    };

    public static async Task<ClientFixture> StartAsync(double timeScale = 0.05, DaytonaClientOptions? options = null, string? organizationId = null)
    {
        var server = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = timeScale });
        var connection = new DaytonaConnection(server.ApiUrl, server.ApiKey, organizationId, "the test's emulator key");
        return new ClientFixture(server, new DaytonaClient(connection, options ?? QuickRetries()));
    }

    /// <summary>Another client on the same server with different credentials.</summary>
    public DaytonaClient ClientWith(string apiKey, string? organizationId = null, string source = "the environment variable DAYTONA_API_KEY") =>
        new(new DaytonaConnection(Server.ApiUrl, apiKey, organizationId, source), QuickRetries());

    public Task<Snapshot> CreateAsync(string name, string image = "python:3.12-slim", CancellationToken token = default) =>
        Client.CreateSnapshotAsync(new CreateSnapshotRequest(name) { ImageName = image }, token);

    public int Count(string route) => Control.GetRequests().For(route);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
