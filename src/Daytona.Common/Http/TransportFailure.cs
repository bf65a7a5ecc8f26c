using System;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace Daytona.Common.Http
{
    /// <summary>
    /// A request that got no HTTP answer, after the pipeline's retries. <see cref="Sent"/> says whether the server may
    /// have received (and processed) it: false for a connection that was never made, true for a dropped connection or
    /// an attempt that timed out while waiting for the answer. Clients turn it into their error through the catalog
    /// (<see cref="ErrorCatalog.ForTransport"/>).
    /// </summary>
    public sealed class TransportFailure : Exception
    {
        public TransportFailure(string message, bool sent, bool permanent, bool timedOut, Exception? inner)
            : base(message, inner)
        {
            Sent = sent;
            Permanent = permanent;
            TimedOut = timedOut;
        }

        /// <summary>The request may have reached the server: its outcome is unknown.</summary>
        public bool Sent { get; }

        /// <summary>Retrying cannot help (the name does not resolve, or nothing accepts connections within the connect timeout).</summary>
        public bool Permanent { get; }

        /// <summary>The attempt (or the whole call's budget) ran out of time.</summary>
        public bool TimedOut { get; }

        /// <summary>How many attempts were made before giving up.</summary>
        public int Attempts { get; internal set; } = 1;

        /// <summary>
        /// Classifies a failed send: whether it reached the server, and whether retrying could help.
        /// </summary>
        public static TransportFailure Classify(HttpRequestException e)
        {
            var (beforeSend, permanent) = ClassifyConnectFailure(e);
            return new TransportFailure(Innermost(e).Message, sent: !beforeSend, permanent: permanent, timedOut: false, e);
        }

        private static (bool BeforeSend, bool Permanent) ClassifyConnectFailure(HttpRequestException e)
        {
            // .NET 8+ says it directly (HttpRequestException.HttpRequestError); found by reflection to stay netstandard2.0.
            var kind = e.GetType().GetProperty("HttpRequestError")?.GetValue(e)?.ToString();
            if (kind == "NameResolutionError") return (true, true);
            if (kind == "ConnectionError" || kind == "SecureConnectionError" || kind == "ProxyTunnelError") return (true, false);

            for (Exception? inner = e; inner != null; inner = inner.InnerException)
            {
                if (inner is SocketException socket)
                {
                    switch (socket.SocketErrorCode)
                    {
                        case SocketError.HostNotFound:
                        case SocketError.NoData:
                            return (true, true);
                        case SocketError.ConnectionRefused:
                        case SocketError.HostUnreachable:
                        case SocketError.NetworkUnreachable:
                        case SocketError.AddressNotAvailable:
                        case SocketError.TryAgain:
                            return (true, false);
                    }
                }

                // .NET Framework (Windows PowerShell 5.1) reports through WebException.
                if (inner is WebException web)
                {
                    switch (web.Status)
                    {
                        case WebExceptionStatus.NameResolutionFailure:
                        case WebExceptionStatus.ProxyNameResolutionFailure:
                            return (true, true);
                        case WebExceptionStatus.ConnectFailure:
                        case WebExceptionStatus.SecureChannelFailure:
                        case WebExceptionStatus.TrustFailure:
                            return (true, false);
                    }
                }
            }

            return (false, false);
        }

        /// <summary>The innermost exception: the one whose message says what went wrong.</summary>
        public static Exception Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e;
        }
    }
}
