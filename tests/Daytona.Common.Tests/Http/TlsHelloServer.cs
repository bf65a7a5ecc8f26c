using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace Daytona.Common.Tests.Http;

// Framework-neutral on purpose: the .NET Framework smoke program (tests/NetFramework.Smoke) compiles this file too.

/// <summary>
/// A loopback TCP server that reads the first TLS ClientHello sent to it and says which TLS versions the client
/// offered, then closes the connection: what a TLS 1.2-only server decides on, observed without a certificate.
/// Connections that send nothing (a connect probe) are skipped.
/// </summary>
internal sealed class TlsHelloServer : IDisposable
{
    public const ushort Tls10 = 0x0301;
    public const ushort Tls11 = 0x0302;
    public const ushort Tls12 = 0x0303;
    public const ushort Tls13 = 0x0304;

    private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);

    public TlsHelloServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Offered = AcceptHelloAsync();
    }

    public int Port { get; }

    public Uri Url => new Uri($"https://127.0.0.1:{Port}/");

    /// <summary>The versions of the first ClientHello: from supported_versions when present, else legacy_version.</summary>
    public Task<IReadOnlyList<ushort>> Offered { get; }

    public static string Name(ushort version) => version switch
    {
        Tls10 => "TLS 1.0",
        Tls11 => "TLS 1.1",
        Tls12 => "TLS 1.2",
        Tls13 => "TLS 1.3",
        _ => $"0x{version:x4}",
    };

    public void Dispose() => _listener.Stop();

    private async Task<IReadOnlyList<ushort>> AcceptHelloAsync()
    {
        while (true)
        {
            using var client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
            var stream = client.GetStream();
            var header = await ReadAsync(stream, 5).ConfigureAwait(false);
            if (header == null)
            {
                continue; // a probe: connected and closed
            }

            if (header[0] != 0x16)
            {
                throw new InvalidDataException($"not a TLS handshake record (0x{header[0]:x2})");
            }

            var body = await ReadAsync(stream, (header[3] << 8) | header[4]).ConfigureAwait(false)
                ?? throw new InvalidDataException("the ClientHello record was cut short");
            return Parse(body);
        }
    }

    internal static IReadOnlyList<ushort> Parse(byte[] hello)
    {
        if (hello[0] != 0x01)
        {
            throw new InvalidDataException("not a ClientHello");
        }

        var legacy = (ushort)((hello[4] << 8) | hello[5]);
        var at = 6 + 32; // version, random
        at += 1 + hello[at]; // session id
        at += 2 + ((hello[at] << 8) | hello[at + 1]); // cipher suites
        at += 1 + hello[at]; // compression methods
        if (at + 2 <= hello.Length)
        {
            var end = at + 2 + ((hello[at] << 8) | hello[at + 1]);
            at += 2;
            while (at + 4 <= end)
            {
                var type = (hello[at] << 8) | hello[at + 1];
                var length = (hello[at + 2] << 8) | hello[at + 3];
                if (type == 0x002b)
                {
                    var versions = new List<ushort>();
                    for (var i = at + 5; i + 1 < at + 5 + hello[at + 4]; i += 2)
                    {
                        var version = (ushort)((hello[i] << 8) | hello[i + 1]);
                        if ((version & 0x0f0f) != 0x0a0a)
                        {
                            versions.Add(version); // GREASE values left out
                        }
                    }

                    return versions;
                }

                at += 4 + length;
            }
        }

        return new[] { legacy };
    }

    private static async Task<byte[]?> ReadAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await stream.ReadAsync(buffer, read, count - read).ConfigureAwait(false);
            if (n == 0)
            {
                return null;
            }

            read += n;
        }

        return buffer;
    }
}
