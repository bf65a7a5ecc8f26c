using System;
using System.Net;
using System.Net.Http;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Authentication;

namespace Daytona.Common.Http
{
    /// <summary>
    /// The one place the module makes HTTP handlers. On .NET Core (pwsh 7) a <c>SocketsHttpHandler</c> with a connect
    /// timeout (an unreachable server fails within <see cref="HttpResilienceOptions.ConnectTimeout"/>), pooled
    /// connections that are replaced every <see cref="HttpResilienceOptions.PooledConnectionLifetime"/>, and at most
    /// <see cref="HttpResilienceOptions.MaxConnectionsPerServer"/> connections per server; netstandard2.0 cannot name
    /// that type, so it is created by reflection. On .NET Framework (Windows PowerShell 5.1) an
    /// <see cref="HttpClientHandler"/> set up in <see cref="CreateForFramework"/>: TLS 1.2 (and 1.3 where the system
    /// has it) for this handler only, the same connection limit, and a connect timeout by <see cref="ConnectProbeHandler"/>.
    /// Mono takes the .NET Framework path too (it stands in for .NET Framework in the smoke suite).
    /// </summary>
    public static class HttpHandlerFactory
    {
        /// <summary>A new handler with the numbers of <paramref name="options"/> (default: <see cref="HttpResilienceOptions.Default"/>).</summary>
        public static HttpMessageHandler Create(HttpResilienceOptions? options = null, bool allowRedirects = true, bool useCookies = false)
        {
            options ??= HttpResilienceOptions.Default;
            var type = IsNetCore ? Type.GetType("System.Net.Http.SocketsHttpHandler, System.Net.Http", throwOnError: false) : null;
            var supported = type?.GetProperty("IsSupported", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as bool? ?? type != null;
            if (type != null && supported)
            {
                var handler = (HttpMessageHandler)Activator.CreateInstance(type)!;
                Set(type, handler, "ConnectTimeout", options.ConnectTimeout);
                Set(type, handler, "PooledConnectionLifetime", options.PooledConnectionLifetime);
                Set(type, handler, "MaxConnectionsPerServer", Math.Max(1, options.MaxConnectionsPerServer));
                Set(type, handler, "AutomaticDecompression", DecompressionMethods.GZip | DecompressionMethods.Deflate);
                Set(type, handler, "AllowAutoRedirect", allowRedirects);
                Set(type, handler, "UseCookies", useCookies);
                return handler;
            }

            return CreateForFramework(options, allowRedirects, useCookies);
        }

        /// <summary>An <see cref="HttpClient"/> over <see cref="Create"/> with no client-wide timeout (the pipeline times each attempt).</summary>
        public static HttpClient CreateClient(HttpResilienceOptions? options = null, bool allowRedirects = true, bool useCookies = false) =>
            new HttpClient(Create(options, allowRedirects, useCookies), disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

        /// <summary>
        /// The handler an SDK with its own HTTP stack (Azure.Storage.Blobs, Azure.Identity, AWSSDK) should send through,
        /// or null where its own is right (.NET Core). On .NET Framework an SDK's default HttpClientHandler takes its TLS
        /// versions from <c>ServicePointManager</c> (often <c>Ssl3, Tls</c> in powershell.exe) and has no connect
        /// timeout: the SDK gets the module's handler instead, without cookies or decompression (the SDKs check what they
        /// receive byte for byte), redirects as the SDK asks.
        /// </summary>
        public static HttpMessageHandler? CreateForSdk(HttpResilienceOptions? options = null, bool allowRedirects = false) =>
            IsNetCore ? null : CreateForFramework(options ?? HttpResilienceOptions.Default, allowRedirects, useCookies: false, decompress: false);

        /// <summary>
        /// .NET Framework's handler (Windows PowerShell 5.1), where <see cref="Create"/> is not on .NET Core. Its TLS
        /// versions follow <c>ServicePointManager.SecurityProtocol</c> unless the handler names its own, and in
        /// powershell.exe that is often <c>Ssl3, Tls</c>: the handler names TLS 1.2 and 1.3 (<see cref="TlsVersions"/>; 1.2
        /// alone where the framework does not know 1.3), so calls to the real API work without changing the process-wide setting other
        /// modules rely on.
        /// </summary>
        internal static HttpMessageHandler CreateForFramework(HttpResilienceOptions options, bool allowRedirects = true, bool useCookies = false, bool decompress = true)
        {
            var handler = new HttpClientHandler
            {
                AutomaticDecompression = decompress ? DecompressionMethods.GZip | DecompressionMethods.Deflate : DecompressionMethods.None,
                AllowAutoRedirect = allowRedirects,
                UseCookies = useCookies,
            };
            try
            {
                handler.MaxConnectionsPerServer = Math.Max(1, options.MaxConnectionsPerServer);
            }
            catch (PlatformNotSupportedException)
            {
            }

            try
            {
                handler.SslProtocols = TlsVersions(RuntimeInformation.IsOSPlatform(OSPlatform.Windows), Environment.OSVersion.Version);
            }
            catch (Exception e) when (e is NotSupportedException || e is ArgumentException || e is PlatformNotSupportedException)
            {
                handler.SslProtocols = SslProtocols.Tls12; // .NET Framework 4.7.2 does not know TLS 1.3
            }

            return new ConnectProbeHandler(handler, options.ConnectTimeout);
        }

        /// <summary>TLS 1.3 (it has no name in netstandard2.0).</summary>
        internal const SslProtocols Tls13 = (SslProtocols)12288;

        /// <summary>
        /// TLS 1.2, and 1.3 where Schannel has it (Windows 11 and Server 2022, build 20348 on): naming 1.3 to an older
        /// Schannel can fail the handshake instead of falling back.
        /// </summary>
        internal static SslProtocols TlsVersions(bool windows, Version osVersion) =>
            !windows || osVersion.Major > 10 || (osVersion.Major == 10 && osVersion.Build >= 20348) ? SslProtocols.Tls12 | Tls13 : SslProtocols.Tls12;

        /// <summary>True on .NET Core / .NET 5+ (pwsh 7); false on .NET Framework and Mono.</summary>
        internal static bool IsNetCore { get; } =
            RuntimeInformation.FrameworkDescription.StartsWith(".NET", StringComparison.Ordinal)
            && !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal)
            && !RuntimeInformation.FrameworkDescription.StartsWith(".NET Native", StringComparison.Ordinal);

        private static void Set(Type type, object handler, string property, object value) =>
            type.GetProperty(property)?.SetValue(handler, value);
    }
}
