using System;
using System.Management.Automation;
using Daytona.Common;

namespace Daytona.Snapshots.Common
{
    /// <summary>Turns engine failures into ErrorRecords with a stable ErrorId and the matching category.</summary>
    public static class ErrorRecords
    {
        public static ErrorRecord From(Exception error, object? target)
        {
            if (error is DaytonaException known)
            {
                var record = new ErrorRecord(known, known.ErrorId, ToCategory(known.Kind), target ?? known.Target);
                if (!string.IsNullOrEmpty(known.RecommendedAction))
                {
                    record.ErrorDetails = new ErrorDetails(known.Message) { RecommendedAction = known.RecommendedAction };
                }

                return record;
            }

            if (error is OperationCanceledException)
            {
                return new ErrorRecord(error, "OperationStopped", ErrorCategory.OperationStopped, target);
            }

            return new ErrorRecord(error, "UnexpectedError", ErrorCategory.NotSpecified, target);
        }

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
