using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.Checkpoints.Storage.Memory;

namespace Checkpoints.Tests.Catalog;

public sealed class CheckpointCatalogTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// A lookup by time at an instant the compacted catalog covers is answered from the newest generation alone — no
    /// listing of checkpoints/ — and gives what the whole catalog gives, after renames and removals of covered
    /// checkpoints, with checkpoints committed after the generation, and with one committed just below it by a writer
    /// whose clock lags (inside the skew margin, so found through the listing).
    /// </summary>
    [Fact]
    public void ALookupTheCompactedCatalogCoversListsNoManifestsAndAgreesWithTheWholeCatalog()
    {
        var storage = new MemoryStorage(Guid.NewGuid().ToString("N"));
        var now = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var repository = CheckpointRepository.OpenOrCreate(storage, new RepositoryOptions { UtcNow = () => now = now.AddMinutes(1) });
        var api = _temp.Sub("api");
        var web = _temp.Sub("web");
        for (var i = 0; i < 70 /* a writer compacts past 64 manifests after the newest generation */; i++)
        {
            var source = i % 3 == 0 ? web : api;
            TestTree.Write(source, "f.txt", TestTree.Text(50, i));
            repository.Capture(source, null, default);
        }

        Assert.Contains(storage.Keys, k => k.StartsWith(RepositoryLayout.CatalogPrefix, StringComparison.Ordinal));
        var all = repository.List();
        repository.Rename(all[3].Id, "renamed");
        repository.Remove(all[5].Id);
        repository.Remove(all[6].Id); // the newest generation now covers everything so far, with tombstones

        // A writer whose clock lags by 4.5 minutes commits an id just below the generation's last one (it chose the id
        // before the generation landed): its manifest, as it would write it.
        var newest = all[^1];
        var lagged = CheckpointTime.ToId(newest.Time.AddSeconds(-270));
        using (var manifest = storage.Read(RepositoryLayout.ManifestKey(newest.Id))!)
        {
            var text = System.Text.Encoding.UTF8.GetString(manifest.Buffer, 0, manifest.Length)
                .Replace(newest.Id, lagged, StringComparison.Ordinal)
                .Replace(newest.Time.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                    newest.Time.AddSeconds(-270).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Assert.True(storage.Write(RepositoryLayout.ManifestKey(lagged), System.Text.Encoding.UTF8.GetBytes(text), WriteCondition.CreateOnly).Written);
        }

        for (var i = 0; i < 2; i++)
        {
            TestTree.Write(web, "f.txt", TestTree.Text(30, 2000 + i));
            repository.Capture(web, null, default);
        }

        var whole = repository.List();
        Assert.Contains(whole, c => c.Id == lagged);
        Assert.DoesNotContain(whole, c => c.Id == all[5].Id || c.Id == all[6].Id);
        var listings = 0;
        storage.BeforeRequest = (kind, key) =>
        {
            if (kind == "list" && key.StartsWith(RepositoryLayout.CheckpointsPrefix, StringComparison.Ordinal))
            {
                listings++;
            }
        };

        var reader = CheckpointRepository.Open(storage, new RepositoryOptions { UtcNow = () => now });
        var coveredUpTo = CheckpointTime.Parse(all[^1].Id) - TimeSpan.FromMinutes(10) /* the catalog's skew margin */;
        for (var instant = CheckpointTime.Parse(whole[0].Id); instant <= now; instant = instant.AddSeconds(20))
        {
            foreach (var source in new[] { null, api, web })
            {
                var expected = whole.LastOrDefault(c => c.Time <= instant && (source == null || c.Source == source));
                listings = 0;
                if (expected == null)
                {
                    Assert.Throws<Daytona.Common.DaytonaException>(() => reader.FindAt(instant, source));
                    continue;
                }

                var found = reader.FindAt(instant, source);
                Assert.Equal(expected.Id, found.Id);
                Assert.Equal(expected.Name, found.Name);
                Assert.Equal(expected.Source, found.Source);
                Assert.Equal(found.Time == instant, found.ExactMatch);
                Assert.Equal(instant <= coveredUpTo ? 0 : 1, listings);
            }
        }

        // Before the first: not found, and the message names the first (from the whole catalog).
        var error = Assert.Throws<Daytona.Common.DaytonaException>(() => reader.FindAt(CheckpointTime.Parse(whole[0].Id).AddSeconds(-1)));
        Assert.Contains(whole[0].Id, error.Message, StringComparison.Ordinal);
    }
}
