using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.Yaml;

namespace Daytona.Arazzo.Validation
{
    /// <summary>
    /// Decides what each finding affects. A finding under <c>$.workflows[i]</c> belongs to that workflow; one under
    /// <c>$.components.&lt;type&gt;.&lt;name&gt;</c> to every workflow that uses the component; one under
    /// <c>$.sourceDescriptions[i]</c> to every workflow that may call into that source. A workflow that depends on
    /// one that cannot run (<c>dependsOn</c>, or a step that runs it) cannot run either. Only findings that mean the
    /// text is not an Arazzo 1.0.x document at all stop every workflow; other document-level findings (info) stop none.
    /// </summary>
    internal static class DiagnosticScopes
    {
        /// <summary>Codes that mean the document as a whole cannot be run.</summary>
        private static readonly HashSet<string> s_documentWide = new HashSet<string>(StringComparer.Ordinal)
        {
            "InvalidYaml", "DocumentTooLarge", "NotAnObject", "UnsupportedVersion", "MissingVersion",
        };

        private static readonly string[] s_componentTypes = { "inputs", "parameters", "successActions", "failureActions" };

        public static ValidationReport Build(ArazzoDocument? document, IReadOnlyList<Diagnostic> diagnostics, bool strict)
        {
            bool Blocking(Diagnostic d) => d.Severity == DiagnosticSeverity.Error || (strict && d.IsLeniency);
            // A document without a single workflow has nothing to run: every error it has is the document's.
            var noWorkflows = document == null || document.Workflows.Count == 0;
            var documentErrors = diagnostics.Where(d => Blocking(d) && (noWorkflows || s_documentWide.Contains(d.Code))).ToList();
            if (document == null)
            {
                return new ValidationReport(null, diagnostics, documentErrors, Array.Empty<WorkflowReadiness>(), strict);
            }

            var components = Components(document);
            var sources = document.SourceDescriptions.Select((s, i) => (Source: s, Path: s.Path)).ToList();
            var scoped = new Dictionary<Workflow, (List<Diagnostic> Errors, List<Diagnostic> Warnings)>();
            var byComponent = new Dictionary<string, List<Diagnostic>>(StringComparer.Ordinal);
            var bySource = new Dictionary<SourceDescription, List<Diagnostic>>();
            foreach (var workflow in document.Workflows)
            {
                scoped[workflow] = (new List<Diagnostic>(), new List<Diagnostic>());
            }

            foreach (var diagnostic in diagnostics)
            {
                var workflow = document.Workflows.FirstOrDefault(w => Under(diagnostic.Location, w.Path));
                if (workflow != null)
                {
                    diagnostic.WorkflowId = workflow.WorkflowId;
                    (Blocking(diagnostic) ? scoped[workflow].Errors : scoped[workflow].Warnings).Add(diagnostic);
                    continue;
                }

                var component = components.FirstOrDefault(c => Under(diagnostic.Location, c.Path));
                if (component.Key != null)
                {
                    Add(byComponent, component.Key, diagnostic);
                    continue;
                }

                var source = sources.FirstOrDefault(s => Under(diagnostic.Location, s.Path)).Source;
                if (source != null)
                {
                    Add(bySource, source, diagnostic);
                }
            }

            var readiness = new List<WorkflowReadiness>();
            foreach (var workflow in document.Workflows)
            {
                var strings = Strings(WorkflowNode(document, workflow));
                var errors = new List<Diagnostic>(documentErrors);
                var warnings = new List<Diagnostic>();
                errors.AddRange(scoped[workflow].Errors);
                warnings.AddRange(scoped[workflow].Warnings);
                foreach (var (key, _) in components.Where(c => byComponent.ContainsKey(c.Key) && Uses(strings, c.Key)))
                {
                    errors.AddRange(byComponent[key].Where(Blocking));
                    warnings.AddRange(byComponent[key].Where(d => !Blocking(d)));
                }

                foreach (var pair in bySource.Where(p => UsesSource(strings, workflow, p.Key)))
                {
                    errors.AddRange(pair.Value.Where(Blocking));
                    warnings.AddRange(pair.Value.Where(d => !Blocking(d)));
                }

                var line = document.Source?.Find(workflow.Path)?.Line ?? 0;
                readiness.Add(new WorkflowReadiness
                {
                    Workflow = workflow,
                    WorkflowId = workflow.WorkflowId,
                    Errors = errors.Distinct().ToList(),
                    Warnings = warnings.Distinct().ToList(),
                    CanRun = errors.Count == 0,
                    Reason = errors.Count == 0 ? null : Summarize(workflow, errors),
                    Line = line,
                });
            }

            PropagateDependencies(document, readiness);
            return new ValidationReport(document, diagnostics, documentErrors, readiness, strict);
        }

