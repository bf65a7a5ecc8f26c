using System.Collections.Generic;
using Daytona.Arazzo.Criteria;
using Daytona.Arazzo.Expressions;
using Daytona.Arazzo.Model;

namespace Daytona.Arazzo.Execution
{
    /// <summary>Evaluates a list of criteria for the runner: all must hold; leniencies are warned about once per run.</summary>
    internal sealed class CriteriaChecker
    {
        private readonly RunState _state;

        public CriteriaChecker(RunState state) => _state = state;

        /// <summary>True when every criterion holds (an empty list holds); a criterion that cannot be evaluated does not hold.</summary>
        public bool AllHold(IEnumerable<Criterion> criteria, ExpressionContext context) => FirstUnmet(criteria, context, trace: true) == null;

        /// <summary>Null when every criterion holds; else why the first that does not hold failed.</summary>
        public string? FirstUnmet(IEnumerable<Criterion> criteria, ExpressionContext context, bool trace = false)
        {
            foreach (var criterion in criteria)
            {
                var outcome = CriterionEvaluator.Evaluate(criterion, context, _state.Options.Strict, _state.Token);
                if (outcome.Leniency != null)
                {
                    _state.WarnOnce(outcome.Leniency);
                }

                if (outcome.Error != null && trace)
                {
                    _state.Listener.Trace($"criterion '{criterion.Condition}' could not be evaluated: {outcome.Error}");
                }

                if (!outcome.Satisfied)
                {
                    return outcome.Error != null
                        ? $"criterion '{criterion.Condition}' could not be evaluated: {outcome.Error}"
                        : $"criterion '{criterion.Condition}' was not met";
                }
            }

            return null;
        }
    }
}
