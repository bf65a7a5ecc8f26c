using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Daytona.Api.Observation;

namespace Daytona.Recording
{
    /// <summary>
    /// What one recording holds: every Daytona API call the module's commands made between its start and its end, in
    /// the order they were made, each with the command that made it. Commands attach through
    /// <see cref="BeginCommand"/>; the calls of one unit of their work are kept when the unit ends, except a failed call
    /// the work did not go on past (one that became the user's error). Thread-safe: commands of one pipeline record
    /// side by side (a wait still polls while the next command acts on what it emitted).
    /// </summary>
    public sealed class RecordingSession
    {
        private readonly object _gate = new object();
        private readonly List<RecordedCall> _calls = new List<RecordedCall>();
        private long _sequence;
        private int _units;
        private bool _ended;

        public RecordingSession(string path, string workflowId)
        {
            Path = path ?? throw new ArgumentNullException(nameof(path));
            WorkflowId = workflowId ?? throw new ArgumentNullException(nameof(workflowId));
            StartedAt = DateTimeOffset.UtcNow;
        }

        /// <summary>Where the document is written when the recording ends.</summary>
        public string Path { get; }

        public string WorkflowId { get; }

        public DateTimeOffset StartedAt { get; }

        /// <summary>Calls kept so far.</summary>
        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _calls.Count;
                }
            }
        }

        /// <summary>
        /// A unit of a command's work (one snapshot of a pipeline, or a whole wait): attach it to the client with
        /// <c>DaytonaClient.Observe</c> and dispose it when the unit ends.
        /// </summary>
        /// <param name="command">The command's name, e.g. <c>Wait-DaytonaSnapshot</c>.</param>
        /// <param name="targets">The snapshots (ids or names) the unit acts on, when the command was given them.</param>
        public CommandRecorder BeginCommand(string command, IEnumerable<string>? targets = null) =>
            new CommandRecorder(this, command, Interlocked.Increment(ref _units), targets?.Where(t => !string.IsNullOrEmpty(t)).ToArray() ?? Array.Empty<string>());

        /// <summary>Ends the recording: later calls are not kept. Returns every kept call in the order it was made.</summary>
        public IReadOnlyList<RecordedCall> End()
        {
            lock (_gate)
            {
                _ended = true;
                return _calls.OrderBy(c => c.Sequence).ToList();
            }
        }

        internal long NextSequence() => Interlocked.Increment(ref _sequence);

        internal void Keep(IEnumerable<RecordedCall> calls)
        {
            lock (_gate)
            {
                if (!_ended)
                {
                    _calls.AddRange(calls);
                }
            }
        }
    }

    /// <summary>Hears the calls of one unit of a command's work and hands them to the session when the unit ends.</summary>
    public sealed class CommandRecorder : IApiCallObserver, IDisposable
    {
        private readonly RecordingSession _session;
        private readonly List<RecordedCall> _calls = new List<RecordedCall>();
        private int _disposed;

        internal CommandRecorder(RecordingSession session, string command, int unit, IReadOnlyList<string> targets)
        {
            _session = session;
            Command = command;
            Unit = unit;
            Targets = targets;
        }

        public string Command { get; }

        public int Unit { get; }

        public IReadOnlyList<string> Targets { get; }

        public void Called(ApiCall call)
        {
            if (call == null)
            {
                return;
            }

            var recorded = new RecordedCall(_session.NextSequence(), Command, Unit, Targets, call);
            lock (_calls)
            {
                _calls.Add(recorded);
            }
        }

        /// <summary>
        /// Keeps the unit's calls. A failed call (an HTTP error answer) is kept only when the work went on past it:
        /// a later call of the unit concerns the same snapshot (a lookup that found nothing, then the create; an
        /// activation refused as already done, then the read). One that ended the work — the error the user saw — is not.
        /// </summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            List<RecordedCall> calls;
            lock (_calls)
            {
                calls = _calls.ToList();
            }

            var kept = new List<RecordedCall>(calls.Count);
            for (var i = 0; i < calls.Count; i++)
            {
                var call = calls[i];
                if (call.Failed && !calls.Skip(i + 1).Any(later => later.SnapshotKey != null && string.Equals(later.SnapshotKey, call.SnapshotKey, StringComparison.Ordinal)))
                {
                    continue;
                }

                kept.Add(call);
            }

            _session.Keep(kept);
        }
    }
}
