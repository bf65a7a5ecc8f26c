using System.Net;
using System.Security.Authentication;
using Daytona.Common.Http;

namespace Daytona.Common.Tests.Http;

/// <summary>
/// The handler Windows PowerShell 5.1 gets (<see cref="HttpHandlerFactory.CreateForFramework"/>), built here on an
/// HttpClientHandler: the TLS versions it offers on the wire, its connection limit and its connect timeout.
/// </summary>
public sealed class HttpHandlerFactoryTests
{
    [Fact]
    public async Task TheFrameworkHandlerOffersTls12AndNothingOlder()
    {
        using var server = new TlsHelloServer();
        using var http = new HttpClient(HttpHandlerFactory.CreateForFramework(HttpResilienceOptions.Default));

        await Assert.ThrowsAnyAsync<Exception>(() => http.GetAsync(server.Url)); // the server hangs up after the hello
        var offered = await server.Offered.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains(TlsHelloServer.Tls12, offered);
        Assert.DoesNotContain(TlsHelloServer.Tls10, offered);
        Assert.DoesNotContain(TlsHelloServer.Tls11, offered);
    }

    [Fact]
    public void TheFrameworkHandlerKeepsTheConnectionLimitAndProbesConnections()
    {
        var options = new HttpResilienceOptions { MaxConnectionsPerServer = 24, ConnectTimeout = TimeSpan.FromSeconds(3) };

        var handler = Assert.IsType<ConnectProbeHandler>(HttpHandlerFactory.CreateForFramework(options));

        var inner = Assert.IsType<HttpClientHandler>(handler.InnerHandler);
        Assert.Equal(24, inner.MaxConnectionsPerServer);
        Assert.Equal(DecompressionMethods.GZip | DecompressionMethods.Deflate, inner.AutomaticDecompression);
        Assert.True((inner.SslProtocols & SslProtocols.Tls12) != 0);
    }

    [Theory]
    [InlineData(true, "10.0.17763", false)] // Windows Server 2019
    [InlineData(true, "10.0.19045", false)] // Windows 10 22H2
    [InlineData(true, "10.0.20348", true)] // Windows Server 2022
    [InlineData(true, "10.0.22631", true)] // Windows 11
    [InlineData(true, "6.3.9600", false)] // Windows Server 2012 R2
    [InlineData(false, "6.1.0", true)] // Linux, macOS: OpenSSL
    public void Tls13IsNamedOnlyWhereSchannelHasIt(bool windows, string version, bool tls13)
    {
        var protocols = HttpHandlerFactory.TlsVersions(windows, Version.Parse(version));

        Assert.True((protocols & SslProtocols.Tls12) != 0);
        Assert.Equal(tls13, (protocols & HttpHandlerFactory.Tls13) != 0);
    }

    [Fact]
    public void PowerShell7GetsTheSocketsHandler()
    {
        Assert.True(HttpHandlerFactory.IsNetCore);
        Assert.Equal("SocketsHttpHandler", HttpHandlerFactory.Create().GetType().Name);
    }
}
