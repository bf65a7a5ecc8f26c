using System;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Daytona.Checkpoints.Storage.Azure
{
    /// <summary>Reports each retry the Azure SDK makes (one verbose line: method, blob path, try number, what failed before); no query string, so no SAS.</summary>
    internal sealed class AzureRetryReport : HttpPipelineSynchronousPolicy
    {
        private readonly Action<string> _verbose;

        public AzureRetryReport(Action<string> verbose)
        {
            _verbose = verbose;
        }

        public override void OnSendingRequest(HttpMessage message)
        {
            var retry = message.ProcessingContext.RetryNumber;
            if (retry > 0)
            {
                var previous = message.HasResponse ? "HTTP " + message.Response.Status.ToString(CultureInfo.InvariantCulture) : "a connection failure";
                _verbose(string.Format(CultureInfo.InvariantCulture, "Azure Blob: retry {0} of {1} {2} after {3}.",
                    retry, message.Request.Method, message.Request.Uri.Path, previous));
            }
        }
    }
}
