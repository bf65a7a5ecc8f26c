using Daytona.Api;
using Daytona.Recording;

namespace Recording.Tests;

public class PlannerSmokeTests
{
    [Fact]
    public async Task PrintsTheSeedSession()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Start();
        var created = await h.As("New-DaytonaSnapshot", c => c.CreateSnapshotAsync(new CreateSnapshotRequest("web") { ImageName = "python:3.12-slim", Cpu = 1, Memory = 2, Disk = 5 }, CancellationToken.None));
        await h.Wait(created.Id);
        await h.As("Enable-DaytonaSnapshot", async c => { var s = await c.GetSnapshotAsync(created.Id, CancellationToken.None); if (s.State != SnapshotState.Active) await c.ActivateSnapshotAsync(s.Id, CancellationToken.None); }, created.Id);
        var result = WorkflowRecorder.Save(h.Recording!);
        Console.WriteLine(File.ReadAllText(result.DocumentPath));
    }
}
