using System.Text.Json.Nodes;
using Daytona.Api;
using Daytona.Api.Images;
using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.OpenApi;
using Daytona.Checkpoints.Remote;
using Daytona.Common.Http;
using Daytona.Emulator;
using Daytona.Images;
using Xunit.Abstractions;

namespace Daytona.Common.Tests.Http;

/// <summary>
/// One table per outgoing client of the module — the Daytona API client (a read and a create), the build-context
/// upload (push access, then the PUT to object storage), an Arazzo step and the checkpoint server client — each row a
/// fault the emulator injects for real over HTTP, and one outcome: how many requests reached the server (more than one:
/// retried), and, when the call failed, its ErrorId, its kind (the ErrorRecord's category) and whether it ends the
/// command (<see cref="ErrorCatalog.EndsCommand"/>, the rule the cmdlet base applies) or concerns only its item.
/// Every client runs on the module's one pipeline (<see cref="ResilientHttp"/>) with quick numbers: 3 retries.
/// </summary>
public sealed class FaultTableTests : IClassFixture<FaultTableTests.Server>, IDisposable
{
    private const string None = "";
    private const string Item = "item";
    private const string Ends = "terminating";
    private const int Retries = 3;

    /// <summary>A row's request count the AWS SDK decides: more than the retry count, at most four times it.</summary>
    private const int SdkResends = -1;

    private readonly Server _server;
    private readonly ITestOutputHelper _output;

    public FaultTableTests(Server server, ITestOutputHelper output)
    {
        _server = server;
        _output = output;
        _server.Emulator.Control.ClearFaults();
    }

    public void Dispose() => _server.Emulator.Control.ClearFaults();

    private EmulatorControl Control => _server.Emulator.Control;

    private static HttpResilienceOptions Quick() => new()
    {
        MaxRetries = Retries,
        MaxConnectRetries = 1,
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(40),
        ConnectTimeout = TimeSpan.FromSeconds(30), // generous: a loaded machine may be slow to accept; no row is about a connect timing out
        AttemptTimeout = TimeSpan.FromSeconds(30),
    };

    private static DaytonaClientOptions QuickClient()
    {
        var options = new DaytonaClientOptions { MaxRetries = Retries, MaxConnectRetries = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(10), MaxRetryDelay = TimeSpan.FromMilliseconds(40) };
        return options;
    }

    /// <summary>The faults of the table by name; "every time" faults outlast the retries.</summary>
    private static EmulatorFaults? Fault(string name, string scope = FaultScope.Api, string[]? methods = null)
    {
        EmulatorFaults Throttle(int count, string form, int seconds = 1) =>
            new() { TooManyRequests = new TooManyRequestsFault { Count = count, RetryAfterSeconds = seconds, RetryAfterForm = form } };
        EmulatorFaults Status(int count, int status) => new() { ServerErrors = new ServerErrorFault { Count = count, Status = status } };
        var faults = name switch
        {
            "429 Retry-After: seconds" => Throttle(1, RetryAfterForm.Seconds),
            "429 Retry-After: HTTP date" => Throttle(1, RetryAfterForm.Date),
            "429 Retry-After-authenticated" => Throttle(1, RetryAfterForm.Named),
            "429 every time" => Throttle(99, RetryAfterForm.Both, seconds: 0),
            "502" => Status(1, 502),
            "503" => Status(1, 503),
            "504" => Status(1, 504),
            "503 every time" => Status(99, 503),
            "drop before processing" => new EmulatorFaults { DropConnections = 1 },
            "drop before processing every time" => new EmulatorFaults { DropConnections = 99 },
            "drop after processing" => new EmulatorFaults { DropAfterProcessing = 1 },
            "404" or "401" or "connection refused" => null, // the row's request itself asks for what is not there, or with a wrong key
            _ => throw new ArgumentException("No such fault: " + name),
        };
        if (faults != null)
        {
            faults.Scope = scope;
            faults.Methods = methods;
        }

        return faults;
    }

