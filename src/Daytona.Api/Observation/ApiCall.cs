using System;

namespace Daytona.Api.Observation
{
    /// <summary>
    /// One logical call the client made, as an observer sees it once it has ended: what was asked, what came back,
    /// when and how long it took. Retries are inside a call: an observer sees the outcome, not each attempt. The API
    /// key is never part of it (headers are not kept, and bodies pass through the client's redaction).
    /// </summary>
    public sealed class ApiCall
    {
        internal ApiCall(string method, Uri uri, string path, string? apiUrl, string? organizationId, string? requestBody)
        {
            Method = method;
            Uri = uri;
            Path = path;
            ApiUrl = apiUrl;
            OrganizationId = organizationId;
            RequestBody = requestBody;
        }

        /// <summary>GET, POST, DELETE, ….</summary>
        public string Method { get; }

        /// <summary>The absolute URL that was called.</summary>
        public Uri Uri { get; }

        /// <summary>The path relative to the API base with its query (<c>snapshots/3f…/activate</c>), or the absolute URL when the call left the API.</summary>
        public string Path { get; }

        /// <summary>The API base URL of the connection (<c>https://app.daytona.io/api</c>).</summary>
        public string? ApiUrl { get; }

        /// <summary>The organization sent as <c>X-Daytona-Organization-ID</c>, when one was.</summary>
        public string? OrganizationId { get; }

        /// <summary>The JSON request body, when there was one.</summary>
        public string? RequestBody { get; }

        /// <summary>The HTTP status of the answer; null when none came (the call failed in transport).</summary>
        public int? StatusCode { get; internal set; }

        /// <summary>The response body as text; null for a streamed response or none.</summary>
        public string? ResponseBody { get; internal set; }

        /// <summary>Why no answer came (a transport failure), when <see cref="StatusCode"/> is null.</summary>
        public string? Failure { get; internal set; }

        /// <summary>True when the body was streamed to the caller and not read here (a build log).</summary>
        public bool Streamed { get; internal set; }

        public DateTimeOffset StartedAt { get; internal set; }

        public TimeSpan Duration { get; internal set; }

        /// <summary>HTTP attempts the call took (1 when no retry was needed).</summary>
        public int Attempts { get; internal set; }

        public override string ToString() => $"{Method} {Path} -> {(StatusCode.HasValue ? StatusCode.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : Failure)}";
    }

    /// <summary>Hears each call a <see cref="DaytonaClient"/> makes in the scope it was attached to (<see cref="DaytonaClient.Observe"/>).</summary>
    public interface IApiCallObserver
    {
        /// <summary>Called once per logical call, after it ended (successfully or not), on the thread that made it.</summary>
        void Called(ApiCall call);
    }
}
