using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;

namespace Daytona.Api
{
    /// <summary>
    /// Waits on many snapshots at once and yields each the moment a poll sees it settle.
    /// <list type="bullet">
    /// <item>Every state that does not change by itself ends the wait for that snapshot: <c>active</c> and
    /// <c>inactive</c> succeed; <c>error</c> and <c>build_failed</c> fail with the server's reason and the tail of the
    /// build log; <c>removing</c> and a vanished snapshot fail. No transient state is waited for, so a short-lived
    /// state skipped between polls cannot hang the wait.</item>
    /// <item>Each round reads every unsettled snapshot once. When one list call can answer for several snapshots
    /// (newest first, narrowed by their common name prefix, stopping once all are seen) and needs fewer requests than
    /// one GET each, the list is used.</item>
    /// <item>The interval adapts: short at first, then a fraction of the time waited, up to a ceiling; so a quick
    /// build is seen quickly and a two-hour build costs few requests.</item>
    /// <item>Build-log following is best effort: a cut stream is reopened, and no log failure stops or fails the wait.</item>
    /// </list>
    /// </summary>
    public sealed class SnapshotWaiter
    {
        private const int MaxParallelGets = 8;
        /// <summary>Polls in a row (each already retried by the client) after which one snapshot's wait ends with an error.</summary>
        private const int MaxFailedPolls = 5;

        private readonly DaytonaClient _client;

        public SnapshotWaiter(DaytonaClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

        /// <summary>Requests the last wait made (polls, lists, log reads).</summary>
        public int LastRoundCount { get; private set; }

        /// <summary>Waits on the snapshots named by id or name; yields one result per distinct target, in settle order.</summary>
        public async IAsyncEnumerable<SnapshotWaitResult> WaitAsync(IEnumerable<string> idsOrNames, SnapshotWaitOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            options ??= new SnapshotWaitOptions();
            var items = new List<Item>();
            var seenKeys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var key in idsOrNames ?? throw new ArgumentNullException(nameof(idsOrNames)))
            {
                if (!string.IsNullOrWhiteSpace(key) && seenKeys.Add(key))
                {
                    items.Add(new Item(key, items.Count));
                }
            }

            var watch = Stopwatch.StartNew();
            var listPagesEstimate = 1;
            var listFailed = false;
            var rounds = 0;
            using var followers = new BuildLogFollowers(_client, options, cancellationToken);
            try
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var pending = items.Where(i => !i.Done).ToList();
                    if (pending.Count == 0)
                    {
                        yield break;
                    }

                    rounds++;
                    LastRoundCount = rounds;
                    var useList = pending.Count >= 2 && listPagesEstimate < pending.Count && !listFailed;
                    listFailed = false;
                    if (useList)
                    {
                        try
                        {
                            listPagesEstimate = await PollByListAsync(pending, options, cancellationToken).ConfigureAwait(false);
                        }
                        catch (DaytonaException e) when (!ErrorCatalog.EndsCommand(e))
                        {
                            // The list answers for all of them: each of them missed this poll. The next round reads
                            // them one by one, so a failure is charged to the snapshot it is about.
                            listFailed = true;
                            options.OnLog?.Invoke($"Poll failed ({e.Message}); reading each snapshot next round.");
                            foreach (var item in pending)
                            {
                                item.PollFailed(e);
                            }
                        }
                    }
                    else
                    {
                        await PollEachAsync(pending, options, cancellationToken).ConfigureAwait(false);
                    }

                    var elapsed = watch.Elapsed;
                    var settled = new List<Item>();
                    foreach (var item in pending)
                    {
                        if (item.Snapshot != null && options.FollowBuildLogs && item.Snapshot.BuildInfo != null && !item.Snapshot.State.IsSettled())
                        {
                            followers.Start(item.Snapshot);
                        }

                        if (!item.Settled)
                        {
                            options.OnProgress?.Invoke(new SnapshotWaitProgress(item.Key, item.Index, items.Count, item.Snapshot, elapsed, false));
                            continue;
                        }

                        settled.Add(item);
                    }

                    // Those one poll found settled come out in the order they settled, as the server's last-change time
                    // tells (a slow poll can find several), then in the order they were given.
                    foreach (var item in settled.OrderBy(i => i.Snapshot?.UpdatedAt ?? DateTimeOffset.MaxValue).ThenBy(i => i.Index))
                    {
                        item.Done = true;
                        if (item.Snapshot != null && !await followers.FinishAsync(item.Snapshot.Id).ConfigureAwait(false)
                            && options.FollowBuildLogs && options.OnBuildLogLine != null && item.Snapshot.BuildInfo != null)
                        {
                            // It settled before a poll saw it build (a quick build): show its whole log instead.
                            await EmitWholeLogAsync(item.Snapshot, options, cancellationToken).ConfigureAwait(false);
                        }

                        options.OnProgress?.Invoke(new SnapshotWaitProgress(item.Key, item.Index, items.Count, item.Snapshot, elapsed, true));
                        yield return await SettleAsync(item, options, elapsed, cancellationToken).ConfigureAwait(false);
                    }

                    if (items.All(i => i.Done))
                    {
                        yield break;
                    }

                    elapsed = watch.Elapsed;
                    if (options.Timeout.HasValue && elapsed >= options.Timeout.Value)
                    {
                        foreach (var item in items.Where(i => !i.Done))
                        {
                            item.Done = true;
                            yield return TimedOut(item, options.Timeout.Value, elapsed);
                        }

                        yield break;
                    }

                    var delay = options.IntervalAt(elapsed);
                    if (options.Timeout.HasValue && elapsed + delay > options.Timeout.Value)
                    {
                        delay = options.Timeout.Value - elapsed;
                    }

                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                followers.CancelAll();
            }
        }

