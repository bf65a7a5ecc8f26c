using System;
using Daytona.Common;

namespace Daytona.Checkpoints
{
    /// <summary>The stable error ids of the checkpoint engine and the exceptions that carry them.</summary>
    public static class CheckpointErrors
    {
        public const string NotFound = "CheckpointNotFound";
        public const string SourceChanged = "CheckpointSourceChanged";
        public const string SourceNotFound = "CheckpointSourceNotFound";
        public const string RepositoryLocked = "CheckpointRepositoryLocked";
        public const string RepositoryInvalid = "CheckpointRepositoryInvalid";
        public const string Corrupt = "CheckpointCorrupt";
        public const string ArchiveInvalid = "CheckpointArchiveInvalid";
        public const string PathUnsafe = "CheckpointPathUnsafe";
        public const string TimeInvalid = "CheckpointTimeInvalid";
        public const string TimeInFuture = "CheckpointTimeInFuture";
        public const string DestinationNotEmpty = "CheckpointDestinationNotEmpty";
        public const string AlreadyExists = "CheckpointAlreadyExists";
        public const string SourceInvalid = "CheckpointSourceInvalid";

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
