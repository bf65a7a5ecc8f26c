namespace Daytona.Emulator.Engine;

/// <summary>The emulator's live settings: identity, timings and per-snapshot behaviour. Thread-safe.</summary>
internal sealed class EmulatorSettings
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SnapshotBuildBehavior> _byName = new(StringComparer.Ordinal);
    private TimeSpan _duration;
    private TimeSpan _deactivationCooldown = TimeSpan.FromMinutes(10);

    public EmulatorSettings(string apiKey, string organizationId, TimeSpan buildDuration, double timeScale)
    {
        ApiKey = apiKey;
        OrganizationId = organizationId;
        _duration = buildDuration;
        TimeScale = timeScale;
    }

    public string ApiKey { get; }

    public string OrganizationId { get; }

    public double TimeScale { get; }

    /// <summary>How long a deleted snapshot stays in state removing (Daytona's cleanup cron runs every 10 s).</summary>
    public TimeSpan RemovalDelay { get; } = TimeSpan.FromSeconds(2);

    /// <summary>How long Daytona's build-log endpoints wait for a runner to be assigned.</summary>
    public TimeSpan RunnerAssignmentTimeout { get; } = TimeSpan.FromSeconds(30);

    public TimeSpan DeactivationCooldown
    {
        get { lock (_gate) { return _deactivationCooldown; } }
    }

    public TimeSpan Scale(TimeSpan pretend) => TimeSpan.FromMilliseconds(Math.Max(0, pretend.TotalMilliseconds * TimeScale));

    public (TimeSpan Duration, string? Fail) BehaviorFor(string name)
    {
        lock (_gate)
        {
            if (_byName.TryGetValue(name, out var behavior))
            {
                return (behavior.DurationMs is { } ms ? TimeSpan.FromMilliseconds(ms) : _duration, behavior.Fail);
            }

            return (_duration, null);
        }
    }

    public void Apply(EmulatorBuilds builds)
    {
        lock (_gate)
        {
            if (builds.DurationMs is { } ms)
            {
                _duration = TimeSpan.FromMilliseconds(Math.Max(0, ms));
            }

            if (builds.DeactivationCooldownMs is { } cooldown)
            {
                _deactivationCooldown = TimeSpan.FromMilliseconds(Math.Max(0, cooldown));
            }

            foreach (var (name, behavior) in builds.ByName ?? new Dictionary<string, SnapshotBuildBehavior?>())
            {
                if (behavior == null)
                {
                    _byName.Remove(name);
                }
                else
                {
                    _byName[name] = behavior;
                }
            }
        }
    }

    public EmulatorBuilds Snapshot()
    {
        lock (_gate)
        {
            return new EmulatorBuilds
            {
                DurationMs = (int)_duration.TotalMilliseconds,
                DeactivationCooldownMs = (int)_deactivationCooldown.TotalMilliseconds,
                ByName = _byName.ToDictionary(p => p.Key, p => (SnapshotBuildBehavior?)p.Value),
            };
        }
    }
}
