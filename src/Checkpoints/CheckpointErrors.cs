using System;
using Daytona.Common;

namespace Daytona.Checkpoints
{
    /// <summary>Short names for the checkpoint engine's ids (the ids and what they mean live in <see cref="ErrorCatalog"/>) and the exceptions that carry them.</summary>
    public static class CheckpointErrors
    {
        public static readonly string NotFound = ErrorCatalog.CheckpointNotFound.Id;
        public static readonly string SourceChanged = ErrorCatalog.CheckpointSourceChanged.Id;
        public static readonly string SourceNotFound = ErrorCatalog.CheckpointSourceNotFound.Id;
        public static readonly string RepositoryLocked = ErrorCatalog.CheckpointRepositoryLocked.Id;
        public static readonly string RepositoryInvalid = ErrorCatalog.CheckpointRepositoryInvalid.Id;
        public static readonly string Corrupt = ErrorCatalog.CheckpointCorrupt.Id;
        public static readonly string ArchiveInvalid = ErrorCatalog.CheckpointArchiveInvalid.Id;
        public static readonly string PathUnsafe = ErrorCatalog.CheckpointPathUnsafe.Id;
        public static readonly string TimeInvalid = ErrorCatalog.CheckpointTimeInvalid.Id;
        public static readonly string TimeInFuture = ErrorCatalog.CheckpointTimeInFuture.Id;
        public static readonly string DestinationNotEmpty = ErrorCatalog.CheckpointDestinationNotEmpty.Id;
        public static readonly string AlreadyExists = ErrorCatalog.CheckpointAlreadyExists.Id;
        public static readonly string SourceInvalid = ErrorCatalog.CheckpointSourceInvalid.Id;
        public static readonly string CaptureStalled = ErrorCatalog.CheckpointCaptureStalled.Id;

        internal static DaytonaException Create(string id, ErrorKind kind, string message, object? target = null, string? action = null, Exception? inner = null)
            => new DaytonaException(id, kind, message, target, inner) { RecommendedAction = action };

        internal static DaytonaException CorruptData(string message, object? target = null, Exception? inner = null)
            => Create(Corrupt, ErrorKind.InvalidData, message, target, "Run Test-Checkpoint to list every damaged piece; restore the repository folder from a copy or import the checkpoint again from an archive.", inner);

        internal static DaytonaException Archive(string message, object? target = null, Exception? inner = null)
            => Create(ArchiveInvalid, ErrorKind.InvalidData, message, target, "Export the checkpoint again from its repository and copy the archive file completely.", inner);

        internal static DaytonaException Unsafe(string path, string why, object? target = null)
            => Create(PathUnsafe, ErrorKind.SecurityError, $"The entry '{path}' would land outside the destination: {why}.", target ?? path, "The checkpoint or archive was not produced by this module or was tampered with; nothing was written.");

        internal static DaytonaException NotFoundAt(string what, object? target = null)
            => Create(NotFound, ErrorKind.ObjectNotFound, what, target, "List the checkpoints with Get-Checkpoint -Repository <folder>.");
    }
}
