using System;
using System.Collections.Generic;
using System.Linq;
using Daytona.Common.Http;

namespace Daytona.Common
{
    /// <summary>
    /// Every ErrorId the module raises, with its kind (which is its PowerShell ErrorCategory), its scope (whether it
    /// ends the command or only concerns one input object) and what the user can do about it; and the one mapping
    /// from an HTTP status or a transport failure to a kind and an id. Nothing else in the code spells an error id:
    /// a test reads the sources and fails on an id literal anywhere but here.
    /// <para>
    /// To add an error: add one line in its section below, <c>public static readonly ErrorDefinition MyThingFailed =
    /// Define(nameof(MyThingFailed), ErrorKind.X, ErrorScope.Item, "What to do.");</c>, and raise it with
    /// <c>throw ErrorCatalog.MyThingFailed.Create("What happened to 'name'.", target)</c>. The id is the field's name,
    /// PascalCase, stable forever (scripts match on it). Scope <see cref="ErrorScope.Command"/> only when every later
    /// input of the same command must fail the same way (credentials, an API that is not there, a bad parameter).
    /// </para>
    /// </summary>
    public static class ErrorCatalog
    {
        private static readonly Dictionary<string, ErrorDefinition> s_byId = new Dictionary<string, ErrorDefinition>(StringComparer.Ordinal);

        // ---- connection and the Daytona API ----------------------------------------------------------------------
        public static readonly ErrorDefinition DaytonaApiKeyMissing = Define(nameof(DaytonaApiKeyMissing), ErrorKind.AuthenticationError, ErrorScope.Command,
            "Run Connect-Daytona -ApiKey (Read-Host -AsSecureString), or set DAYTONA_API_KEY. For the local emulator, pipe Start-DaytonaEmulator into Connect-Daytona.");
        public static readonly ErrorDefinition DaytonaApiUrlInvalid = Define(nameof(DaytonaApiUrlInvalid), ErrorKind.InvalidArgument, ErrorScope.Command,
            "Set DAYTONA_API_URL to a URL such as https://app.daytona.io/api, or pass -ApiUrl.");
        public static readonly ErrorDefinition DaytonaAuthenticationFailed = Define(nameof(DaytonaAuthenticationFailed), ErrorKind.AuthenticationError, ErrorScope.Command,
            "Check that the key is valid for this API URL (keys are made in the Daytona dashboard under Keys), then set DAYTONA_API_KEY or connect again with Connect-Daytona -ApiKey (Read-Host -AsSecureString).");
        public static readonly ErrorDefinition DaytonaPermissionDenied = Define(nameof(DaytonaPermissionDenied), ErrorKind.PermissionDenied, ErrorScope.Command,
            "Use a key with the snapshot permissions (read/write snapshots) for this organization.");
        public static readonly ErrorDefinition DaytonaUnreachable = Define(nameof(DaytonaUnreachable), ErrorKind.ConnectionError, ErrorScope.Command,
            "Check the API URL (-ApiUrl or DAYTONA_API_URL) and that the server is running and reachable from this machine.");
        public static readonly ErrorDefinition DaytonaNotFound = Define(nameof(DaytonaNotFound), ErrorKind.ObjectNotFound, ErrorScope.Command,
            "The API has no such endpoint: check the API URL (-ApiUrl or DAYTONA_API_URL); it ends in /api.");
        public static readonly ErrorDefinition DaytonaConnectionLost = Define(nameof(DaytonaConnectionLost), ErrorKind.ConnectionError, ErrorScope.Item,
            "The connection dropped before Daytona answered and retries did not get through; run the command again for this item.");
        public static readonly ErrorDefinition DaytonaRequestTimeout = Define(nameof(DaytonaRequestTimeout), ErrorKind.OperationTimeout, ErrorScope.Item,
            "Daytona did not answer in time and retries did not get through; run the command again for this item.");
        public static readonly ErrorDefinition DaytonaRateLimited = Define(nameof(DaytonaRateLimited), ErrorKind.LimitsExceeded, ErrorScope.Item,
            "Daytona's rate limit was hit and retries did not get through; wait a minute and run the command again for this item.");
        public static readonly ErrorDefinition DaytonaServiceUnavailable = Define(nameof(DaytonaServiceUnavailable), ErrorKind.ResourceUnavailable, ErrorScope.Item,
            "The Daytona service failed and retries did not help; try again later.");
        public static readonly ErrorDefinition DaytonaInvalidRequest = Define(nameof(DaytonaInvalidRequest), ErrorKind.InvalidArgument, ErrorScope.Item,
            "Correct the value the message names and run the command again.");
        public static readonly ErrorDefinition DaytonaConflict = Define(nameof(DaytonaConflict), ErrorKind.ResourceExists, ErrorScope.Item, null);
        public static readonly ErrorDefinition DaytonaUnexpectedResponse = Define(nameof(DaytonaUnexpectedResponse), ErrorKind.InvalidData, ErrorScope.Item,
            "The server answered in a way this module does not understand; check that the API URL points at Daytona's API.");

