using System;
using System.Management.Automation;
using Daytona.Common;

namespace Daytona.Snapshots.Common
{
    /// <summary>Turns engine failures into ErrorRecords with their ErrorId, the category of their kind and the recommendation of their catalog entry (<see cref="ErrorCatalog"/>).</summary>
    public static class ErrorRecords
    {
        public static ErrorRecord From(Exception error, object? target)
        {
            if (error is DaytonaException known)
            {
                var record = new ErrorRecord(known, known.ErrorId, ToCategory(known.Kind), target ?? known.Target);
                var action = known.RecommendedAction ?? ErrorCatalog.Find(known.ErrorId)?.Recommendation;
                if (!string.IsNullOrEmpty(action))
                {
                    record.ErrorDetails = new ErrorDetails(known.Message) { RecommendedAction = action };
                }

                return record;
            }

            if (error is OperationCanceledException)
            {
                return new ErrorRecord(error, ErrorCatalog.OperationStopped.Id, ErrorCategory.OperationStopped, target);
            }

            return new ErrorRecord(error, ErrorCatalog.UnexpectedError.Id, ErrorCategory.NotSpecified, target);
        }

        /// <summary>A record for a catalog error raised by a cmdlet itself (a parameter it checks).</summary>
        public static ErrorRecord Create(ErrorDefinition error, string message, object? target, string? recommendedAction = null) =>
            From(error.Create(message, target, recommendation: recommendedAction), target);

        public static ErrorRecord Create(string errorId, ErrorKind kind, string message, object? target, string? recommendedAction = null)
        {
            return From(new DaytonaException(errorId, kind, message, target) { RecommendedAction = recommendedAction }, target);
        }

        public static ErrorCategory ToCategory(ErrorKind kind)
        {
            return Enum.TryParse(kind.ToString(), out ErrorCategory category) ? category : ErrorCategory.NotSpecified;
        }
    }
}
