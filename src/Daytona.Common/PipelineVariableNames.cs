using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Daytona.Common
{
    /// <summary>
    /// Names of Azure Pipelines variables: the rule they follow (azure-devops-docs, "Variable naming restrictions":
    /// letters, digits, <c>.</c> and <c>_</c>; no name starting with a prefix the system reserves), the
    /// name a task's environment sees (upper case, <c>.</c> as <c>_</c>), and the <c>-Name</c> templates of
    /// Set-DaytonaPipelineVariable.
    /// </summary>
    public static class PipelineVariableNames
    {
        /// <summary>The rule, as an error message states it.</summary>
        public const string Rule =
            "Azure Pipelines variable names consist of letters, digits, '.' and '_', and do not start with 'endpoint', 'input', 'secret', 'path' or 'securefile' (in any case)";

        private static readonly string[] s_reservedPrefixes = { "endpoint", "input", "secret", "path", "securefile" };

        /// <summary>Why <paramref name="name"/> is not a valid variable name, or null when it is.</summary>
        public static string? Problem(string name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return "the name is empty";
            }

            foreach (var c in name)
            {
                if (!(c == '.' || c == '_' || (c < 128 && char.IsLetterOrDigit(c))))
                {
                    return $"'{name}' contains '{c}'";
                }
            }

            var reserved = s_reservedPrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));
            return reserved == null ? null : $"'{name}' starts with '{reserved}', which the system reserves (such variables never reach tasks and scripts)";
        }

        /// <summary>
        /// The key under which two names are the same variable: names are case-insensitive, and a task's environment
        /// sees <c>a.b</c> and <c>a_b</c> both as <c>A_B</c>.
        /// </summary>
        public static string EnvironmentName(string name) => name.ToUpperInvariant().Replace('.', '_');

        /// <summary>
        /// Expands a template: <c>{Property}</c> is the property's name, <c>{Index}</c> the object's position in the
        /// pipeline (from 0), and any other <c>{X}</c> the value of the object's property X (<paramref name="valueOf"/>;
        /// null when it has none). <c>{{</c> and <c>}}</c> stand for braces. Throws a <see cref="FormatException"/>
        /// that says what is wrong.
        /// </summary>
        public static string Expand(string template, string property, int index, Func<string, string?> valueOf)
        {
            var result = new StringBuilder();
            for (var i = 0; i < template.Length; i++)
            {
                var c = template[i];
                if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
                {
                    result.Append('{');
                    i++;
                    continue;
                }

                if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
                {
                    result.Append('}');
                    i++;
                    continue;
                }

                if (c == '}')
                {
                    throw new FormatException($"'}}' at position {i + 1} closes no placeholder (write '}}}}' for a brace).");
                }

                if (c != '{')
                {
                    result.Append(c);
                    continue;
                }

                var end = template.IndexOf('}', i + 1);
                if (end < 0)
                {
                    throw new FormatException($"the placeholder that opens at position {i + 1} is not closed with '}}'.");
                }

                var placeholder = template.Substring(i + 1, end - i - 1).Trim();
                if (placeholder.Length == 0)
                {
                    throw new FormatException($"the placeholder at position {i + 1} is empty: use {{Property}}, {{Index}} or a property name such as {{Name}}.");
                }

                if (string.Equals(placeholder, "Property", StringComparison.OrdinalIgnoreCase))
                {
                    result.Append(property);
                }
                else if (string.Equals(placeholder, "Index", StringComparison.OrdinalIgnoreCase))
                {
                    result.Append(index.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    result.Append(valueOf(placeholder) ?? throw new FormatException($"the object has no property '{placeholder}' with a simple value for {{{placeholder}}}."));
                }

                i = end;
            }

            return result.ToString();
        }

        /// <summary>Checks a template's syntax without an object: its error message, or null when it is well formed.</summary>
        public static string? TemplateProblem(string template)
        {
            try
            {
                Expand(template, "Property", 0, _ => "x");
                return null;
            }
            catch (FormatException e)
            {
                return e.Message;
            }
        }

        /// <summary>Groups of names that are the same variable (<see cref="EnvironmentName"/>); empty when all differ.</summary>
        public static IReadOnlyList<IReadOnlyList<string>> Collisions(IEnumerable<string> names)
        {
            return names
                .GroupBy(EnvironmentName, StringComparer.Ordinal)
                .Where(g => g.Count() > 1)
                .Select(g => (IReadOnlyList<string>)g.ToList())
                .ToList();
        }
    }
}