        // ---- snapshots -------------------------------------------------------------------------------------------
        public static readonly ErrorDefinition SnapshotNotFound = Define(nameof(SnapshotNotFound), ErrorKind.ObjectNotFound, ErrorScope.Item,
            "Check the name or id with Get-DaytonaSnapshot.");
        public static readonly ErrorDefinition SnapshotAlreadyExists = Define(nameof(SnapshotAlreadyExists), ErrorKind.ResourceExists, ErrorScope.Item,
            "Choose another name, or remove the existing snapshot first.");
        public static readonly ErrorDefinition SnapshotBuildFailed = Define(nameof(SnapshotBuildFailed), ErrorKind.InvalidData, ErrorScope.Item,
            "Read the whole log with Get-DaytonaSnapshotBuildLog, fix the image definition, remove the snapshot and create it again.");
        public static readonly ErrorDefinition SnapshotRemoved = Define(nameof(SnapshotRemoved), ErrorKind.InvalidOperation, ErrorScope.Item, null);
        public static readonly ErrorDefinition SnapshotHasNoBuildLog = Define(nameof(SnapshotHasNoBuildLog), ErrorKind.ObjectNotFound, ErrorScope.Item,
            "Only snapshots built from a Dockerfile or a declarative image have a build log.");
        public static readonly ErrorDefinition SnapshotTargetMissing = Define(nameof(SnapshotTargetMissing), ErrorKind.InvalidArgument, ErrorScope.Item,
            "Use -Name, -Id, or pipe snapshots in.");
        public static readonly ErrorDefinition SnapshotImageNotSupported = Define(nameof(SnapshotImageNotSupported), ErrorKind.InvalidArgument, ErrorScope.Item, null);
        public static readonly ErrorDefinition WaitTimeout = Define(nameof(WaitTimeout), ErrorKind.OperationTimeout, ErrorScope.Item,
            "The build goes on on the server: wait again with a longer -Timeout, or look at Get-DaytonaSnapshotBuildLog.");
        public static readonly ErrorDefinition PollIntervalInvalid = Define(nameof(PollIntervalInvalid), ErrorKind.InvalidArgument, ErrorScope.Command, null);

