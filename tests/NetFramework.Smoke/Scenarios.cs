using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Api;
using Daytona.Api.Images;
using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.OpenApi;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.Common;
using Daytona.Common.Http;
using Daytona.Common.Tests.Http;
using Daytona.Images;
using Daytona.Images.Tests;
using static NetFramework.Smoke.SmokeFailure;

namespace NetFramework.Smoke
{
    /// <summary>The scenarios, in order. Each returns a line or two saying what it checked.</summary>
    internal static class Scenarios
    {
        public static IEnumerable<Scenario> All(SuiteContext context, Harness harness)
        {
            yield return new Scenario("loader: the engine loads from Dependencies/ through the module's resolver", () => Task.FromResult(LoaderScenario(context)));
            yield return new Scenario("image hashing: Daytona SDK conformance cases (Dockerfile, context, MD5)", () => Task.FromResult(ImageHashing(context, harness)));
            yield return new Scenario("HTTP: the module's handler offers TLS 1.2+ while the process default is TLS 1.0, and leaves that default alone", () => TlsVersions());
            yield return new Scenario("HTTP: a server that drops connections fails as 'no connection' within the connect timeout", () => ConnectTimeout());
            yield return new Scenario("emulator: started from the module's Emulator/ folder by the module's launcher", () => EmulatorStarts(harness));
            yield return new Scenario("snapshots: create, wait, deactivate, list and remove through DaytonaClient", () => SnapshotLifecycle(harness));
            yield return new Scenario("declarative image: context uploaded to the emulator's object storage, built, reused", () => DeclarativeImage(harness));
            yield return new Scenario("seed workflow: build-and-activate-snapshot against the emulator (Arazzo engine)", () => SeedWorkflow(context, harness));
            yield return new Scenario("Arazzo inputs: JSON Schema 2020-12 (boolean subschema, component $ref, $defs) validated by JsonSchema.Net", () => Task.FromResult(ArazzoInputs()));
            yield return new Scenario("checkpoints: capture twice, list, find by time", () => Task.FromResult(CheckpointCapture(harness)));
            yield return new Scenario("checkpoints: restore and verify, a path longer than 260 characters included", () => Task.FromResult(CheckpointRestore(harness)));
            yield return new Scenario("checkpoints: export to an archive, import into another repository, verify there", () => Task.FromResult(CheckpointExportImport(harness)));
            yield return new Scenario("checkpoints in S3 (AWS SDK against s3rver): capture, find by time, restore, verify", () => ObjectStorageRoundTrip(context, harness, s3: true));
            yield return new Scenario("checkpoints in Azure Blob Storage (Azure SDK against Azurite): capture, find by time, restore, verify", () => ObjectStorageRoundTrip(context, harness, s3: false));
            yield return new Scenario("loader: every shipped assembly loaded so far came from Dependencies/", () => Task.FromResult(LoadedFromDependencies(context)));
        }

        private static string LoaderScenario(SuiteContext context)
        {
            var engine = typeof(DaytonaClient).Assembly;
            Check(SameFolder(engine.Location, context.Dependencies), $"Daytona.Api loaded from {engine.Location}, not from {context.Dependencies}");
            var beside = Directory.GetFiles(AppDomain.CurrentDomain.BaseDirectory, "*.dll").Select(Path.GetFileName).ToList();
            Check(beside.Count == 0, "engine files beside the program: " + string.Join(", ", beside));
            var config = AppDomain.CurrentDomain.SetupInformation.ConfigurationFile;
            var redirects = config != null && File.Exists(config) && File.ReadAllText(config).IndexOf("bindingRedirect", StringComparison.OrdinalIgnoreCase) >= 0;
            Check(!redirects, $"{config} holds binding redirects");
            return $"Daytona.Api {engine.GetName().Version} from Dependencies/; no engine file beside the program; no binding redirects";
        }

