using System;
using System.Collections.Generic;
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
        private readonly DaytonaDescription _description = DaytonaDescription.Instance;
        private readonly PlanBuilder _build;
        private readonly Dictionary<(SnapshotEntity, int), PlannedStep> _openPolls = new Dictionary<(SnapshotEntity, int), PlannedStep>();
        private readonly HashSet<string> _servers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private bool _buildLogs;

        private SessionPlanner(string workflowId) => _build = new PlanBuilder(workflowId);

        private PlannedWorkflow Workflow => _build.Plan;

        /// <summary>Plans the workflow for <paramref name="calls"/> (in the order they were made) and names it.</summary>
        public static PlannedWorkflow Plan(IReadOnlyList<RecordedCall> calls, string workflowId)
        {
            var planner = new SessionPlanner(workflowId);
            foreach (var call in calls)
            {
                planner.Take(call);
            }

            planner.Finish();
            PlanNamer.Name(planner._build.Plan, planner._build.Entities);
            return planner._build.Plan;
        }

        // ---- reading the calls ---------------------------------------------------------------------------------

        private void Take(RecordedCall call)
        {
            _build.Sequence = call.Sequence;
            if (call.StatusCode == null || call.StatusCode >= 500 || call.StatusCode == 429)
            {
                // The server failed or throttled, and the client retried or the user saw an error: nothing to replay.
                return;
            }

            if (!Workflow.Commands.Contains(call.Command))
            {
                Workflow.Commands.Add(call.Command);
            }

            if (call.ApiUrl != null)
            {
                _servers.Add(call.ApiUrl);
                Workflow.ServerUrl ??= call.ApiUrl;
            }

            if (call.OrganizationId != null)
            {
                _build.UseOrganization(call.OrganizationId);
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

                    _build.Warn($"Left out {call.Method} /{call.PathOnly} ({call.Command}): the Daytona description the workflow binds to has no such snapshot operation.");
                    break;
            }
        }

        private void TakeCreate(RecordedCall call)
        {
            var response = call.ResponseJson as JsonObject;
            var id = RecordedCall.Text(response, "id");
            if (id == null || !(call.RequestJson is JsonObject request))
            {
                _build.Warn($"Left out a create by {call.Command}: the answer carried no snapshot id.");
                return;
            }

            var name = RecordedCall.Text(response, "name") ?? RecordedCall.Text(request, "name");
            var entity = _build.Knows(id) ? _build.EntityById(id) : _build.AddEntity(id, name);

            // A name whose snapshot this session removed can be used again only once the removal is done.
            var removed = _build.Entities.LastOrDefault(e => e != entity && e.Removed && e.Name == name);
            if (removed != null && removed.RemovalWait == null)
            {
                var wait = _build.NewStep(StepKind.AwaitRemoval, removed, "getSnapshot",
                    "Wait until Daytona has removed the snapshot: it stays 'removing' for a while, and a snapshot of the same name cannot be created before it is gone.");
                wait.SuccessStatus = 404;
                _build.AddIdParameter(wait, removed, call.Command);
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

            var step = _build.NewStep(StepKind.Create, entity, "createSnapshot", CreateDescription(call, request, entity));
            step.SuccessStatus = call.StatusCode!.Value;
            step.Payload = _build.Payload(entity, request, string.Empty);
            step.Outputs.Add(PlanBuilder.Output("snapshotId", "$response.body#/id"));
            step.Outputs.Add(PlanBuilder.Output("state", "$response.body#/state"));
            entity.IdSource ??= step;
            PlanBuilder.Saw(entity, step, RecordedCall.Text(response, "state"));
            _build.AddBlock(step, entity);
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
                    _build.Warn($"Snapshot '{entity.Name}' is built from a declarative image with a build context that {call.Command} uploaded to Daytona's object storage before the create; a workflow cannot upload files. " +
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

            var entity = _build.Entity(snapshot!);
            var key = PlanBuilder.KeyFor(entity, call.SnapshotKey ?? id);
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
                _build.EnsureIdSource(entity, call.Command, forRemoval: call.Command == "Remove-DaytonaSnapshot");
                return;
            }

            var step = _build.ReadStep(entity, key, StepKind.Read, $"Read the snapshot, as {call.Command} did.", call.Command);
            PlanBuilder.Saw(entity, step, state);
            _build.AddBlock(step, entity);
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

                var known = _build.Knows(id);
                var entity = _build.Entity(item);
                if (call.Command == "Wait-DaytonaSnapshot")
                {
                    if (Targeted(call, entity))
                    {
                        Poll(call, entity, PlanBuilder.KeyFor(entity, entity.Id), RecordedCall.Text(item, "state"));
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
            var entity = _build.EntityById(id);
            _build.EnsureIdSource(entity, call.Command, forRemoval: true);
            var step = _build.NewStep(StepKind.Remove, entity, "removeSnapshot", $"Remove the snapshot, as {call.Command} did.");
            step.SuccessStatus = call.StatusCode!.Value;
            _build.AddIdParameter(step, entity, call.Command);
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
                _build.AddBlock(step, entity);
            }

            entity.LastState = "removing";
        }

        private void TakeActivate(RecordedCall call, string id)
        {
            var entity = _build.EntityById(id);
            _build.EnsureIdSource(entity, call.Command, forRemoval: false);
            var step = _build.NewStep(StepKind.Activate, entity, "activateSnapshot", "Activate the snapshot so sandboxes can be created from it, as " + call.Command + " did.");
            step.SuccessStatus = call.StatusCode!.Value;
            _build.AddIdParameter(step, entity, call.Command);
            step.Outputs.Add(PlanBuilder.Output("snapshotId", "$response.body#/id"));
            step.Outputs.Add(PlanBuilder.Output("state", "$response.body#/state"));
            var check = entity.PendingCheck;
            entity.PendingCheck = null;
            var state = RecordedCall.Text(call.ResponseJson, "state");
            if (check != null && check.Activation == null)
            {
                check.Activation = step;
                check.Attached.Insert(0, step);
                PlanBuilder.Saw(entity, step, state);
            }
            else
            {
                PlanBuilder.Saw(entity, step, state);
                _build.AddBlock(step, entity);
            }
        }

        private void TakeDeactivate(RecordedCall call, string id)
        {
            var entity = _build.EntityById(id);
            _build.EnsureIdSource(entity, call.Command, forRemoval: false);
            var step = _build.NewStep(StepKind.Deactivate, entity, "deactivateSnapshot", "Deactivate the snapshot, as " + call.Command + " did.");
            step.SuccessStatus = call.StatusCode!.Value;
            _build.AddIdParameter(step, entity, call.Command);
            entity.LastStep = step;
            entity.LastState = "inactive";

            // The answer has no body: no step's output tells the state from here on.
            entity.StateHolder = null;
            _build.AddBlock(step, entity);
        }

        // ---- waits and Enable's condition -------------------------------------------------------------------------

        private void Poll(RecordedCall call, SnapshotEntity entity, string key, string? state)
        {
            if (!_openPolls.TryGetValue((entity, call.Unit), out var poll))
            {
                poll = _build.NewStep(StepKind.Poll, entity, "getSnapshot", string.Empty);
                poll.Unit = call.Unit;
                _build.AddSnapshotParameter(poll, entity, key, call.Command);
                if (entity.IdSource == poll)
                {
                    poll.Outputs.Add(PlanBuilder.Output("snapshotId", "$response.body#/id"));
                }

                poll.Outputs.Add(PlanBuilder.Output("state", "$response.body#/state"));
                _openPolls[(entity, call.Unit)] = poll;
                _build.AddBlock(poll, entity);
            }

            PlanBuilder.Saw(entity, poll, state);
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

            var step = _build.ReadStep(entity, key, StepKind.Check, $"Read the snapshot's state: activate it when it is inactive, as {call.Command} does.", call.Command);
            PlanBuilder.Saw(entity, step, state);
            entity.PendingCheck = step;
            step.ActivatesWhenInactive = true;
            _build.AddBlock(step, entity);
        }

        private static bool Targeted(RecordedCall call, SnapshotEntity entity) =>
            call.Targets.Count == 0 || call.Targets.Any(t => string.Equals(t, entity.Id, StringComparison.OrdinalIgnoreCase) || string.Equals(t, entity.Name, StringComparison.Ordinal));

        // ---- the end: branches, activations, outputs --------------------------------------------------------------

        private void Finish()
        {
            // Enable-DaytonaSnapshot's condition: a poll or check it acted on branches to an activation, run or not.
            foreach (var check in Workflow.Blocks.Where(b => b.Kind == StepKind.Poll || b.Kind == StepKind.Check).ToList())
            {
                var entity = check.Entity!;
                if (check.ActivatesWhenInactive && check.Activation == null)
                {
                    var activation = _build.NewStep(StepKind.Activate, entity, "activateSnapshot", "Activate the built snapshot so sandboxes can be created from it (Enable-DaytonaSnapshot activates a snapshot that is inactive; this session's was already active).");
                    activation.Ran = false;
                    _build.AddIdParameter(activation, entity, "Enable-DaytonaSnapshot");
                    activation.Outputs.Add(PlanBuilder.Output("snapshotId", "$response.body#/id"));
                    activation.Outputs.Add(PlanBuilder.Output("state", "$response.body#/state"));
                    check.Activation = activation;
                    check.Attached.Insert(0, activation);
                }

                PollBranches.Add(check);
            }

            // Blocks in the order of their first call; the snapshots a wait polled together, in the order they came.
            var ordered = Workflow.Blocks.OrderBy(b => b.Order.Sequence).ThenBy(b => b.Order.Ordinal).ToList();
            Workflow.Blocks.Clear();
            Workflow.Blocks.AddRange(ordered);

            if (_buildLogs)
            {
                _build.Warn("Build-log reads (Get-DaytonaSnapshotBuildLog, Wait-DaytonaSnapshot -ShowBuildLog) are not part of the workflow: a workflow step cannot follow a log stream.");
            }

            if (_build.ListedByPattern.Count > 0)
            {
                _build.Warn($"Snapshots found by a listing ({string.Join(", ", _build.ListedByPattern.Select(n => "'" + n + "'"))}) are looked up by name: a workflow cannot loop over a listing, so it names the ones this session used.");
            }

            if (_servers.Count > 1)
            {
                _build.Warn($"The session called {_servers.Count} Daytona servers ({string.Join(", ", _servers)}); the workflow has one source description, whose server is {Workflow.ServerUrl}. Run it against each with -ServerUrl.");
            }

            // Workflow outputs: the final id and state of each snapshot the session left in place.
            foreach (var entity in _build.Entities.Where(e => e.Used && !e.Removed && (e.IdSource != null || e.IdInput != null)))
            {
                entity.OutputId = entity.IdSource != null ? "$steps." + Placeholders.Mark(entity.IdSource) + ".outputs.snapshotId" : "$inputs." + Placeholders.Mark(entity.IdInput!);
                var holder = entity.StateHolder;
                entity.OutputState = holder != null && holder.Ran ? "$steps." + Placeholders.Mark(holder) + ".outputs.state" : null;
            }
        }
    }
}