    /// <summary>Runs one row: sets the fault, counts the requests <paramref name="act"/> makes, checks the outcome.</summary>
    private async Task Row(string client, string fault, int requests, string errorId, string kind, string scope, Func<Task> act, Action? before = null, string faultScope = FaultScope.Api, string[]? methods = null)
    {
        before?.Invoke();
        Control.ResetRequests();
        Control.SetFaults(Fault(fault, faultScope, methods) ?? new EmulatorFaults());
        Exception? error = null;
        try
        {
            await act();
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            Control.ClearFaults();
        }

        var seen = Control.GetRequests().Total;
        var known = error as DaytonaException;
        var outcome = error == null ? "succeeded" : $"{known?.ErrorId ?? error.GetType().Name} ({known?.Kind}, {(ErrorCatalog.EndsCommand(error) ? Ends : Item)})";
        _output.WriteLine($"| {client} | {fault} | {seen} request(s){(seen > 1 ? ", retried" : string.Empty)} | {outcome} |");
        Assert.True(error == null || known != null, $"{client} / {fault}: not a catalog error: {error}");
        if (requests == SdkResends)
        {
            Assert.InRange(seen, Retries + 1, 4 * (Retries + 1));
        }
        else
        {
            Assert.Equal(requests, seen);
        }

        Assert.Equal(errorId, known?.ErrorId ?? None);
        Assert.Equal(kind, known?.Kind.ToString() ?? None);
        Assert.Equal(scope, error == null ? None : ErrorCatalog.EndsCommand(error) ? Ends : Item);
    }

    [Theory]
    [InlineData("429 Retry-After: seconds", 2, None, None, None)]
    [InlineData("429 Retry-After: HTTP date", 2, None, None, None)]
    [InlineData("429 Retry-After-authenticated", 2, None, None, None)]
    [InlineData("429 every time", Retries + 1, "DaytonaRateLimited", "LimitsExceeded", Item)]
    [InlineData("502", 2, None, None, None)]
    [InlineData("503", 2, None, None, None)]
    [InlineData("504", 2, None, None, None)]
    [InlineData("503 every time", Retries + 1, "DaytonaServiceUnavailable", "ResourceUnavailable", Item)]
    [InlineData("drop before processing", 2, None, None, None)]
    [InlineData("drop before processing every time", Retries + 1, "DaytonaConnectionLost", "ConnectionError", Item)]
    [InlineData("drop after processing", 2, None, None, None)]
    [InlineData("404", 1, "SnapshotNotFound", "ObjectNotFound", Item)]
    [InlineData("401", 1, "DaytonaAuthenticationFailed", "AuthenticationError", Ends)]
    public Task DaytonaApiRead(string fault, int requests, string errorId, string kind, string scope)
    {
        var client = fault == "401" ? _server.WrongKeyClient : _server.Client;
        var name = fault == "404" ? "no-such-snapshot" : _server.Existing;
        return Row("Daytona API, GET /snapshots/{name}", fault, requests, errorId, kind, scope, () => client.GetSnapshotAsync(name, CancellationToken.None));
    }