        private static string ImageHashing(SuiteContext context, Harness harness)
        {
            var casesPath = Path.Combine(context.Shared, "conformance", "images", "cases.json");
            if (!File.Exists(casesPath))
            {
                throw new SmokeSkip($"the conformance corpus {casesPath} is not beside the repository");
            }

            using var document = JsonDocument.Parse(File.ReadAllText(casesPath));
            var root = document.RootElement;
            var passed = 0;
            var hashes = 0;
            var failures = new List<string>();
            foreach (var testCase in root.GetProperty("cases").EnumerateArray())
            {
                var id = testCase.GetProperty("id").GetString()!;
                var fixture = harness.Folder("images-" + id);
                foreach (var file in root.GetProperty("fixture").EnumerateObject())
                {
                    var full = Path.Combine(fixture, file.Name);
                    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                    File.WriteAllBytes(full, Convert.FromBase64String(file.Value.GetString()!));
                }

                foreach (var dir in root.GetProperty("emptyDirs").EnumerateArray())
                {
                    Directory.CreateDirectory(Path.Combine(fixture, dir.GetString()!));
                }

                try
                {
                    hashes += MatchesSdk(testCase, fixture);
                    passed++;
                }
                catch (Exception e) when (e is SmokeFailure || e is DaytonaException)
                {
                    failures.Add($"{id}: {e.Message}");
                }
            }

            Check(failures.Count == 0, string.Join("\n", failures));
            Check(passed >= 20, $"only {passed} cases in {casesPath}");
            return $"{passed} cases match Daytona's TypeScript SDK ({hashes} context MD5 hashes)";
        }

        private static int MatchesSdk(JsonElement testCase, string fixture)
        {
            DaytonaImage image;
            try
            {
                image = SdkOps.Run(testCase.GetProperty("ops"), fixture);
            }
            catch (DaytonaException e) when (testCase.TryGetProperty("error", out var expected))
            {
                Check(e.Message == expected.GetProperty("message").GetString(), $"error '{e.Message}', the SDK's was '{expected.GetProperty("message").GetString()}'");
                return 0;
            }

            Check(!testCase.TryGetProperty("error", out _), "no error, the SDK failed");
            Check(image.Dockerfile == testCase.GetProperty("dockerfile").GetString(), "the Dockerfile differs from the SDK's");
            var expectedContext = testCase.GetProperty("context").EnumerateArray().ToList();
            Check(expectedContext.Count == image.Context.Count, $"{image.Context.Count} context entries, the SDK has {expectedContext.Count}");
            var hashes = 0;
            for (var i = 0; i < expectedContext.Count; i++)
            {
                var md5 = expectedContext[i].GetProperty("md5").GetString()!;
                Check(image.Context[i].ArchivePath == expectedContext[i].GetProperty("archivePath").GetString(), $"context {i}: archive path {image.Context[i].ArchivePath}");
                if (!md5.StartsWith("ERR", StringComparison.Ordinal))
                {
                    var actual = image.Context[i].ComputeHash();
                    Check(actual == md5, $"context {i} ({image.Context[i].ArchivePath}): MD5 {actual}, the SDK's {md5}");
                    hashes++;
                }
            }

            return hashes;
        }

        private static async Task<string> TlsVersions()
        {
            var handler = HttpHandlerFactory.Create(new HttpResilienceOptions { MaxConnectionsPerServer = 24 });
            Check(handler.GetType().Name == "ConnectProbeHandler", $"the factory made a {handler.GetType().Name}, not the .NET Framework handler");
            var inner = (HttpClientHandler)((DelegatingHandler)handler).InnerHandler;
            Check(inner.MaxConnectionsPerServer == 24, $"{inner.MaxConnectionsPerServer} connections per server, not 24");

            // What powershell.exe often has: the process-wide default at TLS 1.0 (Ssl3 is refused by this runtime).
            var before = ServicePointManager.SecurityProtocol;
            ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls;
            try
            {
                var ours = await OfferedAsync(handler).ConfigureAwait(false);
                var plain = await OfferedAsync(new HttpClientHandler()).ConfigureAwait(false);
                Check(ServicePointManager.SecurityProtocol == SecurityProtocolType.Tls, $"the process default became {ServicePointManager.SecurityProtocol}");
                Check(ours.Contains(TlsHelloServer.Tls12) && !ours.Contains(TlsHelloServer.Tls10), "the module's handler offered " + string.Join(", ", ours.Select(TlsHelloServer.Name)));
                return $"the module's handler ({inner.SslProtocols}) offered {string.Join(", ", ours.Select(TlsHelloServer.Name))}; a plain HttpClientHandler offered {string.Join(", ", plain.Select(TlsHelloServer.Name))}"
                    + (plain.Contains(TlsHelloServer.Tls12) ? " (this runtime ignores the process default; .NET Framework follows it)" : " (the process default)")
                    + "; the process default stayed TLS 1.0";
            }
            finally
            {
                ServicePointManager.SecurityProtocol = before;
            }
        }

