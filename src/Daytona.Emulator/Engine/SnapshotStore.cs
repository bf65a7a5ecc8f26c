using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Daytona.Emulator.Model;

namespace Daytona.Emulator.Engine;

/// <summary>
/// The emulator's snapshots and their state machine, as Daytona runs them:
/// image name: pending → pulling → active (or error); buildInfo: pending → building → active (or build_failed),
/// or active at once when an identical build is already active; activate: inactive → pending → pulling → active;
/// delete: removing, then gone. All timings come from <see cref="EmulatorSettings"/>.
/// </summary>
internal sealed partial class SnapshotStore : IDisposable
{
    [GeneratedRegex(@"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex UuidRegex();

    private readonly object _gate = new();
    private readonly Dictionary<string, Snapshot> _byId = new(StringComparer.Ordinal);
    private readonly EmulatorSettings _settings;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly string _runnerId = Guid.NewGuid().ToString();

    // Snapshots whose pipeline has steps still to come (under the lock).
    private readonly HashSet<Snapshot> _scheduled = new();

    public SnapshotStore(EmulatorSettings settings)
    {
        _settings = settings;
    }

    public string OrganizationId => _settings.OrganizationId;

    public static bool IsUuid(string value) => UuidRegex().IsMatch(value);

    // ---------------------------------------------------------------- queries

    public SnapshotDto Get(string idOrName)
    {
        lock (_gate)
        {
            return SnapshotDto.From(FindOrThrow(idOrName));
        }
    }

    public Snapshot? FindById(string id)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(id, out var s) ? s : null;
        }
    }

    /// <summary>Finds by id (a UUID) or else by name, as Daytona's getSnapshotWithRegions and access guard do.</summary>
    public Snapshot? Find(string idOrName)
    {
        lock (_gate)
        {
            if (_byId.TryGetValue(idOrName, out var byId))
            {
                return byId;
            }

            return _byId.Values.FirstOrDefault(s => s.Name == idOrName);
        }
    }

    private Snapshot FindOrThrow(string idOrName) =>
        Find(idOrName) ?? throw RequestRejected.NotFound($"Snapshot {idOrName} not found");

    public PaginatedSnapshotsDto List(int page, int limit, string? name, string sort, string order)
    {
        lock (_gate)
        {
            IEnumerable<Snapshot> all = _byId.Values;
            if (!string.IsNullOrEmpty(name))
            {
                all = all.Where(s => s.Name.Contains(name, StringComparison.OrdinalIgnoreCase));
            }

            var matching = all.ToList();
            var descending = order == "desc";
            matching.Sort((a, b) =>
            {
                var c = Compare(a, b, sort, descending);
                if (c == 0 && sort != "createdAt")
                {
                    c = b.CreatedAt.CompareTo(a.CreatedAt);
                }

                return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
            });

            var total = matching.Count;
            var items = matching.Skip((page - 1) * limit).Take(limit).Select(SnapshotDto.From).ToList();
            return new PaginatedSnapshotsDto
            {
                Items = items,
                Total = total,
                Page = page,
                TotalPages = (int)Math.Ceiling(total / (double)limit),
            };
        }
    }

    private static int Compare(Snapshot a, Snapshot b, string sort, bool descending)
    {
        int Directed(int c) => descending ? -c : c;
        switch (sort)
        {
            case "name":
                return Directed(string.CompareOrdinal(a.Name, b.Name));
            case "state":
                return Directed(string.CompareOrdinal(a.State.ToWire(), b.State.ToWire()));
            case "createdAt":
                return Directed(a.CreatedAt.CompareTo(b.CreatedAt));
            default:
                // lastUsedAt, NULLS LAST in either direction.
                if (a.LastUsedAt == null || b.LastUsedAt == null)
                {
                    return a.LastUsedAt == null ? (b.LastUsedAt == null ? 0 : 1) : -1;
                }

                return Directed(a.LastUsedAt.Value.CompareTo(b.LastUsedAt.Value));
        }
    }

    // ---------------------------------------------------------------- create

