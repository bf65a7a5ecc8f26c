using Checkpoints.Tests.Storage;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Folder;
using Daytona.Common;

namespace Checkpoints.Tests.Retention;

/// <summary>
/// Retention (Remove-Checkpoint -KeepLast, the repository's KeepLast setting applied by every capture), the same on every
/// backend: a backend's test class derives from this and says how to open a repository's storage.
/// </summary>
public abstract class RetentionSuite : IDisposable
{
    private readonly List<IObjectStorage> _opened = new();
    private readonly TempFolder _temp = new();
    private DateTime _now = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The storage of the repository named <paramref name="name"/> (a new storage object each call, as another process would open it).</summary>
    protected abstract IObjectStorage OpenStorage(string name);

    protected TempFolder Temp => _temp;

    public virtual void Dispose()
    {
        foreach (var storage in _opened)
        {
            storage.Dispose();
        }

        _temp.Dispose();
    }

    private readonly List<string> _verbose = new();

    private IObjectStorage Storage(string name)
    {
        var storage = OpenStorage(name);
        _opened.Add(storage);
        return storage;
    }

    private CheckpointRepository NewRepository() =>
        CheckpointRepository.OpenOrCreate(Storage("repo"), new RepositoryOptions { UtcNow = () => _now = _now.AddSeconds(1), Verbose = _verbose.Add });

