using System;
using Daytona.Common;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>The error ids storage failures carry (every backend reports its failures with these).</summary>
    public static class StorageErrors
    {
        /// <summary>The storage cannot be reached or failed (after the backend's retries): network, 5xx, disk errors.</summary>
        public static readonly string Unavailable = ErrorCatalog.CheckpointStorageUnavailable.Id;

        /// <summary>The credentials were refused or are missing (401/403, no credential found).</summary>
        public static readonly string AccessDenied = ErrorCatalog.CheckpointStorageAccessDenied.Id;

        /// <summary>The repository location cannot be understood (a malformed URL, an unknown scheme).</summary>
        public static readonly string LocationInvalid = ErrorCatalog.CheckpointRepositoryLocationInvalid.Id;

        public static DaytonaException Unreachable(string location, string what, Exception? inner = null) =>
            new DaytonaException(Unavailable, ErrorKind.ResourceUnavailable, $"The checkpoint repository {location} could not be {what}: {inner?.Message ?? "the storage failed"}", location, inner)
            {
                RecommendedAction = "Check that the storage is reachable and has room, then run the command again.",
            };

        public static DaytonaException Denied(string location, string what, Exception? inner = null) =>
            new DaytonaException(AccessDenied, ErrorKind.PermissionDenied, $"Access to the checkpoint repository {location} was refused while it was {what}.", location, inner)
            {
                RecommendedAction = "Check the credentials the environment provides for this storage and their permissions.",
            };

        public static DaytonaException BadLocation(string value, string why) =>
            new DaytonaException(LocationInvalid, ErrorKind.InvalidArgument, $"'{value}' is not a checkpoint repository location: {why}", value)
            {
                RecommendedAction = "Pass a folder path, az://<container>/<prefix>, https://<account>.blob.core.windows.net/<container>/<prefix> or s3://<bucket>/<prefix>.",
            };
    }
}