        private static async Task<IReadOnlyList<ushort>> OfferedAsync(HttpMessageHandler handler)
        {
            using var server = new TlsHelloServer();
            using var http = new HttpClient(handler, disposeHandler: true);
            try
            {
                using var _ = await http.GetAsync(server.Url).ConfigureAwait(false);
            }
            catch (HttpRequestException)
            {
                // the server hangs up after reading the hello
            }

            var finished = await Task.WhenAny(server.Offered, Task.Delay(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
            Check(finished == server.Offered, "no ClientHello reached the server");
            return await server.Offered.ConfigureAwait(false);
        }

        private static async Task<string> ConnectTimeout()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                throw new SmokeSkip("a server that drops connections is made with Linux's TCP backlog");
            }

            using var hole = new BlackHole();
            var options = new HttpResilienceOptions { ConnectTimeout = TimeSpan.FromMilliseconds(500), AttemptTimeout = TimeSpan.FromSeconds(60), MaxConnectRetries = 0, MaxRetries = 0 };
            using var http = HttpHandlerFactory.CreateClient(options);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                using var _ = await new ResilientHttp(options).SendAsync(http, () => new HttpRequestMessage(HttpMethod.Get, hole.Url), RetryPolicy.Idempotent, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TransportFailure failure)
            {
                Check(!failure.Sent && failure.TimedOut, $"failed as sent={failure.Sent}, timed out={failure.TimedOut}: {failure.Message}");
                return $"'{failure.Message}' after {watch.ElapsedMilliseconds} ms (the attempt timeout was 60 s), never sent";
            }

            throw new SmokeFailure("the request to a server that drops connections succeeded");
        }

        private static async Task<string> EmulatorStarts(Harness harness)
        {
            var emulator = await harness.EmulatorAsync().ConfigureAwait(false);
            Check(emulator.ApiUrl.IsLoopback, $"the emulator listens on {emulator.ApiUrl}");
            return $"listening at {emulator.ApiUrl} (process {emulator.ProcessId})";
        }

        private static async Task<string> SnapshotLifecycle(Harness harness)
        {
            var client = await harness.ClientAsync().ConfigureAwait(false);
            var name = "netfx-smoke-" + Guid.NewGuid().ToString("N").Substring(0, 6);
            var created = await client.CreateSnapshotAsync(new CreateSnapshotRequest(name) { ImageName = "python:3.12-slim", Cpu = 1 }, CancellationToken.None).ConfigureAwait(false);
            var settled = await WaitAsync(client, created.Id).ConfigureAwait(false);
            Check(settled.State == SnapshotState.Active, $"{name} settled as {settled.StateText}");
            await client.DeactivateSnapshotAsync(created.Id, CancellationToken.None).ConfigureAwait(false);
            var inactive = await WaitAsync(client, created.Id).ConfigureAwait(false);
            Check(inactive.State == SnapshotState.Inactive, $"after deactivation {name} is {inactive.StateText}");
            var listed = await client.ListSnapshotsAsync(null, CancellationToken.None).ConfigureAwait(false);
            Check(listed.Items.Any(s => s.Id == created.Id), $"{name} is not listed");
            await client.DeleteSnapshotAsync(created.Id, CancellationToken.None).ConfigureAwait(false);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await client.FindSnapshotAsync(name, CancellationToken.None).ConfigureAwait(false) != null)
            {
                Check(DateTime.UtcNow < deadline, $"{name} is still there 30 s after its removal");
                await Task.Delay(100).ConfigureAwait(false);
            }

            return $"{name}: {created.StateText} -> active -> inactive, listed, removed (then not found)";
        }

        private static async Task<string> DeclarativeImage(Harness harness)
        {
            var client = await harness.ClientAsync().ConfigureAwait(false);
            var project = harness.Folder("declarative");
            File.WriteAllText(Path.Combine(project, "app.py"), "print('hello from .NET Framework')\n");
            var image = DaytonaImage.DebianSlim("3.12")
                .RunCommands("apt-get update")
                .AddLocalFile("app.py", "/app/app.py", project)
                .Workdir("/app");
            var name = "netfx-declarative-" + Guid.NewGuid().ToString("N").Substring(0, 6);
            var first = await DeclarativeSnapshots.CreateAsync(client, name, image, null, null, CancellationToken.None).ConfigureAwait(false);
            Check(first.Uploads.Count == 1 && first.Uploads[0].Uploaded, "the context was not uploaded");
            var settled = await WaitAsync(client, first.Snapshot.Id).ConfigureAwait(false);
            Check(settled.State == SnapshotState.Active, $"{name} settled as {settled.StateText}");
            var again = await DeclarativeSnapshots.CreateAsync(client, name, image, null, null, CancellationToken.None).ConfigureAwait(false);
            Check(again.Reused && again.Snapshot.Id == first.Snapshot.Id, "the same definition was built again instead of reused");
            return $"{name}: 1 context ({first.Uploads[0].Bytes} bytes) uploaded, built, active; the same definition reused";
        }

