using System;
using Daytona.Common;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// How an object store's failure that outlived its SDK's retries becomes a <see cref="DaytonaException"/> with the
    /// ids of <see cref="StorageErrors"/>: the kind from the HTTP status (0: no response), the message redacted
    /// (<see cref="Redaction"/>). The Azure and S3 backends map every failure here and nowhere else.
    /// </summary>
    public static class StorageFailures
    {
        /// <summary>
        /// Whether <paramref name="e"/> is a storage call that failed on any backend: the failures the Azure and S3
        /// backends map here, and a folder's I/O and permission errors. Steps that may be left to later (deleting a
        /// marker, renewing or releasing a lease, abandoning an upload) catch exactly these.
        /// </summary>
        public static bool IsFailure(Exception e) => e is DaytonaException || e is System.IO.IOException || e is UnauthorizedAccessException;

        public static ErrorKind KindOf(int status)
        {
            switch (status)
            {
                case 0: return ErrorKind.ConnectionError;
                case 401: return ErrorKind.AuthenticationError;
                case 403: return ErrorKind.PermissionDenied;
                case 404: return ErrorKind.ObjectNotFound;
                case 408: return ErrorKind.OperationTimeout;
                case 429: return ErrorKind.LimitsExceeded;
                default: return status >= 500 ? ErrorKind.ResourceUnavailable : ErrorKind.InvalidOperation;
            }
        }

        public static DaytonaException Request(string location, string operation, string key, int status, string? detail, Exception? inner)
        {
            var what = status == 0 ? "could not reach the storage" : "was answered HTTP " + status;
            var message = Redaction.Text($"{operation} '{key}' in the checkpoint repository {location} {what}{(string.IsNullOrEmpty(detail) ? string.Empty : " (" + detail + ")")}.");
            if (status == 401 || status == 403)
            {
                return new DaytonaException(StorageErrors.AccessDenied, KindOf(status), message, location, inner)
                {
                    RecommendedAction = "Check the credentials the environment provides (AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN or an Entra ID sign-in; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile) and their rights on the container or bucket.",
                };
            }

            return new DaytonaException(StorageErrors.Unavailable, KindOf(status), message, location, inner)
            {
                RecommendedAction = status == 0 || status == 429 || status >= 500
                    ? "The storage stayed unavailable through several retries; check that it is reachable, then run the command again."
                    : "Check the repository location and the storage account or bucket settings.",
            };
        }

        public static DaytonaException NoCredentials(string location, string detail, string action, Exception? inner) =>
            new DaytonaException(StorageErrors.AccessDenied, ErrorKind.AuthenticationError,
                Redaction.Text($"No credentials could be found for the checkpoint repository {location}: {detail}"), location, inner)
            {
                RecommendedAction = action,
            };
    }
}
