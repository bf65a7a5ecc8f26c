using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace Checkpoints.Server.Tests;

/// <summary>The server as a whole: its key, a path base, many servers on one repository, new checkpoints, crawlers.</summary>
public sealed class CheckpointServerTests : IAsyncLifetime
{
    private readonly ServedRepository _repository = new();
    private string _app = string.Empty;
    private string _first = string.Empty;

    public async Task InitializeAsync()
    {
        _app = _repository.Folder("app");
        ServedRepository.Write(_app, "readme.md", "# app\n");
        ServedRepository.Write(_app, "src/main.c", "int main(void) { return 0; }\n");
        ServedRepository.Write(_app, "src/lib/util.h", "#pragma once\n");
        ServedRepository.Write(_app, "bin/tool", Enumerable.Range(0, 700_000).Select(i => (byte)(i * 31 % 251)).ToArray());
        ServedRepository.Write(_app, "docs/with space & more.txt", "spaces\n");
        Directory.CreateDirectory(Path.Combine(_app, "empty", "deeper"));
        _first = _repository.CaptureAt(_app, 1).Id;
        await Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _repository.DisposeAsync();

    [Fact]
    public async Task WithAKeyEveryRequestButHealthNeedsItAsBearerOrBasicPassword()
    {
        var server = await _repository.StartServerAsync(o => o.ApiKey = "s3cret-key");
        using var http = ServedRepository.Client(server);
        using var anonymous = await http.GetAsync("app/");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");

        var wrong = new HttpRequestMessage(HttpMethod.Get, "app/");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-kez");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);

        var bearer = new HttpRequestMessage(HttpMethod.Get, "app/");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-key");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(bearer)).StatusCode);

        var basic = new HttpRequestMessage(HttpMethod.Get, $"app/{_first}/readme.md");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("apt:s3cret-key")));
        using var file = await http.SendAsync(basic);
        Assert.Equal("# app\n", await file.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/_health")).StatusCode);
    }

    [Fact]
    public async Task UnderAPathBaseRedirectsAndPagesKeepThePrefix()
    {
        var server = await _repository.StartServerAsync(o => o.PathBase = "/pulp/content/checkpoints");
        Assert.EndsWith("/pulp/content/checkpoints/", server.Url.ToString());
        using var http = ServedRepository.Client(server);
        using var redirect = await http.GetAsync($"app/{ServedRepository.Id(_repository.Start.AddSeconds(2))}/readme.md");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal($"/pulp/content/checkpoints/app/{_first}/readme.md", redirect.Headers.Location!.OriginalString);
        Assert.Contains($"<h1>Index of /pulp/content/checkpoints/app/{_first}/</h1>", await http.GetStringAsync($"app/{_first}/"));
        using var outside = await http.GetAsync("/app/");
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
    }

    [Fact]
    public async Task TwoServersOnOneRepositoryServeACheckpointWrittenAfterThemWithinSeconds()
    {
        var one = await _repository.StartServerAsync(o => o.RefreshInterval = TimeSpan.FromMilliseconds(500));
        var two = await _repository.StartServerAsync(o => o.RefreshInterval = TimeSpan.FromMilliseconds(500));
        using var http1 = ServedRepository.Client(one);
        using var http2 = ServedRepository.Client(two);
        Assert.Equal(HttpStatusCode.OK, (await http1.GetAsync("app/")).StatusCode);

        ServedRepository.Write(_app, "readme.md", "# app, second\n");
        var second = _repository.CaptureNow(_app).Id;

        // Its exact URL works at once on both (read from the repository when the view does not have it yet).
        Assert.Equal("# app, second\n", await http1.GetStringAsync($"app/{second}/readme.md"));
        Assert.Equal("# app, second\n", await http2.GetStringAsync($"app/{second}/readme.md"));

        // Listings and redirects show it once the view is listed again (a request finding it stale starts that).
        foreach (var http in new[] { http1, http2 })
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var page = await http.GetStringAsync("app/");
                if (page.Contains(second, StringComparison.Ordinal))
                {
                    break;
                }

                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the new checkpoint did not show in the listing");
                await Task.Delay(100);
            }

