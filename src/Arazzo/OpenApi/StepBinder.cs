using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;

namespace Daytona.Arazzo.OpenApi
{
    /// <summary>What a step calls, once bound: an operation, or a workflow (local or in a nested Arazzo source).</summary>
    public sealed class StepTarget
    {
        public OperationInfo? Operation { get; internal set; }

        public Workflow? Workflow { get; internal set; }

        /// <summary>Why the target could not be bound (then Operation and Workflow are null).</summary>
        public string? Error { get; internal set; }

        /// <summary>The code of <see cref="Error"/>: UnresolvedOperation, AmbiguousOperation, UnknownWorkflow, SourceUnavailable…</summary>
        public string? ErrorCode { get; internal set; }

        /// <summary>Set when the target was bound from a non-standard form: how to write it properly.</summary>
        public string? Lenient { get; internal set; }

        /// <summary>Set when the description itself is at fault and a deterministic choice was made (an operationId used twice).</summary>
        public string? Warning { get; internal set; }

        /// <summary>True when the target could not be checked because its source could not be loaded.</summary>
        public bool SourceUnavailable { get; internal set; }
    }

    /// <summary>Binds steps to operations (by operationId or operationPath) and workflows (by workflowId).</summary>
    public static class StepBinder
    {
        public static async Task<StepTarget> BindAsync(ArazzoDocument document, Step step, SourceResolver resolver, CancellationToken cancellationToken)
        {
            if (step.WorkflowId != null)
            {
                return await BindWorkflowAsync(document, step.WorkflowId, resolver, cancellationToken).ConfigureAwait(false);
            }

            if (step.OperationId != null)
            {
                return await BindOperationIdAsync(document, step.OperationId, resolver, cancellationToken).ConfigureAwait(false);
            }

            if (step.OperationPath != null)
            {
                return await BindOperationPathAsync(document, step.OperationPath, resolver, cancellationToken).ConfigureAwait(false);
            }

            return new StepTarget { Error = $"Step '{step.StepId}' has no operationId, operationPath or workflowId.", ErrorCode = "MissingStepTarget" };
        }

        public static async Task<StepTarget> BindWorkflowAsync(ArazzoDocument document, string workflowId, SourceResolver resolver, CancellationToken cancellationToken)
        {
            var reference = Unbrace(workflowId);
            if (reference.StartsWith("$sourceDescriptions.", StringComparison.Ordinal))
            {
                if (!RuntimeExpression.TryParse(reference, out var expression, out var error))
                {
                    return new StepTarget { Error = $"'{workflowId}' is not a valid runtime expression: {error}", ErrorCode = "MalformedExpression" };
                }

                var source = document.FindSource(expression!.Owner!);
                if (source == null)
                {
                    return new StepTarget { Error = $"'{workflowId}' names the source description '{expression.Owner}', which is not declared.", ErrorCode = "UnknownSourceDescription" };
                }

                if (!source.IsArazzo)
                {
                    return new StepTarget { Error = $"'{workflowId}': source description '{source.Name}' is of type '{source.Type}', not 'arazzo'.", ErrorCode = "UnknownWorkflow" };
                }

                var loaded = await resolver.LoadAsync(document, source, cancellationToken).ConfigureAwait(false);
                if (loaded.Arazzo == null)
                {
                    return new StepTarget { Error = loaded.Error, ErrorCode = "SourceUnavailable", SourceUnavailable = true };
                }

                var nested = loaded.Arazzo.FindWorkflow(expression.Name!);
                if (nested == null && expression.Name!.StartsWith("workflows.", StringComparison.Ordinal)
                    && loaded.Arazzo.FindWorkflow(expression.Name.Substring("workflows.".Length)) is Workflow legacy)
                {
                    // An older draft's form, $sourceDescriptions.<name>.workflows.<workflowId>, which some tools still write.
                    return new StepTarget
                    {
                        Workflow = legacy,
                        Lenient = $"'{workflowId}' names the workflow with the older '.workflows.' form; write '$sourceDescriptions.{source.Name}.{legacy.WorkflowId}'.",
                    };
                }

                return nested == null
                    ? new StepTarget { Error = $"Workflow '{expression.Name}' does not exist in source description '{source.Name}'.", ErrorCode = "UnknownWorkflow" }
                    : new StepTarget { Workflow = nested };
            }

            var local = document.FindWorkflow(reference);
            return local == null
                ? new StepTarget { Error = $"Workflow '{workflowId}' does not exist in this document.", ErrorCode = "UnknownWorkflow" }
                : new StepTarget { Workflow = local };
        }

