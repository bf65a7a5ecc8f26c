using System.Net;
using System.Text.RegularExpressions;
using Daytona.Checkpoints.Server;

namespace Checkpoints.Server.Tests.Http;

/// <summary>
/// The repository of Pulp's own checkpoint tests (pulpcore tests/functional/api/using_plugin/test_checkpoint.py):
/// instants 0 to 4 seconds apart, checkpoints of "app" at 1 and 3 only (0, 2 and 4 are Pulp's non-checkpoint
/// publications: instants with no checkpoint), and another source at 2 whose checkpoint must not show under "app".
/// </summary>
public sealed class PulpRepository : IAsyncLifetime
{
    public ServedRepository Repository { get; } = new();

    public CheckpointServer Server { get; private set; } = null!;

    public string First { get; private set; } = string.Empty;

    public string Second { get; private set; } = string.Empty;

    public string Instant(int seconds) => ServedRepository.Id(Repository.Start.AddSeconds(seconds));

    public async Task InitializeAsync()
    {
        var app = Repository.Folder("app");
        ServedRepository.Write(app, "0", "zero");
        ServedRepository.Write(app, "PULP_MANIFEST", "0,hash0,4\n");
        First = Repository.CaptureAt(app, 1).Id;

        var other = Repository.Folder("other");
        ServedRepository.Write(other, "note.txt", "another source");
        Repository.CaptureAt(other, 2);

        ServedRepository.Write(app, "1", "one");
        ServedRepository.Write(app, "PULP_MANIFEST", "0,hash0,4\n1,hash1,3\n");
        Second = Repository.CaptureAt(app, 3).Id;
        Server = await Repository.StartServerAsync();
    }

    public async Task DisposeAsync() => await Repository.DisposeAsync();
}

/// <summary>Pulp's checkpoint test table, case by case, against the running server with a real HTTP client.</summary>
public sealed class CheckpointRequestHandlerTests : IClassFixture<PulpRepository>
{
    private readonly PulpRepository _pulp;

    public CheckpointRequestHandlerTests(PulpRepository pulp)
    {
        _pulp = pulp;
    }

    private HttpClient Follow => ServedRepository.Client(_pulp.Server, followRedirects: true);

    private HttpClient Plain => ServedRepository.Client(_pulp.Server);

    private static HashSet<string> Stamps(string page) => Regex.Matches(page, @"\d{8}T\d{6}Z").Select(m => m.Value).ToHashSet();

    [Fact]
    public async Task BasePathListsOnlyTheSourcesCheckpoints()
    {
        var page = await Follow.GetStringAsync("app/");
        Assert.Equal(new HashSet<string> { _pulp.First, _pulp.Second }, Stamps(page));
        Assert.Contains("<title>Index of /app/</title>", page);
        Assert.Contains($"<a href=\"{_pulp.First}/\">{_pulp.First}/</a>", page);
        Assert.True(page.IndexOf(_pulp.First, StringComparison.Ordinal) < page.IndexOf(_pulp.Second, StringComparison.Ordinal), "oldest first");
        Assert.Contains("<a href=\"../\">../</a>", page);
    }

    [Fact]
    public async Task DistroRootWithoutTrailingSlashIsRedirected()
    {
        using var response = await Plain.GetAsync("app");
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("/app/", response.Headers.Location!.OriginalString);
        Assert.Equal(new HashSet<string> { _pulp.First, _pulp.Second }, Stamps(await Follow.GetStringAsync("app")));
    }

