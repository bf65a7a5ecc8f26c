using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Daytona.Snapshots.Completion
{
    /// <summary>Completes the Python versions Daytona's debianSlim images support (3.9 to 3.13).</summary>
    public sealed class PythonVersionCompleter : IArgumentCompleter
    {
        internal static readonly string[] Versions = { "3.9", "3.10", "3.11", "3.12", "3.13" };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            return Completions.Matching(Versions, wordToComplete, v => "Python " + v + " on Debian slim");
        }
    }
}
