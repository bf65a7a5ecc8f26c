using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Checkpoints.Server.Tests;

/// <summary>The server as Start-CheckpointServer runs it: a child process of the module that prints one ready line.</summary>
public sealed class ServerProgramTests : IAsyncLifetime
{
    private readonly ServedRepository _repository = new();

    public Task InitializeAsync()
    {
        var app = _repository.Folder("app");
        ServedRepository.Write(app, "hello.txt", "hello\n");
        _repository.CaptureAt(app, 1);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _repository.DisposeAsync();

    internal static string ServerDll
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Module.sln")))
            {
                directory = directory.Parent;
            }

            return Path.Combine(directory!.FullName, "out", "Daytona.Snapshots", "CheckpointServer", "Daytona.Checkpoints.Server.dll");
        }
    }

    private static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ServerDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    [Fact]
    public async Task ReadyJsonIsOneLineTheLogFollowsAndClosingStdinStopsIt()
    {
        using var process = Start("--repository", _repository.RepositoryPath, "--port", "0", "--ready-json", "--log", "--parent-pid", Environment.ProcessId.ToString());
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (string.IsNullOrEmpty(line))
            {
                Assert.Fail("no ready line: " + await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            }

            var ready = JsonNode.Parse(line!)!.AsObject();
            var url = (string)ready["url"]!;
            Assert.Matches(@"^http://127\.0\.0\.1:\d+/$", url);

            using var http = new HttpClient();
            Assert.Contains("app/", await http.GetStringAsync(url));
            var logged = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1 GET / 200 \d+ B \d+\.\d ms$", logged);

            process.StandardInput.Close();
            Assert.True(process.WaitForExit(15_000), "the server did not exit when its stdin closed");
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task BadArgumentsExit2AndAMissingRepositoryExit5()
    {
        using var bad = Start("--port", "nope");
        Assert.True(bad.WaitForExit(60_000));
        Assert.Equal(2, bad.ExitCode);

        using var none = Start("--port", "0");
        Assert.True(none.WaitForExit(60_000));
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--repository", await none.StandardError.ReadToEndAsync());

        using var missing = Start("--repository", Path.Combine(_repository.Root, "nowhere"), "--port", "0");
        Assert.True(missing.WaitForExit(60_000));
        Assert.Equal(5, missing.ExitCode);
        Assert.Contains("does not exist", await missing.StandardError.ReadToEndAsync());
    }
}
