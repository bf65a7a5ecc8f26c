using System.Management.Automation;
using Daytona.Images;

namespace Daytona.Snapshots.Images
{
    /// <summary>
    /// <para type="synopsis">Sets the entrypoint (ENTRYPOINT) of a declarative Daytona image.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "DaytonaImageEntrypoint")]
    [OutputType(typeof(DaytonaImage))]
    public sealed class SetDaytonaImageEntrypointCommand : ImageBuilderCmdlet
    {
        /// <summary>The program and its arguments (exec form).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] Command { get; set; } = null!;

        protected override void ProcessRecord() => Emit(() => Image.Entrypoint(Command), Image);
    }
}
