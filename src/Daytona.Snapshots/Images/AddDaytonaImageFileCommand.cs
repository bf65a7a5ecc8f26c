using System.Management.Automation;
using Daytona.Images;

namespace Daytona.Snapshots.Images
{
    /// <summary>
    /// <para type="synopsis">Copies a local file into a declarative Daytona image.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "DaytonaImageFile")]
    [OutputType(typeof(DaytonaImage))]
    public sealed class AddDaytonaImageFileCommand : ImageBuilderCmdlet
    {
        /// <summary>The local file. A relative path resolves against the current location and is written as given.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("LocalPath")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        /// <summary>The path in the image. Ending in / means "into this folder, same file name".</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("RemotePath")]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = null!;

        protected override void ProcessRecord() => Emit(() => Image.AddLocalFile(LocalPath(Path), Destination, WorkingDirectory), Path);
    }
}
