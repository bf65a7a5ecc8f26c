using System;
using System.Collections.Generic;
using System.Linq;
using Daytona.Arazzo.Expressions;

namespace Daytona.Arazzo.Model
{
    /// <summary>Resolves Reusable Objects (<c>$components.…</c>) and merges workflow-level lists into steps.</summary>
    public static class References
    {
        /// <summary>The parameter a Reusable Object points at (with its value overridden when given), or the parameter itself.</summary>
        public static Parameter? Resolve(ArazzoDocument document, Parameter parameter, out string? error)
        {
            error = null;
            if (parameter.Reference == null)
            {
                return parameter;
            }

            if (!RuntimeExpression.TryParse(parameter.Reference, out var expression, out var parseError) || expression!.Source != ExpressionSource.Components || expression.Owner != "parameters")
            {
                error = $"The parameter reference '{parameter.Reference}' must be $components.parameters.<name>" + (parseError == null ? "." : $": {parseError}");
                return null;
            }

            if (!document.Components.Parameters.TryGetValue(expression.Name!, out var target))
            {
                error = $"The parameter reference '{parameter.Reference}' points at no parameter in components.parameters.";
                return null;
            }

            var copy = target.Clone();
            if (parameter.HasValue)
            {
                copy.Value = parameter.Value;
                copy.HasValue = true;
            }

            copy.Path = parameter.Path;
            return copy;
        }

        public static ActionDefinition? Resolve(ArazzoDocument document, ActionDefinition action, out string? error)
        {
            error = null;
            if (action.Reference == null)
            {
                return action;
            }

            var expected = action.IsFailureAction ? "failureActions" : "successActions";
            if (!RuntimeExpression.TryParse(action.Reference, out var expression, out var parseError) || expression!.Source != ExpressionSource.Components || expression.Owner != expected)
            {
                error = $"The action reference '{action.Reference}' must be $components.{expected}.<name>" + (parseError == null ? "." : $": {parseError}");
                return null;
            }

            var map = action.IsFailureAction ? document.Components.FailureActions : document.Components.SuccessActions;
            if (!map.TryGetValue(expression.Name!, out var target))
            {
                error = $"The action reference '{action.Reference}' points at nothing in components.{expected}.";
                return null;
            }

            return target;
        }

        /// <summary>Workflow parameters overridden by the step's (same name and location), references resolved.</summary>
        public static List<Parameter> EffectiveParameters(Workflow workflow, Step step)
        {
            var result = new List<Parameter>();
            foreach (var parameter in workflow.Parameters.Concat(step.Parameters))
            {
                var resolved = Resolve(workflow.Document, parameter, out _);
                if (resolved == null)
                {
                    continue;
                }

                result.RemoveAll(p => p.Name == resolved.Name && string.Equals(p.In, resolved.In, StringComparison.Ordinal));
                result.Add(resolved);
            }

            return result;
        }

        /// <summary>The step's actions, then the workflow's actions whose names the step does not override.</summary>
        public static List<ActionDefinition> EffectiveActions(Workflow workflow, Step step, bool failure)
        {
            var result = new List<ActionDefinition>();
            foreach (var action in failure ? step.OnFailure : step.OnSuccess)
            {
                if (Resolve(workflow.Document, action, out _) is ActionDefinition resolved)
                {
                    result.Add(resolved);
                }
            }

            foreach (var action in failure ? workflow.FailureActions : workflow.SuccessActions)
            {
                if (Resolve(workflow.Document, action, out _) is ActionDefinition resolved && !result.Any(a => a.Name == resolved.Name))
                {
                    result.Add(resolved);
                }
            }

            return result;
        }
    }
}
