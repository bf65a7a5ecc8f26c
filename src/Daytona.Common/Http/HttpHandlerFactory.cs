using System;
using System.Net;
using System.Net.Http;
using System.Reflection;

namespace Daytona.Common.Http
{
    /// <summary>
    /// The one place the module makes HTTP handlers. On .NET Core (pwsh 7) a <c>SocketsHttpHandler</c> with a connect
    /// timeout (an unreachable server fails within <see cref="HttpResilienceOptions.ConnectTimeout"/>), pooled
    /// connections that are replaced every <see cref="HttpResilienceOptions.PooledConnectionLifetime"/>, and at most
    /// <see cref="HttpResilienceOptions.MaxConnectionsPerServer"/> connections per server; netstandard2.0 cannot name
    /// that type, so it is created by reflection. On .NET Framework (Windows PowerShell 5.1) an
    /// <see cref="HttpClientHandler"/>, where the pipeline's per-attempt timeout bounds a connect instead;
    /// .NET Framework's own settings (TLS versions) are made in <see cref="ConfigureFramework"/>.
    /// </summary>
    public static class HttpHandlerFactory
    {
        /// <summary>A new handler with the numbers of <paramref name="options"/> (default: <see cref="HttpResilienceOptions.Default"/>).</summary>
        public static HttpMessageHandler Create(HttpResilienceOptions? options = null, bool allowRedirects = true, bool useCookies = false)
        {
            options ??= HttpResilienceOptions.Default;
            var type = Type.GetType("System.Net.Http.SocketsHttpHandler, System.Net.Http", throwOnError: false);
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

            var framework = new HttpClientHandler
            {
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                AllowAutoRedirect = allowRedirects,
                UseCookies = useCookies,
            };
            try
            {
                framework.MaxConnectionsPerServer = Math.Max(1, options.MaxConnectionsPerServer);
            }
            catch (PlatformNotSupportedException)
            {
            }

            ConfigureFramework(framework);
            return framework;
        }

        /// <summary>An <see cref="HttpClient"/> over <see cref="Create"/> with no client-wide timeout (the pipeline times each attempt).</summary>
        public static HttpClient CreateClient(HttpResilienceOptions? options = null, bool allowRedirects = true, bool useCookies = false) =>
            new HttpClient(Create(options, allowRedirects, useCookies), disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

        /// <summary>.NET Framework only (Windows PowerShell 5.1): the settings its HttpClientHandler needs.</summary>
        private static void ConfigureFramework(HttpClientHandler handler)
        {
            _ = handler;
        }

        private static void Set(Type type, object handler, string property, object value) =>
            type.GetProperty(property)?.SetValue(handler, value);
    }
}