    /// <summary>Captures <paramref name="source"/> with one file that differs each time (so each checkpoint has content of its own).</summary>
    private Checkpoint Capture(CheckpointRepository repository, string source, int round)
    {
        TestTree.Write(source, "shared.bin", TestTree.Random(50_000, 7));
        TestTree.Write(source, "own.bin", TestTree.Random(30_000, (round * 100) + (source.EndsWith("api", StringComparison.Ordinal) ? 1 : 2)),
            new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc).AddMinutes(round));
        return repository.Capture(source, null, default);
    }

    [SuiteFact]
    public void KeepLastRemovesTheOlderCheckpointsOfEachSourceAndReclaimsWhatOnlyTheyUsed()
    {
        var repository = NewRepository();
        var api = _temp.Sub("api");
        var web = _temp.Sub("web");
        var apis = Enumerable.Range(1, 4).Select(i => Capture(repository, api, i)).ToList();
        var webs = Enumerable.Range(1, 2).Select(i => Capture(repository, web, i)).ToList();

        var plan = repository.PlanKeepLast(2);
        Assert.Equal(new[] { apis[0].Id, apis[1].Id }, plan.Select(c => c.Id));
        Assert.Equal(new[] { apis[0].Id }, repository.PlanKeepLast(3, api).Select(c => c.Id));
        Assert.Empty(repository.PlanKeepLast(2, web));

        var stored = repository.List().Sum(c => c.NewData);
        var result = repository.RemoveKeepLast(2, null);
        Assert.Equal(plan.Select(c => c.Id), result.Removed.Select(c => c.Id));
        Assert.True(result.Freed > 0, "the two removed checkpoints' own files are reclaimed: " + string.Join(" | ", _verbose));
        // ...at once: the writers of the removed checkpoints are done, not captures under way to wait for.
        Assert.DoesNotContain(_verbose, line => line.StartsWith("Waiting for", StringComparison.Ordinal));
        Assert.Equal(new[] { apis[2].Id, apis[3].Id, webs[0].Id, webs[1].Id }, repository.List().Select(c => c.Id));
        Assert.All(repository.List(), c => Assert.True(repository.Verify(c.Id, null, default).IsValid));
        Assert.Empty(repository.PlanKeepLast(2));
        Assert.Empty(repository.RemoveKeepLast(2, null).Removed);
        Assert.True(stored > result.Freed);
    }

    [SuiteFact]
    public void OnlyThePlannedCheckpointsTheCallerConfirmedGo()
    {
        var repository = NewRepository();
        var api = _temp.Sub("api");
        var all = Enumerable.Range(1, 4).Select(i => Capture(repository, api, i)).ToList();

        var result = repository.RemoveKeepLast(1, api, new[] { all[1].Id, all[3].Id });

        // The newest is never removed, even when asked: it is not beyond the newest one.
        Assert.Equal(new[] { all[1].Id }, result.Removed.Select(c => c.Id));
        Assert.Equal(new[] { all[0].Id, all[2].Id, all[3].Id }, repository.List().Select(c => c.Id));
        Assert.Equal(ErrorCatalog.CheckpointRetentionInvalid.Id, Assert.Throws<DaytonaException>(() => repository.PlanKeepLast(0)).ErrorId);
    }

    [SuiteFact]
    public void TheRepositorySettingIsAppliedByEveryCaptureToItsOwnSource()
    {
        var repository = NewRepository();
        var api = _temp.Sub("api");
        var web = _temp.Sub("web");
        var webs = Enumerable.Range(1, 3).Select(i => Capture(repository, web, i)).ToList();
        Assert.Null(repository.GetSettings().KeepLast);

        repository.ChangeSettings(s => s.KeepLast = 2);

        // Another agent (another repository object, as another process would open it) honours it.
        var agent = CheckpointRepository.Open(Storage("repo"), new RepositoryOptions { UtcNow = () => _now = _now.AddSeconds(1) });
        Assert.Equal(2, agent.GetSettings().KeepLast);
        var apis = Enumerable.Range(1, 4).Select(i => Capture(agent, api, i)).ToList();

        Assert.Equal(new[] { apis[2].Id, apis[3].Id }, agent.List(api).Select(c => c.Id));
        Assert.Equal(webs.Select(c => c.Id), agent.List(web).Select(c => c.Id)); // not captured since: left as it was
        Assert.Empty(apis[3].Warnings);
        Capture(agent, web, 4);
        Assert.Equal(2, agent.List(web).Count);
        Assert.All(agent.List(), c => Assert.True(agent.Verify(c.Id, null, default).IsValid));

        repository.ChangeSettings(s => s.KeepLast = null);
        Enumerable.Range(5, 3).ToList().ForEach(i => Capture(agent, api, i));
        Assert.Equal(5, agent.List(api).Count);
    }

    [SuiteFact]
    public void SettingsAreReplacedOnlyWhenUnchangedAndKeepWhatANewerModuleWrote()
    {
        var repository = NewRepository();
        var key = RepositoryLayout.SettingsKey;
        repository.Storage.Write(key, System.Text.Encoding.UTF8.GetBytes("{\"format\":1,\"keepLast\":4,\"fromNewer\":{\"x\":[1,2]}}"), WriteCondition.CreateOnly);
        var attempts = 0;
        var written = repository.ChangeSettings(s =>
        {
            if (attempts++ == 0)
            {
                // Another agent changes the settings between this one's read and write.
                var raced = repository.Storage.Read(key)!;
                repository.Storage.Write(key, System.Text.Encoding.UTF8.GetBytes("{\"format\":1,\"keepLast\":9,\"fromNewer\":{\"x\":[1,2]},\"other\":true}"), WriteCondition.IfVersion(raced.Version!));
            }

            s.KeepLast = 3;
        });

        Assert.Equal(2, attempts);
        Assert.Equal(3, written.KeepLast);
        using var stored = repository.Storage.Read(key)!;
        var json = System.Text.Json.JsonDocument.Parse(stored.Buffer.AsMemory(0, stored.Length)).RootElement;
        Assert.Equal(3, json.GetProperty("keepLast").GetInt32());
        Assert.True(json.GetProperty("other").GetBoolean());
        Assert.Equal(2, json.GetProperty("fromNewer").GetProperty("x").GetArrayLength());
    }

    [SuiteFact]
    public void DamagedSettingsFailTheirReadersButNeverACapture()
    {
        var repository = NewRepository();
        var api = _temp.Sub("api");
        Capture(repository, api, 1);
        repository.Storage.Write(RepositoryLayout.SettingsKey, System.Text.Encoding.UTF8.GetBytes("{\"keepLast\":\"three\""), WriteCondition.Unconditional);

        Assert.Equal(ErrorCatalog.CheckpointSettingsInvalid.Id, Assert.Throws<DaytonaException>(() => repository.GetSettings()).ErrorId);
        var checkpoint = Capture(repository, api, 2);
        Assert.Contains(checkpoint.Warnings, w => w.Contains("settings", StringComparison.Ordinal));
        Assert.Equal(2, repository.List().Count);

        // Changing them rewrites them whole.
        Assert.Throws<DaytonaException>(() => repository.ChangeSettings(s => s.KeepLast = 1));
        repository.Storage.Delete(RepositoryLayout.SettingsKey);
        repository.ChangeSettings(s => s.KeepLast = 1);
        Capture(repository, api, 3);
        Assert.Single(repository.List());
    }

    [SuiteFact]
    public void ACaptureWhoseRetentionFindsTheRepositoryBusyIsKeptAndSaysSo()
    {
        var repository = NewRepository();
        var api = _temp.Sub("api");
        repository.ChangeSettings(s => s.KeepLast = 1);
        Capture(repository, api, 1);
        var attempt = repository.Storage.TryAcquireLeaseAsync(RepositoryLayout.LeaseKey, LeaseHolder.ThisProcess("pruning"), TimeSpan.FromMinutes(2), default).GetAwaiter().GetResult();
        Assert.NotNull(attempt.Lease);
        using (attempt.Lease)
        {
            var checkpoint = Capture(repository, api, 2);
            Assert.Contains(checkpoint.Warnings, w => w.Contains("next capture", StringComparison.Ordinal));
            Assert.Equal(2, repository.List().Count);
        }

        Capture(repository, api, 3);
        Assert.Single(repository.List());
    }
}

/// <summary>Retention on a folder repository.</summary>
public sealed class FolderRetentionTests : RetentionSuite
{
    protected override IObjectStorage OpenStorage(string name) => new FolderStorage(Temp.Sub(name));
}

