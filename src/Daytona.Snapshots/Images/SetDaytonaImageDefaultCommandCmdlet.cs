using System.Management.Automation;
using Daytona.Images;

namespace Daytona.Snapshots.Images
{
    /// <summary>
    /// <para type="synopsis">Sets the default command (CMD) of a declarative Daytona image.</para>
    /// <para>The class ends in Cmdlet rather than Command: the noun already ends in Command.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "DaytonaImageDefaultCommand")]
    [OutputType(typeof(DaytonaImage))]
    public sealed class SetDaytonaImageDefaultCommandCmdlet : ImageBuilderCmdlet
    {
        /// <summary>The program and its arguments (exec form), or the arguments to the entrypoint.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [AllowEmptyCollection]
        public string[] Command { get; set; } = null!;

        protected override void ProcessRecord() => Emit(() => Image.Cmd(Command), Image);
    }
}
