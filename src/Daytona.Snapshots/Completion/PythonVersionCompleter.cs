using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Daytona.Images;

namespace Daytona.Snapshots.Completion
{
    /// <summary>Completes the Python versions Daytona's debianSlim images support: each series, then its newest micro version.</summary>
    public sealed class PythonVersionCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var word = wordToComplete ?? string.Empty;
            var series = Completions.Matching(DaytonaImage.SupportedPythonSeries, word, v => $"Python {v} on Debian slim (bookworm)");
            var micro = Completions.Matching(DaytonaImage.LatestPythonMicroVersions, word, v => $"Python {v} on Debian slim (bookworm)")
                .Where(_ => word.Count(c => c == '.') >= 1 && word.Length > 3);
            return series.Concat(micro);
        }
    }
}