    [Fact]
    public async Task TimestampedCheckpointWithoutTrailingSlashIsRedirected()
    {
        using var response = await Plain.GetAsync($"app/{_pulp.First}");
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"/app/{_pulp.First}/", response.Headers.Location!.OriginalString);
        Assert.Contains($"<h1>Index of /app/{_pulp.First}/</h1>", await Follow.GetStringAsync($"app/{_pulp.First}"));
    }

    [Fact]
    public async Task ExactTimestampIsServed()
    {
        using var response = await Plain.GetAsync($"app/{_pulp.First}/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"<h1>Index of /app/{_pulp.First}/</h1>", await response.Content.ReadAsStringAsync());
        Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl!.ToString());
    }

    [Theory]
    [InlineData("invalid_ts/")]
    [InlineData("20259928T092752Z/")]
    [InlineData("99990115T181699Z/")]
    [InlineData("20250318t140338z/")]
    [InlineData("2025-03-18T14:03:38Z/")]
    [InlineData("20250318T140338/")]
    public async Task InvalidAndImpossibleTimestampsAre404(string stamp)
    {
        using var response = await Plain.GetAsync("app/" + stamp);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ALowerCaseStampOfARealCheckpointIs404()
    {
        using var response = await Plain.GetAsync($"app/{_pulp.First.ToLowerInvariant()}/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task CheckpointArtifactIsServed()
    {
        // Pulp: the file at a non-checkpoint instant (2) is the file of the checkpoint before it (1).
        var atTwo = await Follow.GetStringAsync($"app/{_pulp.Instant(2)}/PULP_MANIFEST");
        var atOne = await Follow.GetStringAsync($"app/{_pulp.First}/PULP_MANIFEST");
        Assert.Equal(atOne, atTwo);
        Assert.Equal(new HashSet<string> { "0" }, atOne.Trim().Split('\n').Select(l => l.Split(',')[0]).ToHashSet());
        var atThree = await Follow.GetStringAsync($"app/{_pulp.Second}/PULP_MANIFEST");
        Assert.Equal(new HashSet<string> { "0", "1" }, atThree.Trim().Split('\n').Select(l => l.Split(',')[0]).ToHashSet());
    }

    [Fact]
    public async Task NonCheckpointTimestampIsRedirectedWithAndWithoutTrailingSlash()
    {
        var four = _pulp.Instant(4);
        Assert.Contains($"<h1>Index of /app/{_pulp.Second}/</h1>", await Follow.GetStringAsync($"app/{four}/"));
        Assert.Contains($"<h1>Index of /app/{_pulp.Second}/</h1>", await Follow.GetStringAsync($"app/{four}"));

        using var response = await Plain.GetAsync($"app/{four}/");
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"/app/{_pulp.Second}/", response.Headers.Location!.OriginalString);
        Assert.Equal("public, max-age=60", response.Headers.CacheControl!.ToString());
        Assert.Equal("301: Moved Permanently", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ArbitraryTimestampIsRedirectedToTheEarlierCheckpoint()
    {
        var two = _pulp.Instant(2);
        Assert.Contains($"<h1>Index of /app/{_pulp.First}/</h1>", await Follow.GetStringAsync($"app/{two}/"));
        Assert.Contains($"<h1>Index of /app/{_pulp.First}/</h1>", await Follow.GetStringAsync($"app/{two}"));
    }

    [Fact]
    public async Task ARedirectKeepsTheSubPathAndDropsTheQuery()
    {
        using var response = await Plain.GetAsync($"app/{_pulp.Instant(2)}/PULP_MANIFEST?x=1&y=2");
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"/app/{_pulp.First}/PULP_MANIFEST", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task CurrentTimestampServesTheLatestCheckpoint()
    {
        var now = ServedRepository.Id(DateTime.UtcNow);
        Assert.Contains($"<h1>Index of /app/{_pulp.Second}/</h1>", await Follow.GetStringAsync($"app/{now}/"));
    }

    [Fact]
    public async Task BeforeTheFirstTimestampIs404()
    {
        using var response = await Plain.GetAsync($"app/{_pulp.Instant(0)}/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task FutureTimestampIs404()
    {
        using var response = await Plain.GetAsync($"app/{ServedRepository.Id(DateTime.UtcNow.AddDays(1))}/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AnUnknownSourceIs404AndTheRootListsTheSources()
    {
        using var response = await Plain.GetAsync($"nope/{_pulp.First}/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        var root = await Plain.GetStringAsync("/");
        Assert.Contains("<a href=\"app/\">app/</a>", root);
        Assert.Contains("<a href=\"other/\">other/</a>", root);
        Assert.DoesNotContain("<a href=\"../\">", root);
    }
}
