using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using Daytona.Recording.Description;

namespace Daytona.Recording.Planning
{
    /// <summary>
    /// Turns the calls of a recording into the workflow a good author would write for them, not a log:
    /// <list type="bullet">
    /// <item>each call becomes a step named after its operation (operationIds from the Daytona description);</item>
    /// <item>the polls of a wait become one polling step per snapshot in the seed's shape (loop with goto while the
    /// state is transitional, end on failure states); repeated identical reads collapse into one;</item>
    /// <item>Enable-DaytonaSnapshot's "activate when inactive" becomes the poll's branch to an activation step, as in
    /// the seed, whether or not this session's snapshot needed it;</item>
    /// <item>a removal is looked up by name (and skipped when already gone); a re-create of the name waits until the
    /// removal is done, as the API requires;</item>
    /// <item>ids from responses are chained through step outputs; typed values become inputs (see <see cref="PlanNamer"/>);</item>
    /// <item>what a workflow cannot do (uploading a build context, streaming a log) is left out with a warning.</item>
    /// </list>
    /// </summary>
    internal sealed class SessionPlanner
    {
        internal const string InputMark = "\u27e6in:";
        internal const string StepMark = "\u27e6st:";
        internal const string EndMark = "\u27e7";

        private static readonly string[] s_failureStates = { "error", "build_failed", "removing" };
        private static readonly string[] s_settledStates = { "active", "inactive", "error", "build_failed", "removing" };

        private readonly DaytonaDescription _description = DaytonaDescription.Instance;
        private readonly PlannedWorkflow _plan = new PlannedWorkflow();
        private readonly List<SnapshotEntity> _entities = new List<SnapshotEntity>();
        private readonly Dictionary<string, SnapshotEntity> _byId = new Dictionary<string, SnapshotEntity>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, PlannedInput> _inputsByKey = new Dictionary<string, PlannedInput>(StringComparer.Ordinal);
        private readonly Dictionary<(SnapshotEntity, int), PlannedStep> _openPolls = new Dictionary<(SnapshotEntity, int), PlannedStep>();
        private readonly HashSet<string> _servers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _listedByPattern = new List<string>();
        private readonly PlannedInput _apiToken;
        private PlannedInput? _organization;
        private bool _buildLogs;
        private long _sequence;
        private int _serial;

        private SessionPlanner(string workflowId)
        {
            _plan.WorkflowId = workflowId;
            _apiToken = AddInput(null, "apiToken", null, new JsonObject { ["type"] = "string", ["description"] = "Daytona API key used as a bearer token." }, required: true);
        }

        internal IReadOnlyList<PlannedInput> Inputs => _plan.Inputs;

        internal IReadOnlyList<SnapshotEntity> Entities => _entities;

        /// <summary>Plans the workflow for <paramref name="calls"/> (in the order they were made) and names it.</summary>
        public static PlannedWorkflow Plan(IReadOnlyList<RecordedCall> calls, string workflowId)
        {
            var planner = new SessionPlanner(workflowId);
            foreach (var call in calls)
            {
                planner.Take(call);
            }

            planner.Finish();
            PlanNamer.Name(planner._plan, planner._entities);
            return planner._plan;
        }

        // ---- reading the calls ---------------------------------------------------------------------------------