        // ---- images ----------------------------------------------------------------------------------------------
        public static readonly ErrorDefinition ImageFileNotFound = Define(nameof(ImageFileNotFound), ErrorKind.ObjectNotFound, ErrorScope.Item,
            "Check the path; relative paths resolve against the current location.");
        public static readonly ErrorDefinition ImagePythonVersionUnsupported = Define(nameof(ImagePythonVersionUnsupported), ErrorKind.InvalidArgument, ErrorScope.Item, null);
        public static readonly ErrorDefinition ImageDefinitionInvalid = Define(nameof(ImageDefinitionInvalid), ErrorKind.InvalidArgument, ErrorScope.Item, null);
        public static readonly ErrorDefinition ImageContextTooLarge = Define(nameof(ImageContextTooLarge), ErrorKind.LimitsExceeded, ErrorScope.Item, null);
        /// <summary>Build-context upload to object storage; its kind follows the storage's status (<see cref="KindForStatus"/>).</summary>
        public static readonly ErrorDefinition ImageContextUploadFailed = Define(nameof(ImageContextUploadFailed), ErrorKind.WriteError, ErrorScope.Item,
            "Run the command again; if it keeps failing, check that this machine can reach the object storage named in the message.");

        // ---- the emulator ----------------------------------------------------------------------------------------
        public static readonly ErrorDefinition EmulatorNotFound = Define(nameof(EmulatorNotFound), ErrorKind.ObjectNotFound, ErrorScope.Command,
            "Reinstall the module, or build it with 'dotnet build Module.sln' (the build copies the emulator into out/Daytona.Snapshots/Emulator/).");
        public static readonly ErrorDefinition DotnetNotFound = Define(nameof(DotnetNotFound), ErrorKind.ObjectNotFound, ErrorScope.Command,
            "Install the .NET 10 runtime (ASP.NET Core) from https://dot.net and put dotnet on PATH, or set DOTNET_ROOT to the folder that holds it.");
        public static readonly ErrorDefinition EmulatorRuntimeMissing = Define(nameof(EmulatorRuntimeMissing), ErrorKind.ResourceUnavailable, ErrorScope.Command,
            "Install the .NET 10 runtime (ASP.NET Core) from https://dot.net.");
        public static readonly ErrorDefinition EmulatorStartFailed = Define(nameof(EmulatorStartFailed), ErrorKind.ResourceUnavailable, ErrorScope.Command, null);
        public static readonly ErrorDefinition EmulatorStartTimeout = Define(nameof(EmulatorStartTimeout), ErrorKind.OperationTimeout, ErrorScope.Command, null);
        public static readonly ErrorDefinition EmulatorStopFailed = Define(nameof(EmulatorStopFailed), ErrorKind.InvalidOperation, ErrorScope.Item, null);
        public static readonly ErrorDefinition InvalidBuildDuration = Define(nameof(InvalidBuildDuration), ErrorKind.InvalidArgument, ErrorScope.Command, null);

