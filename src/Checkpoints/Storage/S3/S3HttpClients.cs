using System;
using System.Net.Http;
using Amazon.Runtime;
using Daytona.Common.Http;

namespace Daytona.Checkpoints.Storage.S3
{
    /// <summary>
    /// The HttpClient the AWS SDK sends through on Windows PowerShell 5.1: one over the module's handler
    /// (<see cref="HttpHandlerFactory.CreateForSdk"/>: TLS 1.2+, connect timeout, connection limit), cached by the SDK
    /// like its own (one per client configuration), with the SDK's timeout and redirect setting.
    /// </summary>
    internal sealed class S3HttpClients : HttpClientFactory
    {
        private readonly HttpResilienceOptions _options;

        public S3HttpClients(HttpResilienceOptions options) => _options = options;

        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            var handler = HttpHandlerFactory.CreateForSdk(_options, clientConfig.AllowAutoRedirect)
                ?? throw new InvalidOperationException("The module's SDK handler is only for .NET Framework.");
            return new HttpClient(handler, disposeHandler: true) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100) };
        }

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

        public override string GetConfigUniqueString(IClientConfig clientConfig) =>
            $"daytona-snapshots:{_options.ConnectTimeout.Ticks}:{_options.MaxConnectionsPerServer}:{clientConfig.Timeout?.Ticks}:{clientConfig.AllowAutoRedirect}";
    }
}