        private void Take(RecordedCall call)
        {
            _sequence = call.Sequence;
            if (call.StatusCode == null || call.StatusCode >= 500 || call.StatusCode == 429)
            {
                // The server failed or throttled, and the client retried or the user saw an error: nothing to replay.
                return;
            }

            if (!_plan.Commands.Contains(call.Command))
            {
                _plan.Commands.Add(call.Command);
            }

            if (call.Call.ApiUrl != null)
            {
                _servers.Add(call.Call.ApiUrl);
                _plan.ServerUrl ??= call.Call.ApiUrl;
            }

            if (call.Call.OrganizationId != null && _organization == null)
            {
                _organization = AddInput(null, "organizationId", JsonValue.Create(call.Call.OrganizationId),
                    new JsonObject { ["type"] = "string", ["description"] = "The Daytona organization the calls act in (sent as X-Daytona-Organization-ID)." }, required: false);
            }

            if (!call.IsApiPath)
            {
                // A URL the API handed out: the build log stream.
                _buildLogs = true;
                return;
            }

            var match = _description.Match(call.Method, call.Segments);
            var ok = call.StatusCode < 400;
            switch (match?.OperationId)
            {
                case "createSnapshot" when ok:
                    TakeCreate(call);
                    break;
                case "getSnapshot" when ok:
                    TakeRead(call, call.ResponseJson as JsonObject);
                    break;
                case "getAllSnapshots" when ok:
                    TakeList(call);
                    break;
                case "removeSnapshot" when ok:
                    TakeRemove(call, match!.PathParameters["id"]);
                    break;
                case "activateSnapshot" when ok:
                    TakeActivate(call, match!.PathParameters["id"]);
                    break;
                case "deactivateSnapshot" when ok:
                    TakeDeactivate(call, match!.PathParameters["id"]);
                    break;
                case "getSnapshotBuildLogsUrl":
                    _buildLogs = true;
                    break;
                case "getSnapshot":
                case "activateSnapshot":
                case "createSnapshot":
                    // A failed call the work went on past: a lookup that found nothing before a create, an activation
                    // refused as already done before a read. What followed is what the workflow does.
                    break;
                default:
                    if (call.Segments.Length == 2 && call.Segments[0] == "object-storage" && call.Segments[1] == "push-access")
                    {
                        // Asked for a declarative image's context upload; the create's warning says what the replay needs.
                        break;
                    }

                    Warn($"Left out {call.Method} /{call.PathOnly} ({call.Command}): the Daytona description the workflow binds to has no such snapshot operation.");
                    break;
            }
        }

        private void TakeCreate(RecordedCall call)
        {
            var response = call.ResponseJson as JsonObject;
            var id = RecordedCall.Text(response, "id");
            if (id == null || !(call.RequestJson is JsonObject request))
            {
                Warn($"Left out a create by {call.Command}: the answer carried no snapshot id.");
                return;
            }

            var name = RecordedCall.Text(response, "name") ?? RecordedCall.Text(request, "name");
            if (!_byId.TryGetValue(id, out var entity))
            {
                entity = AddEntity(id, name);
            }

            // A name whose snapshot this session removed can be used again only once the removal is done.
            var removed = _entities.LastOrDefault(e => e != entity && e.Removed && e.Name == name);
            if (removed != null && removed.RemovalWait == null)
            {
                var wait = NewStep(StepKind.AwaitRemoval, removed, "getSnapshot",
                    "Wait until Daytona has removed the snapshot: it stays 'removing' for a while, and a snapshot of the same name cannot be created before it is gone.");
                wait.SuccessStatus = 404;
                AddIdParameter(wait, removed, call.Command);
                wait.OnFailure.Add(new PlannedAction
                {
                    Name = "stillRemoving",
                    Type = "retry",
                    RetryAfter = 1,
                    RetryLimit = 300,
                    Criteria = { (null, "$statusCode == 200", null) },
                });
                removed.RemovalWait = wait;
                removed.Removal!.Attached.Add(wait);
            }

            var step = NewStep(StepKind.Create, entity, "createSnapshot", CreateDescription(call, request, entity));
            step.SuccessStatus = call.StatusCode!.Value;
            step.Payload = Payload(entity, request, string.Empty);
            step.Outputs.Add(Output("snapshotId", "$response.body#/id"));
            step.Outputs.Add(Output("state", "$response.body#/state"));
            entity.IdSource ??= step;
            Saw(entity, step, RecordedCall.Text(response, "state"));
            AddBlock(step, entity);
        }

        private string CreateDescription(RecordedCall call, JsonObject request, SnapshotEntity entity)
        {
            if (request["buildInfo"] is JsonObject build)
            {
                var hashes = (build["contextHashes"] as JsonArray)?.Select(h => h?.ToString()).Where(h => !string.IsNullOrEmpty(h)).ToList() ?? new List<string?>();
                var text = $"Register a new snapshot built from a Dockerfile (a declarative image), as {call.Command} did.";
                if (hashes.Count > 0)
                {
                    var what = $"The build context ({(hashes.Count == 1 ? "hash " + hashes[0] : hashes.Count + " archives: " + string.Join(", ", hashes))})";
                    text += $" {what} must already be in the organization's object storage: {call.Command} uploaded it before this request, and a workflow cannot upload files.";
                    Warn($"Snapshot '{entity.Name}' is built from a declarative image with a build context that {call.Command} uploaded to Daytona's object storage before the create; a workflow cannot upload files. " +
                         $"The replay needs the context already uploaded to the same organization ({string.Join(", ", hashes)}): an unchanged definition reuses it, so on another server run New-DaytonaSnapshot with the same image once first.");
                }

                return text;
            }

            return $"Register a new snapshot from the container image, as {call.Command} did.";
        }

