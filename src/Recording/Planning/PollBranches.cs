using System.Collections.Generic;
using System.Linq;

namespace Daytona.Recording.Planning
{
    /// <summary>
    /// The branches of a polling step in the shape of Daytona's build-and-activate workflow: "inactive" goes to the
    /// activation, "alreadyActive" and "buildFailed" go on (or end), "stillBuilding" loops. Conditions are RFC 9535
    /// filters over the response body (<c>$[?$.state == "inactive"]</c>), which the engine accepts under -Strict.
    /// </summary>
    internal static class PollBranches
    {
        /// <summary>The states a wait ends on as a failure (Wait-DaytonaSnapshot fails on each).</summary>
        public static readonly string[] FailureStates = { "error", "build_failed", "removing" };

        /// <summary>Every state that does not change by itself.</summary>
        public static readonly string[] SettledStates = { "active", "inactive", "error", "build_failed", "removing" };

        /// <summary>Adds the branches to a poll (with its activation when Enable-DaytonaSnapshot acted on it) or a check.</summary>
        public static void Add(PlannedStep step)
        {
            if (step.Kind == StepKind.Poll)
            {
                Describe(step);
            }

            if (step.Activation != null)
            {
                step.OnSuccess.Add(Goto("inactive", step.Activation, StateIs("inactive")));
                step.OnSuccess.Add(Next("alreadyActive", StateIs("active")));
            }

            if (step.Kind == StepKind.Poll)
            {
                step.OnSuccess.Add(Next("buildFailed", StateIsAny(FailureStates)));
                step.OnSuccess.Add(Goto("stillBuilding", step, StateIsNone(SettledStates)));
            }
        }

        public static void Describe(PlannedStep poll)
        {
            var seen = poll.States.Count == 0 ? string.Empty : " The recorded session saw: " + string.Join(" → ", poll.States) + ".";
            poll.Description = "Poll the snapshot until it settles, looping while it is pending, pulling or building, and ending if the build fails." + seen;
        }

        public static (string?, string, string?) StateIs(string state) => ("$response.body", "$[?$.state == \"" + state + "\"]", "jsonpath");

        public static (string?, string, string?) StateIsAny(IEnumerable<string> states) =>
            ("$response.body", "$[?" + string.Join(" || ", states.Select(s => "$.state == \"" + s + "\"")) + "]", "jsonpath");

        public static (string?, string, string?) StateIsNone(IEnumerable<string> states) =>
            ("$response.body", "$[?" + string.Join(" && ", states.Select(s => "$.state != \"" + s + "\"")) + "]", "jsonpath");

        public static PlannedAction Goto(string name, PlannedStep target, (string?, string, string?) criterion) =>
            new PlannedAction { Name = name, Type = "goto", Target = target, Criteria = { criterion } };

        public static PlannedAction Next(string name, (string?, string, string?) criterion) =>
            new PlannedAction { Name = name, Type = "goto", ToNext = true, Criteria = { criterion } };
    }
}
