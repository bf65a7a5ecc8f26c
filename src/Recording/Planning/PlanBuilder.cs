using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Daytona.Recording.Description;

namespace Daytona.Recording.Planning
{
    /// <summary>
    /// How the planned workflow's pieces are made, whatever call they come from: the snapshots met and where the
    /// workflow learns each one's id (a create, or a lookup by name; an input only when the session never had the id
    /// from a response), steps with the API key and organization headers, and inputs for typed values (equal values of
    /// the same field of snapshots of the same name share one). Names are placeholders until <see cref="PlanNamer"/>.
    /// </summary>
    internal sealed class PlanBuilder
    {
        private readonly DaytonaDescription _description = DaytonaDescription.Instance;
        private readonly List<SnapshotEntity> _entities = new List<SnapshotEntity>();
        private readonly Dictionary<string, SnapshotEntity> _byId = new Dictionary<string, SnapshotEntity>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, PlannedInput> _inputsByKey = new Dictionary<string, PlannedInput>(StringComparer.Ordinal);
        private int _serial;

        public PlanBuilder(string workflowId)
        {
            Plan.WorkflowId = workflowId;
            ApiToken = AddInput(null, "apiToken", null, new JsonObject { ["type"] = "string", ["description"] = "Daytona API key used as a bearer token." }, required: true);
        }

        public PlannedWorkflow Plan { get; } = new PlannedWorkflow();

        public IReadOnlyList<SnapshotEntity> Entities => _entities;

        /// <summary>The input holding the API key: every step sends it as a bearer token.</summary>
        public PlannedInput ApiToken { get; }

        /// <summary>The input holding the organization, once a call sent one.</summary>
        public PlannedInput? Organization { get; private set; }

        /// <summary>The sequence of the call being read: where new steps go in the document.</summary>
        public long Sequence { get; set; }

        /// <summary>Names of snapshots a listing found and a later step looks up by name.</summary>
        public List<string> ListedByPattern { get; } = new List<string>();

        public bool Knows(string id) => _byId.ContainsKey(id);

        /// <summary>Sends <paramref name="organizationId"/> as X-Daytona-Organization-ID on every step from here on.</summary>
        public void UseOrganization(string organizationId)
        {
            Organization ??= AddInput(null, "organizationId", JsonValue.Create(organizationId),
                new JsonObject { ["type"] = "string", ["description"] = "The Daytona organization the calls act in (sent as X-Daytona-Organization-ID)." }, required: false);
        }

        // ---- entities, ids and names ------------------------------------------------------------------------------

        public SnapshotEntity Entity(JsonObject snapshot)
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

        public SnapshotEntity EntityById(string id)
        {
            if (!_byId.TryGetValue(id, out var entity))
            {
                // A snapshot object the session had before the recording began, acted on by id.
                entity = AddEntity(id, null);
            }

            return entity;
        }

        public SnapshotEntity AddEntity(string id, string? name)
        {
            var entity = new SnapshotEntity(id, name, _entities.Count);
            _entities.Add(entity);
            _byId[id] = entity;
            return entity;
        }

        /// <summary>The key a step names the snapshot by: the name when the session had the id from nowhere a step can give it.</summary>
        public static string KeyFor(SnapshotEntity entity, string key) =>
            string.Equals(key, entity.Id, StringComparison.OrdinalIgnoreCase) && entity.IdSource == null && entity.IdInput == null && entity.Name != null ? entity.Name : key;

        /// <summary>
        /// Makes sure a step gives the snapshot's id before a step that needs it: a lookup by name when the session
        /// never had the id from a response (a snapshot listed by pattern, or one removed by name), else an input.
        /// </summary>
        public void EnsureIdSource(SnapshotEntity entity, string command, bool forRemoval)
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

        public PlannedInput IdInput(SnapshotEntity entity, string command)
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
        public PlannedStep ReadStep(SnapshotEntity entity, string key, StepKind kind, string description, string command)
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

        public void AddSnapshotParameter(PlannedStep step, SnapshotEntity entity, string key, string command)
        {
            if (string.Equals(key, entity.Id, StringComparison.OrdinalIgnoreCase))
            {
                AddIdParameter(step, entity, command);
                return;
            }

            // By name: the name is a typed value; the answer gives the id when no step gave it before.
            var input = AddInput(entity, "name", JsonValue.Create(key), _description.CreateSnapshotProperty("name") ?? new JsonObject { ["type"] = "string" }, required: false);
            Parameter(step, "id", "path", "$inputs." + Placeholders.Mark(input));
            if (entity.IdSource == null && entity.IdInput == null)
            {
                entity.IdSource = step;
                if (entity.FromListing && entity.Name != null && !ListedByPattern.Contains(entity.Name))
                {
                    ListedByPattern.Add(entity.Name);
                }
            }
        }

        public void AddIdParameter(PlannedStep step, SnapshotEntity entity, string command)
        {
            var value = entity.IdSource != null && entity.IdSource != step
                ? "$steps." + Placeholders.Mark(entity.IdSource) + ".outputs.snapshotId"
                : "$inputs." + Placeholders.Mark(IdInput(entity, command));
            Parameter(step, "id", "path", value);
        }

        public JsonObject Payload(SnapshotEntity entity, JsonObject body, string prefix)
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
                payload[pair.Key] = "$inputs." + Placeholders.Mark(input);
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
        public PlannedInput AddInput(SnapshotEntity? entity, string field, JsonNode? value, JsonObject schema, bool required)
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
            Plan.Inputs.Add(input);
            return input;
        }

        // ---- steps ----------------------------------------------------------------------------------------------

        public PlannedStep NewStep(StepKind kind, SnapshotEntity entity, string operationId, string description)
        {
            entity.Used = true;
            var step = new PlannedStep
            {
                Serial = ++_serial,
                Kind = kind,
                Entity = entity,
                OperationId = operationId,
                Description = description,
                Order = (Sequence, entity.Ordinal),
            };
            Parameter(step, "Authorization", "header", "Bearer {$inputs." + Placeholders.Mark(ApiToken) + "}");
            if (Organization != null)
            {
                Parameter(step, "X-Daytona-Organization-ID", "header", "$inputs." + Placeholders.Mark(Organization));
            }

            return step;
        }

        public void AddBlock(PlannedStep step, SnapshotEntity entity)
        {
            Plan.Blocks.Add(step);
            entity.LastStep = step;
        }

        public static void Saw(SnapshotEntity entity, PlannedStep step, string? state)
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

        public static void Parameter(PlannedStep step, string name, string location, string value)
        {
            step.Parameters.RemoveAll(p => p.Name == name && p.In == location);
            step.Parameters.Add((name, location, value));
        }

        public static KeyValuePair<string, string> Output(string name, string expression) => new KeyValuePair<string, string>(name, expression);

        public void Warn(string text)
        {
            if (!Plan.Warnings.Contains(text))
            {
                Plan.Warnings.Add(text);
            }
        }
    }
}