        private void TakeRead(RecordedCall call, JsonObject? snapshot)
        {
            var id = RecordedCall.Text(snapshot, "id");
            if (id == null)
            {
                return;
            }

            var entity = Entity(snapshot!);
            var key = KeyFor(entity, call.SnapshotKey ?? id);
            var state = RecordedCall.Text(snapshot, "state");
            if (call.Command == "Wait-DaytonaSnapshot" && Targeted(call, entity))
            {
                Poll(call, entity, key, state);
                return;
            }

            if (call.Command == "Enable-DaytonaSnapshot")
            {
                Check(call, entity, key, state);
                return;
            }

            if (entity.Removed)
            {
                // Reads of a snapshot being removed: what a re-create waits for is its removal wait.
                return;
            }

            if (entity.LastStep != null && entity.LastState == state && (entity.IdSource != null || entity.IdInput != null))
            {
                // The same answer again: one step says it.
                return;
            }

            if (call.Command == "Remove-DaytonaSnapshot" || call.Command == "Disable-DaytonaSnapshot")
            {
                // The command resolving the name it was given to an id: a lookup the removal (or deactivation) uses,
                // unless the workflow has the id already.
                entity.LastState = state;
                EnsureIdSource(entity, call.Command, forRemoval: call.Command == "Remove-DaytonaSnapshot");
                return;
            }

            var step = ReadStep(entity, key, StepKind.Read, $"Read the snapshot, as {call.Command} did.", call.Command);
            Saw(entity, step, state);
            AddBlock(step, entity);
        }

        private void TakeList(RecordedCall call)
        {
            if (!(call.ResponseJson is JsonObject page) || !(page["items"] is JsonArray items))
            {
                return;
            }

            foreach (var item in items.OfType<JsonObject>())
            {
                var id = RecordedCall.Text(item, "id");
                if (id == null)
                {
                    continue;
                }

                var known = _byId.ContainsKey(id);
                var entity = Entity(item);
                if (call.Command == "Wait-DaytonaSnapshot")
                {
                    if (Targeted(call, entity))
                    {
                        Poll(call, entity, KeyFor(entity, entity.Id), RecordedCall.Text(item, "state"));
                    }

                    continue;
                }

                if (!known)
                {
                    // Listed by the user (Get-DaytonaSnapshot with a pattern, or every snapshot): a workflow cannot
                    // loop over a listing, so the ones used later are looked up by name.
                    entity.FromListing = true;
                    entity.LastState = RecordedCall.Text(item, "state");
                }
            }
        }

        private void TakeRemove(RecordedCall call, string id)
        {
            var entity = EntityById(id);
            EnsureIdSource(entity, call.Command, forRemoval: true);
            var step = NewStep(StepKind.Remove, entity, "removeSnapshot", $"Remove the snapshot, as {call.Command} did.");
            step.SuccessStatus = call.StatusCode!.Value;
            AddIdParameter(step, entity, call.Command);
            var lookup = entity.IdSource;
            entity.Removal = step;
            entity.StateHolder = null;
            if (lookup != null && (lookup.Kind == StepKind.Find || lookup.Kind == StepKind.Read) && lookup.Removal == null && lookup.Attached.Count == 0
                && entity.LastStep == lookup && lookup.Parameters.Any(p => p.Name == "id" && p.Value.StartsWith("$inputs.", StringComparison.Ordinal)))
            {
                // The lookup by name right before the removal: the removal follows it directly, and when the snapshot
                // is already gone (a fresh server) the workflow skips to what follows.
                if (lookup.OnFailure.Count == 0)
                {
                    lookup.Kind = StepKind.Find;
                    lookup.Description = "Look the snapshot up by name for its id; when it is already gone there is nothing to remove.";
                    lookup.OnFailure.Add(new PlannedAction { Name = "alreadyGone", Type = "goto", ToNext = true, Criteria = { (null, "$statusCode == 404", null) } });
                }

                lookup.Removal = step;
                lookup.Attached.Add(step);
                entity.LastStep = step;
            }
            else
            {
                AddBlock(step, entity);
            }

            entity.LastState = "removing";
        }

