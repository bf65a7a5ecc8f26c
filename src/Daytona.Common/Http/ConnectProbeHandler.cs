using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Common.Http
{
    /// <summary>
    /// A connect timeout for .NET Framework's HttpClientHandler, which has none: a server that drops connection attempts
    /// holds each request for Windows' TCP timeout (about 21 s), then the pipeline retries. Ours because no library
    /// adds one to that handler. Before a request to a server (or the proxy in front of it) that this handler has not
    /// answered from lately, a TCP connection to it is made within the connect timeout, then closed; the request goes on
    /// only if it was made. A probe that times out fails the request the way .NET's own connect timeout does (an
    /// <see cref="OperationCanceledException"/> the caller did not ask for: "no connection", never sent); a refused
    /// or unresolvable one as an <see cref="HttpRequestException"/> around the <see cref="SocketException"/>.
    /// Requests arriving together share one probe.
    /// </summary>
    internal sealed class ConnectProbeHandler : DelegatingHandler
    {
        /// <summary>How long a server stays known as reachable after an answer (a pooled connection is usually still open).</summary>
        internal static readonly TimeSpan ReachableFor = TimeSpan.FromSeconds(30);

        private readonly TimeSpan _timeout;
        private readonly Func<IWebProxy?> _proxy;
        private readonly ConcurrentDictionary<string, Probe> _probes = new ConcurrentDictionary<string, Probe>(StringComparer.OrdinalIgnoreCase);
        private int _probeCount;

        public ConnectProbeHandler(HttpClientHandler inner, TimeSpan timeout)
            : base(inner)
        {
            _timeout = timeout;
            _proxy = () => inner.UseProxy ? inner.Proxy ?? WebRequest.DefaultWebProxy : null;
        }

        /// <summary>Probes made so far (for tests).</summary>
        internal int ProbeCount => Volatile.Read(ref _probeCount);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri;
            if (uri != null && uri.IsAbsoluteUri && _timeout > TimeSpan.Zero && _timeout != Timeout.InfiniteTimeSpan)
            {
                var (host, port) = Endpoint(uri);
                // One probe per server at a time: while it runs, and for a while after it or an answer succeeded,
                // every request to that server uses it; a failed or stale one is replaced by the next request.
                var probe = _probes.AddOrUpdate(host + ":" + port, _ => new Probe(this, host, port), (_, current) => current.Usable ? current : new Probe(this, host, port));
                await WaitAsync(probe.Run.Value, cancellationToken).ConfigureAwait(false);
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                probe.Reached();
                return response;
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        private (string Host, int Port) Endpoint(Uri uri)
        {
            var proxy = _proxy();
            if (proxy != null && !proxy.IsBypassed(uri))
            {
                var via = proxy.GetProxy(uri);
                if (via != null && via != uri && via.IsAbsoluteUri)
                {
                    return (via.DnsSafeHost, via.Port);
                }
            }

            return (uri.DnsSafeHost, uri.Port);
        }

        private async Task ProbeAsync(string host, int port)
        {
            Interlocked.Increment(ref _probeCount);
            var watch = Stopwatch.StartNew();
            using var deadline = new CancellationTokenSource(_timeout);
            IPAddress[] addresses;
            try
            {
                addresses = IPAddress.TryParse(host, out var literal)
                    ? new[] { literal }
                    : await WaitAsync(Dns.GetHostAddressesAsync(host), deadline.Token).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new HttpRequestException($"The name '{host}' could not be resolved: {e.Message}", e);
            }

            SocketException? refused = null;
            foreach (var address in addresses)
            {
                using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                using (deadline.Token.Register(() => socket.Dispose()))
                {
                    try
                    {
                        await Task.Factory.FromAsync(socket.BeginConnect, socket.EndConnect, new IPEndPoint(address, port), null).ConfigureAwait(false);
                        return;
                    }
                    catch (SocketException e)
                    {
                        refused = e;
                    }
                    catch (ObjectDisposedException) when (deadline.IsCancellationRequested)
                    {
                    }
                }

                if (deadline.IsCancellationRequested)
                {
                    break;
                }
            }

            if (refused != null && !deadline.IsCancellationRequested)
            {
                throw new HttpRequestException($"No connection could be made to {host}:{port}: {refused.Message}", refused);
            }

            throw new TaskCanceledException($"No connection to {host}:{port} within {_timeout.TotalSeconds:0.#} s ({watch.ElapsedMilliseconds} ms).");
        }

        /// <summary>One server's probe: started by the first request that reads <see cref="Run"/>, reused while <see cref="Usable"/>.</summary>
        private sealed class Probe
        {
            private long _freshUntilTicks = long.MaxValue; // while it runs

            public Probe(ConnectProbeHandler owner, string host, int port)
            {
                Run = new Lazy<Task>(async () =>
                {
                    await owner.ProbeAsync(host, port).ConfigureAwait(false);
                    Reached();
                });
            }

            public Lazy<Task> Run { get; }

            /// <summary>Not started, running, or succeeded and the server answered lately.</summary>
            public bool Usable
            {
                get
                {
                    if (!Run.IsValueCreated)
                    {
                        return true;
                    }

                    var task = Run.Value;
                    return !task.IsCompleted || (task.Status == TaskStatus.RanToCompletion && DateTime.UtcNow.Ticks < Interlocked.Read(ref _freshUntilTicks));
                }
            }

            /// <summary>The server was reached (the probe connected, or a request got an answer): it counts as reachable for a while.</summary>
            public void Reached() => Interlocked.Exchange(ref _freshUntilTicks, (DateTime.UtcNow + ReachableFor).Ticks);
        }

        // The caller's cancellation ends the wait at once (the probe itself is bounded by the connect timeout).
        private static async Task WaitAsync(Task task, CancellationToken cancellationToken)
        {
            if (!task.IsCompleted && cancellationToken.CanBeCanceled)
            {
                var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                using (cancellationToken.Register(() => cancelled.TrySetCanceled(cancellationToken)))
                {
                    await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
            }

            await task.ConfigureAwait(false);
        }

        private static async Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken)
        {
            await WaitAsync((Task)task, cancellationToken).ConfigureAwait(false);
            return await task.ConfigureAwait(false);
        }
    }
}