            // "Now" resolves to it (or is it, when still in the second it was written).
            var nowStamp = ServedRepository.Id(DateTime.UtcNow);
            using var now = await http.GetAsync($"app/{nowStamp}/");
            if (nowStamp == second)
            {
                Assert.Equal(HttpStatusCode.OK, now.StatusCode);
            }
            else
            {
                Assert.Equal($"/app/{second}/", now.Headers.Location?.OriginalString);
            }
        }
    }

    [Fact]
    public async Task SeveralRepositoriesShareOneRootAndAClashGetsAStableSuffix()
    {
        await using var other = new ServedRepository();
        var sameName = other.Folder("app");
        ServedRepository.Write(sameName, "other.txt", "from the other repository");
        other.CaptureAt(sameName, 10);

        var server = await _repository.StartServerAsync(o => o.Repositories.Add(other.RepositoryPath));
        using var http = ServedRepository.Client(server);
        var root = await http.GetStringAsync("/");
        var names = Regex.Matches(root, "<a href=\"([^\"]+)/\">").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, names.Count);
        Assert.Contains("app", names);
        var suffixed = Assert.Single(names, n => n != "app");
        Assert.Matches("^app-[0-9a-f]{8}$", suffixed);
        // The older source keeps the plain name.
        Assert.Equal("# app\n", await http.GetStringAsync($"app/{_first}/readme.md"));
    }

    [Fact]
    public async Task ALabelGivenAtCaptureIsTheBasePathAndKeepsItsStreamWhenTheFolderMoves()
    {
        var web = _repository.Folder("web build");
        ServedRepository.Write(web, "index.html", "<p>v1</p>");
        var v1 = _repository.CaptureAt(web, 2, label: "Web Release").Id;
        var moved = _repository.Folder("web build moved");
        ServedRepository.Write(moved, "index.html", "<p>v2</p>");
        var v2 = _repository.CaptureAt(moved, 4, label: "Web Release").Id;

        var server = await _repository.StartServerAsync();
        using var http = ServedRepository.Client(server);
        var listing = await http.GetStringAsync("Web-Release/");
        Assert.Contains(v1, listing);
        Assert.Contains(v2, listing);
        Assert.Equal("<p>v1</p>", await http.GetStringAsync($"Web-Release/{v1}/"));
        Assert.Equal("<p>v2</p>", await http.GetStringAsync($"Web-Release/{v2}/"));
        // The unlabelled source keeps its folder's name.
        Assert.Contains("<a href=\"app/\">app/</a>", await http.GetStringAsync("/"));
    }

    [Fact]
    public async Task WgetMirrorOfACheckpointReproducesTheCapturedFolderByteForByte()
    {
        var wget = FindOnPath("wget");
        if (wget == null)
        {
            Console.WriteLine("SKIPPED: wget is not installed (.ci/run installs it): the crawler test did not run.");
            return;
        }

        var server = await _repository.StartServerAsync();
        var target = Path.Combine(_repository.Root, "mirror");
        Directory.CreateDirectory(target);
        var start = new ProcessStartInfo(wget) { WorkingDirectory = target, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--mirror", "--no-parent", "--no-host-directories", "--cut-dirs=2", "--content-disposition", "--reject", ".checkpoint-index.html*", "--quiet", new Uri(server.Url, $"app/{_first}/").ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        using (var process = Process.Start(start)!)
        {
            var errors = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(120_000), "wget did not finish");
            Assert.True(process.ExitCode == 0, "wget failed: " + await errors);
        }

        // --cut-dirs=2 drops the source and the stamp, so the files land at the top of the mirror. (A mirror starts at the
        // checkpoint's own URL: with --no-parent, wget would not leave the folder of an instant that redirects.)
        AssertSameTree(_app, target);
    }

    private static void AssertSameTree(string expected, string actual)
    {
        static List<string> Entries(string root) => Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/') + (Directory.Exists(p) ? "/" : string.Empty))
            .OrderBy(p => p, StringComparer.Ordinal).ToList();
        Assert.Equal(Entries(expected), Entries(actual));
        foreach (var file in Directory.EnumerateFiles(expected, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(expected, file);
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, relative))), relative + " differs");
        }
    }

    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
