using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Daytona.Emulator.Tests.Http;

/// <summary>
/// A Fact that checks the answers the whole test suite got: it runs when DAYTONA_CONTRACT_RESPONSES names the folder
/// the suite's emulators logged into (.ci/run does, after every other test), and is skipped with that reason otherwise.
/// </summary>
public sealed class SuiteResponsesFactAttribute : FactAttribute
{
    public const string Variable = "DAYTONA_CONTRACT_RESPONSES";

    public SuiteResponsesFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set: .ci/run sets it after the suite ran with DAYTONA_EMULATOR_RESPONSE_LOG";
        }
    }
}

/// <summary>
/// The emulator is held to Daytona's published contract: every answer it gives under /api is checked against
/// ../shared/reference/daytona-openapi.yaml (status, content type, body against the response schema: required
/// fields, types, nullability, enum values, formats), and a status the description omits must be on the operation's
/// list of statuses daytona-api.md documents; any other answer fails, and all failures are listed.
/// </summary>
public sealed class ResponseLogContractTests
{
    private readonly ITestOutputHelper _output;

    public ResponseLogContractTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void EachStatusTheDescriptionOmitsIsDocumentedInDaytonaApiMd()
    {
        var facts = File.ReadAllText(DaytonaContract.FactsPath);
        Assert.Contains(DaytonaContract.ErrorBodyCitation, facts, StringComparison.Ordinal);
        foreach (var (operation, statuses) in DaytonaContract.Undocumented)
        {
            foreach (var (status, citation) in statuses)
            {
                Assert.True(facts.Contains(citation, StringComparison.Ordinal), $"{operation} {status}: daytona-api.md does not say \"{citation}\"");
            }
        }
    }

