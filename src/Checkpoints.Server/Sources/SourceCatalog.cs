using System.Diagnostics;

namespace Daytona.Checkpoints.Server.Sources;

/// <summary>Every source of every repository served, at one moment.</summary>
internal sealed class CatalogSnapshot
{
    public CatalogSnapshot(IReadOnlyList<ServedSource> sources, DateTime builtUtc, long builtTimestamp)
    {
        Sources = sources.OrderBy(s => s.BasePath, StringComparer.Ordinal).ToList();
        BuiltUtc = builtUtc;
        BuiltTimestamp = builtTimestamp;
        ByBasePath = Sources.ToDictionary(s => s.BasePath, StringComparer.Ordinal);
        ByKey = Sources.ToDictionary(s => s.Key, StringComparer.Ordinal);
    }

    public static CatalogSnapshot Empty { get; } = new(Array.Empty<ServedSource>(), DateTime.MinValue, 0);

    /// <summary>Sources by base path, in that order.</summary>
    public IReadOnlyList<ServedSource> Sources { get; }

    /// <summary>When the repositories were listed (UTC); checkpoints written after it are not in this snapshot.</summary>
    public DateTime BuiltUtc { get; }

    public long BuiltTimestamp { get; }

    public Dictionary<string, ServedSource> ByBasePath { get; }

    public Dictionary<string, ServedSource> ByKey { get; }
}

/// <summary>
/// The server's view of its repositories: listed again when a request finds the view older than the refresh interval
/// (the request is answered from the view it has, and the next ones see the new one), or waited for when it is much
/// older. The repositories are the only state: any number of servers can serve one repository, and a checkpoint
/// written by any agent shows up in every server's listings and redirects within seconds (served at its exact URL
/// at once, see <see cref="TryFindNew"/>).
/// </summary>
internal sealed class SourceCatalog
{
    private readonly IReadOnlyList<ServedRepository> _repositories;
    private readonly TimeSpan _refresh;
    private readonly TimeSpan _maxStale;
    private readonly Action<string>? _log;
    private readonly object _gate = new();
    private CatalogSnapshot? _snapshot;
    private Task<CatalogSnapshot>? _refreshing;
    private readonly string?[] _listVersions;
    private IReadOnlyList<Checkpoint>[]? _listed;

    public SourceCatalog(IReadOnlyList<ServedRepository> repositories, TimeSpan refresh, Action<string>? log = null)
    {
        _repositories = repositories;
        _refresh = refresh;
        _maxStale = refresh < TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(10) : TimeSpan.FromTicks(refresh.Ticks * 5);
        _log = log;
        _listVersions = new string?[repositories.Count];
    }

    public IReadOnlyList<ServedRepository> Repositories => _repositories;

    /// <summary>The current view; starts a listing when it is older than the refresh interval, waits for it when it is far older.</summary>
    public ValueTask<CatalogSnapshot> GetAsync()
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot != null)
        {
            var age = Stopwatch.GetElapsedTime(snapshot.BuiltTimestamp);
            if (age < _refresh)
            {
                return new ValueTask<CatalogSnapshot>(snapshot);
            }

            var refreshing = StartRefresh();
            return age < _maxStale ? new ValueTask<CatalogSnapshot>(snapshot) : new ValueTask<CatalogSnapshot>(refreshing);
        }

        return new ValueTask<CatalogSnapshot>(StartRefresh());
    }

    /// <summary>Lists the repositories now and returns the new view.</summary>
    public Task<CatalogSnapshot> RefreshAsync() => StartRefresh();

    private Task<CatalogSnapshot> StartRefresh()
    {
        lock (_gate)
        {
            if (_refreshing != null)
            {
                return _refreshing;
            }

            var task = Task.Run(Build);
            _refreshing = task;
            task.ContinueWith(_ =>
            {
                lock (_gate)
                {
                    _refreshing = null;
                }
            }, TaskScheduler.Default);
            return task;
        }
    }

    private CatalogSnapshot Build()
    {
        var started = Stopwatch.GetTimestamp();
        var startedUtc = DateTime.UtcNow;
        try
        {
            // Builds run one at a time (StartRefresh), so the versions and lists are this method's own.
            var listed = _listed ?? new IReadOnlyList<Checkpoint>[_repositories.Count];
            var changed = _listed == null;
            for (var r = 0; r < _repositories.Count; r++)
            {
                var list = _repositories[r].Repository.ListIfChanged(ref _listVersions[r]);
                if (list != null)
                {
                    listed[r] = list;
                    changed = true;
                }
            }

            _listed = listed;
            var previous = Volatile.Read(ref _snapshot);
            if (!changed && previous != null)
            {
                // Nothing written since the last listing: the same sources, seen now.
                var same = new CatalogSnapshot(previous.Sources, startedUtc, started);
                Volatile.Write(ref _snapshot, same);
                return same;
            }

            var claims = new List<SourceClaim>();
            var members = new List<(ServedRepository Repository, List<Checkpoint> Checkpoints)>();
            for (var r = 0; r < _repositories.Count; r++)
            {
                var repository = _repositories[r];
                var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var checkpoint in listed[r])
                {
                    // List is oldest first: the first checkpoint of a stream fixes its claim.
                    var claim = SourceIdentity.Of(checkpoint, repository.Repository.Root, checkpoint.Time.Ticks);
                    if (!byKey.TryGetValue(claim.Key, out var at))
                    {
                        at = claims.Count;
                        byKey[claim.Key] = at;
                        claims.Add(claim);
                        members.Add((repository, new List<Checkpoint>()));
                    }

                    members[at].Checkpoints.Add(checkpoint);
                }
            }

            var names = SourceNames.Assign(claims);
            var sources = new List<ServedSource>(claims.Count);
            for (var i = 0; i < claims.Count; i++)
            {
                sources.Add(new ServedSource(names[i], claims[i].Key, members[i].Repository, members[i].Checkpoints));
            }

            var snapshot = new CatalogSnapshot(sources, startedUtc, started);
            Volatile.Write(ref _snapshot, snapshot);
            return snapshot;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Daytona.Common.DaytonaException)
        {
            _log?.Invoke($"Listing the repositories failed: {e.Message}");
            Array.Clear(_listVersions, 0, _listVersions.Length); // the next listing reads every repository again
            _listed = null;
            var previous = Volatile.Read(ref _snapshot);
            if (previous != null)
            {
                // Served from the last good view until the repositories can be listed again.
                return previous;
            }

            throw;
        }
    }

    /// <summary>
    /// A checkpoint of <paramref name="source"/> at exactly <paramref name="id"/> written after the view was built:
    /// read from the repository, so an exact URL works as soon as the checkpoint exists.
    /// </summary>
    public Checkpoint? TryFindNew(CatalogSnapshot snapshot, ServedSource source, string id, DateTime time)
    {
        if (time < snapshot.BuiltUtc - TimeSpan.FromSeconds(10))
        {
            return null; // older than the view (with room for clock skew between writers): the view has it or it does not exist
        }

        try
        {
            var checkpoint = source.Repository.Repository.Get(id);
            var claim = SourceIdentity.Of(checkpoint, source.Repository.Repository.Root, checkpoint.Time.Ticks);
            _ = StartRefresh();
            return claim.Key == source.Key ? checkpoint : null;
        }
        catch (Daytona.Common.DaytonaException)
        {
            return null;
        }
    }
}
