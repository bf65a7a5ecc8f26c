// Hand-written: ASP.NET Core's HTTP logging writes text fragments to ILogger; the contract check needs each answer whole, one JSON record per line, from every process.
using System.Text;
using System.Text.Json;

namespace Daytona.Emulator.Http;

/// <summary>
/// Keeps every answer the emulator gives under <c>/api</c> — method, path, status, content type and body — one JSON
/// line each, in a file of its own in a folder (<see cref="EmulatorOptions.ResponseLog"/>, else the environment
/// variable <c>DAYTONA_EMULATOR_RESPONSE_LOG</c>). The test suite points every emulator it starts at one folder and
/// then checks each answer against Daytona's OpenAPI description. Answers made up by a fault the emulator was told to
/// inject are marked with it; a connection dropped before an answer leaves no line.
/// </summary>
internal sealed class ResponseLog : IDisposable
{
    public const string EnvironmentVariable = "DAYTONA_EMULATOR_RESPONSE_LOG";

    /// <summary>The item a fault sets on the request so its answer is marked as injected.</summary>
    public const string FaultItem = "daytona.emulator.fault";

    /// <summary>The item a dropped connection sets: no answer reached the client, so none is kept.</summary>
    public const string DroppedItem = "daytona.emulator.dropped";

    private const int MaxBody = 4 * 1024 * 1024;
    private readonly StreamWriter _writer;
    private readonly object _gate = new();

    private ResponseLog(StreamWriter writer) => _writer = writer;

    /// <summary>A log in <paramref name="folder"/> (or the environment's), or null when none is asked for.</summary>
    public static ResponseLog? Open(string? folder)
    {
        folder ??= Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(folder))
        {
            return null;
        }

        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"responses-{Environment.ProcessId}-{Guid.NewGuid():N}.jsonl");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        return new ResponseLog(new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true });
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value ?? "/";
        if (!path.StartsWith("/api/", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var original = context.Response.Body;
        var copy = new CopyingStream(original, MaxBody);
        context.Response.Body = copy;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
            if (!context.RequestAborted.IsCancellationRequested && !context.Items.ContainsKey(DroppedItem))
            {
                Write(context, copy);
            }
        }
    }

    private void Write(HttpContext context, CopyingStream copy)
    {
        var line = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["method"] = context.Request.Method,
            ["path"] = context.Request.Path.Value,
            ["query"] = context.Request.QueryString.Value,
            ["status"] = context.Response.StatusCode,
            ["contentType"] = context.Response.ContentType,
            ["bodyBytes"] = copy.Total,
            ["body"] = copy.Total <= MaxBody ? Encoding.UTF8.GetString(copy.Captured.GetBuffer(), 0, (int)copy.Captured.Length) : null,
            ["fault"] = context.Items.TryGetValue(FaultItem, out var fault) ? fault : null,
        });
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }

    /// <summary>Writes through to the response and keeps a copy of the first bytes.</summary>
    private sealed class CopyingStream : Stream
    {
        private readonly Stream _inner;
        private readonly int _limit;

        public CopyingStream(Stream inner, int limit)
        {
            _inner = inner;
            _limit = limit;
        }

        public MemoryStream Captured { get; } = new();

        public long Total { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => _inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Keep(buffer.AsSpan(offset, count));
            _inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Keep(buffer.Span);
            await _inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void Keep(ReadOnlySpan<byte> bytes)
        {
            Total += bytes.Length;
            var room = _limit - (int)Captured.Length;
            if (room > 0)
            {
                Captured.Write(bytes[..Math.Min(room, bytes.Length)]);
            }
        }
    }
}
