using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Daytona.Emulator.Http;

/// <summary>A failure answered as Daytona's error JSON (apps/api all-exceptions filter).</summary>
internal sealed class ApiException : Exception
{
    public ApiException(int statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public int StatusCode { get; }

    public static ApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static ApiException NotFound(string message) => new(StatusCodes.Status404NotFound, message);
}

internal static class ApiError
{
    /// <summary>The status Daytona answers an engine refusal with.</summary>
    public static int StatusFor(Engine.Rejection reason) => reason switch
    {
        Engine.Rejection.NotFound => StatusCodes.Status404NotFound,
        Engine.Rejection.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <c>{path, timestamp, statusCode, error, message}</c>; path is the request URL (path and query).</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string message)
    {
        var request = context.Request;
        var body = new Dictionary<string, object>
        {
            ["path"] = request.PathBase + request.Path + request.QueryString,
            ["timestamp"] = Model.SnapshotDto.Iso(DateTime.UtcNow),
            ["statusCode"] = statusCode,
            ["error"] = ReasonPhrases.GetReasonPhrase(statusCode),
            ["message"] = message,
        };
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
