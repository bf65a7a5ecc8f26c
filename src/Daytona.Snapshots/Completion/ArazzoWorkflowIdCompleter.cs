using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Daytona.Arazzo;

namespace Daytona.Snapshots.Completion
{
    /// <summary>Completes the workflow ids of the Arazzo document named by the command's -Path.</summary>
    public sealed class ArazzoWorkflowIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var path = LocalPaths.Resolve(fakeBoundParameters?["Path"]);
            if (path == null || !File.Exists(path))
            {
                return Array.Empty<CompletionResult>();
            }

            var document = ArazzoLoader.LoadFile(path).Document;
            if (document == null)
            {
                return Array.Empty<CompletionResult>();
            }

            var summaries = document.Workflows.ToDictionary(w => w.WorkflowId, w => w.Summary, StringComparer.Ordinal);
            return Completions.Matching(summaries.Keys, wordToComplete, id => string.IsNullOrEmpty(summaries[id]) ? id : summaries[id]!);
        }
    }
}