        private void TakeActivate(RecordedCall call, string id)
        {
            var entity = EntityById(id);
            EnsureIdSource(entity, call.Command, forRemoval: false);
            var step = NewStep(StepKind.Activate, entity, "activateSnapshot", "Activate the snapshot so sandboxes can be created from it, as " + call.Command + " did.");
            step.SuccessStatus = call.StatusCode!.Value;
            AddIdParameter(step, entity, call.Command);
            step.Outputs.Add(Output("snapshotId", "$response.body#/id"));
            step.Outputs.Add(Output("state", "$response.body#/state"));
            var check = entity.PendingCheck;
            entity.PendingCheck = null;
            var state = RecordedCall.Text(call.ResponseJson, "state");
            if (check != null && check.Activation == null)
            {
                check.Activation = step;
                check.Attached.Insert(0, step);
                Saw(entity, step, state);
            }
            else
            {
                Saw(entity, step, state);
                AddBlock(step, entity);
            }
        }

        private void TakeDeactivate(RecordedCall call, string id)
        {
            var entity = EntityById(id);
            EnsureIdSource(entity, call.Command, forRemoval: false);
            var step = NewStep(StepKind.Deactivate, entity, "deactivateSnapshot", "Deactivate the snapshot, as " + call.Command + " did.");
            step.SuccessStatus = call.StatusCode!.Value;
            AddIdParameter(step, entity, call.Command);
            entity.LastStep = step;
            entity.LastState = "inactive";

            // The answer has no body: no step's output tells the state from here on.
            entity.StateHolder = null;
            AddBlock(step, entity);
        }

        // ---- waits and Enable's condition -------------------------------------------------------------------------

        private void Poll(RecordedCall call, SnapshotEntity entity, string key, string? state)
        {
            if (!_openPolls.TryGetValue((entity, call.Unit), out var poll))
            {
                poll = NewStep(StepKind.Poll, entity, "getSnapshot", string.Empty);
                poll.Unit = call.Unit;
                AddSnapshotParameter(poll, entity, key, call.Command);
                if (entity.IdSource == poll)
                {
                    poll.Outputs.Add(Output("snapshotId", "$response.body#/id"));
                }

                poll.Outputs.Add(Output("state", "$response.body#/state"));
                _openPolls[(entity, call.Unit)] = poll;
                AddBlock(poll, entity);
            }

            Saw(entity, poll, state);
        }

        private void Check(RecordedCall call, SnapshotEntity entity, string key, string? state)
        {
            var last = entity.LastStep;
            if (last != null && last.Kind == StepKind.Poll && last.Activation == null && entity.LastState == state)
            {
                // The read Enable-DaytonaSnapshot makes right after the wait saw the same: the poll's answer decides.
                entity.PendingCheck = last;
                last.ActivatesWhenInactive = true;
                return;
            }

            var step = ReadStep(entity, key, StepKind.Check, $"Read the snapshot's state: activate it when it is inactive, as {call.Command} does.", call.Command);
            Saw(entity, step, state);
            entity.PendingCheck = step;
            step.ActivatesWhenInactive = true;
            AddBlock(step, entity);
        }

        private static bool Targeted(RecordedCall call, SnapshotEntity entity) =>
            call.Targets.Count == 0 || call.Targets.Any(t => string.Equals(t, entity.Id, StringComparison.OrdinalIgnoreCase) || string.Equals(t, entity.Name, StringComparison.Ordinal));

        // ---- entities, ids and names ------------------------------------------------------------------------------

        private SnapshotEntity Entity(JsonObject snapshot)
        {
            var id = RecordedCall.Text(snapshot, "id")!;
            if (!_byId.TryGetValue(id, out var entity))
            {
                entity = AddEntity(id, RecordedCall.Text(snapshot, "name"));
            }
            else if (entity.Name == null)
            {
                entity.Name = RecordedCall.Text(snapshot, "name");
            }

            return entity;
        }

        private SnapshotEntity EntityById(string id)
        {
            if (!_byId.TryGetValue(id, out var entity))
            {
                // A snapshot object the session had before the recording began, acted on by id.
                entity = AddEntity(id, null);
            }

            return entity;
        }

