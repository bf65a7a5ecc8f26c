using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.Snapshots.Checkpoints;

namespace Daytona.Snapshots.Completion
{
    /// <summary>
    /// Completes checkpoint ids, names and sources from the repository named by the command's -Repository (or
    /// $env:DAYTONA_CHECKPOINT_REPOSITORY; resolved like the cmdlet resolves it, see RepositoryResolver): ids
    /// newest first (the usual pick), with the checkpoint's name and source as the tooltip.
    /// </summary>
    public sealed class CheckpointCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var bound = fakeBoundParameters?["Repository"];
            var value = (bound is PSObject wrapped ? wrapped.BaseObject : bound) as string;
            IReadOnlyList<Checkpoint> checkpoints;
            try
            {
                var location = RepositoryResolver.Resolve(value, LocalPaths.ResolveWithProvider);
                checkpoints = location.Kind == StorageKind.Folder ? FromFolder(location) : FromObjectStorage(location);
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

        private static IReadOnlyList<Checkpoint> FromFolder(RepositoryLocation location) =>
            Directory.Exists(location.Path) ? CheckpointRepository.Open(location).List() : Array.Empty<Checkpoint>();

        /// <summary>Object storage is a network away: listed within the prompt's budget, cached briefly (see <see cref="CompletionCache"/>).</summary>
        private static IReadOnlyList<Checkpoint> FromObjectStorage(RepositoryLocation location)
        {
            var lines = CompletionCache.Get("checkpoints|" + location.Display, TimeSpan.FromSeconds(30), _ =>
            {
                IReadOnlyList<string> result = CheckpointRepository.Open(location).List()
                    .Select(c => c.Id + "\n" + (c.Name ?? string.Empty) + "\n" + c.Source)
                    .ToList();
                return System.Threading.Tasks.Task.FromResult(result);
            });
            return lines.Select(line => line.Split('\n')).Select(parts => new Checkpoint
            {
                Id = parts[0],
                Name = parts[1].Length == 0 ? null : parts[1],
                Source = parts[2],
            }).ToList();
        }

        private static string Tooltip(Checkpoint checkpoint) =>
            string.IsNullOrEmpty(checkpoint.Name) ? $"{checkpoint.Id} {checkpoint.Source}" : $"{checkpoint.Id} {checkpoint.Name} ({checkpoint.Source})";
    }
}