    public SnapshotDto Create(JsonElement body)
    {
        var request = CreateSnapshotBody.Read(body);
        var (name, imageName, hasBuildInfo, dockerfile) = (request.Name, request.ImageName, request.HasBuildInfo, request.Dockerfile);
        var now = DateTime.UtcNow;
        lock (_gate)
        {
            if (_byId.Values.Any(s => s.Name == name))
            {
                throw RequestRejected.Conflict($"Snapshot with name \"{name}\" already exists for this organization");
            }

            BuildInfo? build = null;
            string? reference = null;
            var state = SnapshotState.Pending;
            double? size = null;
            DateTime? lastUsed = null;
            if (hasBuildInfo)
            {
                var snapshotRef = BuildRef(dockerfile!, request.ContextHashes);
                var existing = _byId.Values
                    .Where(s => s.BuildInfo?.SnapshotRef == snapshotRef)
                    .Select(s => s.BuildInfo!)
                    .FirstOrDefault();
                build = existing ?? new BuildInfo
                {
                    DockerfileContent = dockerfile!,
                    ContextHashes = request.ContextHashes,
                    CreatedAt = now,
                    UpdatedAt = now,
                    SnapshotRef = snapshotRef,
                };
                reference = $"{RegistryHost}/daytona/{snapshotRef}";

                // An identical build that is active on a runner: the new snapshot is active at once.
                var built = _byId.Values.FirstOrDefault(s => s.Ref == reference && s.State == SnapshotState.Active && s.Size != null);
                if (built != null)
                {
                    state = SnapshotState.Active;
                    size = built.Size;
                    lastUsed = now;
                }
            }

            var snapshot = new Snapshot
            {
                Id = Guid.NewGuid().ToString(),
                OrganizationId = _settings.OrganizationId,
                Name = name!,
                ImageName = hasBuildInfo ? null : imageName,
                State = state,
                Size = size,
                Entrypoint = hasBuildInfo ? CreateSnapshotBody.EntrypointFromDockerfile(dockerfile!) : request.Entrypoint,
                Cpu = request.Cpu ?? 1,
                Gpu = request.Gpu ?? 0,
                GpuType = (request.Gpu ?? 0) > 0 ? (request.GpuType ?? "H100") : null,
                Mem = request.Memory ?? 1,
                Disk = request.Disk ?? 3,
                CreatedAt = now,
                UpdatedAt = now,
                LastUsedAt = lastUsed,
                BuildInfo = build,
                RegionIds = new[] { request.RegionId ?? "us" },
                InitialRunnerId = state == SnapshotState.Active ? _runnerId : null,
                Ref = reference,
                SandboxClass = request.SandboxClass,
            };

            if (build != null)
            {
                // A reused build shares the log of the build that made it (a runner keeps logs per build ref).
                var reusedLog = state == SnapshotState.Active
                    ? _byId.Values.FirstOrDefault(s => s.Ref == reference && s.State == SnapshotState.Active && s.Log != null)?.Log
                    : null;
                snapshot.Log = reusedLog ?? new BuildLog();
                if (state == SnapshotState.Active)
                {
                    snapshot.Log.Complete();
                }
            }

            _byId[snapshot.Id] = snapshot;
            if (state == SnapshotState.Pending)
            {
                StartPipeline(snapshot, build != null ? PipelineKind.Build : PipelineKind.Pull);
            }

            return SnapshotDto.From(snapshot);
        }
    }

    private const string RegistryHost = "registry.emulator.daytona.local";