        // ---- Arazzo ----------------------------------------------------------------------------------------------
        public static readonly ErrorDefinition ArazzoDocumentNotFound = Define(nameof(ArazzoDocumentNotFound), ErrorKind.ObjectNotFound, ErrorScope.Item,
            "Check the -Path value; relative paths resolve against the current location.");
        public static readonly ErrorDefinition ArazzoDocumentInvalid = Define(nameof(ArazzoDocumentInvalid), ErrorKind.InvalidData, ErrorScope.Item,
            "Run Test-ArazzoWorkflow -Path <file> to list every diagnostic with its line and column.");
        /// <summary>One workflow of a document has errors of its own (or depends on one that does); the others still run.</summary>
        public static readonly ErrorDefinition ArazzoWorkflowInvalid = Define(nameof(ArazzoWorkflowInvalid), ErrorKind.InvalidData, ErrorScope.Item,
            "Run Test-ArazzoWorkflow -Path <file> -WorkflowId <id> to list its diagnostics with line and column.");
        public static readonly ErrorDefinition ArazzoWorkflowNotFound = Define(nameof(ArazzoWorkflowNotFound), ErrorKind.ObjectNotFound, ErrorScope.Item,
            "Run Get-ArazzoWorkflow -Path <file> to list the workflows.");
        public static readonly ErrorDefinition ArazzoInputsInvalid = Define(nameof(ArazzoInputsInvalid), ErrorKind.InvalidArgument, ErrorScope.Item,
            "Pass the inputs the workflow declares with -Inputs (Get-ArazzoWorkflow -Path <file> lists them).");
        public static readonly ErrorDefinition ArazzoInvalidTime = Define(nameof(ArazzoInvalidTime), ErrorKind.InvalidArgument, ErrorScope.Command, null);
        public static readonly ErrorDefinition ArazzoServerUrlInvalid = Define(nameof(ArazzoServerUrlInvalid), ErrorKind.InvalidArgument, ErrorScope.Command, null);
        /// <summary>A step that failed; its kind follows the step's last HTTP status (<see cref="KindForStatus"/>).</summary>
        public static readonly ErrorDefinition ArazzoStepFailed = Define(nameof(ArazzoStepFailed), ErrorKind.InvalidOperation, ErrorScope.Item, null);
        public static readonly ErrorDefinition ArazzoWorkflowFailed = Define(nameof(ArazzoWorkflowFailed), ErrorKind.InvalidOperation, ErrorScope.Item, null);
        public static readonly ErrorDefinition ArazzoTimeout = Define(nameof(ArazzoTimeout), ErrorKind.OperationTimeout, ErrorScope.Item, null);
        public static readonly ErrorDefinition ArazzoMaxStepsExceeded = Define(nameof(ArazzoMaxStepsExceeded), ErrorKind.LimitsExceeded, ErrorScope.Item, null);
        public static readonly ErrorDefinition ArazzoNestingTooDeep = Define(nameof(ArazzoNestingTooDeep), ErrorKind.LimitsExceeded, ErrorScope.Item, null);
        public static readonly ErrorDefinition ArazzoDependencyFailed = Define(nameof(ArazzoDependencyFailed), ErrorKind.InvalidOperation, ErrorScope.Item, null);
        public static readonly ErrorDefinition ArazzoGotoTargetMissing = Define(nameof(ArazzoGotoTargetMissing), ErrorKind.InvalidData, ErrorScope.Item, null);
        public static readonly ErrorDefinition ArazzoOutputUnresolved = Define(nameof(ArazzoOutputUnresolved), ErrorKind.InvalidData, ErrorScope.Item, null);

        // ---- recording (Start-/Stop-ArazzoRecording) -------------------------------------------------------------
        public static readonly ErrorDefinition ArazzoRecordingInProgress = Define(nameof(ArazzoRecordingInProgress), ErrorKind.InvalidOperation, ErrorScope.Command,
            "Stop-ArazzoRecording writes the running recording (or -Discard drops it); then start the new one.");
        public static readonly ErrorDefinition ArazzoRecordingNotStarted = Define(nameof(ArazzoRecordingNotStarted), ErrorKind.InvalidOperation, ErrorScope.Command,
            "Start one with Start-ArazzoRecording, run the snapshot commands, then Stop-ArazzoRecording.");
        public static readonly ErrorDefinition ArazzoRecordingFileExists = Define(nameof(ArazzoRecordingFileExists), ErrorKind.ResourceExists, ErrorScope.Command,
            "Choose another -Path, or add -Force to overwrite the document and the description beside it.");
        public static readonly ErrorDefinition ArazzoRecordingFolderNotFound = Define(nameof(ArazzoRecordingFolderNotFound), ErrorKind.ObjectNotFound, ErrorScope.Command,
            "Create the folder, or give -Path in an existing one.");
        public static readonly ErrorDefinition ArazzoRecordingPathIsFolder = Define(nameof(ArazzoRecordingPathIsFolder), ErrorKind.InvalidArgument, ErrorScope.Command,
            "Give a file name, e.g. -Path ./session.arazzo.yaml.");
        public static readonly ErrorDefinition ArazzoRecordingEmpty = Define(nameof(ArazzoRecordingEmpty), ErrorKind.InvalidOperation, ErrorScope.Command,
            "Start a recording, run the snapshot commands (New-DaytonaSnapshot, Wait-DaytonaSnapshot, Enable-DaytonaSnapshot, ...), then Stop-ArazzoRecording.");
        public static readonly ErrorDefinition ArazzoRecordingNotWritten = Define(nameof(ArazzoRecordingNotWritten), ErrorKind.WriteError, ErrorScope.Command,
            "Check that the folder is writable and the file is not open elsewhere.");

