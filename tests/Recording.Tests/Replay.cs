using System.Text.Json.Nodes;
using Daytona.Arazzo;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Execution;
using Daytona.Arazzo.OpenApi;
using Daytona.Arazzo.Validation;
using Daytona.Emulator;

namespace Recording.Tests;

/// <summary>What the engine tests do with a recorded document: validate it strictly, and run it against a fresh emulator.</summary>
internal static class Replay
{
    public static async Task<IReadOnlyList<Diagnostic>> ValidateAsync(string path)
    {
        var loaded = ArazzoLoader.LoadFile(path);
        return await ArazzoValidator.ValidateAsync(loaded, new SourceResolver());
    }

    public static async Task<(WorkflowResult Result, List<string> Warnings)> RunAsync(string path, string workflowId, EmulatorServer emulator, JsonObject? inputs = null)
    {
        var warnings = new List<string>();
        var options = new RunOptions
        {
            Inputs = inputs ?? new JsonObject(),
            ServerUrls = new Dictionary<string, string> { ["snapshotsApi"] = emulator.ApiUrl.ToString() },
            PollInterval = TimeSpan.FromMilliseconds(20),
            Strict = true,
            Timeout = TimeSpan.FromSeconds(60),
            Listener = new Listener(warnings),
        };
        options.Inputs["apiToken"] = emulator.ApiKey;
        var resolver = new SourceResolver();
        var (document, _) = await WorkflowRunner.PrepareAsync(path, options, resolver, CancellationToken.None);
        var result = await new WorkflowRunner(document, options, resolver).RunWorkflowAsync(workflowId, CancellationToken.None);
        return (result, warnings);
    }

    private sealed class Listener : IRunListener
    {
        private readonly List<string> _warnings;

        public Listener(List<string> warnings) => _warnings = warnings;

        public void StepStarting(string workflowId, string stepId, int attempt, int stepIndex, int stepCount)
        {
        }

        public void Trace(string message)
        {
        }

        public void Warning(string message) => _warnings.Add(message);

        public void StepFailed(StepFailure failure) => _warnings.Add("step failed: " + failure.StepId + ": " + failure.Message);
    }
}
