using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Daytona.Recording.Planning
{
    /// <summary>
    /// Stand-ins for input names and step ids while the plan is made (they depend on every snapshot the session met),
    /// replaced by the final names in <see cref="PlanNamer"/>: <c>⟦in:3⟧</c>, <c>⟦st:7⟧</c>.
    /// </summary>
    internal static class Placeholders
    {
        private const string InputMark = "\u27e6in:";
        private const string StepMark = "\u27e6st:";
        private const char Start = '\u27e6';
        private const string End = "\u27e7";

        public static string Mark(PlannedInput input) => InputMark + input.Serial.ToString(CultureInfo.InvariantCulture) + End;

        public static string Mark(PlannedStep step) => StepMark + step.Serial.ToString(CultureInfo.InvariantCulture) + End;

        /// <summary>Replaces every placeholder in <paramref name="text"/> by its name.</summary>
        public static string Resolve(string text, IReadOnlyDictionary<string, string> names)
        {
            var start = text.IndexOf(Start);
            if (start < 0)
            {
                return text;
            }

            var result = new StringBuilder();
            var position = 0;
            while (start >= 0)
            {
                var end = text.IndexOf(End, start, StringComparison.Ordinal);
                result.Append(text, position, start - position);
                var mark = text.Substring(start, end - start + 1);
                result.Append(names.TryGetValue(mark, out var name) ? name : throw new InvalidOperationException("Unresolved placeholder in a planned step."));
                position = end + 1;
                start = text.IndexOf(Start, position);
            }

            result.Append(text, position, text.Length - position);
            return result.ToString();
        }
    }
}
