using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Daytona.Recording.Planning;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Daytona.Recording.Writing
{
    /// <summary>
    /// Writes a planned workflow as an Arazzo 1.0.1 document in YAML (YamlDotNet's representation model, so the order
    /// of keys is the order a reader expects: the seed's), with one source description: the Daytona description
    /// written beside it.
    /// </summary>
    public static class ArazzoDocumentWriter
    {
        public static string Write(PlannedWorkflow plan, string descriptionUrl, string title)
        {
            var root = new YamlMappingNode
            {
                { "arazzo", "1.0.1" },
                {
                    "info", Map(
                        ("title", Text(title)),
                        ("summary", Text(plan.Summary)),
                        ("description", Text(plan.Description)),
                        ("version", Text("1.0.0")))
                },
                {
                    "sourceDescriptions", new YamlSequenceNode(Map(
                        ("name", Text(Description.DaytonaDescription.SourceName)),
                        ("url", Text(descriptionUrl)),
                        ("type", Text("openapi"))))
                },
                { "workflows", new YamlSequenceNode(Workflow(plan)) },
            };

            using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
            var stream = new YamlStream(new YamlDocument(root));
            stream.Save(new WideEmitter(writer), assignAnchors: false);

            // YamlStream ends each document with an explicit end marker; one document needs none.
            var text = writer.ToString();
            return text.EndsWith("...\n", StringComparison.Ordinal) ? text.Substring(0, text.Length - 4) : text;
        }

        private static YamlMappingNode Workflow(PlannedWorkflow plan)
        {
            var properties = new YamlMappingNode();
            foreach (var input in plan.Inputs)
            {
                properties.Add(input.Name, Node(input.Schema));
            }

            var inputs = new YamlMappingNode { { "type", "object" } };
            var required = plan.Inputs.Where(i => i.Required).Select(i => (YamlNode)Text(i.Name)).ToList();
            if (required.Count > 0)
            {
                inputs.Add("required", new YamlSequenceNode(required));
            }

            inputs.Add("properties", properties);

            var workflow = Map(
                ("workflowId", Text(plan.WorkflowId)),
                ("summary", Text(plan.Summary)),
                ("description", Text(plan.Description)),
                ("inputs", inputs),
                ("steps", new YamlSequenceNode(plan.Steps.Select(Step))));
            if (plan.Outputs.Count > 0)
            {
                workflow.Add("outputs", Outputs(plan.Outputs));
            }

            return workflow;
        }

        private static YamlNode Step(PlannedStep step)
        {
            var node = Map(
                ("stepId", Text(step.StepId)),
                ("description", Text(step.Description)),
                ("operationId", Text(step.OperationId)));
            if (step.Parameters.Count > 0)
            {
                node.Add("parameters", new YamlSequenceNode(step.Parameters.Select(p => (YamlNode)Map(
                    ("name", Text(p.Name)),
                    ("in", Text(p.In)),
                    ("value", Text(p.Value))))));
            }

            if (step.Payload != null)
            {
                node.Add("requestBody", Map(
                    ("contentType", Text("application/json")),
                    ("payload", Node(step.Payload))));
            }

            node.Add("successCriteria", new YamlSequenceNode(Map(("condition", Text("$statusCode == " + step.SuccessStatus.ToString(CultureInfo.InvariantCulture))))));
            if (step.OnSuccess.Count > 0)
            {
                node.Add("onSuccess", new YamlSequenceNode(step.OnSuccess.Select(Action)));
            }

            if (step.OnFailure.Count > 0)
            {
                node.Add("onFailure", new YamlSequenceNode(step.OnFailure.Select(Action)));
            }

            if (step.Outputs.Count > 0)
            {
                node.Add("outputs", Outputs(step.Outputs));
            }

            return node;
        }

        private static YamlNode Action(PlannedAction action)
        {
            var node = Map(("name", Text(action.Name)), ("type", Text(action.Type)));
            if (action.Type == "goto" && action.StepId != null)
            {
                node.Add("stepId", Text(action.StepId));
            }

            if (action.RetryAfter != null)
            {
                node.Add("retryAfter", Number(action.RetryAfter.Value));
            }

            if (action.RetryLimit != null)
            {
                node.Add("retryLimit", Number(action.RetryLimit.Value));
            }

            if (action.Criteria.Count > 0)
            {
                node.Add("criteria", new YamlSequenceNode(action.Criteria.Select(c =>
                {
                    var criterion = new YamlMappingNode();
                    if (c.Context != null)
                    {
                        criterion.Add("context", Text(c.Context));
                    }

                    criterion.Add("condition", Text(c.Condition));
                    if (c.Type != null)
                    {
                        criterion.Add("type", Text(c.Type));
                    }

                    return (YamlNode)criterion;
                })));
            }

            return node;
        }

        private static YamlMappingNode Outputs(IEnumerable<KeyValuePair<string, string>> outputs)
        {
            var node = new YamlMappingNode();
            foreach (var pair in outputs)
            {
                node.Add(pair.Key, Text(pair.Value));
            }

            return node;
        }

        private static YamlMappingNode Map(params (string Key, YamlNode Value)[] pairs)
        {
            var node = new YamlMappingNode();
            foreach (var (key, value) in pairs)
            {
                node.Add(key, value);
            }

            return node;
        }

        /// <summary>A JSON value as YAML: objects and arrays in block style, strings quoted only where YAML would read them as something else.</summary>
        private static YamlNode Node(JsonNode? value)
        {
            switch (value)
            {
                case JsonObject o:
                    var map = new YamlMappingNode();
                    foreach (var pair in o)
                    {
                        map.Add(pair.Key, Node(pair.Value));
                    }

                    return map;
                case JsonArray a:
                    return new YamlSequenceNode(a.Select(Node));
                case JsonValue v when v.TryGetValue<string>(out var s):
                    return Text(s);
                case JsonValue v when v.TryGetValue<bool>(out var b):
                    return new YamlScalarNode(b ? "true" : "false");
                case null:
                    return new YamlScalarNode("null");
                default:
                    return new YamlScalarNode(value.ToJsonString());
            }
        }

        private static YamlScalarNode Number(double value) => new YamlScalarNode(value.ToString("R", CultureInfo.InvariantCulture));

        /// <summary>
        /// A string scalar: a block literal when it has line breaks (a Dockerfile), single-quoted when plain YAML would
        /// read it as a number, boolean or null (a name like <c>2024</c>), else as the emitter chooses (plain when it can).
        /// </summary>
        private static YamlScalarNode Text(string text)
        {
            if (text.IndexOf('\n') >= 0 && text.IndexOf('\r') < 0 && !text.EndsWith(" ", StringComparison.Ordinal) && text.Split('\n').All(line => line.Length == 0 || line[0] != ' '))
            {
                return new YamlScalarNode(text) { Style = ScalarStyle.Literal };
            }

            return new YamlScalarNode(text) { Style = ReadsAsOtherThanText(text) ? ScalarStyle.SingleQuoted : ScalarStyle.Any };
        }

        private static bool ReadsAsOtherThanText(string text)
        {
            if (text.Length == 0)
            {
                return true;
            }

            switch (text.ToLowerInvariant())
            {
                case "null":
                case "~":
                case "true":
                case "false":
                case "yes":
                case "no":
                case "on":
                case "off":
                case ".nan":
                case ".inf":
                case "-.inf":
                    return true;
            }

            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                || (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && text.Length > 2)
                || (text.StartsWith("0o", StringComparison.OrdinalIgnoreCase) && text.Length > 2);
        }

        /// <summary>The emitter with lines that never fold, so a condition or a description is one line that reads whole.</summary>
        private sealed class WideEmitter : Emitter
        {
            public WideEmitter(TextWriter writer)
                : base(writer, new EmitterSettings(bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false, maxSimpleKeyLength: 1024, indentSequences: false))
            {
            }
        }
    }
}
