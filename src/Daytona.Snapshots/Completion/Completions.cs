using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace Daytona.Snapshots.Completion
{
    /// <summary>Turns candidate values into completion results: matched case-insensitively by prefix, quoted when needed.</summary>
    internal static class Completions
    {
        public static IEnumerable<CompletionResult> Matching(IEnumerable<string> candidates, string? wordToComplete, Func<string, string>? tooltip = null)
        {
            var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = WildcardPattern.Get(WildcardPattern.Escape(word) + "*", WildcardOptions.IgnoreCase);
            return candidates
                .Where(c => !string.IsNullOrEmpty(c) && pattern.IsMatch(c))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .OrderBy(c => c, StringComparer.OrdinalIgnoreCase)
                .Select(c => new CompletionResult(Quote(c), c, CompletionResultType.ParameterValue, tooltip?.Invoke(c) ?? c));
        }

        /// <summary>Quotes a value that PowerShell would otherwise split or interpret.</summary>
        public static string Quote(string value)
        {
            foreach (var c in value)
            {
                if (char.IsWhiteSpace(c) || "'\"`$();{}@&|<>,#".IndexOf(c) >= 0)
                {
                    return "'" + value.Replace("'", "''") + "'";
                }
            }

            return value;
        }
    }
}
