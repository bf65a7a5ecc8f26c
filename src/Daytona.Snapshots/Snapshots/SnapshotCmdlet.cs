using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Daytona.Api;
using Daytona.Snapshots.Common;
using Daytona.Snapshots.Connection;

namespace Daytona.Snapshots.Snapshots
{
    /// <summary>What every snapshot cmdlet shares: <c>-Connection</c>, the client for it, and the request log on the debug stream.</summary>
    public abstract class SnapshotCmdlet : AsyncCmdlet
    {
        /// <summary>The connection to use. Default: the piped snapshot's, else the last Connect-Daytona, else the environment.</summary>
        [Parameter]
        [ValidateNotNull]
        public DaytonaConnection? Connection { get; set; }

        /// <summary>
        /// The client for the resolved connection (one HttpClient per connection, reused). Call it on the pipeline
        /// thread: the runspace's default connection is only visible there.
        /// </summary>
        internal DaytonaClient ClientFor(Snapshot? piped = null) => DaytonaClient.For(ConnectionResolver.Resolve(Connection, piped));

        /// <summary><see cref="ClientFor"/> on the pipeline thread: a missing key or bad URL becomes a terminating error.</summary>
        internal DaytonaClient ClientOrThrow(Snapshot? piped = null)
        {
            try
            {
                var client = ClientFor(piped);

                // A key read from the environment is masked in an Azure Pipelines log before any request is made.
                AzureDevOps.PipelineLog.RegisterSecret(this, client.Connection.ApiKey);
                return client;
            }
            catch (Daytona.Common.DaytonaException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, e.Target));
                throw;
            }
        }

        /// <summary>The targets of this pipeline record, or a non-terminating error when nothing identifies a snapshot.</summary>
        internal IReadOnlyList<SnapshotTarget> TargetsOrError(Snapshot? inputObject, string[]? ids, string[]? names)
        {
            var targets = SnapshotTarget.From(inputObject, ids, names);
            if (targets.Count == 0)
            {
                WriteError(ErrorRecords.Create(Daytona.Common.ErrorCatalog.SnapshotTargetMissing, "No snapshot given: use -Name, -Id, or pipe snapshots in.", null));
            }

            return targets;
        }

        /// <summary>The recording this command's calls go to (Start-ArazzoRecording); null when none runs, or under -WhatIf.</summary>
        private Recording.CommandRecording? _recording;

        protected override void BeginProcessing()
        {
            _recording = Recording.CommandRecording.Capture(this);
            base.BeginProcessing();
        }

        /// <summary>
        /// Scopes one unit of the command's work: while a recording runs, its calls go to the recording. (The request
        /// and retry lines go to -Debug and -Verbose for all work, from <see cref="AsyncCmdlet"/>.)
        /// </summary>
        /// <param name="targets">The snapshots (ids or names) the unit acts on.</param>
        internal IDisposable ObserveApiCalls(IEnumerable<string>? targets = null) =>
            _recording == null ? NoScope.Instance : _recording.Observe(targets);

        private sealed class NoScope : IDisposable
        {
            public static readonly NoScope Instance = new NoScope();

            public void Dispose()
            {
            }
        }
    }

    /// <summary>
    /// A snapshot cmdlet that acts on snapshots given as objects from the pipeline, as names or as ids: the three
    /// parameters, one <see cref="ProcessTarget"/> call per snapshot, and the per-snapshot error handling they share.
    /// </summary>
    public abstract class SnapshotTargetCmdlet : SnapshotCmdlet
    {
        /// <summary>A snapshot from Get-DaytonaSnapshot, New-DaytonaSnapshot or Wait-DaytonaSnapshot.</summary>
        [Parameter(ValueFromPipeline = true)]
        [Alias("Snapshot")]
        public Snapshot? InputObject { get; set; }

        /// <summary>Snapshot names (or ids).</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(Completion.SnapshotNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Snapshot ids.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("SnapshotId")]
        [ArgumentCompleter(typeof(Completion.SnapshotNameCompleter))]
        public string[]? Id { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var target in TargetsOrError(InputObject, Id, Name))
            {
                ProcessTarget(target);
            }
        }

        /// <summary>Acts on one snapshot of this pipeline record.</summary>
        private protected abstract void ProcessTarget(SnapshotTarget target);

        /// <summary>Runs the work for one snapshot: a failure about it is a non-terminating error naming it (see <see cref="AsyncCmdlet"/>).</summary>
        private protected void RunForTarget(SnapshotTarget target, Func<System.Threading.CancellationToken, System.Threading.Tasks.Task> work) =>
            RunForItem((object?)target.Snapshot ?? target.Key, async token =>
            {
                using var calls = ObserveApiCalls(new[] { target.Snapshot?.Id is { Length: > 0 } id ? id : target.Key });
                await work(token).ConfigureAwait(false);
            });
    }

    /// <summary>Lets a time span parameter take seconds as a number (<c>-Timeout 600</c>) as well as a TimeSpan or "hh:mm:ss".</summary>
    internal sealed class SecondsToTimeSpanAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case TimeSpan span: return span;
                case int i: return TimeSpan.FromSeconds(i);
                case long l: return TimeSpan.FromSeconds(l);
                case double d: return TimeSpan.FromSeconds(d);
                case decimal m: return TimeSpan.FromSeconds((double)m);
                case string s when double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds): return TimeSpan.FromSeconds(seconds);
                case string s when TimeSpan.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var parsed): return parsed;
                default: return inputData;
            }
        }
    }

    /// <summary>One snapshot a cmdlet was given: the piped object, or an id, or a name.</summary>
    internal readonly struct SnapshotTarget
    {
        public SnapshotTarget(Snapshot? snapshot, string key)
        {
            Snapshot = snapshot;
            Key = key;
        }

        public Snapshot? Snapshot { get; }

        /// <summary>The id when known, else the name.</summary>
        public string Key { get; }

        /// <summary>Picks the targets from what bound: the snapshot object, else the ids, else the names.</summary>
        public static IReadOnlyList<SnapshotTarget> From(Snapshot? inputObject, string[]? ids, string[]? names)
        {
            if (inputObject != null && inputObject.Key.Length > 0)
            {
                return new[] { new SnapshotTarget(inputObject, inputObject.Key) };
            }

            foreach (var keys in new[] { ids, names })
            {
                var list = (keys ?? Array.Empty<string>()).Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => new SnapshotTarget(null, k.Trim())).ToList();
                if (list.Count > 0)
                {
                    return list;
                }
            }

            return Array.Empty<SnapshotTarget>();
        }

        public override string ToString() => Snapshot?.Name ?? Key;
    }
}
