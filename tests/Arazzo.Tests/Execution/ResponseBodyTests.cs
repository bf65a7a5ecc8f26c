using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Daytona.Arazzo;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.OpenApi;

namespace Arazzo.Tests.Execution;

/// <summary>
/// A response body is received as bytes and read the way HTTP says: JSON parsed from UTF-8 (with or without a byte
/// order mark), any other declared charset or byte order mark decoded first; a non-JSON body is its text; a failed
/// step's message quotes the start of the body. Real HTTP on loopback.
/// </summary>
public sealed class ResponseBodyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("arazzo-body-").FullName;
    private readonly HttpListener _listener = new();
    private readonly int _port;
    private (int Status, string ContentType, byte[] Body) _answer;
    private readonly Task _loop;

    public ResponseBodyTests()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        _port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var (status, contentType, body) = _answer;
                context.Response.StatusCode = status;
                context.Response.ContentType = contentType;
                context.Response.ContentLength64 = body.Length;
                context.Response.OutputStream.Write(body);
                context.Response.Close();
            }
        });
        File.WriteAllText(Path.Combine(_folder, "api.yaml"), """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths:
              /thing:
                get: {operationId: getThing, responses: {'200': {description: ok}}}
            """);
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<WorkflowResult> Run(string output, int status, string contentType, byte[] body)
    {
        _answer = (status, contentType, body);
        var path = Path.Combine(_folder, "doc.arazzo.yaml");
        File.WriteAllText(path, "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: api, url: ./api.yaml}]\nworkflows:\n- workflowId: w\n  steps:\n" +
            "  - stepId: get\n    operationId: getThing\n    successCriteria: [{condition: $statusCode == 200}]\n" +
            $"    outputs: {{value: '{output}'}}\n  outputs: {{value: $steps.get.outputs.value}}\n");
        var options = new RunOptions
        {
            ServerUrls = new Dictionary<string, string> { ["api"] = $"http://127.0.0.1:{_port}" },
            PollInterval = TimeSpan.Zero,
            Timeout = TimeSpan.FromSeconds(60),
            AllowRemoteSources = false,
        };
        var resolver = new SourceResolver { AllowRemote = false };
        var document = (await RunPreparation.PrepareAsync(path, options, resolver, CancellationToken.None)).Document;
        return await new WorkflowRunner(document, options, resolver).RunWorkflowAsync("w", CancellationToken.None);
    }

    private static byte[] Bytes(Encoding encoding, string text, bool mark) => (mark ? encoding.GetPreamble() : Array.Empty<byte>()).Concat(encoding.GetBytes(text)).ToArray();

    [Theory]
    [InlineData("application/json", "utf-8", false)]
    [InlineData("application/json", "utf-8", true)]
    [InlineData("application/json; charset=utf-8", "utf-8", true)]
    [InlineData("application/json; charset=utf-16", "utf-16", true)]
    [InlineData("application/json", "utf-16", true)]
    [InlineData("application/json; charset=iso-8859-1", "iso-8859-1", false)]
    [InlineData("application/problem+json; charset=\"utf-16BE\"", "utf-16BE", false)]
    public async Task AJsonBodyIsReadInTheCharsetTheAnswerDeclaresOrItsByteOrderMarkSays(string contentType, string encoding, bool mark)
    {
        var result = await Run("$response.body#/name", 200, contentType, Bytes(Encoding.GetEncoding(encoding), "\n {\"name\": \"café ñ\", \"n\": [1.50]}", mark));
        Assert.Equal(WorkflowStatus.Succeeded, result.Status);
        Assert.Equal("café ñ", result.OutputsJson["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task ANumberKeepsItsTextAndANonJsonBodyIsItsText()
    {
        var number = await Run("$response.body#/n/0", 200, "application/json", Encoding.UTF8.GetBytes("{\"n\": [1.50]}"));
        Assert.Equal("1.50", number.OutputsJson["value"]!.ToJsonString());

        var text = await Run("$response.body", 200, "text/plain; charset=iso-8859-1", Encoding.Latin1.GetBytes("café"));
        Assert.Equal("café", text.OutputsJson["value"]!.GetValue<string>());

        var notJson = await Run("$response.body", 200, "application/json", Encoding.UTF8.GetBytes("not json é"));
        Assert.Equal("not json é", notJson.OutputsJson["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task AFailedStepQuotesTheStartOfTheBodyOnOneLine()
    {
        var body = "\r\n  {\"error\":\r\n\"" + new string('x', 100_000) + "\"}\n";
        var result = await Run("$statusCode", 500, "application/json", Encoding.UTF8.GetBytes(body));
        Assert.Equal(WorkflowStatus.Failed, result.Status);
        var expected = " Response: " + ("{\"error\":  \"" + new string('x', 300)).Substring(0, 300) + "…";
        Assert.EndsWith(expected, result.Error);
    }
}
