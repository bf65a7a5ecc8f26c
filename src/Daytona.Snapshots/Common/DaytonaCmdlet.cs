using System.Management.Automation;
using Daytona.Snapshots.AzureDevOps;

namespace Daytona.Snapshots.Common
{
    /// <summary>
    /// The base of every cmdlet of the module: the one place its errors and warnings are written. Inside an Azure
    /// Pipelines job each error that reaches the user as an error, and each warning that is shown, is also raised as a
    /// pipeline issue, once, with its ErrorId and the script location that ran the command (<see cref="PipelineIssues"/>).
    /// These methods hide PSCmdlet's: code in a derived cmdlet calls them without a second thought.
    /// </summary>
    public abstract class DaytonaCmdlet : PSCmdlet
    {
        /// <summary>Writes a non-terminating error (and, when it reaches the user in an Azure Pipelines job, an issue).</summary>
        public new void WriteError(ErrorRecord errorRecord)
        {
            PipelineIssues.BeforeError(this, errorRecord, terminating: false);
            base.WriteError(errorRecord);
        }

        /// <summary>Ends the command with an error (and, when nothing catches it in an Azure Pipelines job, an issue).</summary>
        public new void ThrowTerminatingError(ErrorRecord errorRecord)
        {
            PipelineIssues.BeforeError(this, errorRecord, terminating: true);
            base.ThrowTerminatingError(errorRecord);
        }

        /// <summary>Writes a warning (and, when it is shown in an Azure Pipelines job, a warning issue).</summary>
        public new void WriteWarning(string text)
        {
            PipelineIssues.BeforeWarning(this, text);
            base.WriteWarning(text);
        }
    }
}