        private SnapshotEntity AddEntity(string id, string? name)
        {
            var entity = new SnapshotEntity(id, name, _entities.Count);
            _entities.Add(entity);
            _byId[id] = entity;
            return entity;
        }

        /// <summary>The key a step names the snapshot by: the name when the session had the id from nowhere a step can give it.</summary>
        private static string KeyFor(SnapshotEntity entity, string key) =>
            string.Equals(key, entity.Id, StringComparison.OrdinalIgnoreCase) && entity.IdSource == null && entity.IdInput == null && entity.Name != null ? entity.Name : key;

        /// <summary>
        /// Makes sure a step gives the snapshot's id before a step that needs it: a lookup by name when the session
        /// never had the id from a response (a snapshot listed by pattern, or one removed by name), else an input.
        /// </summary>
        private void EnsureIdSource(SnapshotEntity entity, string command, bool forRemoval)
        {
            if (entity.IdSource != null || entity.IdInput != null)
            {
                return;
            }

            if (entity.Name != null)
            {
                var find = ReadStep(entity, entity.Name, StepKind.Find,
                    forRemoval ? "Look the snapshot up by name for its id; when it is already gone there is nothing to remove." : "Look the snapshot up by name for its id.", command);
                if (forRemoval)
                {
                    find.OnFailure.Add(new PlannedAction { Name = "alreadyGone", Type = "goto", ToNext = true, Criteria = { (null, "$statusCode == 404", null) } });
                }

                Saw(entity, find, entity.LastState);
                AddBlock(find, entity);
                return;
            }

            IdInput(entity, command);
        }

        private PlannedInput IdInput(SnapshotEntity entity, string command)
        {
            if (entity.IdInput == null)
            {
                entity.IdInput = AddInput(entity, "snapshotId", JsonValue.Create(entity.Id),
                    new JsonObject { ["type"] = "string", ["description"] = "The snapshot's id, as the session was given it (ids differ from server to server)." }, required: false);
                Warn($"{command} was given snapshot {entity.Id} by id (an object from before the recording began): the workflow takes the id as an input whose default is this server's id; give another server's id with -Inputs.");
            }

            return entity.IdInput;
        }

        /// <summary>A getSnapshot step by the key the session used: a name as an input, an id chained from its source step.</summary>
        private PlannedStep ReadStep(SnapshotEntity entity, string key, StepKind kind, string description, string command)
        {
            var step = NewStep(kind, entity, "getSnapshot", description);
            AddSnapshotParameter(step, entity, key, command);
            if (entity.IdSource == step)
            {
                step.Outputs.Add(Output("snapshotId", "$response.body#/id"));
            }

            step.Outputs.Add(Output("state", "$response.body#/state"));
            return step;
        }

        private void AddSnapshotParameter(PlannedStep step, SnapshotEntity entity, string key, string command)
        {
            if (string.Equals(key, entity.Id, StringComparison.OrdinalIgnoreCase))
            {
                AddIdParameter(step, entity, command);
                return;
            }

            // By name: the name is a typed value; the answer gives the id when no step gave it before.
            var input = AddInput(entity, "name", JsonValue.Create(key), _description.CreateSnapshotProperty("name") ?? new JsonObject { ["type"] = "string" }, required: false);
            Parameter(step, "id", "path", "$inputs." + Mark(input));
            if (entity.IdSource == null && entity.IdInput == null)
            {
                entity.IdSource = step;
                if (entity.FromListing && entity.Name != null && !_listedByPattern.Contains(entity.Name))
                {
                    _listedByPattern.Add(entity.Name);
                }
            }
        }

        private void AddIdParameter(PlannedStep step, SnapshotEntity entity, string command)
        {
            var value = entity.IdSource != null && entity.IdSource != step
                ? "$steps." + Mark(entity.IdSource) + ".outputs.snapshotId"
                : "$inputs." + Mark(IdInput(entity, command));
            Parameter(step, "id", "path", value);
        }

        private JsonObject Payload(SnapshotEntity entity, JsonObject body, string prefix)
        {
            var payload = new JsonObject();
            foreach (var pair in body)
            {
                var path = prefix.Length == 0 ? pair.Key : prefix + "." + pair.Key;
                if (pair.Value is JsonObject nested && pair.Key == "buildInfo")
                {
                    payload[pair.Key] = Payload(entity, nested, path);
                    continue;
                }

                if (pair.Value == null)
                {
                    continue;
                }

                var schema = _description.CreateSnapshotProperty(path) ?? new JsonObject { ["type"] = JsonTypeOf(pair.Value) };
                var input = AddInput(entity, pair.Key, pair.Value, schema, required: false);
                payload[pair.Key] = "$inputs." + Mark(input);
            }

            return payload;
        }

