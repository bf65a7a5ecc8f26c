using System.Globalization;
using System.Security;

namespace Daytona.Emulator.Http;

/// <summary>How a fault answers: the Retry-After forms of a 429, and the error body (Daytona's JSON, or S3's XML for object storage).</summary>
internal static class Faults
{
    public static void WriteRetryAfter(HttpResponse response, int seconds, string form)
    {
        var text = seconds.ToString(CultureInfo.InvariantCulture);
        switch (form)
        {
            case RetryAfterForm.Seconds:
                response.Headers["Retry-After"] = text;
                break;
            case RetryAfterForm.Date:
                response.Headers["Retry-After"] = DateTimeOffset.UtcNow.AddSeconds(seconds).ToString("r", CultureInfo.InvariantCulture);
                break;
            case RetryAfterForm.Named:
                response.Headers["Retry-After-authenticated"] = text;
                break;
            case RetryAfterForm.None:
                break;
            default:
                response.Headers["Retry-After"] = text;
                response.Headers["Retry-After-authenticated"] = text;
                break;
        }
    }

    public static Task WriteErrorAsync(HttpContext context, int status, bool storage, string message)
    {
        if (!storage)
        {
            return ApiError.WriteAsync(context, status, message);
        }

        var code = status == 429 || status == 503 ? "SlowDown" : status >= 500 ? "InternalError" : "Error";
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        return context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error>");
    }
}
