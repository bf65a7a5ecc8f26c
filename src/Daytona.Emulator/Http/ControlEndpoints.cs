using System.Text.Json;
using Daytona.Emulator.Engine;

namespace Daytona.Emulator.Http;

/// <summary>The control API under /_emulator (never under /api, so it cannot collide with Daytona's paths).</summary>
internal static class ControlEndpoints
{
    public static void Map(WebApplication app, EmulatorControl control, SnapshotStore store)
    {
        app.MapGet("/_emulator/requests", () => Results.Json(control.GetRequests(), ApiError.Json));
        app.MapPost("/_emulator/requests/reset", () =>
        {
            control.ResetRequests();
            return Results.NoContent();
        });
        app.MapGet("/_emulator/faults", () => Results.Json(control.GetFaults(), ApiError.Json));
        app.MapPut("/_emulator/faults", async (HttpContext context) =>
        {
            control.SetFaults(await ReadAsync<EmulatorFaults>(context) ?? new EmulatorFaults());
            return Results.Json(control.GetFaults(), ApiError.Json);
        });
        app.MapGet("/_emulator/builds", () => Results.Json(control.GetBuilds(), ApiError.Json));
        app.MapPut("/_emulator/builds", async (HttpContext context) =>
        {
            control.SetBuilds(await ReadAsync<EmulatorBuilds>(context) ?? new EmulatorBuilds());
            return Results.Json(control.GetBuilds(), ApiError.Json);
        });
        app.MapPost("/_emulator/snapshots/{idOrName}/deactivate-unused", (string idOrName) =>
            Results.Json(store.DeactivateUnused(idOrName), ApiError.Json));
        app.MapGet("/_emulator/objects", () => Results.Json(control.ListObjects(), ApiError.Json));
        app.MapPost("/_emulator/build-logs/cut", () =>
        {
            control.CutNextBuildLog();
            return Results.NoContent();
        });
    }

    private static async Task<T?> ReadAsync<T>(HttpContext context)
        where T : class
    {
        try
        {
            if (context.Request.ContentLength == 0)
            {
                return null;
            }

            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, ApiError.Json, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest("Invalid control body: " + e.Message);
        }
    }
}