        private async Task<int> PollByListAsync(List<Item> pending, SnapshotWaitOptions options, CancellationToken cancellationToken)
        {
            var byId = new Dictionary<string, Item>(StringComparer.OrdinalIgnoreCase);
            var byName = new Dictionary<string, Item>(StringComparer.Ordinal);
            foreach (var item in pending)
            {
                if (item.Id != null) byId[item.Id] = item;
                else if (Guid.TryParse(item.Key, out _)) byId[item.Key] = item;
                if (item.Name != null) byName[item.Name] = item;
                else if (!Guid.TryParse(item.Key, out _)) byName[item.Key] = item;
            }

            var names = pending.Select(i => i.Name ?? (Guid.TryParse(i.Key, out _) ? null : i.Key)).ToList();
            var filter = names.All(n => n != null) ? CommonPrefix(names!) : null;
            var query = new SnapshotListQuery
            {
                Limit = SnapshotListQuery.MaxPageSize,
                Sort = SnapshotSort.CreatedAt,
                Descending = true,
                Name = filter != null && filter.Length >= 2 ? filter : null,
            };

            var seen = new HashSet<Item>();
            var pages = 0;
            await foreach (var page in _client.ListSnapshotPagesAsync(query, cancellationToken).ConfigureAwait(false))
            {
                pages++;
                foreach (var snapshot in page.Items)
                {
                    if ((byId.TryGetValue(snapshot.Id, out var item) || (byName.TryGetValue(snapshot.Name, out item) && (item.Id == null || item.Id == snapshot.Id)))
                        && seen.Add(item))
                    {
                        item.Update(snapshot);
                    }
                }

                if (seen.Count == pending.Count)
                {
                    break;
                }
            }

            // Whatever the list did not show (paging shifted under it, or the snapshot is gone) is read one by one.
            var missing = pending.Where(i => !seen.Contains(i)).ToList();
            if (missing.Count > 0)
            {
                options.OnLog?.Invoke($"The list did not show {missing.Count} snapshot(s); reading them one by one.");
                await PollEachAsync(missing, options, cancellationToken).ConfigureAwait(false);
            }

            return Math.Max(1, pages);
        }