    [Fact]
    public async Task EveryAnswerOfEveryOperationKeepsDaytonasContract()
    {
        var folder = Path.Combine(Path.GetTempPath(), "daytona-contract-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var emulator = await EmulatorHarness.StartAsync(responseLog: folder))
            {
                await RunEveryOperationAsync(emulator);
            }

            var report = DaytonaContract.Load().Check(LoggedResponse.ReadFolder(folder));
            _output.WriteLine(report.Summary());
            Assert.True(report.Mismatches.Count == 0, report.Summary() + "\n" + string.Join("\n", report.Mismatches));
            Assert.Empty(report.OutsideTheDescription);
            Assert.Equal(
                new[] { "HealthController_live", "activateSnapshot", "createSnapshot", "deactivateSnapshot", "getAllSnapshots", "getPushAccess", "getSnapshot", "getSnapshotBuildLogs", "getSnapshotBuildLogsUrl", "removeSnapshot" },
                report.ByOperation.Keys);
            Assert.Equal(1, report.InjectedFaults);
            foreach (var expected in new[] { "createSnapshot 409", "getSnapshot 401", "getSnapshot 403", "getAllSnapshots 429", "removeSnapshot 404", "getSnapshotBuildLogsUrl 404" })
            {
                Assert.Contains(expected, report.Undescribed.Keys);
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public async Task AnAnswerAgainstTheDescriptionIsReportedWithWhatIsWrong()
    {
        var contract = DaytonaContract.Load();
        var valid = "{\"id\":\"6f1c1c5e-2f6b-4f5e-9c1e-0c6b1a2b3c4d\",\"general\":false,\"name\":\"x\",\"state\":\"active\",\"size\":null,\"entrypoint\":null,\"cpu\":1,\"gpu\":0,\"mem\":1,\"disk\":3,\"errorReason\":null,\"createdAt\":\"2025-03-18T14:03:38.000Z\",\"updatedAt\":\"2025-03-18T14:03:38.000Z\",\"lastUsedAt\":null}";
        LoggedResponse Get(int status, string body) => new("GET", "/api/snapshots/x", null, status, "application/json; charset=utf-8", body, body.Length, null, "test");

        Assert.Empty(contract.Check(new[] { Get(200, valid) }).Mismatches);
        var report = contract.Check(new[]
        {
            Get(200, valid.Replace("\"state\":\"active\"", "\"state\":\"ready\"")),
            Get(200, valid.Replace("\"errorReason\":null,", string.Empty)),
            Get(200, valid.Replace("2025-03-18T14:03:38.000Z\",\"updatedAt", "yesterday\",\"updatedAt")),
            Get(200, valid.Replace("\"cpu\":1", "\"cpu\":\"1\"")),
            Get(418, "{}"),
            Get(404, "{\"message\":\"Snapshot x not found\"}"),
        });

        Assert.Equal(6, report.Checked);
        var text = string.Join("\n", report.Mismatches);
        Assert.Contains("body/state: enum:", text, StringComparison.Ordinal);
        Assert.Contains("body: required:", text, StringComparison.Ordinal);
        Assert.Contains("errorReason", text, StringComparison.Ordinal);
        Assert.Contains("body/createdAt: format:", text, StringComparison.Ordinal);
        Assert.Contains("body/cpu: type:", text, StringComparison.Ordinal);
        Assert.Contains("status 418 is neither in the description", text, StringComparison.Ordinal);
        Assert.Contains("error body: required:", text, StringComparison.Ordinal);
        _output.WriteLine(text);
    }

    [SuiteResponsesFact]
    public void EveryAnswerTheTestSuiteGotKeepsDaytonasContract()
    {
        var folder = Environment.GetEnvironmentVariable(SuiteResponsesFactAttribute.Variable)!;
        Assert.True(Directory.Exists(folder), $"{folder} does not exist: did the suite run with DAYTONA_EMULATOR_RESPONSE_LOG={folder}?");
        var report = DaytonaContract.Load().Check(LoggedResponse.ReadFolder(folder));
        var summary = report.Summary();
        _output.WriteLine(summary);
        File.WriteAllText(Path.Combine(folder, "..", "contract-summary.txt"), summary + Environment.NewLine
            + string.Join(Environment.NewLine, report.OutsideTheDescription.GroupBy(r => r.Split(" -> ")[0]).Select(g => $"outside the description: {g.Key} ({g.Count()})")) + Environment.NewLine);
        Assert.True(report.Checked > 0, "the suite's emulators logged no answers under /api");
        Assert.True(report.Mismatches.Count == 0, summary + "\n" + string.Join("\n", report.Mismatches.Take(500)));
    }

    /// <summary>Every snapshot operation and push access, answering with each status the emulator can give.</summary>
    private static async Task RunEveryOperationAsync(EmulatorHarness emulator)
    {
        var http = emulator.Http;
        async Task<HttpStatusCode> Send(HttpMethod method, string path, object? body = null, Action<HttpRequestMessage>? adjust = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body != null)
            {
                request.Content = JsonContent.Create(body);
            }

            adjust?.Invoke(request);
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await Send(HttpMethod.Get, "health"));
        var image = await emulator.CreateAsync(new { name = "contract-image", imageName = "python:3.12-slim" });
        var built = await emulator.CreateAsync(new { name = "contract-built", buildInfo = new { dockerfileContent = "FROM python:3.12-slim\nRUN echo hi\n", contextHashes = Array.Empty<string>() } });
        var imageId = (string)image["id"]!;
        var builtId = (string)built["id"]!;

        Assert.Equal(HttpStatusCode.Conflict, await Send(HttpMethod.Post, "snapshots", new { name = "contract-image", imageName = "python:3.12-slim" }));
        Assert.Equal(HttpStatusCode.BadRequest, await Send(HttpMethod.Post, "snapshots", new { name = "contract-latest", imageName = "python:latest" }));
        Assert.Equal(HttpStatusCode.OK, await Send(HttpMethod.Get, "snapshots?page=1&limit=10&sort=name&order=asc"));
        Assert.Equal(HttpStatusCode.BadRequest, await Send(HttpMethod.Get, "snapshots?limit=1000"));
        Assert.Equal(HttpStatusCode.OK, await Send(HttpMethod.Get, "snapshots/contract-image"));
        Assert.Equal(HttpStatusCode.NotFound, await Send(HttpMethod.Get, "snapshots/no-such-snapshot"));
        await emulator.WaitForAsync(imageId, "active");
        await emulator.WaitForAsync(builtId, "active");

        Assert.Equal(HttpStatusCode.OK, await Send(HttpMethod.Get, $"snapshots/{builtId}/build-logs"));
        Assert.Equal(HttpStatusCode.NotFound, await Send(HttpMethod.Get, $"snapshots/{imageId}/build-logs"));
        Assert.Equal(HttpStatusCode.OK, await Send(HttpMethod.Get, $"snapshots/{builtId}/build-logs-url"));
        Assert.Equal(HttpStatusCode.NotFound, await Send(HttpMethod.Get, $"snapshots/{imageId}/build-logs-url"));

        Assert.Equal(HttpStatusCode.BadRequest, await Send(HttpMethod.Post, $"snapshots/{imageId}/activate"));
        Assert.Equal(HttpStatusCode.NoContent, await Send(HttpMethod.Post, $"snapshots/{imageId}/deactivate"));
        Assert.Equal(HttpStatusCode.NotFound, await Send(HttpMethod.Post, $"snapshots/{Guid.NewGuid()}/deactivate"));
        Assert.Equal(HttpStatusCode.NotFound, await Send(HttpMethod.Post, $"snapshots/{Guid.NewGuid()}/activate"));

        Assert.Equal(HttpStatusCode.OK, await Send(HttpMethod.Get, "object-storage/push-access"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(HttpMethod.Get, "snapshots/contract-image", adjust: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong")));
        Assert.Equal(HttpStatusCode.Forbidden, await Send(HttpMethod.Get, "snapshots/contract-image", adjust: r => r.Headers.Add("X-Daytona-Organization-ID", "another-organization")));

        emulator.Server.Control.SetFaults(new EmulatorFaults { TooManyRequests = new TooManyRequestsFault { Count = 1 } });
        Assert.Equal(HttpStatusCode.TooManyRequests, await Send(HttpMethod.Get, "snapshots"));
        emulator.Server.Control.SetFaults(new EmulatorFaults { ServerErrors = new ServerErrorFault { Count = 1, Status = 503 } });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Send(HttpMethod.Get, "snapshots"));
        emulator.Server.Control.ClearFaults();

        Assert.Equal(HttpStatusCode.OK, await Send(HttpMethod.Delete, $"snapshots/{imageId}"));
        Assert.Equal(HttpStatusCode.NotFound, await Send(HttpMethod.Delete, $"snapshots/{Guid.NewGuid()}"));
    }
}
