using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using Daytona.Api;
using Daytona.Checkpoints;
using Daytona.Common;
using Daytona.Common.Diagnostics;
using Daytona.Snapshots.Common;
using Daytona.Snapshots.Connection;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Captures a folder, or the Daytona snapshots piped in, as a new checkpoint in a repository.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "Checkpoint", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(Checkpoint))]
    public sealed class NewCheckpointCommand : CheckpointCmdlet
    {
        private const string PathSet = "Path";
        private const string SnapshotSet = "Snapshot";
        internal const string SnapshotsDocument = "snapshots.json";

        private readonly List<PSObject> _snapshots = new List<PSObject>();

        /// <summary>The folder to capture.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>Daytona snapshots (from Get-DaytonaSnapshot, Enable-DaytonaSnapshot...): their definitions and states are recorded.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SnapshotSet)]
        [Alias("Snapshot")]
        public PSObject? InputObject { get; set; }

        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://); created when it does not exist. Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(Position = 1)]
        public override string? Repository { get; set; }

        /// <summary>A name for the checkpoint (Rename-Checkpoint changes it).</summary>
        [Parameter]
        public string? Name { get; set; }

        /// <summary>A label that never changes (e.g. the URL base path a checkpoint server publishes the source under).</summary>
        [Parameter]
        public string? Label { get; set; }

        /// <summary>The connection the snapshots were read through (for the checkpoint's source). Default: the snapshots' own, else the current one.</summary>
        [Parameter(ParameterSetName = SnapshotSet)]
        public DaytonaConnection? Connection { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == SnapshotSet)
            {
                if (InputObject != null)
                {
                    _snapshots.Add(InputObject);
                }

                return;
            }

            Timings.Mark("New-Checkpoint: start");
            var source = ResolvePath(Path);
            var repository = ResolveRepository();
            if (!ShouldProcess($"{source} -> {repository}", "Create checkpoint"))
            {
                return;
            }

            const int activity = 0x0C4E;
            var progress = ProgressReporter(activity);
            var uploads = ProgressReporter(activity + 1);
            var uploaded = false;
            RunAsync(async token =>
            {
                var options = new CaptureOptions { Name = Name, Label = Label, OnFileRead = progress, OnUpload = p => { uploaded = true; uploads(p); } };
                var (store, checkpoint) = await OpenOrCreateAndCaptureAsync(repository, source, options, token).ConfigureAwait(false);
                CompleteProgress(activity, "Capturing");
                if (uploaded)
                {
                    CompleteProgress(activity + 1, "Uploading");
                }

                foreach (var warning in checkpoint.Warnings)
                {
                    PostWarning(warning);
                }

                PostVerbose($"Checkpoint {checkpoint.Id}: {checkpoint.Files} files, {Sizes.Format(checkpoint.Size)}, {Sizes.Format(checkpoint.NewData)} new data (compressed with {store.Store.Compression}).");
                PostObject(checkpoint);
            });
            Timings.Mark("New-Checkpoint: done");
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName != SnapshotSet || _snapshots.Count == 0)
            {
                return;
            }

            var apiUrl = SourceUrl();
            var source = "daytona:" + apiUrl;
            var repository = ResolveRepository();
            if (!ShouldProcess($"{_snapshots.Count} snapshot(s) of {apiUrl} -> {repository}", "Create checkpoint"))
            {
                return;
            }

            var document = SnapshotDocument.Write(apiUrl, _snapshots);
            RunAsync(token =>
            {
                var store = OpenOrCreateRepository(repository);
                var checkpoint = store.CaptureDocument(source, SnapshotsDocument, document, Name, Label, token);
                foreach (var warning in checkpoint.Warnings)
                {
                    PostWarning(warning);
                }

                PostVerbose($"Checkpoint {checkpoint.Id}: {_snapshots.Count} snapshot definition(s) of {apiUrl}.");
                PostObject(checkpoint);
                return System.Threading.Tasks.Task.CompletedTask;
            });
        }

        private string SourceUrl()
        {
            if (Connection != null)
            {
                return Connection.ApiUrl.ToString().TrimEnd('/');
            }

            // The connection a snapshot was read through, when it carries one.
            foreach (var snapshot in _snapshots)
            {
                if (snapshot.BaseObject is Snapshot typed)
                {
                    try
                    {
                        return ConnectionResolver.Resolve(null, typed).ApiUrl.ToString().TrimEnd('/');
                    }
                    catch (DaytonaException)
                    {
                    }
                }
            }

            var current = ConnectionStore.Current;
            if (current != null)
            {
                return current.ApiUrl.ToString().TrimEnd('/');
            }

            var fromEnvironment = Environment.GetEnvironmentVariable(ConnectionResolver.ApiUrlVariable);
            return string.IsNullOrWhiteSpace(fromEnvironment) ? DaytonaConnection.DefaultApiUrl.ToString().TrimEnd('/') : fromEnvironment!.TrimEnd('/');
        }
    }

    /// <summary>
    /// The JSON document of a snapshot checkpoint: <c>{"apiUrl":..., "snapshots":[{name, imageName, buildInfo, cpu, gpu,
    /// mem, disk, entrypoint, state, id}]}</c>, read from the piped objects by property name.
    /// </summary>
    internal static class SnapshotDocument
    {
        private static readonly string[] s_properties = { "Id", "Name", "ImageName", "BuildInfo", "Cpu", "Gpu", "Mem", "Disk", "Entrypoint", "State" };

        public static byte[] Write(string apiUrl, IEnumerable<PSObject> snapshots)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("apiUrl", apiUrl);
                writer.WriteStartArray("snapshots");
                foreach (var snapshot in snapshots)
                {
                    writer.WriteStartObject();
                    foreach (var name in s_properties)
                    {
                        var property = snapshot.Properties[name];
                        if (property == null)
                        {
                            continue;
                        }

                        writer.WritePropertyName(char.ToLowerInvariant(name[0]) + name.Substring(1));
                        if (name == "State")
                        {
                            var text = snapshot.Properties["StateText"]?.Value as string;
                            writer.WriteStringValue(string.IsNullOrEmpty(text) ? property.Value?.ToString() : text);
                        }
                        else
                        {
                            WriteValue(writer, property.Value, 0);
                        }
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            return stream.ToArray();
        }

        private static void WriteValue(Utf8JsonWriter writer, object? value, int depth)
        {
            if (value is PSObject wrapped)
            {
                value = wrapped.BaseObject;
            }

            switch (value)
            {
                case null:
                    writer.WriteNullValue();
                    return;
                case string text:
                    writer.WriteStringValue(text);
                    return;
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    return;
                case int or long or short or byte:
                    writer.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                    return;
                case double or float or decimal:
                    writer.WriteNumberValue(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                    return;
                case DateTime time:
                    writer.WriteStringValue(time.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture));
                    return;
                case DateTimeOffset offset:
                    writer.WriteStringValue(offset.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture));
                    return;
                case Enum:
                    writer.WriteStringValue(value.ToString());
                    return;
            }

            if (depth > 4)
            {
                writer.WriteStringValue(value.ToString());
                return;
            }

            if (value is IDictionary dictionary)
            {
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(entry.Key.ToString() ?? string.Empty);
                    WriteValue(writer, entry.Value, depth + 1);
                }

                writer.WriteEndObject();
                return;
            }

            if (value is IEnumerable list)
            {
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                return;
            }

            writer.WriteStartObject();
            foreach (var property in PSObject.AsPSObject(value).Properties)
            {
                if (!property.IsGettable || property.MemberType == PSMemberTypes.CodeProperty || property.MemberType == PSMemberTypes.ScriptProperty)
                {
                    continue;
                }

                object? propertyValue;
                try
                {
                    propertyValue = property.Value;
                }
                catch (GetValueException)
                {
                    continue;
                }

                writer.WritePropertyName(char.ToLowerInvariant(property.Name[0]) + property.Name.Substring(1));
                WriteValue(writer, propertyValue, depth + 1);
            }

            writer.WriteEndObject();
        }
    }
}
