// The checkpoint server as a program:
//   dotnet run --project src/Checkpoints.Server -- --repository ./checkpoints --port 8080
//   dotnet <module>/CheckpointServer/Daytona.Checkpoints.Server.dll --repository /data --listen 0.0.0.0 --port 8080
using Daytona.Checkpoints.Server;

return await ServerProgram.RunAsync(args);
