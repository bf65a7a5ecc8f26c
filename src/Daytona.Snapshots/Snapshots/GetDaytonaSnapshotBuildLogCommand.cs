using System;
using System.Management.Automation;
using System.Threading.Tasks;
using Daytona.Api;
using Daytona.Common;

namespace Daytona.Snapshots.Snapshots
{
    /// <summary>
    /// <para type="synopsis">Gets the build log of a snapshot built from a Dockerfile, line by line; -Follow streams it while the build runs.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DaytonaSnapshotBuildLog")]
    [OutputType(typeof(string))]
    public sealed class GetDaytonaSnapshotBuildLogCommand : SnapshotCmdlet
    {
        /// <summary>A snapshot from Get-DaytonaSnapshot or New-DaytonaSnapshot.</summary>
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
        public string[]? Id { get; set; }

        /// <summary>Keeps reading while the build runs, reopening a cut stream, until the snapshot settles.</summary>
        [Parameter]
        public SwitchParameter Follow { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var target in TargetsOrError(InputObject, Id, Name))
            {
                Process(target);
            }
        }

        private void Process(SnapshotTarget target)
        {
            var client = ClientOrThrow(target.Snapshot);
            RunAsync(async token =>
            {
                using var log = RequestLog();
                try
                {
                    var id = await client.ResolveIdAsync(target.Key, token).ConfigureAwait(false);
                    if (!Follow.IsPresent)
                    {
                        await foreach (var line in client.GetBuildLogAsync(id, follow: false, token).ConfigureAwait(false))
                        {
                            PostObject(line);
                        }

                        return;
                    }

                    // Following is best effort: a cut stream is reopened (skipping the lines already shown) until the snapshot settles.
                    var emitted = 0;
                    while (true)
                    {
                        var index = 0;
                        try
                        {
                            await foreach (var line in client.GetBuildLogAsync(id, follow: true, token).ConfigureAwait(false))
                            {
                                if (index++ < emitted) continue;
                                emitted++;
                                PostObject(line);
                            }
                        }
                        catch (DaytonaException e) when (e.ErrorId == DaytonaErrorIds.Unreachable)
                        {
                            PostVerbose($"The build log stream was cut ({e.Message}); reopening it.");
                        }

                        var snapshot = await client.GetSnapshotAsync(id, token).ConfigureAwait(false);
                        if (snapshot.State.IsSettled())
                        {
                            return;
                        }

                        await Task.Delay(TimeSpan.FromMilliseconds(500), token).ConfigureAwait(false);
                    }
                }
                catch (DaytonaException e) when (e.Kind != ErrorKind.AuthenticationError && e.ErrorId != DaytonaErrorIds.Unreachable)
                {
                    PostError(e, (object?)target.Snapshot ?? target.Key);
                }
            });
        }
    }
}
