using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Api;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Snapshots
{
    /// <summary>
    /// <para type="synopsis">Waits until snapshots settle (active, inactive, or failed) and emits each one the moment it settles.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Wait, "DaytonaSnapshot")]
    [OutputType(typeof(Snapshot))]
    public sealed class WaitDaytonaSnapshotCommand : SnapshotTargetCmdlet
    {
        private const int ParentActivity = 1;
        private const int MaxChildBars = 50;
        private readonly List<SnapshotTarget> _targets = new List<SnapshotTarget>();

        /// <summary>How long to wait (seconds or a TimeSpan); default two hours.</summary>
        [Parameter]
        [SecondsToTimeSpan]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(2);

        /// <summary>A fixed poll interval (seconds or a TimeSpan). Default: adaptive, 0.5 s at first, up to 10 s for long builds.</summary>
        [Parameter]
        [SecondsToTimeSpan]
        public TimeSpan PollInterval { get; set; }

        /// <summary>Shows the build log of Dockerfile-built snapshots while they build (information records, shown as Write-Host shows them).</summary>
        [Parameter]
        public SwitchParameter ShowBuildLog { get; set; }

        /// <summary>In an Azure Pipelines job the wait's output is one collapsible group.</summary>
        protected override string? LogGroupTitle => Activity(_targets.Count);

        /// <summary>Snapshots are collected here and waited on together when the pipeline ends.</summary>
        private protected override void ProcessTarget(SnapshotTarget target) => _targets.Add(target);

        protected override void EndProcessing()
        {
            if (_targets.Count == 0)
            {
                return;
            }

            if (PollInterval < TimeSpan.Zero || (MyInvocation.BoundParameters.ContainsKey(nameof(PollInterval)) && PollInterval < TimeSpan.FromMilliseconds(100)))
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorCatalog.PollIntervalInvalid, "-PollInterval must be at least 0.1 seconds.", PollInterval));
            }

            // Snapshots read through different connections are waited on side by side, one waiter per connection.
            var groups = _targets
                .GroupBy(t => ClientOrThrow(t.Snapshot))
                .Select(g => (Client: g.Key, Targets: g.ToList()))
                .ToList();
            var total = _targets.Select(t => t.Key).Distinct().Count();
            var settled = 0;
            var started = DateTime.UtcNow;

            RunAsync(async token =>
            {
                await Task.WhenAll(groups.Select(g => WaitGroupAsync(g.Client, g.Targets, total, () => Interlocked.Increment(ref settled), token))).ConfigureAwait(false);
                PostProgress(new ProgressRecord(ParentActivity, Activity(total), "Done") { RecordType = ProgressRecordType.Completed });
                PostVerbose($"{total} snapshot(s) settled in {(DateTime.UtcNow - started).TotalSeconds:0.0} s.");
            });
        }

        private async Task WaitGroupAsync(DaytonaClient client, List<SnapshotTarget> targets, int total, Func<int> onSettled, CancellationToken token)
        {
            using var calls = ObserveApiCalls(targets.Select(t => t.Key));
            var lastShown = new Dictionary<string, (SnapshotState State, DateTime At)>();
            var options = new SnapshotWaitOptions
            {
                Timeout = Timeout <= TimeSpan.Zero ? (TimeSpan?)null : Timeout,
                PollInterval = MyInvocation.BoundParameters.ContainsKey(nameof(PollInterval)) ? PollInterval : (TimeSpan?)null,
                FollowBuildLogs = ShowBuildLog.IsPresent,
                OnBuildLogLine = ShowBuildLog.IsPresent ? (snapshot, line) => PostShownInformation($"[{snapshot.Name}] {line}", "BuildLog", snapshot.Name) : (Action<Snapshot, string>?)null,
                OnLog = PostVerbose,
                OnProgress = p =>
                {
                    var now = DateTime.UtcNow;
                    var state = p.Snapshot?.State ?? SnapshotState.Unknown;
                    lock (lastShown)
                    {
                        if (!p.Settled && lastShown.TryGetValue(p.Target, out var last) && last.State == state && now - last.At < TimeSpan.FromSeconds(1))
                        {
                            return;
                        }

                        lastShown[p.Target] = (state, now);
                    }

                    if (p.Count <= MaxChildBars || p.Settled)
                    {
                        // The state a snapshot settled in is shown before its bar closes: a build log (plain progress) writes
                        // that line even when the snapshot settled at the first look.
                        var name = p.Snapshot?.Name ?? p.Target;
                        var activity = $"Snapshot {name}";
                        PostProgress(new ProgressRecord(ParentActivity + 1 + p.Index, activity, $"{p.Snapshot?.StateText ?? "waiting"} ({p.Elapsed.TotalSeconds:0} s)")
                        {
                            ParentActivityId = ParentActivity,
                        });
                        if (p.Settled)
                        {
                            PostProgress(new ProgressRecord(ParentActivity + 1 + p.Index, activity, "Done") { ParentActivityId = ParentActivity, RecordType = ProgressRecordType.Completed });
                        }
                    }
                },
            };

            var waiter = new SnapshotWaiter(client);
            await foreach (var result in waiter.WaitAsync(targets.Select(t => t.Key), options, token).ConfigureAwait(false))
            {
                var done = onSettled();
                PostProgress(new ProgressRecord(ParentActivity, Activity(total), $"{done} of {total} settled")
                {
                    PercentComplete = Math.Min(100, done * 100 / Math.Max(1, total)),
                });
                if (result.Succeeded)
                {
                    PostVerbose($"Snapshot '{result.Snapshot!.Name}' is {result.Snapshot.StateText} after {result.Elapsed.TotalSeconds:0.0} s.");
                    PostObject(result.Snapshot);
                }
                else
                {
                    PostError(result.Error!, (object?)result.Snapshot ?? result.Target);
                }
            }
        }

        private static string Activity(int total) => total == 1 ? "Waiting for 1 Daytona snapshot" : $"Waiting for {total} Daytona snapshots";
    }
}