        private static string JsonTypeOf(JsonNode value) => value switch
        {
            JsonObject _ => "object",
            JsonArray _ => "array",
            JsonValue v when v.TryGetValue<bool>(out _) => "boolean",
            JsonValue v when v.TryGetValue<string>(out _) => "string",
            JsonValue v when v.TryGetValue<double>(out var d) && Math.Abs(d % 1) < double.Epsilon => "integer",
            _ => "number",
        };

        /// <summary>
        /// The input for a value the user typed. Equal values of the same field of snapshots of the same name share
        /// one input (the name a removal looked up is the name the re-create uses).
        /// </summary>
        private PlannedInput AddInput(SnapshotEntity? entity, string field, JsonNode? value, JsonObject schema, bool required)
        {
            var owner = entity == null ? string.Empty : entity.Name ?? entity.Id;
            var key = owner + "\u0000" + field + "\u0000" + (value?.ToJsonString() ?? "null");
            if (_inputsByKey.TryGetValue(key, out var existing))
            {
                return existing;
            }

            var input = new PlannedInput
            {
                Serial = ++_serial,
                Name = field,
                Key = owner + "\u0000" + field,
                Value = value?.DeepClone(),
                Required = required,
                Schema = (JsonObject)schema.DeepClone(),
            };
            if (value != null)
            {
                input.Schema["default"] = value.DeepClone();
            }

            if (entity != null)
            {
                entity.Used = true;
                input.Entity = entity;
            }

            _inputsByKey[key] = input;
            _plan.Inputs.Add(input);
            return input;
        }

        // ---- steps ----------------------------------------------------------------------------------------------

        private PlannedStep NewStep(StepKind kind, SnapshotEntity entity, string operationId, string description)
        {
            entity.Used = true;
            var step = new PlannedStep
            {
                Serial = ++_serial,
                Kind = kind,
                Entity = entity,
                OperationId = operationId,
                Description = description,
                Order = (_sequence, entity.Ordinal),
            };
            Parameter(step, "Authorization", "header", "Bearer {$inputs." + Mark(_apiToken) + "}");
            if (_organization != null)
            {
                Parameter(step, "X-Daytona-Organization-ID", "header", "$inputs." + Mark(_organization));
            }

            return step;
        }

        private void AddBlock(PlannedStep step, SnapshotEntity entity)
        {
            _plan.Blocks.Add(step);
            entity.LastStep = step;
        }

        private static void Saw(SnapshotEntity entity, PlannedStep step, string? state)
        {
            if (state != null && (step.States.Count == 0 || step.States[step.States.Count - 1] != state))
            {
                step.States.Add(state);
            }

            entity.LastStep = step;
            entity.LastState = state;
            if (step.Outputs.Any(o => o.Key == "state"))
            {
                entity.StateHolder = step;
            }
        }

        private static void Parameter(PlannedStep step, string name, string location, string value)
        {
            step.Parameters.RemoveAll(p => p.Name == name && p.In == location);
            step.Parameters.Add((name, location, value));
        }

        private static KeyValuePair<string, string> Output(string name, string expression) => new KeyValuePair<string, string>(name, expression);

        internal static string Mark(PlannedInput input) => InputMark + input.Serial.ToString(CultureInfo.InvariantCulture) + EndMark;

        internal static string Mark(PlannedStep step) => StepMark + step.Serial.ToString(CultureInfo.InvariantCulture) + EndMark;

        private void Warn(string text)
        {
            if (!_plan.Warnings.Contains(text))
            {
                _plan.Warnings.Add(text);
            }
        }

        // ---- the end: branches, activations, outputs --------------------------------------------------------------