    /// <summary>
    /// No server listening (a wrong URL, a stopped emulator): the connection is never made, so nothing can have been
    /// processed; retried twice at most, then DaytonaUnreachable ends the command — every later item would fail alike.
    /// </summary>
    [Fact]
    public async Task DaytonaApiWithNoServerListening()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new DaytonaClient(new DaytonaConnection(new Uri($"http://127.0.0.1:{port}/api"), _server.Emulator.ApiKey, null, "the test's key"), QuickClient());
        await Row("Daytona API, no server", "connection refused", 0, "DaytonaUnreachable", "ConnectionError", Ends,
            () => client.GetSnapshotAsync(_server.Existing, CancellationToken.None));
    }

    /// <summary>
    /// A create is never sent twice blindly: when its outcome is unknown (a gateway error, a dropped connection) the
    /// client looks the name up first (one GET) and sends again only when it is not there; a create processed and then
    /// dropped is found by that lookup and returned — one snapshot, no second POST. A 429 was not processed: resent.
    /// A fault every time: 4 POSTs and a lookup between each two (7 requests), then the last one's error.
    /// </summary>
    [Theory]
    [InlineData("429 Retry-After: seconds", 2, None, None, None)]
    [InlineData("429 Retry-After: HTTP date", 2, None, None, None)]
    [InlineData("429 Retry-After-authenticated", 2, None, None, None)]
    [InlineData("429 every time", Retries + 1, "DaytonaRateLimited", "LimitsExceeded", Item)]
    [InlineData("502", 3, None, None, None)]
    [InlineData("503", 3, None, None, None)]
    [InlineData("504", 3, None, None, None)]
    [InlineData("503 every time", 2 * Retries + 1, "DaytonaServiceUnavailable", "ResourceUnavailable", Item)]
    [InlineData("drop before processing", 3, None, None, None)]
    [InlineData("drop before processing every time", 2 * Retries + 1, "DaytonaConnectionLost", "ConnectionError", Item)]
    [InlineData("drop after processing", 2, None, None, None)]
    [InlineData("401", 1, "DaytonaAuthenticationFailed", "AuthenticationError", Ends)]
    public async Task DaytonaApiCreate(string fault, int requests, string errorId, string kind, string scope)
    {
        var client = fault == "401" ? _server.WrongKeyClient : _server.Client;
        var name = "create-" + Guid.NewGuid().ToString("N")[..8];
        Snapshot? created = null;
        await Row("Daytona API, POST /snapshots", fault, requests, errorId, kind, scope,
            async () => created = await client.CreateSnapshotAsync(new CreateSnapshotRequest(name) { ImageName = "alpine:3.20" }, CancellationToken.None),
            methods: new[] { "POST" });
        if (errorId == None)
        {
            Assert.Equal(name, created!.Name);
            var all = await _server.Client.ListSnapshotsAsync(new SnapshotListQuery { Name = name }, CancellationToken.None);
            Assert.Single(all.Items, s => s.Name == name);
        }
    }

    /// <summary>
    /// The build-context upload: push access from the API, then the PUT of the context's tar to object storage
    /// (faults on the storage endpoint, answered in S3's XML). The PUT is idempotent: retried on every transient fault,
    /// each attempt signed anew. A 401 is the push-access request's (the API's); storage refuses a bad signature 403.
    /// </summary>
    [Theory]
    [InlineData("429 Retry-After: seconds", 2, None, None, None)]
    [InlineData("429 Retry-After: HTTP date", 2, None, None, None)]
    [InlineData("429 Retry-After-authenticated", 2, None, None, None)]
    [InlineData("429 every time", Retries + 1, "ImageContextUploadFailed", "LimitsExceeded", Item)]
    [InlineData("502", 2, None, None, None)]
    [InlineData("503", 2, None, None, None)]
    [InlineData("504", 2, None, None, None)]
    [InlineData("503 every time", Retries + 1, "ImageContextUploadFailed", "ResourceUnavailable", Item)]
    [InlineData("drop before processing", 2, None, None, None)]
    [InlineData("drop before processing every time", Retries + 1, "ImageContextUploadFailed", "ConnectionError", Item)]
    [InlineData("drop after processing", 2, None, None, None)]
    [InlineData("401", 1, "DaytonaAuthenticationFailed", "AuthenticationError", Ends)]
    public async Task BuildContextUpload(string fault, int requests, string errorId, string kind, string scope)
    {
        var key = _server.Emulator.OrganizationId + "/" + Guid.NewGuid().ToString("N") + "/context.tar";
        if (fault == "401")
        {
            await Row("upload (push access)", fault, requests, errorId, kind, scope, () => PushAccess.RequestAsync(_server.WrongKeyClient, CancellationToken.None));
            return;
        }

        var access = await PushAccess.RequestAsync(_server.Client, CancellationToken.None);
        using var http = HttpHandlerFactory.CreateClient(Quick());
        var storage = new ContextStorage(access, http, new ResilientHttp(Quick()));
        await Row("upload (PUT to object storage)", fault, requests, errorId, kind, scope,
            () => storage.PutArchiveAsync(key, _server.ContextEntries, CancellationToken.None), faultScope: FaultScope.Storage);
        if (errorId == None)
        {
            Assert.True(Control.ListObjects().ContainsKey(key), $"{key} was not stored");
        }
    }

    /// <summary>
    /// Whether a build context is already stored: ListObjectsV2, an AWS SDK call (the SDK signs and retries, with the
    /// module's numbers: 3 retries here), sent through the module's HTTP client. A connection dropped on every attempt is
    /// re-sent more often than the retry count says (14 requests with AWSSDK.S3 4.1 and 3 retries, with the module's
    /// handler or a plain one alike: the SDK's own doing), so that row only checks it stays bounded.
    /// </summary>
    [Theory]
    [InlineData("429 Retry-After: seconds", 2, None, None, None)]
    [InlineData("429 every time", Retries + 1, "ImageContextUploadFailed", "LimitsExceeded", Item)]
    [InlineData("503", 2, None, None, None)]
    [InlineData("503 every time", Retries + 1, "ImageContextUploadFailed", "ResourceUnavailable", Item)]
    [InlineData("drop before processing", 2, None, None, None)]
    [InlineData("drop before processing every time", SdkResends, "ImageContextUploadFailed", "ConnectionError", Item)]
    public async Task BuildContextExistsCheck(string fault, int requests, string errorId, string kind, string scope)
    {
        var access = await PushAccess.RequestAsync(_server.Client, CancellationToken.None);
        using var http = HttpHandlerFactory.CreateClient(Quick());
        var storage = new ContextStorage(access, http, new ResilientHttp(Quick()));
        var exists = true;
        await Row("upload (ListObjectsV2, AWS SDK)", fault, requests, errorId, kind, scope,
            async () => exists = await storage.ExistsAsync(storage.PrefixFor(Guid.NewGuid().ToString("N")), CancellationToken.None), faultScope: FaultScope.Storage);
        if (errorId == None)
        {
            Assert.False(exists);
        }
    }

    /// <summary>
    /// An Arazzo step retries at transport level only: a connection dropped before anything was processed is retried
    /// under the step; every status (429, 5xx, 404, 401) is the workflow's to judge by its criteria and actions — here a
    /// step with no failure action, so the step fails (ArazzoStepFailed, its category from the status, per workflow);
    /// a create dropped after it was processed is not sent again.
    /// </summary>
    [Theory]
    [InlineData("429 Retry-After: seconds", 1, "ArazzoStepFailed", "LimitsExceeded", Item)]
    [InlineData("429 Retry-After: HTTP date", 1, "ArazzoStepFailed", "LimitsExceeded", Item)]
    [InlineData("429 Retry-After-authenticated", 1, "ArazzoStepFailed", "LimitsExceeded", Item)]
    [InlineData("502", 1, "ArazzoStepFailed", "ResourceUnavailable", Item)]
    [InlineData("503", 1, "ArazzoStepFailed", "ResourceUnavailable", Item)]
    [InlineData("504", 1, "ArazzoStepFailed", "ResourceUnavailable", Item)]
    [InlineData("drop before processing", 2, None, None, None)]
    [InlineData("drop after processing", 1, "ArazzoStepFailed", "ConnectionError", Item)]
    [InlineData("404", 1, "ArazzoStepFailed", "ObjectNotFound", Item)]
    [InlineData("401", 1, "ArazzoStepFailed", "AuthenticationError", Item)]
    public async Task ArazzoStep(string fault, int requests, string errorId, string kind, string scope)
    {
        var name = "arazzo-" + Guid.NewGuid().ToString("N")[..8];
        var step = fault switch
        {
            "drop after processing" => "  - stepId: s\n    operationId: createSnapshot\n    requestBody: {contentType: application/json, payload: {name: '{$inputs.name}', imageName: 'alpine:3.20'}}\n    successCriteria: [{condition: $statusCode == 200}]\n",
            "404" => "  - stepId: s\n    operationId: getSnapshot\n    parameters: [{name: id, in: path, value: no-such-snapshot}]\n    successCriteria: [{condition: $statusCode == 200}]\n",
            _ => "  - stepId: s\n    operationId: getAllSnapshots\n    successCriteria: [{condition: $statusCode == 200}]\n",
        };
        var token = fault == "401" ? "dtn_wrong" : _server.Emulator.ApiKey;
        await Row("Arazzo step", fault, requests, errorId, kind, scope, async () =>
        {
            var failures = new List<StepFailure>();
            var result = await _server.RunStepAsync(step, token, name, failures);
            if (result.Status != WorkflowStatus.Succeeded)
            {
                // What Invoke-ArazzoWorkflow writes for a failed step: ArazzoStepFailed with the step's status's kind.
                var failure = Assert.Single(failures);
                throw ErrorCatalog.ArazzoStepFailed.Create(failure.Message, failure.StepId, kind: ErrorCatalog.KindForStatus(failure.StatusCode));
            }
        });
        if (fault == "drop after processing")
        {
            Assert.NotNull(Control.GetState(name)); // processed once, not resent
        }
    }

    /// <summary>
    /// The checkpoint server client (Get-Checkpoint -Uri, Restore-Checkpoint -Uri). The emulator stands in for the
    /// server so its fault knobs apply: after a fault the stand-in answers 404 (it has no such source), so a row that
    /// recovers ends in CheckpointNotFound after its retry; 401 is the stand-in's answer to a request without the key.
    /// </summary>
    [Theory]
    [InlineData("429 Retry-After: seconds", 2, "CheckpointNotFound", "ObjectNotFound", Item)]
    [InlineData("429 Retry-After: HTTP date", 2, "CheckpointNotFound", "ObjectNotFound", Item)]
    [InlineData("429 Retry-After-authenticated", 2, "CheckpointNotFound", "ObjectNotFound", Item)]
    [InlineData("429 every time", Retries + 1, "CheckpointServerFailed", "LimitsExceeded", Item)]
    [InlineData("502", 2, "CheckpointNotFound", "ObjectNotFound", Item)]
    [InlineData("503", 2, "CheckpointNotFound", "ObjectNotFound", Item)]
    [InlineData("504", 2, "CheckpointNotFound", "ObjectNotFound", Item)]
    [InlineData("503 every time", Retries + 1, "CheckpointServerFailed", "ResourceUnavailable", Item)]
    [InlineData("drop before processing", 2, "CheckpointNotFound", "ObjectNotFound", Item)]
    [InlineData("drop before processing every time", Retries + 1, "CheckpointServerFailed", "ConnectionError", Item)]
    [InlineData("drop after processing", 2, "CheckpointNotFound", "ObjectNotFound", Item)]
    [InlineData("404", 1, "CheckpointNotFound", "ObjectNotFound", Item)]
    [InlineData("401", 1, "CheckpointServerDenied", "AuthenticationError", Ends)]
    public Task CheckpointServerClient(string fault, int requests, string errorId, string kind, string scope)
    {
        var client = Daytona.Checkpoints.Remote.CheckpointServerClient.Create(options: Quick());
        var url = new Uri(_server.Emulator.ApiUrl + (fault == "401" ? "/snapshots/" : "/no-such-source/"));
        return Row("checkpoint server client", fault, requests, errorId, kind, scope, () => client.ListAsync(url, CancellationToken.None));
    }

    /// <summary>One emulator for the whole table, a client with the right key and one with a wrong key.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("fault-table-").FullName;

        public EmulatorServer Emulator { get; private set; } = null!;

        public DaytonaClient Client { get; private set; } = null!;

        public DaytonaClient WrongKeyClient { get; private set; } = null!;

        public string Existing { get; } = "fault-table-existing";

        public IReadOnlyList<ContextArchive.Entry> ContextEntries { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Emulator = await EmulatorServer.StartAsync(new EmulatorOptions { TimeScale = 0.01 });
            Client = new DaytonaClient(new DaytonaConnection(Emulator.ApiUrl, Emulator.ApiKey, null, "the test's key"), QuickClient());
            WrongKeyClient = new DaytonaClient(new DaytonaConnection(Emulator.ApiUrl, "dtn_wrong", null, "a wrong key"), QuickClient());
            await Client.CreateSnapshotAsync(new CreateSnapshotRequest(Existing) { ImageName = "alpine:3.20" }, CancellationToken.None);
            var file = Path.Combine(_folder, "app.py");
            File.WriteAllText(file, "print('hello')\n");
            ContextEntries = ContextArchive.Plan(file, "app.py");
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "Module.sln")))
            {
                root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Module.sln not found above the test folder.");
            }

            File.Copy(Path.Combine(root, "examples", "openapi", "daytona-snapshots-api-openapi.yml"), Path.Combine(_folder, "snapshots.yml"));
        }

        /// <summary>Runs a one-step workflow (<paramref name="step"/>) against the emulator.</summary>
        public async Task<WorkflowResult> RunStepAsync(string step, string token, string name, List<StepFailure> failures)
        {
            var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".arazzo.yaml");
            File.WriteAllText(path, "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: api, url: ./snapshots.yml}]\nworkflows:\n- workflowId: w\n" +
                "  inputs: {type: object, properties: {token: {type: string}, name: {type: string}}}\n" +
                "  parameters: [{name: Authorization, in: header, value: 'Bearer {$inputs.token}'}]\n  steps:\n" + step);
            var options = new RunOptions
            {
                Inputs = new JsonObject { ["token"] = token, ["name"] = name },
                ServerUrls = new Dictionary<string, string> { ["api"] = Emulator.ApiUrl.ToString() },
                PollInterval = TimeSpan.Zero,
                Timeout = TimeSpan.FromSeconds(60),
                Listener = new Failures(failures),
            };
            var resolver = new SourceResolver { AllowRemote = false };
            var (document, _) = await WorkflowRunner.PrepareAsync(path, options, resolver, CancellationToken.None);
            return await new WorkflowRunner(document, options, resolver).RunWorkflowAsync("w", CancellationToken.None);
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            WrongKeyClient.Dispose();
            await Emulator.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }

        private sealed class Failures : IRunListener
        {
            private readonly List<StepFailure> _failures;

            public Failures(List<StepFailure> failures) => _failures = failures;

            public void StepStarting(string workflowId, string stepId, int attempt, int stepIndex, int stepCount)
            {
            }

            public void Trace(string message)
            {
            }

            public void Warning(string message)
            {
            }

            public void StepFailed(StepFailure failure) => _failures.Add(failure);
        }
    }
}