        // ---- checkpoints -----------------------------------------------------------------------------------------
        public static readonly ErrorDefinition CheckpointNotFound = Define(nameof(CheckpointNotFound), ErrorKind.ObjectNotFound, ErrorScope.Item,
            "List the checkpoints with Get-Checkpoint -Repository <folder>.");
        public static readonly ErrorDefinition CheckpointSourceChanged = Define(nameof(CheckpointSourceChanged), ErrorKind.InvalidOperation, ErrorScope.Item,
            "Stop whatever writes to the source folder and capture again.");
        public static readonly ErrorDefinition CheckpointSourceNotFound = Define(nameof(CheckpointSourceNotFound), ErrorKind.ObjectNotFound, ErrorScope.Item, null);
        public static readonly ErrorDefinition CheckpointSourceInvalid = Define(nameof(CheckpointSourceInvalid), ErrorKind.InvalidArgument, ErrorScope.Item, null);
        public static readonly ErrorDefinition CheckpointRepositoryLocked = Define(nameof(CheckpointRepositoryLocked), ErrorKind.ResourceBusy, ErrorScope.Command, null);
        public static readonly ErrorDefinition CheckpointRepositoryInvalid = Define(nameof(CheckpointRepositoryInvalid), ErrorKind.InvalidArgument, ErrorScope.Command, null);
        public static readonly ErrorDefinition CheckpointCorrupt = Define(nameof(CheckpointCorrupt), ErrorKind.InvalidData, ErrorScope.Item,
            "Run Test-Checkpoint to list every damaged piece; restore the repository folder from a copy or import the checkpoint again from an archive.");
        public static readonly ErrorDefinition CheckpointArchiveInvalid = Define(nameof(CheckpointArchiveInvalid), ErrorKind.InvalidData, ErrorScope.Item,
            "Export the checkpoint again from its repository and copy the archive file completely.");
        public static readonly ErrorDefinition CheckpointPathUnsafe = Define(nameof(CheckpointPathUnsafe), ErrorKind.SecurityError, ErrorScope.Item,
            "The checkpoint or archive was not produced by this module or was tampered with; nothing was written.");
        public static readonly ErrorDefinition CheckpointTimeInvalid = Define(nameof(CheckpointTimeInvalid), ErrorKind.InvalidArgument, ErrorScope.Item, null);
        public static readonly ErrorDefinition CheckpointTimeInFuture = Define(nameof(CheckpointTimeInFuture), ErrorKind.InvalidArgument, ErrorScope.Item, null);
        public static readonly ErrorDefinition CheckpointDestinationNotEmpty = Define(nameof(CheckpointDestinationNotEmpty), ErrorKind.ResourceExists, ErrorScope.Item, null);
        public static readonly ErrorDefinition CheckpointDestinationMissing = Define(nameof(CheckpointDestinationMissing), ErrorKind.InvalidArgument, ErrorScope.Item, null);
        public static readonly ErrorDefinition CheckpointAlreadyExists = Define(nameof(CheckpointAlreadyExists), ErrorKind.ResourceExists, ErrorScope.Item, null);
        public static readonly ErrorDefinition CheckpointCaptureStalled = Define(nameof(CheckpointCaptureStalled), ErrorKind.OperationTimeout, ErrorScope.Item,
            "Capture again: the capture stalled while content was being reclaimed.");