        private void Finish()
        {
            // Enable-DaytonaSnapshot's condition: a poll or check it acted on branches to an activation, run or not.
            foreach (var check in _plan.Blocks.Where(b => b.Kind == StepKind.Poll || b.Kind == StepKind.Check).ToList())
            {
                var entity = check.Entity!;
                if (check.ActivatesWhenInactive && check.Activation == null)
                {
                    var activation = NewStep(StepKind.Activate, entity, "activateSnapshot", "Activate the built snapshot so sandboxes can be created from it (Enable-DaytonaSnapshot activates a snapshot that is inactive; this session's was already active).");
                    activation.Ran = false;
                    AddIdParameter(activation, entity, "Enable-DaytonaSnapshot");
                    activation.Outputs.Add(Output("snapshotId", "$response.body#/id"));
                    activation.Outputs.Add(Output("state", "$response.body#/state"));
                    check.Activation = activation;
                    check.Attached.Insert(0, activation);
                }

                if (check.Kind == StepKind.Poll)
                {
                    DescribePoll(check);
                    if (check.Activation != null)
                    {
                        check.OnSuccess.Add(Goto("inactive", check.Activation, StateIs("inactive")));
                        check.OnSuccess.Add(Next("alreadyActive", StateIs("active")));
                    }

                    check.OnSuccess.Add(Next("buildFailed", StateIsAny(s_failureStates)));
                    check.OnSuccess.Add(Goto("stillBuilding", check, StateIsNone(s_settledStates)));
                }
                else if (check.Activation != null)
                {
                    check.OnSuccess.Add(Goto("inactive", check.Activation, StateIs("inactive")));
                    check.OnSuccess.Add(Next("alreadyActive", StateIs("active")));
                }
            }

            // Blocks in the order of their first call; the snapshots a wait polled together, in the order they came.
            var ordered = _plan.Blocks.OrderBy(b => b.Order.Sequence).ThenBy(b => b.Order.Ordinal).ToList();
            _plan.Blocks.Clear();
            _plan.Blocks.AddRange(ordered);

            if (_buildLogs)
            {
                Warn("Build-log reads (Get-DaytonaSnapshotBuildLog, Wait-DaytonaSnapshot -ShowBuildLog) are not part of the workflow: a workflow step cannot follow a log stream.");
            }

            if (_listedByPattern.Count > 0)
            {
                Warn($"Snapshots found by a listing ({string.Join(", ", _listedByPattern.Select(n => "'" + n + "'"))}) are looked up by name: a workflow cannot loop over a listing, so it names the ones this session used.");
            }

            if (_servers.Count > 1)
            {
                Warn($"The session called {_servers.Count} Daytona servers ({string.Join(", ", _servers)}); the workflow has one source description, whose server is {_plan.ServerUrl}. Run it against each with -ServerUrl.");
            }

            // Workflow outputs: the final id and state of each snapshot the session left in place.
            foreach (var entity in _entities.Where(e => e.Used && !e.Removed && (e.IdSource != null || e.IdInput != null)))
            {
                entity.OutputId = entity.IdSource != null ? "$steps." + Mark(entity.IdSource) + ".outputs.snapshotId" : "$inputs." + Mark(entity.IdInput!);
                var holder = entity.StateHolder;
                entity.OutputState = holder != null && holder.Ran ? "$steps." + Mark(holder) + ".outputs.state" : null;
            }
        }

        private static void DescribePoll(PlannedStep poll)
        {
            var seen = poll.States.Count == 0 ? string.Empty : " The recorded session saw: " + string.Join(" → ", poll.States) + ".";
            poll.Description = "Poll the snapshot until it settles, looping while it is pending, pulling or building, and ending if the build fails." + seen;
        }

        private static (string?, string, string?) StateIs(string state) => ("$response.body", "$[?$.state == \"" + state + "\"]", "jsonpath");

        private static (string?, string, string?) StateIsAny(IEnumerable<string> states) =>
            ("$response.body", "$[?" + string.Join(" || ", states.Select(s => "$.state == \"" + s + "\"")) + "]", "jsonpath");

        private static (string?, string, string?) StateIsNone(IEnumerable<string> states) =>
            ("$response.body", "$[?" + string.Join(" && ", states.Select(s => "$.state != \"" + s + "\"")) + "]", "jsonpath");

        private static PlannedAction Goto(string name, PlannedStep target, (string?, string, string?) criterion) =>
            new PlannedAction { Name = name, Type = "goto", Target = target, Criteria = { criterion } };

        private static PlannedAction Next(string name, (string?, string, string?) criterion) =>
            new PlannedAction { Name = name, Type = "goto", ToNext = true, Criteria = { criterion } };
    }
}