        /// <summary>
        /// Reads each snapshot by itself (at most <see cref="MaxParallelGets"/> at once). A read that fails after the
        /// client's retries counts against that snapshot only; a failure that ends the command (credentials, an API
        /// that cannot be reached at all) is thrown.
        /// </summary>
        private async Task PollEachAsync(List<Item> pending, SnapshotWaitOptions options, CancellationToken cancellationToken)
        {
            using var gate = new SemaphoreSlim(MaxParallelGets);
            var tasks = pending.Select(async item =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var snapshot = await _client.FindSnapshotAsync(item.Id ?? item.Key, cancellationToken).ConfigureAwait(false);
                    if (snapshot == null)
                    {
                        item.Vanished = true;
                    }
                    else
                    {
                        item.Update(snapshot);
                    }
                }
                catch (DaytonaException e) when (!ErrorCatalog.EndsCommand(e))
                {
                    item.PollFailed(e);
                    options.OnLog?.Invoke($"Reading snapshot '{item.Name ?? item.Key}' failed ({e.Message}); {(item.FailedPolls < MaxFailedPolls ? "trying again next round" : "giving up on it")}.");
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        private async Task<SnapshotWaitResult> SettleAsync(Item item, SnapshotWaitOptions options, TimeSpan elapsed, CancellationToken cancellationToken)
        {
            var snapshot = item.Snapshot;
            if (item.GaveUp)
            {
                var last = item.LastFailure!;
                var name = snapshot?.Name ?? item.Key;
                var unread = new DaytonaException(last.ErrorId, last.Kind,
                    _client.Redact($"Snapshot '{name}' could not be read in {MaxFailedPolls} polls in a row{(snapshot == null ? string.Empty : $" (last seen {snapshot.StateText})")}: {last.Message}"),
                    (object?)snapshot ?? item.Key, last)
                {
                    RecommendedAction = "Wait for it again with Wait-DaytonaSnapshot; the others were not affected.",
                };
                return new SnapshotWaitResult(item.Key, item.Index, snapshot, unread, elapsed);
            }

            if (item.Vanished)
            {
                var error = new DaytonaException(DaytonaErrorIds.SnapshotNotFound, ErrorKind.ObjectNotFound,
                    snapshot == null ? $"Snapshot '{item.Key}' was not found." : $"Snapshot '{snapshot.Name}' disappeared while it was waited on (it was {snapshot.StateText}).",
                    (object?)snapshot ?? item.Key)
                {
                    RecommendedAction = "Check the name or id with Get-DaytonaSnapshot.",
                };
                return new SnapshotWaitResult(item.Key, item.Index, snapshot, error, elapsed);
            }

            var state = snapshot!.State;
            if (state.IsReady())
            {
                return new SnapshotWaitResult(item.Key, item.Index, snapshot, null, elapsed);
            }

            if (state == SnapshotState.Removing)
            {
                var removed = new DaytonaException(DaytonaErrorIds.SnapshotRemoved, ErrorKind.InvalidOperation,
                    $"Snapshot '{snapshot.Name}' is being removed; it will not become active.", snapshot);
                return new SnapshotWaitResult(item.Key, item.Index, snapshot, removed, elapsed);
            }

            var tail = snapshot.BuildInfo != null ? await ReadLogTailAsync(snapshot, options.FailureLogLines, cancellationToken).ConfigureAwait(false) : Array.Empty<string>();
            var message = new StringBuilder();
            message.Append($"Snapshot '{snapshot.Name}' failed ({snapshot.StateText}): {(string.IsNullOrWhiteSpace(snapshot.ErrorReason) ? "the server gave no reason" : snapshot.ErrorReason)}");
            if (tail.Length > 0)
            {
                message.Append(" Last build log lines:");
                foreach (var line in tail.Skip(Math.Max(0, tail.Length - 10)))
                {
                    message.Append('\n').Append("  ").Append(line);
                }
            }

            var failed = new SnapshotBuildFailedException(snapshot, _client.Redact(message.ToString()), tail)
            {
                RecommendedAction = snapshot.BuildInfo != null
                    ? "Read the whole log with Get-DaytonaSnapshotBuildLog, fix the image definition, remove the snapshot and create it again."
                    : "Check that the image exists and can be pulled (name and tag), remove the snapshot and create it again.",
            };
            return new SnapshotWaitResult(item.Key, item.Index, snapshot, failed, elapsed);
        }

        private async Task EmitWholeLogAsync(Snapshot snapshot, SnapshotWaitOptions options, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await foreach (var line in _client.GetBuildLogAsync(snapshot.Id, follow: false, timeout.Token).ConfigureAwait(false))
                {
                    options.OnBuildLogLine!(snapshot, line);
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is DaytonaException || e is OperationCanceledException || e is System.Net.Http.HttpRequestException || e is System.IO.IOException))
            {
                options.OnLog?.Invoke($"The build log of '{snapshot.Name}' could not be read ({e.Message}).");
            }
        }

        private async Task<string[]> ReadLogTailAsync(Snapshot snapshot, int lines, CancellationToken cancellationToken)
        {
            // Best effort, bounded: a failure to read the log never hides the failure itself.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var tail = new Queue<string>();
            try
            {
                await foreach (var line in _client.GetBuildLogAsync(snapshot.Id, follow: false, timeout.Token).ConfigureAwait(false))
                {
                    tail.Enqueue(line);
                    while (tail.Count > lines) tail.Dequeue();
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is DaytonaException || e is OperationCanceledException || e is System.Net.Http.HttpRequestException || e is System.IO.IOException))
            {
            }

            return tail.ToArray();
        }

        private static SnapshotWaitResult TimedOut(Item item, TimeSpan timeout, TimeSpan elapsed)
        {
            var name = item.Snapshot?.Name ?? item.Key;
            var state = item.Snapshot?.StateText ?? "unknown";
            var error = new DaytonaException(DaytonaErrorIds.WaitTimeout, ErrorKind.OperationTimeout,
                $"Snapshot '{name}' did not settle within {Format(timeout)} (last state: {state}).", (object?)item.Snapshot ?? item.Key)
            {
                RecommendedAction = "The build goes on on the server: wait again with a longer -Timeout, or look at Get-DaytonaSnapshotBuildLog.",
            };
            return new SnapshotWaitResult(item.Key, item.Index, item.Snapshot, error, elapsed);
        }

        private static string Format(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.TotalMinutes >= 1 ? t.ToString(@"m\:ss") + " min" : $"{t.TotalSeconds:0.#} s";

        /// <summary>The longest prefix all names share; the server's name filter is a partial match, so it finds them all.</summary>
        internal static string CommonPrefix(IReadOnlyList<string> names)
        {
            if (names.Count == 0) return string.Empty;
            var prefix = names[0];
            foreach (var name in names)
            {
                var n = 0;
                while (n < prefix.Length && n < name.Length && prefix[n] == name[n]) n++;
                prefix = prefix.Substring(0, n);
                if (prefix.Length == 0) break;
            }

            return prefix;
        }

        private sealed class Item
        {
            public Item(string key, int index)
            {
                Key = key;
                Index = index;
            }

            public string Key { get; }
            public int Index { get; }
            public string? Id { get; private set; }
            public string? Name { get; private set; }
            public Snapshot? Snapshot { get; private set; }
            public bool Vanished { get; set; }
            public bool Done { get; set; }

            /// <summary>Polls in a row that failed for this snapshot, and the last failure.</summary>
            public int FailedPolls { get; private set; }
            public DaytonaException? LastFailure { get; private set; }

            /// <summary>Its polls failed too often in a row: its wait ends with that failure.</summary>
            public bool GaveUp => FailedPolls >= MaxFailedPolls;

            public bool Settled => GaveUp || Vanished || (Snapshot != null && Snapshot.State.IsSettled());

            public void PollFailed(DaytonaException e)
            {
                FailedPolls++;
                LastFailure = e;
            }

            public void Update(Snapshot snapshot)
            {
                FailedPolls = 0;
                Snapshot = snapshot;
                Id = snapshot.Id.Length > 0 ? snapshot.Id : Id;
                Name = snapshot.Name;
            }
        }
    }
}