        private static async Task<Snapshot> WaitAsync(DaytonaClient client, string id)
        {
            var waiter = new SnapshotWaiter(client);
            var options = new SnapshotWaitOptions { Timeout = TimeSpan.FromSeconds(90), MinInterval = TimeSpan.FromMilliseconds(100) };
            var enumerator = waiter.WaitAsync(new[] { id }, options, CancellationToken.None).GetAsyncEnumerator();
            try
            {
                Check(await enumerator.MoveNextAsync().ConfigureAwait(false), "the wait ended without a result");
                var result = enumerator.Current;
                Check(result.Succeeded, $"the wait failed: {result.Error?.Message}");
                return result.Snapshot!;
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }

        private static async Task<string> SeedWorkflow(SuiteContext context, Harness harness)
        {
            var emulator = await harness.EmulatorAsync().ConfigureAwait(false);
            var path = Path.Combine(context.RepoRoot, "examples", "workflows", "daytona-io-build-and-activate-snapshot-workflow.yml");
            var name = "netfx-seed-" + Guid.NewGuid().ToString("N").Substring(0, 6);
            var options = new RunOptions
            {
                Inputs = new JsonObject { ["apiToken"] = harness.ApiKey, ["name"] = name, ["imageName"] = "ubuntu:22.04", ["cpu"] = 1 },
                ServerUrls = new Dictionary<string, string> { ["snapshotsApi"] = emulator.ApiUrl.ToString() },
                PollInterval = TimeSpan.FromMilliseconds(100),
                Timeout = TimeSpan.FromSeconds(90),
            };
            var resolver = new SourceResolver();
            var prepared = await WorkflowRunner.PrepareAsync(path, options, resolver, CancellationToken.None).ConfigureAwait(false);
            var result = await new WorkflowRunner(prepared.Document, options, resolver).RunWorkflowAsync("build-and-activate-snapshot", CancellationToken.None).ConfigureAwait(false);
            Check(result.Status == WorkflowStatus.Succeeded, $"the workflow {result.Status}: {result.Error}");
            var snapshot = await (await harness.ClientAsync().ConfigureAwait(false)).GetSnapshotAsync(name, CancellationToken.None).ConfigureAwait(false);
            Check(snapshot.State == SnapshotState.Active, $"{name} is {snapshot.StateText} after the workflow");
            var steps = string.Join(" ", result.Steps.Select(s => s.StepId).Distinct());
            return $"{result.Status} in {result.Steps.Count} step runs ({steps}); {name} is active";
        }

        private static string ArazzoInputs()
        {
            var text = string.Join("\n",
                "arazzo: 1.0.1",
                "info: {title: t, version: '1'}",
                "sourceDescriptions: [{name: a, url: a.yaml}]",
                "workflows:",
                "- workflowId: w",
                "  inputs: {$ref: '#/components/inputs/page'}",
                "  steps: [{stepId: s, operationId: op}]",
                "components:",
                "  inputs:",
                "    page:",
                "      type: object",
                "      required: [token]",
                "      properties: {token: {type: string}, limit: {$ref: '#/$defs/limit'}, legacy: false}",
                "      $defs: {limit: {type: integer, maximum: 50, default: 10}}",
                "");
            var workflow = ArazzoLoader.Parse(text).Document!.Workflows[0];
            var (inputs, findings) = Daytona.Arazzo.Inputs.InputValidator.Prepare(workflow, new JsonObject { ["token"] = 5, ["limit"] = "70", ["legacy"] = 1 });
            Check(inputs.ToJsonString() == "{\"token\":\"5\",\"limit\":70,\"legacy\":1}", "inputs after conversion: " + inputs.ToJsonString());
            var expected = new[] { "'limit' breaks the rule 'maximum'", "'legacy' is not allowed (its schema is 'false')" };
            Check(findings.Count == 2 && expected.All(e => findings.Any(f => f.StartsWith(e, StringComparison.Ordinal))), "findings: " + string.Join(" | ", findings));
            var (_, missing) = Daytona.Arazzo.Inputs.InputValidator.Prepare(workflow, new JsonObject());
            Check(missing.Any(Daytona.Arazzo.Inputs.InputValidator.IsMissingRequired), "a missing required input was not found: " + string.Join(" | ", missing));
            var library = typeof(Json.Schema.JsonSchema).Assembly.GetName();
            return $"{findings.Count} findings ({string.Join("; ", findings)}); {library.Name} {library.Version}";
        }

        private static DateTime s_clock = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

        private static RepositoryOptions ClockOptions() => new RepositoryOptions { UtcNow = () => s_clock };

        private static string CheckpointCapture(Harness harness)
        {
            var workspace = harness.Folder("workspace");
            File.WriteAllText(Path.Combine(workspace, "notes.txt"), "first draft\n");
            File.WriteAllBytes(Path.Combine(workspace, "data.bin"), Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 31)).ToArray());
            var deep = workspace;
            while (deep.Length < 300)
            {
                deep = Path.Combine(deep, "node_modules_" + new string('x', 20));
            }

