using Daytona.Emulator.Engine;
using Daytona.Emulator.Http;

namespace Daytona.Emulator;

/// <summary>
/// The emulator's knobs, in-process: the same as its HTTP control API under <c>/_emulator</c>.
/// </summary>
public sealed class EmulatorControl
{
    private readonly SnapshotStore _store;
    private readonly Traffic _traffic;
    private readonly EmulatorSettings _settings;
    private readonly ObjectStorage _objects;

    internal EmulatorControl(SnapshotStore store, Traffic traffic, EmulatorSettings settings, ObjectStorage objects)
    {
        _store = store;
        _traffic = traffic;
        _settings = settings;
        _objects = objects;
    }

    /// <summary>Requests answered since the start or the last <see cref="ResetRequests"/> (GET /_emulator/requests).</summary>
    public EmulatorRequestStats GetRequests() => _traffic.Stats();

    /// <summary>POST /_emulator/requests/reset.</summary>
    public void ResetRequests() => _traffic.Reset();

    /// <summary>PUT /_emulator/faults: replaces the faults waiting for the next API requests.</summary>
    public void SetFaults(EmulatorFaults faults) => _traffic.SetFaults(faults ?? new EmulatorFaults());

    /// <summary>The faults still to come.</summary>
    public EmulatorFaults GetFaults() => _traffic.Faults();

    /// <summary>Clears every fault.</summary>
    public void ClearFaults() => _traffic.SetFaults(new EmulatorFaults());

    /// <summary>PUT /_emulator/builds: the default duration and per-name durations and failures (merged by name).</summary>
    public void SetBuilds(EmulatorBuilds builds) => _settings.Apply(builds ?? new EmulatorBuilds());

    /// <summary>The current build settings.</summary>
    public EmulatorBuilds GetBuilds() => _settings.Snapshot();

    /// <summary>Makes one snapshot build or pull for <paramref name="duration"/> (pretend time) and optionally fail.</summary>
    public void SetBuild(string snapshotName, TimeSpan duration, string? fail = null) =>
        SetBuilds(new EmulatorBuilds
        {
            ByName = new() { [snapshotName] = new SnapshotBuildBehavior { DurationMs = (int)duration.TotalMilliseconds, Fail = fail } },
        });

    /// <summary>
    /// POST /_emulator/snapshots/{idOrName}/deactivate-unused: what Daytona's cron does to a snapshot unused for
    /// 14 days (active → inactive). It may be activated at once afterwards. Throws when it is not active.
    /// </summary>
    public void DeactivateUnused(string idOrName)
    {
        try
        {
            _store.DeactivateUnused(idOrName);
        }
        catch (RequestRejected e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }

    /// <summary>POST /_emulator/build-logs/cut: the next followed build-log stream is cut mid-build.</summary>
    public void CutNextBuildLog() => _traffic.CutNextLog();

    /// <summary>The keys and sizes in object storage (all buckets' content is under the one bucket).</summary>
    public IReadOnlyDictionary<string, long> ListObjects() =>
        _objects.List(string.Empty).ToDictionary(o => o.Key, o => (long)o.Content.Length, StringComparer.Ordinal);

    /// <summary>A snapshot's state as the API would report it (null when it does not exist).</summary>
    public string? GetState(string idOrName) => _store.Find(idOrName)?.State is { } state ? Model.SnapshotStates.ToWire(state) : null;
}
