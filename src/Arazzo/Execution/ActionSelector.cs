using System.Collections.Generic;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;

namespace Daytona.Arazzo.Execution
{
    /// <summary>What the runner does after a step.</summary>
    internal enum MoveKind
    {
        /// <summary>On to the next step (the workflow ends after its last).</summary>
        Next,

        /// <summary>End the workflow: successfully after a success, as failed after a failure.</summary>
        End,

        /// <summary>Go to a step of this workflow.</summary>
        GotoStep,

        /// <summary>Transfer to another workflow, whose outcome becomes this one's.</summary>
        GotoWorkflow,

        /// <summary>Run the step again (after an optional detour through a step or workflow).</summary>
        Retry,

        /// <summary>The step failed and no failure action handles it: the workflow fails.</summary>
        Fail,
    }

    /// <summary>The decision taken after a step: the kind of move and the action that asked for it.</summary>
    internal readonly struct Move
    {
        private Move(MoveKind kind, ActionDefinition? action)
        {
            Kind = kind;
            Action = action;
        }

        public MoveKind Kind { get; }

        /// <summary>The success or failure action chosen; null for <see cref="MoveKind.Next"/> and <see cref="MoveKind.Fail"/>.</summary>
        public ActionDefinition? Action { get; }

        public static Move Next { get; } = new Move(MoveKind.Next, null);

        public static Move Fail { get; } = new Move(MoveKind.Fail, null);

        public static Move For(ActionDefinition action)
        {
            switch (action.Kind)
            {
                case ActionType.End:
                    return new Move(MoveKind.End, action);
                case ActionType.Retry:
                    return new Move(MoveKind.Retry, action);
                case ActionType.Goto:
                    return new Move(action.StepId != null ? MoveKind.GotoStep : MoveKind.GotoWorkflow, action);
                default:
                    // A document with an action of unknown type does not pass validation; should one get here, the
                    // step is treated as not handled.
                    return Fail;
            }
        }
    }

    /// <summary>
    /// Chooses what follows a step (Arazzo 1.0.1 §4.6.7–4.6.8): after a success, the first success action whose
    /// criteria hold, else the next step; after a failure, the first failure action whose criteria hold — a retry
    /// only while its retryLimit lasts, after which the next matching action is considered — else the workflow fails.
    /// The step's actions come first, then its workflow's that the step does not override by name.
    /// </summary>
    internal sealed class ActionSelector
    {
        private readonly CriteriaChecker _criteria;
        private readonly Dictionary<Step, List<ActionDefinition>> _successActions = new Dictionary<Step, List<ActionDefinition>>();
        private readonly Dictionary<Step, List<ActionDefinition>> _failureActions = new Dictionary<Step, List<ActionDefinition>>();

        public ActionSelector(CriteriaChecker criteria) => _criteria = criteria;

        public Move AfterSuccess(WorkflowRun run, Step step, ExpressionContext context)
        {
            run.Retries.Reset(step.StepId);
            foreach (var action in Actions(run.Workflow, step, failure: false))
            {
                if (_criteria.AllHold(action.Criteria, context))
                {
                    return Move.For(action);
                }
            }

            return Move.Next;
        }

        public Move AfterFailure(WorkflowRun run, Step step, ExpressionContext context)
        {
            foreach (var action in Actions(run.Workflow, step, failure: true))
            {
                if (!_criteria.AllHold(action.Criteria, context))
                {
                    continue;
                }

                if (action.Kind == ActionType.Retry && !run.Retries.TryUse(step.StepId, action.Name, action.RetryLimit ?? 1))
                {
                    continue;
                }

                return Move.For(action);
            }

            return Move.Fail;
        }

        /// <summary>The step's success or failure actions merged with its workflow's (resolved once per run).</summary>
        private List<ActionDefinition> Actions(Workflow workflow, Step step, bool failure)
        {
            var cache = failure ? _failureActions : _successActions;
            if (!cache.TryGetValue(step, out var actions))
            {
                actions = References.EffectiveActions(workflow, step, failure);
                cache[step] = actions;
            }

            return actions;
        }
    }
}
