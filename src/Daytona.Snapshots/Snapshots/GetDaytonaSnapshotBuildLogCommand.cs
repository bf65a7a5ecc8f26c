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
    public sealed class GetDaytonaSnapshotBuildLogCommand : SnapshotTargetCmdlet
    {
        /// <summary>Keeps reading while the build runs, reopening a cut stream, until the snapshot settles.</summary>
        [Parameter]
        public SwitchParameter Follow { get; set; }

        private protected override void ProcessTarget(SnapshotTarget target)
        {
            var client = ClientOrThrow(target.Snapshot);
            RunForTarget(target, async token =>
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
                    catch (DaytonaException e) when (e.ErrorId == ErrorCatalog.DaytonaConnectionLost.Id)
                    {
                        // Not a failure of this snapshot: the stream is reopened where it was cut.
                        PostVerbose($"The build log stream was cut ({e.Message}); reopening it.");
                    }

                    var snapshot = await client.GetSnapshotAsync(id, token).ConfigureAwait(false);
                    if (snapshot.State.IsSettled())
                    {
                        return;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(500), token).ConfigureAwait(false);
                }
            });
        }
    }
}
