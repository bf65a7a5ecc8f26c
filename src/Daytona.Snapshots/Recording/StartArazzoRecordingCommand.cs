using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using Daytona.Common;
using Daytona.Recording;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Recording
{
    /// <summary>
    /// <para type="synopsis">Starts recording the Daytona API calls of the snapshot commands as an Arazzo workflow; Stop-ArazzoRecording writes it.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "ArazzoRecording")]
    [OutputType(typeof(void))]
    public sealed class StartArazzoRecordingCommand : DaytonaCmdlet
    {
        /// <summary>Where Stop-ArazzoRecording writes the document. Default: daytona-session-&lt;time&gt;.arazzo.yaml here.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>The workflow's id. Default: from the file name (<c>build-web.arazzo.yaml</c> → <c>build-web</c>).</summary>
        [Parameter(Position = 1)]
        [ValidatePattern("^[A-Za-z0-9_\\-]+$")]
        public string? WorkflowId { get; set; }

        /// <summary>Overwrite the document (and the description beside it) when it exists.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void EndProcessing()
        {
            var running = RecordingStore.Current;
            if (running != null)
            {
                Fail(ErrorCatalog.ArazzoRecordingInProgress.Create($"A recording is already running (to {running.Path}, since {running.StartedAt.ToLocalTime():T}).", running.Path));
            }

            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path ?? $"daytona-session-{DateTime.Now:yyyyMMdd-HHmmss}.arazzo.yaml");
            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (folder == null || !Directory.Exists(folder))
            {
                Fail(ErrorCatalog.ArazzoRecordingFolderNotFound.Create($"The folder '{folder}' of the recording's document does not exist.", path));
            }

            if (Directory.Exists(path))
            {
                Fail(ErrorCatalog.ArazzoRecordingPathIsFolder.Create($"'{path}' is a folder; -Path names the document file to write.", path));
            }

            var description = System.IO.Path.Combine(folder!, WorkflowRecorder.DescriptionFileName(path));
            if (!Force.IsPresent && (File.Exists(path) || File.Exists(description)))
            {
                Fail(ErrorCatalog.ArazzoRecordingFileExists.Create($"'{(File.Exists(path) ? path : description)}' exists; a recording does not overwrite a file unless told to.", path));
            }

            var session = new RecordingSession(path, WorkflowId ?? WorkflowIdFrom(path));
            RecordingStore.Current = session;
            WriteVerbose($"Recording the Daytona API calls of the snapshot commands as workflow '{session.WorkflowId}'; Stop-ArazzoRecording writes it to {path}.");
        }

        private void Fail(DaytonaException error) => ThrowTerminatingError(ErrorRecords.From(error, error.Target));

        /// <summary><c>build-web.arazzo.yaml</c> → <c>build-web</c>; characters an id cannot hold become dashes.</summary>
        internal static string WorkflowIdFrom(string path)
        {
            var name = System.IO.Path.GetFileName(path);
            var cut = name.IndexOf('.');
            if (cut > 0)
            {
                name = name.Substring(0, cut);
            }

            var id = new StringBuilder();
            foreach (var c in name)
            {
                id.Append(c < 128 && (char.IsLetterOrDigit(c) || c == '_' || c == '-') ? c : '-');
            }

            var text = id.ToString().Trim('-');
            return text.Length == 0 ? "recorded-session" : text;
        }
    }
}
