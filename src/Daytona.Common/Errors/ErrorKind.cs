namespace Daytona.Common
{
    /// <summary>
    /// What kind of failure happened, named after the PowerShell ErrorCategory it maps to one to one,
    /// so engine libraries can classify failures without referencing PowerShell.
    /// </summary>
    public enum ErrorKind
    {
        NotSpecified = 0,
        InvalidArgument,
        InvalidData,
        InvalidOperation,
        ObjectNotFound,
        ResourceExists,
        AuthenticationError,
        PermissionDenied,
        LimitsExceeded,
        ResourceUnavailable,
        ConnectionError,
        OperationTimeout,
        OperationStopped,
        ReadError,
        WriteError,
        ResourceBusy,
        SecurityError,
        SyntaxError,
        NotImplemented,
    }
}
