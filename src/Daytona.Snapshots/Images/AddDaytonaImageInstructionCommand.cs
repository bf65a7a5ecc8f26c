using System.Management.Automation;
using Daytona.Images;

namespace Daytona.Snapshots.Images
{
    /// <summary>
    /// <para type="synopsis">Adds raw Dockerfile instructions to a declarative Daytona image; their COPY sources join the build context.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "DaytonaImageInstruction")]
    [OutputType(typeof(DaytonaImage))]
    public sealed class AddDaytonaImageInstructionCommand : ImageBuilderCmdlet
    {
        /// <summary>Dockerfile lines, written as given, one per line.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] Instruction { get; set; } = null!;

        /// <summary>The folder COPY sources are relative to; without it they are relative to the current location.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? ContextPath { get; set; }

        /// <summary>Refuse COPY sources outside the context folder (requires -ContextPath).</summary>
        [Parameter]
        public SwitchParameter StrictContext { get; set; }

        protected override void ProcessRecord() =>
            Emit(() => Image.DockerfileCommands(Instruction, ContextPath == null ? null : LocalPath(ContextPath), StrictContext.IsPresent, WorkingDirectory), Image);
    }
}