            Directory.CreateDirectory(deep);
            File.WriteAllText(Path.Combine(deep, "index.js"), "module.exports = 42;\n");

            var repository = CheckpointRepository.OpenOrCreate(Path.Combine(harness.Scratch, "checkpoints"), ClockOptions());
            var first = repository.Capture(workspace, new CaptureOptions { Name = "first draft" }, CancellationToken.None);
            s_clock = s_clock.AddMinutes(5);
            File.WriteAllText(Path.Combine(workspace, "notes.txt"), "second draft\n");
            var second = repository.Capture(workspace, new CaptureOptions { Name = "second draft" }, CancellationToken.None);

            var listed = repository.List();
            Check(listed.Count == 2 && listed[0].Id == first.Id && listed[1].Id == second.Id, "listed: " + string.Join(", ", listed.Select(c => c.Id)));
            Check(repository.FindAt(first.Time.AddMinutes(1)).Id == first.Id, "a minute after the first capture did not find the first");
            Check(repository.FindAt(second.Time).Id == second.Id, "the second capture's own instant did not find it");
            Check(first.Files == 3, $"the first capture holds {first.Files} files, not 3");
            return $"{first.Id} ({first.Files} files, {first.Size} bytes), {second.Id} ({second.NewData} bytes new); found by time";
        }

        private static string CheckpointRestore(Harness harness)
        {
            var repository = CheckpointRepository.Open(Path.Combine(harness.Scratch, "checkpoints"), ClockOptions());
            var first = repository.List().First();
            var destination = Path.Combine(harness.Scratch, "restored");
            repository.Restore(first.Id, destination, null, CancellationToken.None);
            Check(File.ReadAllText(Path.Combine(destination, "notes.txt")) == "first draft\n", "notes.txt was not restored as captured");
            var deepFile = Directory.GetFiles(destination, "index.js", SearchOption.AllDirectories).Single();
            Check(deepFile.Length > 260, $"the deep file's path has {deepFile.Length} characters");
            Check(File.ReadAllText(deepFile) == "module.exports = 42;\n", "the deep file was not restored as captured");
            var verification = repository.Verify(first.Id);
            Check(verification.IsValid, "verification found: " + string.Join("; ", verification.Problems.Select(p => p.ToString())));
            var differences = repository.CompareWithFolder(first.Id, destination);
            Check(differences.Count == 0, "the restored folder differs: " + string.Join(", ", differences.Select(d => d.Path)));
            return $"{first.Id} restored ({deepFile.Length}-character path included); verified {verification.Files} files, {verification.Chunks} chunks";
        }

        private static string CheckpointExportImport(Harness harness)
        {
            var repository = CheckpointRepository.Open(Path.Combine(harness.Scratch, "checkpoints"), ClockOptions());
            var second = repository.List().Last();
            var archive = Path.Combine(harness.Scratch, "second.checkpoint");
            var bytes = repository.Export(second.Id, archive, overwrite: false, null, CancellationToken.None);
            var other = CheckpointRepository.OpenOrCreate(Path.Combine(harness.Scratch, "elsewhere"), ClockOptions());
            var imported = other.Import(archive, null, CancellationToken.None);
            Check(imported.Id == second.Id, $"imported as {imported.Id}, exported {second.Id}");
            Check(other.Verify(imported.Id).IsValid, "the imported checkpoint does not verify");
            var notes = Encoding.UTF8.GetString(other.ReadFile(imported.Id, "notes.txt"));
            Check(notes == "second draft\n", $"notes.txt reads '{notes}' in the imported checkpoint");
            return $"{second.Id}: {bytes} bytes exported, imported and verified";
        }

        private static async Task<string> ObjectStorageRoundTrip(SuiteContext context, Harness harness, bool s3)
        {
            var why = ObjectStorageServer.WhyNot(context.RepoRoot);
            if (why != null)
            {
                throw new SmokeSkip(why);
            }

            using var server = s3 ? await ObjectStorageServer.StartS3Async(context.RepoRoot).ConfigureAwait(false) : await ObjectStorageServer.StartAzuriteAsync(context.RepoRoot).ConfigureAwait(false);
            var kind = s3 ? "s3" : "azure";
            var prefix = "smoke-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            var location = RepositoryLocation.ParseUrl(s3 ? $"s3://{ObjectStorageServer.S3Bucket}/{prefix}" : $"az://checkpoints/{prefix}");
            var storageOptions = new StorageOptions { Environment = s3 ? server.S3Environment : server.AzureEnvironment };
            var repository = CheckpointRepository.OpenOrCreate(location, ClockOptions(), storageOptions);

            var workspace = harness.Folder("objects-" + kind);
            File.WriteAllText(Path.Combine(workspace, "app.py"), "print('checkpointed on .NET Framework')\n");
            File.WriteAllBytes(Path.Combine(workspace, "model.bin"), Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray());
            var captured = repository.Capture(workspace, new CaptureOptions { Name = "object storage" }, CancellationToken.None);
            Check(repository.FindAt(captured.Time).Id == captured.Id, "the capture was not found by time");

            var restored = Path.Combine(harness.Scratch, "objects-" + kind + "-restored");
            repository.Restore(captured.Id, restored, null, CancellationToken.None);
            Check(File.ReadAllText(Path.Combine(restored, "app.py")) == "print('checkpointed on .NET Framework')\n", "app.py was not restored as captured");
            Check(File.ReadAllBytes(Path.Combine(restored, "model.bin")).SequenceEqual(File.ReadAllBytes(Path.Combine(workspace, "model.bin"))), "model.bin was not restored as captured");
            var verification = repository.Verify(captured.Id);
            Check(verification.IsValid, "verification found: " + string.Join("; ", verification.Problems.Select(p => p.ToString())));

            var sdk = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName()).FirstOrDefault(a => a.Name == (s3 ? "AWSSDK.S3" : "Azure.Storage.Blobs"));
            return $"{captured.Id}: {captured.Files} files into {location} through {sdk?.Name} {sdk?.Version}; found by time, restored, verified ({verification.Chunks} chunks)";
        }

        private static string LoadedFromDependencies(SuiteContext context)
        {
            var shipped = new HashSet<string>(Directory.GetFiles(context.Dependencies, "*.dll").Select(Path.GetFileNameWithoutExtension), StringComparer.OrdinalIgnoreCase);
            var loaded = AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && shipped.Contains(a.GetName().Name!)).ToList();
            var elsewhere = loaded.Where(a => !SameFolder(a.Location, context.Dependencies)).Select(a => $"{a.GetName().Name} {a.GetName().Version} from {a.Location}").ToList();
            var fromDependencies = loaded.Count - elsewhere.Count;
            // The runtime's own copy of an assembly it carries (Mono's GAC: Microsoft.CSharp, System.Numerics.Vectors) is
            // bound before any resolver, as .NET Framework's GAC is: allowed, and listed.
            var notRuntime = elsewhere.Where(e => e.IndexOf("/gac/", StringComparison.OrdinalIgnoreCase) < 0 && e.IndexOf("\\GAC_", StringComparison.OrdinalIgnoreCase) < 0 && e.IndexOf("/mono/4.5", StringComparison.OrdinalIgnoreCase) < 0).ToList();
            Check(notRuntime.Count == 0, "loaded from elsewhere: " + string.Join("; ", notRuntime));
            return $"{fromDependencies} of {shipped.Count} shipped assemblies loaded, all from Dependencies/" + (elsewhere.Count == 0 ? string.Empty : "; from the runtime's own GAC: " + string.Join("; ", elsewhere));
        }

        private static bool SameFolder(string file, string folder) =>
            string.Equals(Path.GetDirectoryName(Path.GetFullPath(file))!.TrimEnd('/', '\\'), Path.GetFullPath(folder).TrimEnd('/', '\\'), StringComparison.OrdinalIgnoreCase);
    }
}
