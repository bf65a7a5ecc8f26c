using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;

namespace Daytona.Arazzo
{
    /// <summary>One input a workflow declares.</summary>
    public sealed class WorkflowInput
    {
        public string Name { get; internal set; } = string.Empty;

        public string? Type { get; internal set; }

        public bool Required { get; internal set; }

        public string? Description { get; internal set; }

        public object? Default { get; internal set; }

        public override string ToString() => Required ? Name + "*" : Name;
    }

    /// <summary>One step of a workflow, as a listing shows it.</summary>
    public sealed class WorkflowStepInfo
    {
        public string StepId { get; internal set; } = string.Empty;

        /// <summary>operationId, operationPath or workflowId.</summary>
        public string Kind { get; internal set; } = string.Empty;

        public string Target { get; internal set; } = string.Empty;

        public string? Description { get; internal set; }

        public string[] OnSuccess { get; internal set; } = Array.Empty<string>();

        public string[] OnFailure { get; internal set; } = Array.Empty<string>();

        public string[] Outputs { get; internal set; } = Array.Empty<string>();

        public override string ToString() => StepId;
    }

    /// <summary>A workflow of a document: its inputs, steps and outputs.</summary>
    public sealed class WorkflowInfo
    {
        public string WorkflowId { get; internal set; } = string.Empty;

        public string? Summary { get; internal set; }

        public string? Description { get; internal set; }

        public WorkflowInput[] Inputs { get; internal set; } = Array.Empty<WorkflowInput>();

        public WorkflowStepInfo[] Steps { get; internal set; } = Array.Empty<WorkflowStepInfo>();

        public string[] Outputs { get; internal set; } = Array.Empty<string>();

        public string[] DependsOn { get; internal set; } = Array.Empty<string>();

        /// <summary>The document's title.</summary>
        public string? Title { get; internal set; }

        /// <summary>The file the workflow is in.</summary>
        public string? Path { get; internal set; }

        public override string ToString() => WorkflowId;

        public static IReadOnlyList<WorkflowInfo> Describe(ArazzoDocument document) => document.Workflows.Select(w => Describe(document, w)).ToList();

        private static string DescribeAction(ActionDefinition action)
        {
            if (action.Reference != null)
            {
                return action.Reference;
            }

            var target = action.StepId ?? action.WorkflowId;
            return target == null ? $"{action.Name} ({action.Type})" : $"{action.Name} ({action.Type} {target})";
        }

        private static WorkflowInfo Describe(ArazzoDocument document, Workflow workflow)
        {
            var schema = Daytona.Arazzo.Inputs.InputSchema.For(workflow);
            var required = schema?.Root != null ? schema.Required(schema.Root) : new HashSet<string>();
            var inputs = schema?.Root != null
                ? schema.Properties(schema.Root).Select(p => new WorkflowInput
                {
                    Name = p.Key,
                    Type = schema.Types(p.Value) is { Count: > 0 } types ? string.Join("|", types) : null,
                    Required = required.Contains(p.Key),
                    Description = (p.Value as JsonObject)?["description"] is JsonNode description ? JsonUtil.Render(description) : null,
                    Default = (p.Value as JsonObject) is JsonObject o && o.TryGetPropertyValue("default", out var d) ? JsonUtil.ToPlain(d) : null,
                }).ToArray()
                : Array.Empty<WorkflowInput>();
            return new WorkflowInfo
            {
                WorkflowId = workflow.WorkflowId,
                Summary = workflow.Summary,
                Description = workflow.Description,
                Inputs = inputs,
                Steps = workflow.Steps.Select(s => new WorkflowStepInfo
                {
                    StepId = s.StepId,
                    Kind = s.OperationId != null ? "operationId" : s.OperationPath != null ? "operationPath" : s.WorkflowId != null ? "workflowId" : string.Empty,
                    Target = s.Target,
                    Description = s.Description,
                    OnSuccess = s.OnSuccess.Select(DescribeAction).ToArray(),
                    OnFailure = s.OnFailure.Select(DescribeAction).ToArray(),
                    Outputs = s.Outputs.Select(o => o.Name).ToArray(),
                }).ToArray(),
                Outputs = workflow.Outputs.Select(o => o.Name).ToArray(),
                DependsOn = workflow.DependsOn.ToArray(),
                Title = document.Info.Title,
                Path = document.Location,
            };
        }
    }
}
