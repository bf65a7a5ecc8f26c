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
    }

    private void StartPipeline(Snapshot snapshot, PipelineKind kind)
    {
        StopPipeline(snapshot);
        var run = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        snapshot.Run = run;
        var generation = snapshot.Generation;
        var behavior = _settings.BehaviorFor(snapshot.Name);
        var duration = _settings.Scale(behavior.Duration);
        _ = Task.Run(async () =>
        {
            try
            {
                switch (kind)
                {
                    case PipelineKind.Build:
                        await RunBuildAsync(snapshot, generation, duration, behavior.Fail, run.Token).ConfigureAwait(false);
                        break;
                    case PipelineKind.Pull:
                        await RunPullAsync(snapshot, generation, duration, behavior.Fail, run.Token).ConfigureAwait(false);
                        break;
                    default:
                        await RunPullAsync(snapshot, generation, duration / 2, behavior.Fail, run.Token).ConfigureAwait(false);
                        break;
                }
            }
            catch (OperationCanceledException)
            {
                // Deleted, deactivated or shut down.
            }
        });
    }

    /// <summary>Applies a change if the pipeline is still the snapshot's current one.</summary>
    private bool Advance(Snapshot snapshot, int generation, Action<Snapshot, DateTime> change)
    {
        lock (_gate)
        {
            if (snapshot.Generation != generation || !_byId.ContainsKey(snapshot.Id))
            {
                return false;
            }

            var now = DateTime.UtcNow;
            change(snapshot, now);
            snapshot.Touch(now);
            return true;
        }
    }

    private async Task RunPullAsync(Snapshot snapshot, int generation, TimeSpan duration, string? fail, CancellationToken token)
    {
        await Task.Delay(duration * 0.25, token).ConfigureAwait(false);
        if (!Advance(snapshot, generation, (s, _) =>
            {
                s.State = SnapshotState.Pulling;
                s.InitialRunnerId ??= _runnerId;
                s.Ref ??= $"{RegistryHost}/daytona/daytona-{Sha256Hex(s.ImageName ?? s.Name)[..40]}:daytona";
            }))
        {
            return;
        }

        await Task.Delay(duration * 0.75, token).ConfigureAwait(false);
        var reason = fail ?? (snapshot.ImageName != null && RepositoryOf(snapshot.ImageName).Contains("fail", StringComparison.OrdinalIgnoreCase)
            ? $"Error response from daemon: manifest for {snapshot.ImageName} not found: manifest unknown: manifest unknown"
            : null);
        Advance(snapshot, generation, (s, now) =>
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
                s.LastUsedAt = now;
            }

            s.Run = null;
        });
    }

    private async Task RunBuildAsync(Snapshot snapshot, int generation, TimeSpan duration, string? fail, CancellationToken token)
    {
        var log = snapshot.Log!;
        try
        {
            await Task.Delay(duration * 0.15, token).ConfigureAwait(false);
            if (!Advance(snapshot, generation, (s, _) =>
                {
                    s.State = SnapshotState.Building;
                    s.InitialRunnerId ??= _runnerId;
                }))
            {
                return;
            }

            var plan = BuildScript.Plan(snapshot.BuildInfo!.DockerfileContent, snapshot.Ref!, fail);
            var pause = plan.Lines.Count > 0 ? duration * 0.85 / plan.Lines.Count : TimeSpan.Zero;
            foreach (var line in plan.Lines)
            {
                await Task.Delay(pause, token).ConfigureAwait(false);
                if (FindById(snapshot.Id) == null || snapshot.Generation != generation)
                {
                    return;
                }

                log.Append(line);
            }

            if (plan.Lines.Count == 0)
            {
                await Task.Delay(duration * 0.85, token).ConfigureAwait(false);
            }

            Advance(snapshot, generation, (s, now) =>
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
                    s.LastUsedAt = now;
                }

                s.Run = null;
            });
        }
        finally
        {
            if (snapshot.Generation == generation)
            {
                log.Complete();
            }
        }
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
