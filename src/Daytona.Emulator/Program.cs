// Daytona emulator entry point: `dotnet run --project src/Daytona.Emulator -- --urls http://127.0.0.1:5123`.
var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
app.MapGet("/api/health", () => Results.Ok(new { status = "ok" }));
app.Run();
