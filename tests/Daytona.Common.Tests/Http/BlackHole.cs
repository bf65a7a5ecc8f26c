using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace Daytona.Common.Tests.Http;

// Framework-neutral on purpose: the .NET Framework smoke program (tests/NetFramework.Smoke) compiles this file too.

/// <summary>
/// A loopback port that accepts no connection and refuses none, like a server behind a firewall that drops packets:
/// a listener with a backlog of 0 whose queue is already full (Linux then drops new connection attempts, so a connect
/// waits until it gives up).
/// </summary>
internal sealed class BlackHole : IDisposable
{
    private readonly Socket _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = new List<Socket>();

    public BlackHole()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        for (var i = 0; i < 3; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _fillers.Add(filler);
            filler.BeginConnect(new IPEndPoint(IPAddress.Loopback, Port), result =>
            {
                try
                {
                    filler.EndConnect(result);
                }
                catch (Exception)
                {
                    // disposed, or given up: either way the queue was full while it mattered
                }
            }, null);
        }

        Thread.Sleep(200); // let the queue fill (the last filler itself waits)
    }

    public int Port { get; }

    public Uri Url => new Uri($"http://127.0.0.1:{Port}/");

    public void Dispose()
    {
        foreach (var filler in _fillers)
        {
            filler.Dispose();
        }

        _listener.Dispose();
    }
}
