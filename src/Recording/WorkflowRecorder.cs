using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Daytona.Common;
using Daytona.Common.FileSystem;
using Daytona.Recording.Description;
using Daytona.Recording.Planning;
using Daytona.Recording.Writing;

namespace Daytona.Recording
{
    /// <summary>What ending a recording wrote.</summary>
    public sealed class RecordingResult
    {
        internal RecordingResult(string documentPath, string descriptionPath, PlannedWorkflow plan, int calls)
        {
            DocumentPath = documentPath;
            DescriptionPath = descriptionPath;
            Plan = plan;
            Calls = calls;
        }

        /// <summary>The Arazzo document.</summary>
        public string DocumentPath { get; }

        /// <summary>The Daytona OpenAPI description beside it (its source description).</summary>
        public string DescriptionPath { get; }

        public PlannedWorkflow Plan { get; }

        /// <summary>What the replay needs that the workflow cannot do, and what was left out.</summary>
        public IReadOnlyList<string> Warnings => Plan.Warnings;

        /// <summary>API calls the recording kept.</summary>
        public int Calls { get; }
    }

    /// <summary>Ends a recording: plans the workflow from its calls and writes the document and the description beside it.</summary>
    public static class WorkflowRecorder
    {
        /// <summary>Ends <paramref name="session"/> and writes its workflow; a session that recorded no call writes nothing and fails.</summary>
        public static RecordingResult Save(RecordingSession session)
        {
            var calls = session.End();
            var plan = SessionPlanner.Plan(calls, session.WorkflowId);
            if (!plan.Blocks.Exists(_ => true))
            {
                throw ErrorCatalog.ArazzoRecordingEmpty.Create(
                    calls.Count == 0
                        ? "Nothing was recorded: no Daytona API call was made since Start-ArazzoRecording, so no workflow was written."
                        : $"Nothing was recorded that a workflow can replay ({calls.Count} call(s), none of them a snapshot operation that succeeded), so no workflow was written.",
                    session.Path);
            }

            var folder = Path.GetDirectoryName(Path.GetFullPath(session.Path))!;
            var descriptionName = DescriptionFileName(session.Path);
            var description = DescriptionFor(plan.ServerUrl);
            var document = ArazzoDocumentWriter.Write(plan, descriptionName, "Recorded Daytona session");
            var descriptionPath = Path.Combine(folder, descriptionName);
            WriteAtomically(descriptionPath, description);
            WriteAtomically(session.Path, document);
            return new RecordingResult(Path.GetFullPath(session.Path), descriptionPath, plan, calls.Count);
        }

        /// <summary>The description's file name beside a document: <c>build.arazzo.yaml</c> → <c>build.openapi.yml</c>.</summary>
        public static string DescriptionFileName(string documentPath)
        {
            var name = Path.GetFileName(documentPath);
            foreach (var ending in new[] { ".arazzo.yaml", ".arazzo.yml", ".arazzo.json", ".yaml", ".yml", ".json" })
            {
                if (name.EndsWith(ending, StringComparison.OrdinalIgnoreCase) && name.Length > ending.Length)
                {
                    name = name.Substring(0, name.Length - ending.Length);
                    break;
                }
            }

            return name + ".openapi.yml";
        }

        /// <summary>
        /// The Daytona description with the server the session talked to as its first server (so the workflow runs
        /// against that server unless told otherwise), and Daytona cloud after it.
        /// </summary>
        internal static string DescriptionFor(string? serverUrl)
        {
            var text = DaytonaDescription.Instance.Text;
            const string cloud = "servers:\n- url: https://app.daytona.io/api\n  description: Daytona cloud\n";
            var normalized = text.Replace("\r\n", "\n");
            if (serverUrl == null || string.Equals(serverUrl.TrimEnd('/'), "https://app.daytona.io/api", StringComparison.OrdinalIgnoreCase) || normalized.IndexOf(cloud, StringComparison.Ordinal) < 0)
            {
                return text;
            }

            var url = serverUrl.TrimEnd('/');
            var servers = "servers:\n- url: '" + url.Replace("'", "''") + "'\n  description: The server the session was recorded against\n- url: https://app.daytona.io/api\n  description: Daytona cloud\n";
            return normalized.Replace(cloud, servers);
        }

        /// <summary>Writes through a temporary file renamed over the target, so a crash leaves the old file or the new one.</summary>
        private static void WriteAtomically(string path, string text)
        {
            var full = Path.GetFullPath(path);
            var temp = full + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    var bytes = new UTF8Encoding(false).GetBytes(text);
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(true);
                }

                FileMoves.MoveReplacing(temp, full);
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }
    }
}
