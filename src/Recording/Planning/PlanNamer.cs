using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace Daytona.Recording.Planning
{
    /// <summary>
    /// Names a planned workflow the way its author would: with one snapshot, the seed's names (<c>createSnapshot</c>,
    /// <c>pollBuild</c>, <c>activateSnapshot</c>; inputs <c>name</c>, <c>imageName</c>, <c>cpu</c>; outputs
    /// <c>snapshotId</c>, <c>state</c>); with several, the part of each name that tells them apart (<c>createWeb</c>,
    /// <c>webImageName</c>, <c>webState</c>). Then resolves the planner's placeholders into runtime expressions.
    /// </summary>
    internal static class PlanNamer
    {
        public static void Name(PlannedWorkflow plan, IReadOnlyList<SnapshotEntity> entities)
        {
            var used = entities.Where(e => e.Used).ToList();
            var names = used.Select(e => e.Name ?? e.Id).Distinct(StringComparer.Ordinal).ToList();
            var single = names.Count <= 1;
            var labels = single ? names.ToDictionary(n => n, _ => "Snapshot", StringComparer.Ordinal) : Labels(names);
            foreach (var entity in used)
            {
                entity.Label = labels[entity.Name ?? entity.Id];
            }

            var marks = new Dictionary<string, string>(StringComparer.Ordinal);

            // Steps, in document order.
            var stepIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var step in plan.Steps)
            {
                step.StepId = Unique(StepName(step, single), stepIds);
                marks[Placeholders.Mark(step)] = step.StepId;
            }

            // Inputs: the API key first, then the rest in the order the session typed them.
            var inputNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var input in plan.Inputs)
            {
                var name = input.Entity == null || single ? input.Name : Camel(input.Entity.Label) + Pascal(input.Name);
                input.Name = Unique(name, inputNames);
                marks[Placeholders.Mark(input)] = input.Name;
            }

            // Workflow outputs: each snapshot's final id and state.
            var outputNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entity in used.Where(e => e.OutputId != null))
            {
                var prefix = single ? string.Empty : Camel(entity.Label);
                plan.Outputs.Add(new KeyValuePair<string, string>(Unique(prefix.Length == 0 ? "snapshotId" : prefix + "SnapshotId", outputNames), Resolve(entity.OutputId!, marks)));
                if (entity.OutputState != null)
                {
                    plan.Outputs.Add(new KeyValuePair<string, string>(Unique(prefix.Length == 0 ? "state" : prefix + "State", outputNames), Resolve(entity.OutputState, marks)));
                }
            }

            // Every expression and every goto.
            var blocks = plan.Blocks;
            for (var b = 0; b < blocks.Count; b++)
            {
                var next = b + 1 < blocks.Count ? blocks[b + 1].StepId : null;
                foreach (var step in blocks[b].InOrder())
                {
                    for (var i = 0; i < step.Parameters.Count; i++)
                    {
                        var (name, location, value) = step.Parameters[i];
                        step.Parameters[i] = (name, location, Resolve(value, marks));
                    }

                    if (step.Payload != null)
                    {
                        ResolveAll(step.Payload, marks);
                    }

                    foreach (var action in step.OnSuccess.Concat(step.OnFailure))
                    {
                        if (action.ToNext)
                        {
                            action.Type = next == null ? "end" : "goto";
                            action.StepId = next;
                        }
                        else if (action.Target != null)
                        {
                            action.StepId = action.Target.StepId;
                        }
                    }
                }
            }

            Describe(plan, used, single);
        }

        private static string StepName(PlannedStep step, bool single)
        {
            var label = step.Entity?.Label ?? "Snapshot";
            switch (step.Kind)
            {
                case StepKind.Create: return "create" + label;
                case StepKind.Poll: return single ? "pollBuild" : "poll" + label;
                case StepKind.Check: return "check" + label;
                case StepKind.Find: return "find" + label;
                case StepKind.Activate: return "activate" + label;
                case StepKind.Deactivate: return "deactivate" + label;
                case StepKind.Remove: return "remove" + label;
                case StepKind.AwaitRemoval: return single ? "awaitRemoval" : "await" + label + "Removal";
                default: return "get" + label;
            }
        }

        private static void Describe(PlannedWorkflow plan, List<SnapshotEntity> used, bool single)
        {
            var count = used.Select(e => e.Name ?? e.Id).Distinct(StringComparer.Ordinal).Count();
            var what = single ? "a snapshot" : count.ToString(CultureInfo.InvariantCulture) + " snapshots";
            var steps = plan.Steps.ToList();
            var doing = new List<string>();
            if (steps.Any(s => s.Kind == StepKind.Remove)) doing.Add("removes");
            if (steps.Any(s => s.Kind == StepKind.Create)) doing.Add(doing.Count > 0 ? "re-creates" : "creates");
            if (steps.Any(s => s.Kind == StepKind.Poll)) doing.Add("waits for");
            if (steps.Any(s => s.Kind == StepKind.Activate)) doing.Add("activates");
            if (steps.Any(s => s.Kind == StepKind.Deactivate)) doing.Add("deactivates");
            if (doing.Count == 0) doing.Add("reads");
            var verbs = doing.Count == 1 ? doing[0] : string.Join(", ", doing.Take(doing.Count - 1)) + " and " + doing[doing.Count - 1];
            plan.Summary = char.ToUpperInvariant(verbs[0]) + verbs.Substring(1) + " " + what + " (recorded at the prompt).";

            var text = new StringBuilder();
            text.Append("Recorded with Start-ArazzoRecording from ").Append(string.Join(", ", plan.Commands)).Append(". ");
            text.Append("Each step is a Daytona API operation the commands called; a wait is a polling step that loops while the state is transitional and ends on failure states; the values typed at the prompt are inputs with those values as defaults, and the API key is an input.");
            if (plan.Warnings.Count > 0)
            {
                text.Append(" Before replaying: ").Append(string.Join(" ", plan.Warnings));
            }

            plan.Description = text.ToString();
        }

        /// <summary>What tells the names apart: each name without the prefix and suffix they all share (cut at a separator).</summary>
        internal static Dictionary<string, string> Labels(IReadOnlyList<string> names)
        {
            var prefix = CommonAffix(names, fromEnd: false);
            var suffix = CommonAffix(names.Select(n => n.Substring(prefix)).ToList(), fromEnd: true);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var middle = name.Substring(prefix, name.Length - prefix - suffix);
                var label = Pascal(middle);
                if (label.Length == 0)
                {
                    label = Pascal(name);
                }

                if (label.Length == 0 || char.IsDigit(label[0]))
                {
                    label = "Snapshot" + label;
                }

                labels[name] = Unique(label, taken);
            }

            return labels;
        }

        /// <summary>The length of the prefix (or suffix) every name shares, ending at a separator so no word is cut.</summary>
        private static int CommonAffix(IReadOnlyList<string> names, bool fromEnd)
        {
            if (names.Count < 2)
            {
                return 0;
            }

            var shortest = names.Min(n => n.Length);
            var length = 0;
            while (length < shortest)
            {
                var c = fromEnd ? names[0][names[0].Length - 1 - length] : names[0][length];
                if (names.Any(n => (fromEnd ? n[n.Length - 1 - length] : n[length]) != c))
                {
                    break;
                }

                length++;
            }

            // Back off to just after the last separator inside the shared part, so the labels are whole words.
            while (length > 0)
            {
                var c = fromEnd ? names[0][names[0].Length - length] : names[0][length - 1];
                if (!char.IsLetterOrDigit(c))
                {
                    break;
                }

                length--;
            }

            return length;
        }

        internal static string Pascal(string text)
        {
            var result = new StringBuilder();
            var upper = true;
            foreach (var c in text)
            {
                if (!char.IsLetterOrDigit(c) || c > 127)
                {
                    upper = true;
                    continue;
                }

                result.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }

            return result.ToString();
        }

        internal static string Camel(string text) => text.Length == 0 ? text : char.ToLowerInvariant(text[0]) + text.Substring(1);

        private static string Unique(string name, HashSet<string> taken)
        {
            var candidate = name;
            for (var n = 2; !taken.Add(candidate); n++)
            {
                candidate = name + n.ToString(CultureInfo.InvariantCulture);
            }

            return candidate;
        }

        private static string Resolve(string text, Dictionary<string, string> marks) => Placeholders.Resolve(text, marks);

        private static void ResolveAll(JsonObject payload, Dictionary<string, string> marks)
        {
            foreach (var key in payload.Select(p => p.Key).ToList())
            {
                switch (payload[key])
                {
                    case JsonObject nested:
                        ResolveAll(nested, marks);
                        break;
                    case JsonValue value when value.TryGetValue<string>(out var text):
                        payload[key] = Resolve(text, marks);
                        break;
                }
            }
        }
    }
}
