using System;

namespace Daytona.Common
{
    /// <summary>
    /// A failure the user can understand and act on. <see cref="ErrorId"/> is stable (tests and scripts match on it),
    /// <see cref="Kind"/> picks the ErrorCategory, <see cref="Target"/> is the object the failure is about,
    /// <see cref="RecommendedAction"/> tells the user what to do and <see cref="Scope"/> whether it ends the command.
    /// Raise one through its <see cref="ErrorCatalog"/> entry (<c>ErrorCatalog.SnapshotNotFound.Create(…)</c>), which
    /// fills all of these. Messages never contain secrets.
    /// </summary>
    public class DaytonaException : Exception
    {
        public DaytonaException(string errorId, ErrorKind kind, string message, object? target = null, Exception? innerException = null)
            : base(message, innerException)
        {
            ErrorId = errorId ?? throw new ArgumentNullException(nameof(errorId));
            Kind = kind;
            Target = target;
            Scope = ErrorCatalog.Find(errorId)?.Scope ?? ErrorScope.Item;
        }

        /// <summary>A PascalCase identifier that never changes between releases, e.g. <c>SnapshotNotFound</c>.</summary>
        public string ErrorId { get; }

        public ErrorKind Kind { get; }

        public object? Target { get; }

        /// <summary>What the user can do about it, when there is something to do.</summary>
        public string? RecommendedAction { get; set; }

        /// <summary>
        /// Whether the failure ends the command (every later input would fail the same way) or concerns only the input
        /// it was raised for. From the catalog entry of <see cref="ErrorId"/>; set it only where one id can be either.
        /// </summary>
        public ErrorScope Scope { get; set; }
    }
}
