using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
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
    /// Completes snapshot names — or ids, for an -Id parameter, with the name as the tooltip — from the organization
    /// the command would talk to (its -Connection, else the current one, else the environment's). They are cached for
    /// 30 seconds per API URL and organization; a slow or unreachable API never holds the prompt for more than
    /// <see cref="CompletionCache.PromptBudget"/>.
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

            // Cached as "id name" pairs: one listing serves both -Name and -Id.
            var key = $"snapshots|{connection.ApiUrl}|{connection.OrganizationId}";
            var pairs = CompletionCache.Get(key, TimeToLive, token => FetchAsync(connection, token))
                .Select(p => (Id: p.Substring(0, p.IndexOf(' ')), Name: p.Substring(p.IndexOf(' ') + 1)))
                .ToList();
            if (string.Equals(parameterName, "Id", StringComparison.OrdinalIgnoreCase))
            {
                var names = pairs.GroupBy(p => p.Id).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
                return Completions.Matching(names.Keys, wordToComplete, id => names[id]);
            }

            return Completions.Matching(pairs.Select(p => p.Name), wordToComplete);
        }

        private static async Task<IReadOnlyList<string>> FetchAsync(DaytonaConnection connection, CancellationToken cancellationToken)
        {
            var names = new List<string>();
            var query = new SnapshotListQuery { Limit = SnapshotListQuery.MaxPageSize };
            var client = DaytonaClient.For(connection);
            while (names.Count < MaxNames)
            {
                var page = await client.ListSnapshotsAsync(query, cancellationToken).ConfigureAwait(false);
                foreach (var snapshot in page.Items)
                {
                    names.Add(snapshot.Id + " " + snapshot.Name);
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
