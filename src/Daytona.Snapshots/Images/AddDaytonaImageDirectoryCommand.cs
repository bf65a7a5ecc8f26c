using System.Management.Automation;
using Daytona.Images;

namespace Daytona.Snapshots.Images
{
    /// <summary>
    /// <para type="synopsis">Copies a local folder into a declarative Daytona image.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "DaytonaImageDirectory")]
    [OutputType(typeof(DaytonaImage))]
    public sealed class AddDaytonaImageDirectoryCommand : ImageBuilderCmdlet
    {
        /// <summary>The local folder. A relative path resolves against the current location and is written as given.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("LocalPath")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        /// <summary>The folder path in the image.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("RemotePath")]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = null!;

        protected override void ProcessRecord() => Emit(() => Image.AddLocalDir(LocalPath(Path), Destination, WorkingDirectory), Path);
    }
}
