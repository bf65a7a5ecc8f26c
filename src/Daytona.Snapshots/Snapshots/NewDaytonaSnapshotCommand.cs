using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Api;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Snapshots
{
    /// <summary>
    /// <para type="synopsis">Creates a Daytona snapshot from an image; returns it at once (usually pending): pipe it to Wait-DaytonaSnapshot.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "DaytonaSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(Snapshot))]
    public sealed partial class NewDaytonaSnapshotCommand : SnapshotCmdlet
    {
        /// <summary>The snapshot's name (unique in the organization).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>The image: an image name with a tag or digest, e.g. <c>python:3.12-slim</c>.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("ImageName")]
        [ValidateNotNull]
        public object? Image { get; set; }

        /// <summary>CPU cores for sandboxes made from the snapshot.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 1024)]
        public int Cpu { get; set; }

        /// <summary>Memory in GB.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Mem")]
        [ValidateRange(1, 4096)]
        public int Memory { get; set; }

        /// <summary>Disk in GB.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 65536)]
        public int Disk { get; set; }

        /// <summary>GPU units.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, 64)]
        public int Gpu { get; set; }

        /// <summary>The entrypoint command, one argument per element.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[]? Entrypoint { get; set; }

        protected override void ProcessRecord()
        {
            var image = Image is PSObject wrapped ? wrapped.BaseObject : Image;
            if (image is string imageName)
            {
                CreateFromImageName(imageName);
                return;
            }

            if (image is Daytona.Images.DaytonaImage declarative)
            {
                CreateFromDeclarativeImage(declarative);
                return;
            }

            WriteError(ErrorRecords.Create(
                ErrorCatalog.SnapshotImageNotSupported,
                $"-Image takes an image name (a string such as 'python:3.12-slim'); a {image?.GetType().Name} cannot be used here.",
                image, "Pass the image name with its tag, e.g. -Image 'python:3.12-slim'."));
        }

        /// <summary>The image-name path: POST /snapshots with imageName, resources and entrypoint.</summary>
        private void CreateFromImageName(string imageName)
        {
            var request = new CreateSnapshotRequest(Name!)
            {
                ImageName = imageName,
                Entrypoint = Entrypoint,
            };
            ApplyResources(request);
            if (!ShouldProcess($"{Name} (image {imageName})", "Create Daytona snapshot"))
            {
                return;
            }

            var client = ClientOrThrow();
            RunForItem(request.Name, token => CreateAsync(client, request, token));
        }

        private void ApplyResources(CreateSnapshotRequest request)
        {
            // Resources not given stay unset, so Daytona applies its defaults.
            request.Cpu = Cpu > 0 ? Cpu : (int?)null;
            request.Memory = Memory > 0 ? Memory : (int?)null;
            request.Disk = Disk > 0 ? Disk : (int?)null;
            request.Gpu = Gpu > 0 ? Gpu : (int?)null;
        }

        private async Task CreateAsync(DaytonaClient client, CreateSnapshotRequest request, CancellationToken token)
        {
            using var calls = ObserveApiCalls(new[] { request.Name });
            var snapshot = await client.CreateSnapshotAsync(request, token).ConfigureAwait(false);
            PostVerbose($"Created snapshot '{snapshot.Name}' ({snapshot.Id}), state {snapshot.StateText}.");
            PostObject(snapshot);
        }
    }
}
