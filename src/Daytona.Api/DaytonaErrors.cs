using System;
using System.Net;
using Daytona.Common;

namespace Daytona.Api
{
    /// <summary>Short names for the Daytona client's and waiter's ids; the ids and what they mean live in <see cref="ErrorCatalog"/>.</summary>
    public static class DaytonaErrorIds
    {
        public static readonly string SnapshotNotFound = ErrorCatalog.SnapshotNotFound.Id;
        public static readonly string SnapshotAlreadyExists = ErrorCatalog.SnapshotAlreadyExists.Id;
        public static readonly string SnapshotBuildFailed = ErrorCatalog.SnapshotBuildFailed.Id;
        public static readonly string SnapshotRemoved = ErrorCatalog.SnapshotRemoved.Id;
        public static readonly string SnapshotHasNoBuildLog = ErrorCatalog.SnapshotHasNoBuildLog.Id;
        public static readonly string WaitTimeout = ErrorCatalog.WaitTimeout.Id;
        public static readonly string AuthenticationFailed = ErrorCatalog.DaytonaAuthenticationFailed.Id;
        public static readonly string PermissionDenied = ErrorCatalog.DaytonaPermissionDenied.Id;
        public static readonly string RateLimited = ErrorCatalog.DaytonaRateLimited.Id;
        public static readonly string ServiceUnavailable = ErrorCatalog.DaytonaServiceUnavailable.Id;
        public static readonly string Unreachable = ErrorCatalog.DaytonaUnreachable.Id;
        public static readonly string InvalidRequest = ErrorCatalog.DaytonaInvalidRequest.Id;
        public static readonly string NotFound = ErrorCatalog.DaytonaNotFound.Id;
        public static readonly string Conflict = ErrorCatalog.DaytonaConflict.Id;
        public static readonly string UnexpectedResponse = ErrorCatalog.DaytonaUnexpectedResponse.Id;
    }

    /// <summary>A failed API call: the <see cref="DaytonaException"/> with the HTTP status it came from.</summary>
    public sealed class DaytonaApiException : DaytonaException
    {
        public DaytonaApiException(string errorId, ErrorKind kind, string message, HttpStatusCode? statusCode, string? serverMessage, object? target = null, Exception? inner = null)
            : base(errorId, kind, message, target, inner)
        {
            StatusCode = statusCode;
            ServerMessage = serverMessage;
        }

        /// <summary>The HTTP status, or null when no response arrived.</summary>
        public HttpStatusCode? StatusCode { get; }

        /// <summary>The <c>message</c> of the server's error body, as sent (secrets removed).</summary>
        public string? ServerMessage { get; }
    }

    /// <summary>A snapshot that settled in <c>error</c> or <c>build_failed</c>, with its reason and the end of its build log.</summary>
    public sealed class SnapshotBuildFailedException : DaytonaException
    {
        public SnapshotBuildFailedException(Snapshot snapshot, string message, string[] buildLogTail)
            : base(DaytonaErrorIds.SnapshotBuildFailed, ErrorKind.InvalidData, message, snapshot)
        {
            Snapshot = snapshot;
            BuildLogTail = buildLogTail;
        }

        public Snapshot Snapshot { get; }

        /// <summary>The last lines of the build log (empty when the snapshot has no build, or the log could not be read).</summary>
        public string[] BuildLogTail { get; }
    }
}
