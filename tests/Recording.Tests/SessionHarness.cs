using Daytona.Api;
using Daytona.Emulator;
using Daytona.Recording;

namespace Recording.Tests;

/// <summary>
/// An in-process emulator, a real <see cref="DaytonaClient"/> on it, and a recording that units of work attach to the
/// way the cmdlets attach theirs (a unit per command, with the command's name and targets).
/// </summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    private SessionHarness(EmulatorServer emulator, string folder)
    {
        Emulator = emulator;
        Folder = folder;
        Client = new DaytonaClient(new DaytonaConnection(emulator.ApiUrl, emulator.ApiKey, null, "test"));
    }

    public EmulatorServer Emulator { get; }

    public DaytonaClient Client { get; }

    public string Folder { get; }

    public RecordingSession? Recording { get; private set; }

    public static async Task<SessionHarness> StartAsync(double timeScale = 0.02)
    {
        var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = timeScale });
        var folder = Path.Combine(Path.GetTempPath(), "recording-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return new SessionHarness(emulator, folder);
    }

    public RecordingSession Start(string file = "session.arazzo.yaml", string workflowId = "recorded-session") =>
        Recording = new RecordingSession(Path.Combine(Folder, file), workflowId);

    /// <summary>Runs one unit of a command's work with the recording attached, as the cmdlets do.</summary>
    public async Task<T> As<T>(string command, Func<DaytonaClient, Task<T>> work, params string[] targets)
    {
        using var unit = Recording!.BeginCommand(command, targets);
        using var observe = DaytonaClient.Observe(unit);
        return await work(Client);
    }

    public async Task As(string command, Func<DaytonaClient, Task> work, params string[] targets) =>
        await As<bool>(command, async c => { await work(c); return true; }, targets);

    /// <summary>A wait as Wait-DaytonaSnapshot runs it: one unit for all targets, polling fast.</summary>
    public Task<List<SnapshotWaitResult>> Wait(params string[] targets) =>
        As("Wait-DaytonaSnapshot", async client =>
        {
            var results = new List<SnapshotWaitResult>();
            var options = new SnapshotWaitOptions { PollInterval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(30) };
            await foreach (var result in new SnapshotWaiter(client).WaitAsync(targets, options, CancellationToken.None))
            {
                results.Add(result);
            }

            return results;
        }, targets);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
