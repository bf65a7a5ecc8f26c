using System.Text;
using System.Text.Json;
using Daytona.Emulator.Engine;
using Daytona.Emulator.Model;

namespace Daytona.Emulator.Http;

/// <summary>Daytona's snapshot endpoints under /api, with its paths, status codes and messages.</summary>
internal static class SnapshotEndpoints
{
    private static readonly string[] s_sortFields = { "name", "state", "lastUsedAt", "createdAt" };
    private static readonly string[] s_orders = { "asc", "desc" };

    public static void Map(WebApplication app, SnapshotStore store, Traffic traffic, EmulatorSettings settings, Func<Uri> baseUrl)
    {
        app.MapGet("/api/snapshots", (HttpContext context) =>
        {
            var query = context.Request.Query;
            var problems = new List<string>();
            var page = ReadInt(query["page"], "page", 1, problems, min: 1);
            var limit = ReadInt(query["limit"], "limit", 100, problems, min: 1, max: 200);
            var sort = query["sort"].FirstOrDefault() ?? "lastUsedAt";
            if (!s_sortFields.Contains(sort))
            {
                problems.Add("sort must be one of the following values: " + string.Join(", ", s_sortFields));
            }

            var order = query["order"].FirstOrDefault() ?? "desc";
            if (!s_orders.Contains(order))
            {
                problems.Add("order must be one of the following values: " + string.Join(", ", s_orders));
            }

            if (problems.Count > 0)
            {
                throw ApiException.BadRequest(string.Join(", ", problems));
            }

            return Json(store.List(page, limit, query["name"].FirstOrDefault(), sort, order));
        });

        app.MapPost("/api/snapshots", async (HttpContext context) =>
        {
            JsonElement body;
            try
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                body = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw ApiException.BadRequest($"Unexpected token in JSON: {e.Message}");
            }

            return Json(store.Create(body));
        });

        app.MapGet("/api/snapshots/{id}", (string id) => Json(store.Get(id)));

        app.MapDelete("/api/snapshots/{id}", (string id) =>
        {
            store.Delete(id);
            return Results.Ok();
        });

        app.MapPost("/api/snapshots/{id}/activate", (string id) => Json(store.Activate(id)));

        app.MapPost("/api/snapshots/{id}/deactivate", (string id) =>
        {
            store.Deactivate(id);
            return Results.NoContent();
        });

        app.MapGet("/api/snapshots/{id}/build-logs", async (HttpContext context, string id) =>
        {
            var follow = ReadFollow(context);
            var snapshot = RequireBuild(store, id);
            if (snapshot.State == SnapshotState.Active)
            {
                // Daytona ends the response at once for an active snapshot.
                context.Response.StatusCode = 200;
                return;
            }

            await WaitForRunnerAsync(snapshot, id, settings, context.RequestAborted);
            await StreamLogAsync(context, snapshot, follow, traffic);
        });

        app.MapGet("/api/snapshots/{id}/build-logs-url", async (HttpContext context, string id) =>
        {
            var snapshot = RequireBuild(store, id);
            await WaitForRunnerAsync(snapshot, id, settings, context.RequestAborted);
            var url = new Uri(baseUrl(), $"/proxy/snapshots/{snapshot.Id}/build-logs");
            await context.Response.WriteAsJsonAsync(new { url = url.ToString() }, ApiError.Json);
        });

        // What build-logs-url points at: Daytona's proxy in front of the runner. It streams the whole log of a
        // build (also once active); the SDK GETs it with ?follow=true and the same headers.
        app.MapGet("/proxy/snapshots/{id}/build-logs", async (HttpContext context, string id) =>
        {
            var follow = ReadFollow(context);
            var snapshot = store.FindById(id) ?? throw ApiException.NotFound($"Snapshot {id} not found");
            if (snapshot.Log == null)
            {
                throw ApiException.NotFound($"Snapshot {id} has no build info");
            }

            await StreamLogAsync(context, snapshot, follow, traffic);
        });
    }

    private static IResult Json(object value) => Results.Json(value, ApiError.Json, statusCode: 200);

    private static bool ReadFollow(HttpContext context)
    {
        var raw = context.Request.Query["follow"].FirstOrDefault();
        return raw switch
        {
            null => false,
            "true" => true,
            "false" => false,
            _ => throw ApiException.BadRequest("Validation failed (boolean string is expected)"),
        };
    }

    private static Snapshot RequireBuild(SnapshotStore store, string id)
    {
        // The access guard finds by id or name; the handler then reads by id.
        if (store.Find(id) == null)
        {
            throw ApiException.NotFound($"Snapshot {id} not found");
        }

        var snapshot = store.FindById(id) ?? throw ApiException.NotFound($"Snapshot {id} not found");
        if (snapshot.BuildInfo == null)
        {
            throw ApiException.NotFound($"Snapshot {id} has no build info");
        }

        return snapshot;
    }

    private static async Task WaitForRunnerAsync(Snapshot snapshot, string id, EmulatorSettings settings, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + settings.Scale(settings.RunnerAssignmentTimeout);
        while (snapshot.InitialRunnerId == null)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw ApiException.NotFound($"Timeout waiting for build runner assignment for snapshot {id}");
            }

            var changed = snapshot.Changed.Task;
            if (snapshot.InitialRunnerId != null)
            {
                break;
            }

            await Task.WhenAny(changed, Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), token));
            token.ThrowIfCancellationRequested();
        }
    }

    private static async Task StreamLogAsync(HttpContext context, Snapshot snapshot, bool follow, Traffic traffic)
    {
        var log = snapshot.Log!;
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/octet-stream";
        var token = context.RequestAborted;
        var cut = follow && !log.IsCompleted && traffic.TakeLogCut();
        var position = 0;
        var afterCut = 0;
        await response.StartAsync(token);
        while (true)
        {
            var (lines, completed, changed) = log.Read(position);
            if (lines.Count > 0)
            {
                var text = new StringBuilder();
                foreach (var line in lines)
                {
                    text.Append(line).Append('\n');
                }

                await response.WriteAsync(text.ToString(), token);
                await response.Body.FlushAsync(token);
                position += lines.Count;
                if (cut && ++afterCut >= 2)
                {
                    // A proxy resetting a long-lived stream mid-build.
                    context.Abort();
                    return;
                }
            }

            if (!follow || completed)
            {
                return;
            }

            await changed.WaitAsync(token);
        }
    }

    private static int ReadInt(Microsoft.Extensions.Primitives.StringValues values, string name, int fallback, List<string> problems, int? min = null, int? max = null)
    {
        var raw = values.FirstOrDefault();
        if (raw == null)
        {
            return fallback;
        }

        if (!double.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
            || double.IsNaN(number) || number != Math.Floor(number))
        {
            problems.Add($"{name} must be an integer number");
            if (min != null)
            {
                problems.Add($"{name} must not be less than {min}");
            }

            return fallback;
        }

        if (min is { } lo && number < lo)
        {
            problems.Add($"{name} must not be less than {lo}");
        }

        if (max is { } hi && number > hi)
        {
            problems.Add($"{name} must not be greater than {hi}");
        }

        return (int)Math.Clamp(number, int.MinValue, int.MaxValue);
    }
}