        public static readonly ErrorDefinition CheckpointStorageUnavailable = Define(nameof(CheckpointStorageUnavailable), ErrorKind.ResourceUnavailable, ErrorScope.Command,
            "Check that the storage is reachable and has room, then run the command again.");
        public static readonly ErrorDefinition CheckpointStorageAccessDenied = Define(nameof(CheckpointStorageAccessDenied), ErrorKind.PermissionDenied, ErrorScope.Command,
            "Check the credentials the environment provides for this storage and their permissions.");
        public static readonly ErrorDefinition CheckpointSettingsInvalid = Define(nameof(CheckpointSettingsInvalid), ErrorKind.InvalidData, ErrorScope.Command,
            "Set the setting again with Set-CheckpointRepository (it rewrites the settings), or delete checkpoints/~settings.json from the repository to go back to the defaults.");
        public static readonly ErrorDefinition CheckpointRetentionInvalid = Define(nameof(CheckpointRetentionInvalid), ErrorKind.InvalidArgument, ErrorScope.Command,
            "Pass -KeepLast 1 or more (Set-CheckpointRepository -KeepLast 0 turns retention off).");
        public static readonly ErrorDefinition CheckpointRepositoryMissing = Define(nameof(CheckpointRepositoryMissing), ErrorKind.InvalidArgument, ErrorScope.Command,
            "Pass -Repository <folder or URL>, or set $env:DAYTONA_CHECKPOINT_REPOSITORY once for the session or the pipeline.");
        public static readonly ErrorDefinition CheckpointRepositoryLocationInvalid = Define(nameof(CheckpointRepositoryLocationInvalid), ErrorKind.InvalidArgument, ErrorScope.Command,
            "Pass a folder path, az://<container>/<prefix>, https://<account>.blob.core.windows.net/<container>/<prefix> or s3://<bucket>/<prefix>.");

        // ---- Azure Pipelines -------------------------------------------------------------------------------------
        public static readonly ErrorDefinition PipelineVariableNameInvalid = Define(nameof(PipelineVariableNameInvalid), ErrorKind.InvalidArgument, ErrorScope.Item,
            PipelineVariableNames.Rule + ". Choose the properties with -Property, or name the variables with a -Name template.");
        public static readonly ErrorDefinition PipelineVariableNameCollision = Define(nameof(PipelineVariableNameCollision), ErrorKind.InvalidArgument, ErrorScope.Item,
            "Choose the properties with -Property, or name the variables with a -Name template that differs between them (such as {Index} or {Id}).");
        public static readonly ErrorDefinition PipelineVariableTemplateInvalid = Define(nameof(PipelineVariableTemplateInvalid), ErrorKind.InvalidArgument, ErrorScope.Item,
            "Write placeholders as {Property}, {Index} or {<property name>} (a property every object has a simple value for), for example -Name 'snap_{Name}_{Property}'.");

