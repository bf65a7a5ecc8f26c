using System.Linq;
using System.Management.Automation;
using Daytona.Images;

namespace Daytona.Snapshots.Images
{
    /// <summary>
    /// <para type="synopsis">Adds RUN instructions to a declarative Daytona image.</para>
    /// <para>The class ends in Cmdlet rather than Command: the noun already ends in Command.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "DaytonaImageCommand", DefaultParameterSetName = ShellSet)]
    [OutputType(typeof(DaytonaImage))]
    public sealed class AddDaytonaImageCommandCmdlet : ImageBuilderCmdlet
    {
        private const string ShellSet = "Shell";
        private const string ExecSet = "Exec";

        /// <summary>Shell-form commands, one RUN instruction each, in order.</summary>
        [Parameter(ParameterSetName = ShellSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Command { get; set; } = null!;

        /// <summary>One exec-form command: the program and its arguments, written as RUN "program" "arg"….</summary>
        [Parameter(ParameterSetName = ExecSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string[] Exec { get; set; } = null!;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ExecSet)
            {
                Emit(() => Image.RunCommands(new object[] { Exec }), Image);
            }
            else
            {
                Emit(() => Image.RunCommands(Command.Cast<object>()), Image);
            }
        }
    }
}
