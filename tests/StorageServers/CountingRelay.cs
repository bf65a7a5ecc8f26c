using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Daytona.StorageServers;

// Our own: a request counter must cost the client next to nothing (the bench's captures are timed through it), and an
// HTTP proxy (FaultProxy: Kestrel in, HttpClient out) parses and re-sends every body, 40-60 ms of a 64 MiB capture.

/// <summary>
/// A TCP relay on 127.0.0.1 (a free port) to an HTTP/1.1 server that counts the requests going through: it reads each
/// request's head (to note its method and target, and find where its body ends by Content-Length) and passes every
/// byte on unchanged, both ways. Bodies without a Content-Length (chunked) are refused: the connection is closed.
/// </summary>
public sealed class CountingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly ConcurrentQueue<(long Sequence, string Method, string Target)> _log = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly Task _accepting;
    private long _sequence;

    private CountingRelay(TcpListener listener, IPEndPoint target)
    {
        _listener = listener;
        _target = target;
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The relay's address: <c>http://127.0.0.1:port/</c>.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>How many requests went through since the start or the last <see cref="Reset"/>.</summary>
    public int Count => _log.Count;

    /// <summary>The requests since the start or the last <see cref="Reset"/>, in arrival order: method and target.</summary>
    public IReadOnlyList<(string Method, string Target)> Requests => _log.OrderBy(r => r.Sequence).Select(r => (r.Method, r.Target)).ToList();

    /// <summary>Forgets the requests seen so far.</summary>
    public void Reset() => _log.Clear();

    /// <summary>Starts a relay to <paramref name="target"/> (an http URL on this machine).</summary>
    public static CountingRelay Start(Uri target)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new CountingRelay(listener, new IPEndPoint(IPAddress.Loopback, target.Port));
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException || e is SocketException || e is ObjectDisposedException)
            {
                return;
            }

            var connection = RelayAsync(client);
            _connections[connection] = true;
            _ = connection.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                client.NoDelay = true;
                server.NoDelay = true;
                await server.ConnectAsync(_target.Address, _target.Port, _stop.Token);
            }
            catch (Exception e) when (e is SocketException || e is OperationCanceledException)
            {
                return;
            }

            var requests = RequestsAsync(client.GetStream(), server.GetStream());
            var responses = server.GetStream().CopyToAsync(client.GetStream(), 81920, _stop.Token);

            // Either side done (closed, or a request this relay does not pass): both connections end.
            await Task.WhenAny(requests, responses);
            client.Close();
            server.Close();
            try
            {
                await Task.WhenAll(requests, responses);
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is OperationCanceledException || e is ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Passes requests from the client to the server, one head and body after another, counting each.</summary>
    private async Task RequestsAsync(Stream client, Stream server)
    {
        var buffer = new byte[81920];
        var filled = 0;
        while (true)
        {
            // The head: up to the blank line.
            int end;
            while ((end = HeadEnd(buffer, filled)) < 0)
            {
                if (filled == buffer.Length)
                {
                    return;
                }

                var read = await client.ReadAsync(buffer.AsMemory(filled), _stop.Token);
                if (read == 0)
                {
                    return;
                }

                filled += read;
            }

            var head = Encoding.ASCII.GetString(buffer, 0, end);
            var lines = head.Split("\r\n");
            var parts = lines[0].Split(' ');
            long length = 0;
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':');
                var name = colon < 0 ? line : line[..colon].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    length = long.Parse(line[(colon + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }
            }

            _log.Enqueue((Interlocked.Increment(ref _sequence), parts[0], parts.Length > 1 ? parts[1] : string.Empty));

            // The head and the body bytes already read, then the rest of the body as it comes.
            var inBuffer = (int)Math.Min(filled - end, length);
            await server.WriteAsync(buffer.AsMemory(0, end + inBuffer), _stop.Token);
            var left = length - inBuffer;
            Buffer.BlockCopy(buffer, end + inBuffer, buffer, 0, filled - end - inBuffer);
            filled -= end + inBuffer;
            while (left > 0)
            {
                var read = await client.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), _stop.Token);
                if (read == 0)
                {
                    return;
                }

                await server.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                left -= read;
            }
        }
    }

    /// <summary>Where the head ends (just after its blank line), or -1 when it has not all been read.</summary>
    private static int HeadEnd(byte[] buffer, int filled)
    {
        for (var i = 3; i < filled; i++)
        {
            if (buffer[i] == '\n' && buffer[i - 1] == '\r' && buffer[i - 2] == '\n' && buffer[i - 3] == '\r')
            {
                return i + 1;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(_connections.Keys);
        _stop.Dispose();
    }
}