        // ---- the checkpoint server and its clients ----------------------------------------------------------------
        public static readonly ErrorDefinition CheckpointIdMissing = Define(nameof(CheckpointIdMissing), ErrorKind.InvalidArgument, ErrorScope.Command,
            "Pass -Id (and -Repository), pipe checkpoints from Get-Checkpoint, or pass a server URL with -Uri.");
        public static readonly ErrorDefinition CheckpointUriInvalid = Define(nameof(CheckpointUriInvalid), ErrorKind.InvalidArgument, ErrorScope.Item,
            "Pass http://<server>/<source>/<yyyyMMddTHHmmssZ>/ (any instant: the server answers with the newest checkpoint at or before it).");
        public static readonly ErrorDefinition CheckpointServerUnreachable = Define(nameof(CheckpointServerUnreachable), ErrorKind.ConnectionError, ErrorScope.Command,
            "Check the URL and that the server runs (Start-CheckpointServer), and that nothing blocks the port.");
        public static readonly ErrorDefinition CheckpointServerDenied = Define(nameof(CheckpointServerDenied), ErrorKind.AuthenticationError, ErrorScope.Command,
            "Pass the server's key with -ApiKey.");
        public static readonly ErrorDefinition CheckpointServerForbidden = Define(nameof(CheckpointServerForbidden), ErrorKind.PermissionDenied, ErrorScope.Command, null);
        public static readonly ErrorDefinition CheckpointServerFailed = Define(nameof(CheckpointServerFailed), ErrorKind.ResourceUnavailable, ErrorScope.Item,
            "Try again; if it persists, look at the server's request log (Start-CheckpointServer -Verbose, or --log).");
        public static readonly ErrorDefinition CheckpointServerInvalid = Define(nameof(CheckpointServerInvalid), ErrorKind.InvalidData, ErrorScope.Command,
            "Pass the URL of a checkpoint server's root, of a source (http://<server>/<source>/) or of a checkpoint (…/<yyyyMMddTHHmmssZ>/).");
        public static readonly ErrorDefinition CheckpointServerNotFound = Define(nameof(CheckpointServerNotFound), ErrorKind.ObjectNotFound, ErrorScope.Command,
            "Reinstall the module, or build it with 'dotnet build Module.sln' (the build copies the server into out/Daytona.Snapshots/CheckpointServer/).");
        public static readonly ErrorDefinition CheckpointServerRuntimeMissing = Define(nameof(CheckpointServerRuntimeMissing), ErrorKind.ResourceUnavailable, ErrorScope.Command,
            "The checkpoint server needs the .NET 10 runtime and ASP.NET Core 10: install them from https://dot.net.");
        public static readonly ErrorDefinition CheckpointServerStartFailed = Define(nameof(CheckpointServerStartFailed), ErrorKind.ResourceUnavailable, ErrorScope.Command, null);
        public static readonly ErrorDefinition CheckpointServerStartTimeout = Define(nameof(CheckpointServerStartTimeout), ErrorKind.OperationTimeout, ErrorScope.Command, null);
        public static readonly ErrorDefinition CheckpointServerStopFailed = Define(nameof(CheckpointServerStopFailed), ErrorKind.InvalidOperation, ErrorScope.Item, null);

        // ---- anything else ---------------------------------------------------------------------------------------
        public static readonly ErrorDefinition OperationStopped = Define(nameof(OperationStopped), ErrorKind.OperationStopped, ErrorScope.Command, null);
        public static readonly ErrorDefinition UnexpectedError = Define(nameof(UnexpectedError), ErrorKind.NotSpecified, ErrorScope.Item, null);

        /// <summary>Every definition, in the order above.</summary>
        public static IReadOnlyCollection<ErrorDefinition> All => s_byId.Values;

        /// <summary>The definition of <paramref name="id"/>, or null for an id this catalog does not know.</summary>
        public static ErrorDefinition? Find(string? id) => id != null && s_byId.TryGetValue(id, out var definition) ? definition : null;

        /// <summary>The one mapping from an HTTP status to a kind (and so to an ErrorRecord category).</summary>
        public static ErrorKind KindForStatus(int? status)
        {
            switch (status)
            {
                case null: return ErrorKind.ConnectionError;
                case 400:
                case 422: return ErrorKind.InvalidArgument;
                case 401: return ErrorKind.AuthenticationError;
                case 403: return ErrorKind.PermissionDenied;
                case 404: return ErrorKind.ObjectNotFound;
                case 408: return ErrorKind.OperationTimeout;
                case 409: return ErrorKind.ResourceExists;
                case 429: return ErrorKind.LimitsExceeded;
                default: return status >= 500 ? ErrorKind.ResourceUnavailable : ErrorKind.InvalidOperation;
            }
        }

