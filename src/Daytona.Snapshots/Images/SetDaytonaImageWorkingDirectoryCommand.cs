using System.Management.Automation;
using Daytona.Images;

namespace Daytona.Snapshots.Images
{
    /// <summary>
    /// <para type="synopsis">Sets the working directory (WORKDIR) of a declarative Daytona image.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "DaytonaImageWorkingDirectory")]
    [OutputType(typeof(DaytonaImage))]
    public sealed class SetDaytonaImageWorkingDirectoryCommand : ImageBuilderCmdlet
    {
        /// <summary>The folder in the image.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        protected override void ProcessRecord() => Emit(() => Image.Workdir(Path), Path);
    }
}
