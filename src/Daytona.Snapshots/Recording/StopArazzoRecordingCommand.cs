using System.IO;
using System.Linq;
using System.Management.Automation;
using Daytona.Arazzo;
using Daytona.Common;
using Daytona.Recording;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Recording
{
    /// <summary>
    /// <para type="synopsis">Stops the recording and writes the Arazzo workflow that replays it, with the Daytona OpenAPI description beside it.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "ArazzoRecording")]
    [OutputType(typeof(FileInfo))]
    public sealed class StopArazzoRecordingCommand : DaytonaCmdlet
    {
        /// <summary>The type name the returned file carries for its view.</summary>
        internal const string TypeName = "Daytona.Snapshots.ArazzoRecording";

        /// <summary>Stop without writing anything.</summary>
        [Parameter]
        public SwitchParameter Discard { get; set; }

        protected override void EndProcessing()
        {
            var session = RecordingStore.Current;
            if (session == null)
            {
                ThrowTerminatingError(ErrorRecords.From(ErrorCatalog.ArazzoRecordingNotStarted.Create("No recording is running in this session."), null));
                return;
            }

            // The recording ends here whatever happens next: a failed write must not leave it running.
            RecordingStore.Current = null;
            if (Discard.IsPresent)
            {
                var dropped = session.End().Count;
                WriteVerbose($"Discarded the recording of {dropped} call(s); nothing was written.");
                return;
            }

            RecordingResult result;
            try
            {
                result = WorkflowRecorder.Save(session);
            }
            catch (DaytonaException e)
            {
                WriteError(ErrorRecords.From(e, session.Path));
                return;
            }
            catch (IOException e)
            {
                WriteError(ErrorRecords.From(ErrorCatalog.ArazzoRecordingNotWritten.Create($"The workflow could not be written to '{session.Path}': {e.Message}", session.Path, e), session.Path));
                return;
            }
            catch (System.UnauthorizedAccessException e)
            {
                WriteError(ErrorRecords.From(ErrorCatalog.ArazzoRecordingNotWritten.Create($"The workflow could not be written to '{session.Path}': {e.Message}", session.Path, e), session.Path));
                return;
            }

            foreach (var warning in result.Warnings)
            {
                WriteWarning(warning);
            }

            WorkflowInfo? workflow = null;
            var loaded = ArazzoLoader.LoadFile(result.DocumentPath);
            if (loaded.Document != null)
            {
                workflow = WorkflowInfo.Describe(loaded.Document).FirstOrDefault();
            }

            WriteVerbose($"Wrote workflow '{session.WorkflowId}' ({result.Plan.Steps.Count()} steps from {result.Calls} call(s)) to {result.DocumentPath}, and its source description to {result.DescriptionPath}.");
            var file = new PSObject(new FileInfo(result.DocumentPath));
            file.TypeNames.Insert(0, TypeName);
            file.Properties.Add(new PSNoteProperty("WorkflowId", session.WorkflowId));
            file.Properties.Add(new PSNoteProperty("Workflow", workflow));
            file.Properties.Add(new PSNoteProperty("SourceDescription", new FileInfo(result.DescriptionPath)));
            file.Properties.Add(new PSNoteProperty("Warnings", result.Warnings.ToArray()));
            WriteObject(file);
        }
    }
}
