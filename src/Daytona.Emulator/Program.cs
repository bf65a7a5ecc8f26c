// The Daytona emulator as a program:
//   dotnet run --project src/Daytona.Emulator -- --port 5123 [--api-key X] [--time-scale 1] [--build-duration 3]
//   dotnet <module>/Emulator/Daytona.Emulator.dll --port 0 --parent-pid <pid> --ready-json
using Daytona.Emulator;

return await EmulatorProgram.RunAsync(args);
