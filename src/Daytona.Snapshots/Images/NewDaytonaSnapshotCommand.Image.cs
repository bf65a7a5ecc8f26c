using System.Collections.Generic;
using System.Management.Automation;
using Daytona.Api.Images;
using Daytona.Common;
using Daytona.Images;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Snapshots
{
    /// <summary>New-DaytonaSnapshot with a declarative image (from New-DaytonaImage and the builder cmdlets).</summary>
    public sealed partial class NewDaytonaSnapshotCommand
    {
        /// <summary>
        /// With a declarative image: build even when an active snapshot of this name was already built from the same
        /// definition (an existing snapshot of the name is removed first).
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>
        /// The declarative path: hash the contexts (definition errors surface here, before any request), then on the
        /// worker look the name up once — an active snapshot with the same Dockerfile and context hashes is returned
        /// as it is — else get push access, upload the contexts the storage lacks and create with buildInfo.
        /// </summary>
        private void CreateFromDeclarativeImage(DaytonaImage image)
        {
            IReadOnlyList<string> hashes;
            try
            {
                hashes = DeclarativeSnapshots.ComputeContextHashes(image);
            }
            catch (DaytonaException e)
            {
                WriteFailure(e, e.Target ?? image);
                return;
            }

            for (var i = 0; i < hashes.Count; i++)
            {
                var entry = image.Context[i];
                if (!string.Equals(entry.Hash, hashes[i], StringComparison.Ordinal))
                {
                    WriteWarning($"{entry.SourcePath} changed since the image was defined (hash {entry.Hash}); building its current content (hash {hashes[i]}).");
                }
            }

            if (!ShouldProcess($"{Name} (declarative image from {image.BaseImage ?? "a Dockerfile"}, {image.Context.Count} context(s))", "Create Daytona snapshot"))
            {
                return;
            }

            var client = ClientOrThrow();
            var options = new DeclarativeSnapshotOptions
            {
                Cpu = Cpu,
                Memory = Memory,
                Disk = Disk,
                Gpu = Gpu,
                Entrypoint = Entrypoint,
                Force = Force.IsPresent,
            };
            var name = Name!;
            const int activityId = 0x1A6E;
            RunForItem(name, async token =>
            {
                using var calls = ObserveApiCalls(new[] { name });
                void Progress(int index, int count, ImageContext context) =>
                    PostProgress(new ProgressRecord(activityId, $"Uploading the build context of '{name}'", $"{context.SourcePath} ({index + 1} of {count})")
                    {
                        PercentComplete = 100 * index / count,
                    });

                var result = await DeclarativeSnapshots.CreateAsync(client, name, image, options, PostVerbose, token, hashes, Progress).ConfigureAwait(false);
                if (result.Uploads.Count > 0)
                {
                    PostProgress(new ProgressRecord(activityId, $"Uploading the build context of '{name}'", "Done") { RecordType = ProgressRecordType.Completed });
                }

                PostObject(result.Snapshot);
            });
        }
    }
}
