using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Api;
using Daytona.Common;
using Daytona.Snapshots.Connection;

namespace Daytona.Snapshots.Completion
{
    /// <summary>
    /// Completes snapshot names from the organization the command would talk to (its -Connection, else the current
    /// one, else the environment's). Names are cached for 30 seconds per API URL and organization; a slow or
    /// unreachable API never holds the prompt for more than <see cref="CompletionCache.PromptBudget"/>.
    /// </summary>
    public sealed class SnapshotNameCompleter : IArgumentCompleter
    {
        private const int MaxNames = 1000;
        private static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(30);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            DaytonaConnection connection;
            try
            {
                var bound = fakeBoundParameters?["Connection"];
                connection = ConnectionResolver.Resolve((bound is PSObject wrapped ? wrapped.BaseObject : bound) as DaytonaConnection);
            }
            catch (DaytonaException)
            {
                return Array.Empty<CompletionResult>(); // no key, no URL: nothing to offer
            }

            var key = $"snapshot-names|{connection.ApiUrl}|{connection.OrganizationId}";
            var names = CompletionCache.Get(key, TimeToLive, token => FetchNamesAsync(connection, token));
            return Completions.Matching(names, wordToComplete);
        }

        private static async Task<IReadOnlyList<string>> FetchNamesAsync(DaytonaConnection connection, CancellationToken cancellationToken)
        {
            var names = new List<string>();
            var query = new SnapshotListQuery { Limit = SnapshotListQuery.MaxPageSize };
            var client = DaytonaClient.For(connection);
            while (names.Count < MaxNames)
            {
                var page = await client.ListSnapshotsAsync(query, cancellationToken).ConfigureAwait(false);
                foreach (var snapshot in page.Items)
                {
                    names.Add(snapshot.Name);
                }

                if (page.Page >= page.TotalPages || page.Items.Count == 0)
                {
                    break;
                }

                query = query.Clone();
                query.Page++;
            }

            return names;
        }
    }
}
