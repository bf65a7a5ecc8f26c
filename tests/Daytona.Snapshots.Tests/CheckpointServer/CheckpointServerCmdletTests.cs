using System.Net;
using Daytona.Snapshots.Tests.Harness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Daytona.Snapshots.Tests.CheckpointServer;

/// <summary>Start-/Stop-CheckpointServer, Get-Checkpoint -Uri and Restore-Checkpoint -Uri in the real engine.</summary>
public sealed class CheckpointServerCmdletTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ckpt-server-hosted-" + Guid.NewGuid().ToString("N")[..10]);

    public CheckpointServerCmdletTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "app", "src"));
        File.WriteAllText(Path.Combine(_root, "app", "readme.md"), "# app\n");
        var data = new byte[700_000];
        new Random(3).NextBytes(data);
        File.WriteAllBytes(Path.Combine(_root, "app", "src", "data.bin"), data);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string P(string name) => Path.Combine(_root, name);

    [Fact]
    public void AServerListsResolvesAndRestoresWhatARepositoryHolds()
    {
        using var s = ModuleSession.Create();
        var run = s.Run(@"
            $c = New-Checkpoint -Path $args[0] -Repository $args[1]
            $server = Start-CheckpointServer -Repository $args[1] -Verbose
            $listed = @($server | Get-Checkpoint)
            while ([datetime]::UtcNow -lt $c.Time.ToUniversalTime().AddSeconds(1)) { [System.Threading.Thread]::Sleep(50) } # a later second redirects
            $resolved = Get-Checkpoint -Uri ""$($server.Url)app/"" -At ([datetime]::UtcNow)
            $restored = $listed[0] | Restore-Checkpoint -Destination $args[2]
            $stopped = $server | Stop-CheckpointServer -PassThru -Verbose
            $c.Id; $listed.Count; $listed[0].Url.ToString(); $resolved.Id; $restored.FullName; $stopped.State; $server.Url.ToString()",
            P("app"), P("repo"), P("restored")).ShouldSucceed();

        var id = run.Output[0].ToString();
        Assert.Equal("1", run.Output[1].ToString());
        var url = run.Output[6].ToString();
        Assert.Equal($"{url}app/{id}/", run.Output[2].ToString());
        Assert.Equal(id, run.Output[3].ToString());
        Assert.Equal(P("restored"), run.Output[4].ToString());
        Assert.Equal("Exited", run.Output[5].ToString());
        Assert.Equal(File.ReadAllBytes(P("app/src/data.bin")), File.ReadAllBytes(P("restored/src/data.bin")));
        Assert.Contains(run.Verbose, v => v.Message.Contains($"GET /app/{id}/src/data.bin 200 700000 B", StringComparison.Ordinal));
        Assert.Contains(run.Verbose, v => v.Message.Contains("301 -> /app/" + id + "/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARestoreThroughATamperingProxyIsRefusedWithNothingWritten()
    {
        using var s = ModuleSession.Create();
        var start = s.Run(@"
            $c = New-Checkpoint -Path $args[0] -Repository $args[1]
            $server = Start-CheckpointServer -Repository $args[1]
            $server.Url.ToString(); $c.Id", P("app"), P("repo")).ShouldSucceed();
        var server = new Uri(start.Output[0].ToString());
        var id = start.Output[1].ToString();
        await using var proxy = await TamperingProxy.StartAsync(server, path => path.EndsWith("/data.bin", StringComparison.Ordinal));
        try
        {
            var run = s.Run("Restore-Checkpoint -Uri $args[0] -Destination $args[1]", new Uri(proxy.Url, $"app/{id}/").ToString(), P("tampered"));
            // A failure about this checkpoint: reported for it (the pipeline would go on with the next one).
            var error = run.Terminating?.ErrorRecord ?? Assert.Single(run.Errors);
            Assert.StartsWith("CheckpointCorrupt", error.FullyQualifiedErrorId);
            Assert.Equal(System.Management.Automation.ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Contains("'src/data.bin' does not match the checkpoint", error.Exception.Message);
            Assert.False(Directory.Exists(P("tampered")));
            Assert.Empty(Directory.EnumerateDirectories(_root, ".tampered*"));

            // The same restore straight from the server succeeds.
            s.Run("Restore-Checkpoint -Uri $args[0] -Destination $args[1]", new Uri(server, $"app/{id}/").ToString(), P("straight")).ShouldSucceed();
            Assert.Equal(File.ReadAllBytes(P("app/src/data.bin")), File.ReadAllBytes(P("straight/src/data.bin")));
        }
        finally
        {
            s.Run("Stop-CheckpointServer");
        }
    }

    /// <summary>Forwards GETs to the checkpoint server and flips one byte of the bodies of the paths it is told to.</summary>
    private sealed class TamperingProxy : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private TamperingProxy(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<TamperingProxy> StartAsync(Uri target, Func<string, bool> tamper)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            app.Run(async context =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target, context.Request.Path + context.Request.QueryString));
                foreach (var accept in context.Request.Headers.Accept)
                {
                    request.Headers.TryAddWithoutValidation("Accept", accept);
                }

                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode == HttpStatusCode.OK && tamper(context.Request.Path.Value ?? string.Empty) && body.Length > 0)
                {
                    body[body.Length / 3] ^= 0x20;
                }

                context.Response.StatusCode = (int)response.StatusCode;
                if (response.Headers.Location != null)
                {
                    context.Response.Headers.Location = response.Headers.Location.OriginalString;
                }

                if (response.Content.Headers.ContentType != null)
                {
                    context.Response.ContentType = response.Content.Headers.ContentType.ToString();
                }

                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new TamperingProxy(app, new Uri(address.TrimEnd('/') + "/"));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