        /// <summary>
        /// The error a failed Daytona API call raises for its final status (after the pipeline's retries).
        /// <paramref name="notFound"/> and <paramref name="conflict"/> name what a 404 and a 409 mean for this call
        /// (e.g. <see cref="SnapshotNotFound"/>); without them the generic ids apply.
        /// </summary>
        public static ErrorDefinition ForDaytonaStatus(int status, ErrorDefinition? notFound = null, ErrorDefinition? conflict = null)
        {
            switch (status)
            {
                case 400:
                case 422: return DaytonaInvalidRequest;
                case 401: return DaytonaAuthenticationFailed;
                case 403: return DaytonaPermissionDenied;
                case 404: return notFound ?? DaytonaNotFound;
                case 409: return conflict ?? DaytonaConflict;
                case 429: return DaytonaRateLimited;
                default: return status >= 500 ? DaytonaServiceUnavailable : DaytonaUnexpectedResponse;
            }
        }

        /// <summary>
        /// The error a Daytona API call raises when no answer came: a connection never made ends the command (every
        /// later call would fail the same way); a dropped connection or a timeout after the request was sent concerns
        /// only this call.
        /// </summary>
        public static ErrorDefinition ForDaytonaTransport(TransportFailure failure)
        {
            if (failure == null) throw new ArgumentNullException(nameof(failure));
            if (!failure.Sent) return DaytonaUnreachable;
            return failure.TimedOut ? DaytonaRequestTimeout : DaytonaConnectionLost;
        }

        /// <summary>The kind of a transport failure: a timeout, or a connection problem.</summary>
        public static ErrorKind KindForTransport(TransportFailure failure) => failure.TimedOut ? ErrorKind.OperationTimeout : ErrorKind.ConnectionError;

        /// <summary>
        /// The one per-item vs terminating rule: true when <paramref name="error"/> must end the command because every
        /// later input would fail the same way; false when it concerns only the input it was raised for.
        /// Cancellation is neither: it stops the pipeline.
        /// </summary>
        public static bool EndsCommand(Exception error)
        {
            if (error is DaytonaException known)
            {
                return known.Scope == ErrorScope.Command;
            }

            // A failure the engines did not classify (a bug, an argument the cmdlet should have validated): end the
            // command rather than repeat it for every input.
            return !(error is OperationCanceledException);
        }

        private static ErrorDefinition Define(string id, ErrorKind kind, ErrorScope scope, string? recommendation)
        {
            var definition = new ErrorDefinition(id, kind, scope, recommendation);
            s_byId.Add(id, definition);
            return definition;
        }
    }

    /// <summary>
    /// Whether a failure concerns one input object (<see cref="Item"/>: a non-terminating error for it, the pipeline
    /// goes on with the others) or every later one too (<see cref="Command"/>: the command ends).
    /// </summary>
    public enum ErrorScope
    {
        Item,
        Command,
    }

    /// <summary>One entry of <see cref="ErrorCatalog"/>: an ErrorId with its kind, scope and recommendation.</summary>
    public sealed class ErrorDefinition
    {
        internal ErrorDefinition(string id, ErrorKind kind, ErrorScope scope, string? recommendation)
        {
            Id = id;
            Kind = kind;
            Scope = scope;
            Recommendation = recommendation;
        }

        /// <summary>The stable ErrorId, e.g. <c>SnapshotNotFound</c>.</summary>
        public string Id { get; }

        /// <summary>The kind, which is the ErrorRecord's category.</summary>
        public ErrorKind Kind { get; }

        public ErrorScope Scope { get; }

        /// <summary>What the user can do, when the catalog can say it without the particulars of one failure.</summary>
        public string? Recommendation { get; }

        /// <summary>
        /// The exception that raises this error. <paramref name="recommendation"/> replaces the catalog's when the
        /// particulars help (a name, a variable); <paramref name="kind"/> only for the ids whose kind follows an HTTP
        /// status (<see cref="ErrorCatalog.KindForStatus"/>).
        /// </summary>
        public DaytonaException Create(string message, object? target = null, Exception? inner = null, string? recommendation = null, ErrorKind? kind = null) =>
            new DaytonaException(Id, kind ?? Kind, message, target, inner) { RecommendedAction = recommendation ?? Recommendation };

        public override string ToString() => Id;
    }
}
