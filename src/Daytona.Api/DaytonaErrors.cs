using System;
using System.Net;
using Daytona.Common;

namespace Daytona.Api
{
    /// <summary>The stable error ids of the Daytona client and waiter (scripts and tests match on them).</summary>
    public static class DaytonaErrorIds
    {
        public const string SnapshotNotFound = "SnapshotNotFound";
        public const string SnapshotAlreadyExists = "SnapshotAlreadyExists";
        public const string SnapshotBuildFailed = "SnapshotBuildFailed";
        public const string SnapshotRemoved = "SnapshotRemoved";
        public const string SnapshotHasNoBuildLog = "SnapshotHasNoBuildLog";
        public const string WaitTimeout = "WaitTimeout";
        public const string AuthenticationFailed = "DaytonaAuthenticationFailed";
        public const string PermissionDenied = "DaytonaPermissionDenied";
        public const string RateLimited = "DaytonaRateLimited";
        public const string ServiceUnavailable = "DaytonaServiceUnavailable";
        public const string Unreachable = "DaytonaUnreachable";
        public const string InvalidRequest = "DaytonaInvalidRequest";
        public const string NotFound = "DaytonaNotFound";
        public const string Conflict = "DaytonaConflict";
        public const string UnexpectedResponse = "DaytonaUnexpectedResponse";
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