        /// <summary>A workflow that depends on one that cannot run cannot run either (to a fixpoint, so chains carry).</summary>
        private static void PropagateDependencies(ArazzoDocument document, List<WorkflowReadiness> readiness)
        {
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var entry in readiness.Where(r => r.CanRun))
                {
                    var workflow = entry.Workflow!;
                    var needed = workflow.DependsOn.Concat(workflow.Steps.Where(s => s.WorkflowId != null).Select(s => s.WorkflowId!));
                    foreach (var id in needed)
                    {
                        var target = readiness.FirstOrDefault(r => r.WorkflowId == id);
                        if (target != null && !target.CanRun)
                        {
                            entry.CanRun = false;
                            entry.BlockedBy = target.WorkflowId;
                            entry.Reason = $"it depends on workflow '{target.WorkflowId}', which cannot run: {target.Reason}";
                            changed = true;
                            break;
                        }
                    }
                }
            }
        }

        private static string Summarize(Workflow workflow, List<Diagnostic> errors)
        {
            var first = errors[0];
            var where = first.Line > 0 ? $" (line {first.Line})" : string.Empty;
            var more = errors.Count > 1 ? $", and {errors.Count - 1} more error(s)" : string.Empty;
            return $"{first.Message}{where}{more}";
        }

        /// <summary>True when <paramref name="location"/> is <paramref name="path"/> or a path below it.</summary>
        private static bool Under(string location, string path) =>
            location.StartsWith(path, StringComparison.Ordinal) && (location.Length == path.Length || location[path.Length] == '.' || location[path.Length] == '[');

        private static List<(string Key, string Path)> Components(ArazzoDocument document)
        {
            var result = new List<(string, string)>();
            var components = document.Components;
            var root = JsonPaths.Property(JsonPaths.Root, "components");
            foreach (var type in s_componentTypes)
            {
                IEnumerable<string> names = type switch
                {
                    "inputs" => components.Inputs.Keys,
                    "parameters" => components.Parameters.Keys,
                    "successActions" => components.SuccessActions.Keys,
                    _ => components.FailureActions.Keys,
                };
                foreach (var name in names)
                {
                    result.Add((type + "/" + name, JsonPaths.Property(JsonPaths.Property(root, type), name)));
                }
            }

            return result;
        }

        /// <summary>Whether a workflow's text refers to the component (<c>$components.type.name</c> or <c>#/components/type/name</c>).</summary>
        private static bool Uses(List<string> strings, string key)
        {
            var slash = key.IndexOf('/');
            var type = key.Substring(0, slash);
            var name = key.Substring(slash + 1);
            var expression = "$components." + type + "." + name;
            var pointer = "#/components/" + type + "/" + name;
            return strings.Any(s => Mentions(s, expression) || Mentions(s, pointer));
        }

        private static bool Mentions(string text, string reference)
        {
            for (var at = text.IndexOf(reference, StringComparison.Ordinal); at >= 0; at = text.IndexOf(reference, at + 1, StringComparison.Ordinal))
            {
                var end = at + reference.Length;
                if (end == text.Length || !(char.IsLetterOrDigit(text[end]) || text[end] == '_' || text[end] == '-'))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool UsesSource(List<string> strings, Workflow workflow, SourceDescription source) =>
            strings.Any(s => Mentions(s, "$sourceDescriptions." + source.Name))
            || workflow.Steps.Any(s => (s.OperationId != null && !s.OperationId.Contains("$sourceDescriptions.")) || (s.OperationPath != null && !s.OperationPath.Contains("$sourceDescriptions.")));

        /// <summary>The workflow as written (its path is <c>$.workflows[i]</c>).</summary>
        private static JsonNode? WorkflowNode(ArazzoDocument document, Workflow workflow)
        {
            var open = workflow.Path.LastIndexOf('[');
            return document.Source?.Root is JsonObject root && root["workflows"] is JsonArray list && open > 0
                && int.TryParse(workflow.Path.Substring(open + 1, workflow.Path.Length - open - 2), out var index) && index >= 0 && index < list.Count
                ? list[index]
                : null;
        }

        /// <summary>Every string (keys excepted) in a subtree, to a bounded depth.</summary>
        private static List<string> Strings(JsonNode? node)
        {
            var result = new List<string>();
            var stack = new Stack<(JsonNode? Node, int Depth)>();
            stack.Push((node, 0));
            while (stack.Count > 0)
            {
                var (current, depth) = stack.Pop();
                if (depth > 64)
                {
                    continue;
                }

                switch (current)
                {
                    case JsonObject obj:
                        foreach (var pair in obj)
                        {
                            stack.Push((pair.Value, depth + 1));
                        }

                        break;
                    case JsonArray array:
                        foreach (var item in array)
                        {
                            stack.Push((item, depth + 1));
                        }

                        break;
                    case JsonValue value when value.TryGetValue<string>(out var text):
                        result.Add(text);
                        break;
                }
            }

            return result;
        }

        private static void Add<TKey>(Dictionary<TKey, List<Diagnostic>> map, TKey key, Diagnostic diagnostic)
            where TKey : notnull
        {
            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = new List<Diagnostic>();
            }

            list.Add(diagnostic);
        }
    }
}
