namespace Daytona.Emulator.Engine;

/// <summary>Why the engine refused a request, in its own terms; <see cref="Http.ApiError"/> turns it into Daytona's status.</summary>
internal enum Rejection
{
    /// <summary>No snapshot by that id or name.</summary>
    NotFound,

    /// <summary>The request breaks a rule (a field, a name, a state the snapshot is not in).</summary>
    Invalid,

    /// <summary>A snapshot with that name already exists.</summary>
    Conflict,
}

/// <summary>The engine's refusal of a request, with Daytona's message for it. The engine knows nothing of HTTP.</summary>
internal sealed class RequestRejected : Exception
{
    public RequestRejected(Rejection reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public Rejection Reason { get; }

    public static RequestRejected NotFound(string message) => new(Rejection.NotFound, message);

    public static RequestRejected Invalid(string message) => new(Rejection.Invalid, message);

    public static RequestRejected Conflict(string message) => new(Rejection.Conflict, message);
}