    internal static string BuildRef(string dockerfile, IEnumerable<string> contextHashes)
    {
        var sorted = contextHashes.ToList();
        sorted.Sort(string.CompareOrdinal);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(dockerfile + string.Concat(sorted)));
        return "daytona-" + Convert.ToHexStringLower(hash) + ":daytona";
    }

    // ---------------------------------------------------------------- delete, activate, deactivate

    public void Delete(string idOrName)
    {
        Snapshot snapshot;
        lock (_gate)
        {
            snapshot = FindOrThrow(idOrName);
            RequireUuid(idOrName);
            StopPipeline(snapshot);
            snapshot.State = SnapshotState.Removing;
            snapshot.Touch(DateTime.UtcNow);
            snapshot.Log?.Complete();
        }

        var generation = snapshot.Generation;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(_settings.Scale(_settings.RemovalDelay), _shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_gate)
            {
                if (snapshot.Generation == generation && snapshot.State == SnapshotState.Removing)
                {
                    _byId.Remove(snapshot.Id);
                    snapshot.Touch(DateTime.UtcNow);
                }
            }
        });
    }

    public SnapshotDto Activate(string idOrName)
    {
        lock (_gate)
        {
            var snapshot = FindOrThrow(idOrName);
            RequireUuid(idOrName);
            if (snapshot.State == SnapshotState.Active)
            {
                throw RequestRejected.Invalid($"Snapshot {idOrName} is already active");
            }

            if (snapshot.State != SnapshotState.Inactive)
            {
                throw RequestRejected.Invalid($"Snapshot {idOrName} cannot be activated - it is in {snapshot.State.ToWire()} state");
            }

            if (snapshot.DeactivatedAt is { } deactivated && DateTime.UtcNow - deactivated < _settings.Scale(_settings.DeactivationCooldown))
            {
                throw RequestRejected.Invalid("Snapshot deactivation is still in progress. Please try again in a few minutes.");
            }

            snapshot.State = SnapshotState.Pending;
            snapshot.ErrorReason = null;
            snapshot.Touch(DateTime.UtcNow);
            StartPipeline(snapshot, PipelineKind.Activate);
            return SnapshotDto.From(snapshot);
        }
    }

    /// <summary>POST deactivate: any state becomes inactive; already inactive changes nothing.</summary>
    public void Deactivate(string idOrName)
    {
        lock (_gate)
        {
            var snapshot = FindOrThrow(idOrName);
            RequireUuid(idOrName);
            if (snapshot.State == SnapshotState.Inactive)
            {
                return;
            }

            StopPipeline(snapshot);
            snapshot.State = SnapshotState.Inactive;
            var now = DateTime.UtcNow;
            snapshot.DeactivatedAt = now;
            snapshot.Touch(now);
            snapshot.Log?.Complete();
        }
    }

    /// <summary>What Daytona's deactivate-old-snapshots cron does to an active snapshot unused for 14 days.</summary>
    public SnapshotDto DeactivateUnused(string idOrName)
    {
        lock (_gate)
        {
            var snapshot = FindOrThrow(idOrName);
            if (snapshot.State != SnapshotState.Active)
            {
                throw RequestRejected.Invalid($"Snapshot {idOrName} is in {snapshot.State.ToWire()} state: only active snapshots are deactivated for being unused");
            }

            var now = DateTime.UtcNow;
            snapshot.State = SnapshotState.Inactive;
            snapshot.LastUsedAt = now - TimeSpan.FromDays(14) - TimeSpan.FromMinutes(10);
            snapshot.DeactivatedAt = null; // deactivated by the cron long enough ago: it may be activated at once
            snapshot.Touch(now);
            return SnapshotDto.From(snapshot);
        }
    }

    private static void RequireUuid(string value)
    {
        // Guards run before pipes: an unknown name is 404 (above); a known name fails ParseUUIDPipe.
        if (!IsUuid(value))
        {
            throw RequestRejected.Invalid("Validation failed (uuid is expected)");
        }
    }

    // ---------------------------------------------------------------- pipeline

    private enum PipelineKind
    {
        Pull,
        Build,
        Activate,
    }

    private void StopPipeline(Snapshot snapshot)
    {
        snapshot.Generation++;
        snapshot.Run?.Cancel();
        snapshot.Run = null;
        snapshot.Steps = null;
        _scheduled.Remove(snapshot);
    }

    /// <summary>
    /// Starts a snapshot's pipeline: its steps are set now, each to come a while after the one before it was made (the
    /// behaviour's duration shared out, as a runner's pull or build goes on), and a timer makes them. Every step is made
    /// in the order of the times they fall due, across all snapshots, and stamped with its own (<see cref="ApplyDue"/>):
    /// a machine that runs timers late, or runs late ones in any order, never makes a build that is due later active (or
    /// updated) before one due earlier. A step made late still leaves the next one its whole while, so each state lasts
    /// as long as it would have.
    /// </summary>
    private void StartPipeline(Snapshot snapshot, PipelineKind kind)
    {
        StopPipeline(snapshot);
        var run = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        snapshot.Run = run;
        var generation = snapshot.Generation;
        var behavior = _settings.BehaviorFor(snapshot.Name);
        var duration = _settings.Scale(behavior.Duration);
        var steps = kind switch
        {
            PipelineKind.Build => BuildSteps(snapshot, duration, behavior.Fail),
            PipelineKind.Pull => PullSteps(snapshot, duration, behavior.Fail),
            _ => PullSteps(snapshot, duration / 2, behavior.Fail),
        };
        snapshot.Steps = new Queue<PipelineStep>(steps);
        snapshot.NextStepDue = DateTime.UtcNow + steps[0].After;
        _scheduled.Add(snapshot);
        var token = run.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    DateTime due;
                    lock (_gate)
                    {
                        ApplyDue(DateTime.UtcNow);
                        if (snapshot.Generation != generation || snapshot.Steps == null)
                        {
                            return;
                        }

                        due = snapshot.NextStepDue;
                    }

                    // A timer may fire a little early: at least a millisecond, and the step is made only once due.
                    var wait = due - DateTime.UtcNow;
                    await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // Deleted, deactivated or shut down.
            }
        });
    }

    /// <summary>
    /// Makes every pipeline step due by <paramref name="now"/>, of every snapshot, earliest first, each stamped with the
    /// time it fell due; the step after it falls due its while after <paramref name="now"/> (under the lock).
    /// </summary>
    private void ApplyDue(DateTime now)
    {
        while (true)
        {
            Snapshot? next = null;
            foreach (var snapshot in _scheduled)
            {
                if (snapshot.NextStepDue <= now && (next == null || snapshot.NextStepDue < next.NextStepDue))
                {
                    next = snapshot;
                }
            }

            if (next == null)
            {
                return;
            }

            var due = next.NextStepDue;
            var step = next.Steps!.Dequeue();
            if (next.Steps.Count == 0)
            {
                next.Steps = null;
                next.Run = null;
                _scheduled.Remove(next);
            }
            else
            {
                next.NextStepDue = now + next.Steps.Peek().After;
            }

            step.Change(next, due);
            if (step.Touches)
            {
                next.Touch(due);
            }
        }
    }

    private PipelineStep[] PullSteps(Snapshot snapshot, TimeSpan duration, string? fail)
    {
        var reason = fail ?? (snapshot.ImageName != null && RepositoryOf(snapshot.ImageName).Contains("fail", StringComparison.OrdinalIgnoreCase)
            ? $"Error response from daemon: manifest for {snapshot.ImageName} not found: manifest unknown: manifest unknown"
            : null);
        return new[]
        {
            new PipelineStep(duration * 0.25, (s, _) =>
            {
                s.State = SnapshotState.Pulling;
                s.InitialRunnerId ??= _runnerId;
                s.Ref ??= $"{RegistryHost}/daytona/daytona-{Sha256Hex(s.ImageName ?? s.Name)[..40]}:daytona";
            }),
            new PipelineStep(duration * 0.75, (s, at) =>
            {
                if (reason != null)
                {
                    s.State = SnapshotState.Error;
                    s.ErrorReason = reason;
                }
                else
                {
                    s.State = SnapshotState.Active;
                    s.ErrorReason = null;
                    s.Size ??= SizeOf(s);
                    s.LastUsedAt = at;
                }
            }),
        };
    }

    private PipelineStep[] BuildSteps(Snapshot snapshot, TimeSpan duration, string? fail)
    {
        var log = snapshot.Log!;
        var plan = BuildScript.Plan(snapshot.BuildInfo!.DockerfileContent, snapshot.Ref!, fail);
        var steps = new List<PipelineStep>
        {
            new(duration * 0.15, (s, _) =>
            {
                s.State = SnapshotState.Building;
                s.InitialRunnerId ??= _runnerId;
            }),
        };

        // The log's lines come evenly over the rest of the build; they change nothing a snapshot's reader sees.
        var pause = plan.Lines.Count > 0 ? duration * 0.85 / plan.Lines.Count : TimeSpan.Zero;
        for (var i = 0; i < plan.Lines.Count; i++)
        {
            var line = plan.Lines[i];
            steps.Add(new PipelineStep(pause, (_, _) => log.Append(line), Touches: false));
        }

        steps.Add(new PipelineStep(plan.Lines.Count > 0 ? TimeSpan.Zero : duration * 0.85, (s, at) =>
        {
            if (plan.ErrorReason != null)
            {
                s.State = SnapshotState.BuildFailed;
                s.ErrorReason = plan.ErrorReason;
            }
            else
            {
                s.State = SnapshotState.Active;
                s.ErrorReason = null;
                s.Size ??= SizeOf(s);
                s.LastUsedAt = at;
            }

            log.Complete();
        }));
        return steps.ToArray();
    }

    /// <summary>The repository part of an image reference (no tag, no digest).</summary>
    internal static string RepositoryOf(string imageName)
    {
        var name = imageName;
        var at = name.IndexOf('@');
        if (at >= 0)
        {
            name = name[..at];
        }

        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        return colon > slash ? name[..colon] : name;
    }

    private static double SizeOf(Snapshot s)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(s.Ref ?? s.Name));
        return Math.Round(0.1 + (hash[0] * 256 + hash[1]) / 65535.0 * 1.9, 4);
    }

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public void Dispose()
    {
        _shutdown.Cancel();
        lock (_gate)
        {
            foreach (var s in _byId.Values)
            {
                s.Log?.Complete();
            }
        }

        _shutdown.Dispose();
    }
}
