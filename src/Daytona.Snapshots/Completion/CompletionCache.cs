using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Snapshots.Completion
{
    /// <summary>
    /// Values for tab completion that come from somewhere slow (the Daytona API, a repository on disk), cached for a
    /// short while and never allowed to block the prompt for more than a moment: when a fetch takes longer than
    /// <see cref="PromptBudget"/>, completion answers with what it had (possibly nothing) and the fetch goes on in the
    /// background, so the next Tab has fresh values.
    /// </summary>
    internal static class CompletionCache
    {
        public static readonly TimeSpan PromptBudget = TimeSpan.FromMilliseconds(750);

        private static readonly ConcurrentDictionary<string, Entry> s_entries = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);

        public static IReadOnlyList<string> Get(string key, TimeSpan timeToLive, Func<CancellationToken, Task<IReadOnlyList<string>>> fetch)
        {
            var entry = s_entries.GetOrAdd(key, _ => new Entry());
            Task<IReadOnlyList<string>> pending;
            lock (entry)
            {
                if (entry.Values != null && DateTime.UtcNow - entry.FetchedAt < timeToLive)
                {
                    return entry.Values;
                }

                if (entry.Pending == null)
                {
                    // The fetch gets its own generous limit: it may finish after the prompt gave up waiting on it.
                    var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    entry.Pending = Task.Run(() => fetch(limit.Token));
                    entry.Pending.ContinueWith(
                        done =>
                        {
                            lock (entry)
                            {
                                if (done.Status == TaskStatus.RanToCompletion)
                                {
                                    entry.Values = done.Result;
                                    entry.FetchedAt = DateTime.UtcNow;
                                }

                                entry.Pending = null;
                            }

                            limit.Dispose();
                        },
                        TaskScheduler.Default);
                }

                pending = entry.Pending;
            }

            try
            {
                if (pending.Wait(PromptBudget) && pending.Status == TaskStatus.RanToCompletion)
                {
                    return pending.Result;
                }
            }
            catch (AggregateException)
            {
                // A failed fetch completes nothing; the stale values (if any) still help.
            }

            lock (entry)
            {
                return entry.Values ?? Array.Empty<string>();
            }
        }

        private sealed class Entry
        {
            public IReadOnlyList<string>? Values;
            public DateTime FetchedAt;
            public Task<IReadOnlyList<string>>? Pending;
        }
    }
}