        private static async Task<StepTarget> BindOperationIdAsync(ArazzoDocument document, string operationId, SourceResolver resolver, CancellationToken cancellationToken)
        {
            var reference = Unbrace(operationId);
            if (reference.StartsWith("$sourceDescriptions.", StringComparison.Ordinal))
            {
                if (!RuntimeExpression.TryParse(reference, out var expression, out var error))
                {
                    return new StepTarget { Error = $"'{operationId}' is not a valid runtime expression: {error}", ErrorCode = "MalformedExpression" };
                }

                var source = document.FindSource(expression!.Owner!);
                if (source == null)
                {
                    return new StepTarget { Error = $"'{operationId}' names the source description '{expression.Owner}', which is not declared.", ErrorCode = "UnknownSourceDescription" };
                }

                var loaded = await resolver.LoadAsync(document, source, cancellationToken).ConfigureAwait(false);
                if (loaded.OpenApi == null)
                {
                    return new StepTarget { Error = loaded.Error, ErrorCode = "SourceUnavailable", SourceUnavailable = true };
                }

                var found = loaded.OpenApi.FindByOperationId(expression.Name!).ToList();
                if (found.Count == 0)
                {
                    var ignoringCase = loaded.OpenApi.Operations.Where(o => string.Equals(o.OperationId, expression.Name, StringComparison.OrdinalIgnoreCase)).ToList();
                    if (ignoringCase.Count == 1)
                    {
                        return new StepTarget
                        {
                            Operation = ignoringCase[0],
                            Lenient = $"operationId '{expression.Name}' matches '{ignoringCase[0].OperationId}' in '{source.Name}' only ignoring case (operationIds are case-sensitive); write '$sourceDescriptions.{source.Name}.{ignoringCase[0].OperationId}'.",
                        };
                    }
                }

                return found.Count switch
                {
                    0 => new StepTarget { Error = $"Operation '{expression.Name}' does not exist in source description '{source.Name}'.", ErrorCode = "UnresolvedOperation" },
                    1 => new StepTarget { Operation = found[0] },
                    _ => FirstOfDuplicates(found),
                };
            }

            var matches = new List<OperationInfo>();
            var unavailable = new List<string>();
            foreach (var source in document.SourceDescriptions.Where(s => !s.IsArazzo))
            {
                var loaded = await resolver.LoadAsync(document, source, cancellationToken).ConfigureAwait(false);
                if (loaded.OpenApi == null)
                {
                    unavailable.Add(loaded.Error ?? source.Name);
                    continue;
                }

                matches.AddRange(loaded.OpenApi.FindByOperationId(reference));
            }

            if (matches.Count == 0)
            {
                var ignoringCase = new List<OperationInfo>();
                foreach (var source in document.SourceDescriptions.Where(s => !s.IsArazzo))
                {
                    var loaded = await resolver.LoadAsync(document, source, cancellationToken).ConfigureAwait(false);
                    ignoringCase.AddRange(loaded.OpenApi?.Operations.Where(o => string.Equals(o.OperationId, reference, StringComparison.OrdinalIgnoreCase)) ?? Enumerable.Empty<OperationInfo>());
                }

                if (ignoringCase.Count == 1)
                {
                    return new StepTarget
                    {
                        Operation = ignoringCase[0],
                        Lenient = $"operationId '{reference}' matches '{ignoringCase[0].OperationId}' only ignoring case (operationIds are case-sensitive); write '{ignoringCase[0].OperationId}'.",
                    };
                }
            }

            if (matches.Count == 1)
            {
                return new StepTarget { Operation = matches[0] };
            }

            if (matches.Select(m => m.SourceName).Distinct().Count() > 1)
            {
                var names = string.Join(", ", matches.Select(m => m.SourceName).Distinct());
                return new StepTarget
                {
                    Error = $"operationId '{operationId}' exists in several source descriptions ({names}); write it as $sourceDescriptions.<name>.{operationId}.",
                    ErrorCode = "AmbiguousOperation",
                };
            }

            if (matches.Count > 1)
            {
                return FirstOfDuplicates(matches);
            }

            // Some tools write "<source>.<operationId>"; accept it when that source has the operation.
            var dot = reference.IndexOf('.');
            if (dot > 0 && document.FindSource(reference.Substring(0, dot)) is SourceDescription named && !named.IsArazzo)
            {
                var loaded = await resolver.LoadAsync(document, named, cancellationToken).ConfigureAwait(false);
                var found = loaded.OpenApi?.FindByOperationId(reference.Substring(dot + 1)).ToList();
                if (found != null && found.Count == 1)
                {
                    return new StepTarget { Operation = found[0], Lenient = $"operationId '{operationId}' names its source with a dot; write '$sourceDescriptions.{named.Name}.{reference.Substring(dot + 1)}'." };
                }
            }

            if (unavailable.Count > 0)
            {
                return new StepTarget { Error = $"operationId '{operationId}' could not be checked: {string.Join("; ", unavailable)}", ErrorCode = "SourceUnavailable", SourceUnavailable = true };
            }

            return new StepTarget { Error = $"No source description has an operation with operationId '{operationId}'.", ErrorCode = "UnresolvedOperation" };
        }

