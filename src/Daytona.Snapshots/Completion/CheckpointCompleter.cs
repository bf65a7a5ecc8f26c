using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Daytona.Checkpoints;

namespace Daytona.Snapshots.Completion
{
    /// <summary>
    /// Completes checkpoint ids, names and sources from the repository named by the command's -Repository: ids
    /// newest first (the usual pick), with the checkpoint's name and source as the tooltip.
    /// </summary>
    public sealed class CheckpointCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var folder = LocalPaths.Resolve(fakeBoundParameters?["Repository"]);
            if (folder == null || !Directory.Exists(folder))
            {
                return Array.Empty<CompletionResult>();
            }

            IReadOnlyList<Checkpoint> checkpoints;
            try
            {
                checkpoints = CheckpointRepository.Open(folder).List();
            }
            catch (Exception e) when (e is Daytona.Common.DaytonaException || e is IOException || e is UnauthorizedAccessException)
            {
                return Array.Empty<CompletionResult>();
            }

            switch (parameterName)
            {
                case "Name":
                case "NewName":
                    return Completions.Matching(checkpoints.Select(c => c.Name ?? string.Empty), wordToComplete);
                case "Source":
                    return Completions.Matching(checkpoints.Select(c => c.Source), wordToComplete);
                default:
                    var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
                    return checkpoints
                        .Where(c => c.Id.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                        .OrderByDescending(c => c.Id, StringComparer.Ordinal)
                        .Select(c => new CompletionResult(c.Id, c.Id, CompletionResultType.ParameterValue, Tooltip(c)));
            }
        }

        private static string Tooltip(Checkpoint checkpoint) =>
            string.IsNullOrEmpty(checkpoint.Name) ? $"{checkpoint.Id} {checkpoint.Source}" : $"{checkpoint.Id} {checkpoint.Name} ({checkpoint.Source})";
    }
}
