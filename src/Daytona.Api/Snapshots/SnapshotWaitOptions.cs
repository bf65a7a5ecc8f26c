using System;
using Daytona.Common;

namespace Daytona.Api
{
    /// <summary>How <see cref="SnapshotWaiter"/> waits.</summary>
    public sealed class SnapshotWaitOptions
    {
        /// <summary>
        /// The longest wait; snapshots still unsettled then fail with <c>WaitTimeout</c>. Null waits for ever. The default,
        /// two hours, outlasts the server's own limit (it fails a pull or build after 60 minutes) plus queueing.
        /// </summary>
        public TimeSpan? Timeout { get; set; } = TimeSpan.FromHours(2);

        /// <summary>A fixed poll interval. Null: adaptive, from <see cref="MinInterval"/> growing with the wait to <see cref="MaxInterval"/>.</summary>
        public TimeSpan? PollInterval { get; set; }

        /// <summary>The adaptive interval at the start of a wait.</summary>
        public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(500);

        /// <summary>The adaptive interval's ceiling, reached by long builds.</summary>
        public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>The adaptive interval is this fraction of the time waited so far (bounded by min and max).</summary>
        public double IntervalFraction { get; set; } = 0.1;

        /// <summary>Follow the build logs of snapshots built from a Dockerfile while they build (best effort).</summary>
        public bool FollowBuildLogs { get; set; }

        /// <summary>How many build-log lines a failure carries.</summary>
        public int FailureLogLines { get; set; } = 20;

        /// <summary>Called with each snapshot's state after every poll, from the waiting task.</summary>
        public Action<SnapshotWaitProgress>? OnProgress { get; set; }

        /// <summary>Called with each build-log line while following (see <see cref="FollowBuildLogs"/>).</summary>
        public Action<Snapshot, string>? OnBuildLogLine { get; set; }

        /// <summary>Diagnostic notes (strategy chosen, log stream reconnects).</summary>
        public Action<string>? OnLog { get; set; }

        /// <summary>The interval to sleep after <paramref name="elapsed"/> of waiting.</summary>
        public TimeSpan IntervalAt(TimeSpan elapsed)
        {
            if (PollInterval.HasValue)
            {
                return PollInterval.Value;
            }

            var ms = elapsed.TotalMilliseconds * IntervalFraction;
            ms = Math.Max(MinInterval.TotalMilliseconds, Math.Min(MaxInterval.TotalMilliseconds, ms));
            return TimeSpan.FromMilliseconds(ms);
        }
    }

    /// <summary>Where one snapshot stands during a wait.</summary>
    public sealed class SnapshotWaitProgress
    {
        internal SnapshotWaitProgress(string target, int index, int count, Snapshot? snapshot, TimeSpan elapsed, bool settled)
        {
            Target = target;
            Index = index;
            Count = count;
            Snapshot = snapshot;
            Elapsed = elapsed;
            Settled = settled;
        }

        /// <summary>The id or name the wait was asked for.</summary>
        public string Target { get; }

        /// <summary>The position of this snapshot among the ones waited on (0-based).</summary>
        public int Index { get; }

        public int Count { get; }

        /// <summary>The latest state read, or null before the first poll answered.</summary>
        public Snapshot? Snapshot { get; }

        public TimeSpan Elapsed { get; }

        public bool Settled { get; }
    }

    /// <summary>One snapshot's end: the snapshot when it settled as active or inactive, else the failure.</summary>
    public sealed class SnapshotWaitResult
    {
        internal SnapshotWaitResult(string target, int index, Snapshot? snapshot, DaytonaException? error, TimeSpan elapsed)
        {
            Target = target;
            Index = index;
            Snapshot = snapshot;
            Error = error;
            Elapsed = elapsed;
        }

        public string Target { get; }

        public int Index { get; }

        /// <summary>The snapshot as last read (also set for most failures).</summary>
        public Snapshot? Snapshot { get; }

        /// <summary><c>SnapshotBuildFailed</c>, <c>SnapshotNotFound</c>, <c>SnapshotRemoved</c>, <c>WaitTimeout</c>, or an API failure.</summary>
        public DaytonaException? Error { get; }

        public bool Succeeded => Error == null;

        /// <summary>From the start of the wait to the poll that saw it settle.</summary>
        public TimeSpan Elapsed { get; }
    }
}