        private static async Task<StepTarget> BindOperationPathAsync(ArazzoDocument document, string operationPath, SourceResolver resolver, CancellationToken cancellationToken)
        {
            var hash = operationPath.IndexOf('#');
            if (hash < 0)
            {
                return new StepTarget { Error = $"operationPath '{operationPath}' needs a JSON Pointer after '#', e.g. '{{$sourceDescriptions.api.url}}#/paths/~1pets/get'.", ErrorCode = "MalformedOperationPath" };
            }

            var head = Unbrace(operationPath.Substring(0, hash));
            var pointer = operationPath.Substring(hash + 1);
            SourceDescription? source = null;
            if (head.StartsWith("$sourceDescriptions.", StringComparison.Ordinal) && RuntimeExpression.TryParse(head, out var expression, out _))
            {
                source = document.FindSource(expression!.Owner!);
                if (source == null)
                {
                    return new StepTarget { Error = $"operationPath '{operationPath}' names the source description '{expression.Owner}', which is not declared.", ErrorCode = "UnknownSourceDescription" };
                }
            }
            else
            {
                // Real documents also write the source's url, or its bare name, before the '#'.
                source = document.SourceDescriptions.FirstOrDefault(s => s.Url == head) ?? document.SourceDescriptions.FirstOrDefault(s => s.Name == head);
            }

            if (source == null)
            {
                return new StepTarget { Error = $"operationPath '{operationPath}' must start with {{$sourceDescriptions.<name>.url}}.", ErrorCode = "MalformedOperationPath" };
            }

            var loaded = await resolver.LoadAsync(document, source, cancellationToken).ConfigureAwait(false);
            if (loaded.OpenApi == null)
            {
                return new StepTarget { Error = loaded.Error, ErrorCode = "SourceUnavailable", SourceUnavailable = true };
            }

            var operation = loaded.OpenApi.FindByPointer(pointer);
            return operation == null
                ? new StepTarget { Error = $"operationPath '{operationPath}' points at no operation in source description '{source.Name}'.", ErrorCode = "UnresolvedOperation" }
                : new StepTarget { Operation = operation };
        }

        /// <summary>
        /// An OpenAPI description that gives one operationId to several operations is at fault, not the workflow: the
        /// first in document order is used, with a warning naming every place and how to call another.
        /// </summary>
        private static StepTarget FirstOfDuplicates(IReadOnlyList<OperationInfo> found)
        {
            var first = found[0];
            var places = string.Join(", ", found.Select(o => $"{o} at #{o.Pointer}"));
            var other = found[1];
            return new StepTarget
            {
                Operation = first,
                Warning = $"operationId '{first.OperationId}' is used by {found.Count} operations in source description '{first.SourceName}' ({places}); " +
                    $"the first in document order, {first.Method} {first.PathTemplate}, is called. To call another, use its operationPath, e.g. '{{$sourceDescriptions.{first.SourceName}.url}}#{other.Pointer}'.",
            };
        }

        private static string Unbrace(string text)
        {
            var trimmed = text.Trim();
            return trimmed.Length > 2 && trimmed[0] == '{' && trimmed[trimmed.Length - 1] == '}' ? trimmed.Substring(1, trimmed.Length - 2) : trimmed;
        }
    }
}
