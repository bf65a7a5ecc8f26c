using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Api;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Snapshots
{
    /// <summary>
    /// <para type="synopsis">Gets Daytona snapshots: all of them (page by page, as pages arrive), by name with wildcards, or by id.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DaytonaSnapshot", DefaultParameterSetName = ByName)]
    [OutputType(typeof(Snapshot))]
    public sealed class GetDaytonaSnapshotCommand : SnapshotCmdlet
    {
        private const string ByName = "Name";
        private const string ById = "Id";

        /// <summary>Names; wildcards allowed. Without a name, every snapshot is returned.</summary>
        [Parameter(ParameterSetName = ByName, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.SnapshotNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Snapshot ids.</summary>
        [Parameter(ParameterSetName = ById, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("SnapshotId")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.SnapshotNameCompleter))]
        public string[]? Id { get; set; }

        protected override void ProcessRecord()
        {
            var client = ClientOrThrow();
            RunAsync(async token =>
            {
                using var calls = ObserveApiCalls();
                if (ParameterSetName == ById)
                {
                    foreach (var id in Id!)
                    {
                        await ForItemAsync(id, () => GetOneAsync(client, id, token)).ConfigureAwait(false);
                    }

                    return;
                }

                if (Name == null || Name.Length == 0)
                {
                    await ListAsync(client, null, null, token).ConfigureAwait(false);
                    return;
                }

                foreach (var name in Name)
                {
                    if (WildcardPattern.ContainsWildcardCharacters(name))
                    {
                        var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                        await ListAsync(client, LiteralPart(name), pattern, token).ConfigureAwait(false);
                    }
                    else
                    {
                        await ForItemAsync(name, () => GetOneAsync(client, name, token)).ConfigureAwait(false);
                    }
                }
            });
        }

        private async Task GetOneAsync(DaytonaClient client, string idOrName, CancellationToken token) =>
            PostObject(await client.GetSnapshotAsync(idOrName, token).ConfigureAwait(false));

        private async Task ListAsync(DaytonaClient client, string? serverFilter, WildcardPattern? pattern, CancellationToken token)
        {
            // Paged oldest first: the API's default order (lastUsedAt) moves a snapshot to the front the moment it
            // becomes active, which shifts later pages while they are read, so a listing during builds would repeat
            // some snapshots and miss others. By creation time, a snapshot settling or one created meanwhile moves
            // nothing already listed; ids seen are skipped should a page still overlap (a removal in between).
            var query = new SnapshotListQuery
            {
                Limit = 100,
                Name = string.IsNullOrEmpty(serverFilter) ? null : serverFilter,
                Sort = SnapshotSort.CreatedAt,
                Descending = false,
            };
            var shown = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var page in client.ListSnapshotPagesAsync(query, token).ConfigureAwait(false))
            {
                foreach (var snapshot in page.Items)
                {
                    if (seen.Add(snapshot.Id) && (pattern == null || pattern.IsMatch(snapshot.Name)))
                    {
                        PostObject(snapshot);
                    }
                }

                shown += page.Items.Count;
                if (page.TotalPages > 1)
                {
                    PostProgress(new ProgressRecord(1, "Listing Daytona snapshots", $"Page {page.Page} of {page.TotalPages}")
                    {
                        PercentComplete = Math.Min(100, page.Page * 100 / page.TotalPages),
                        RecordType = page.Page >= page.TotalPages ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                    });
                }
            }

            PostVerbose(serverFilter == null ? $"Read {shown} snapshot(s)." : $"Read {shown} snapshot(s) whose name contains '{serverFilter}'.");
        }

        /// <summary>
        /// The longest literal run of a wildcard pattern: the server's name filter is a partial match, so it narrows
        /// the list without losing any match; the pattern itself is applied here.
        /// </summary>
        internal static string? LiteralPart(string pattern)
        {
            if (pattern.IndexOf('`') >= 0 || pattern.IndexOf('[') >= 0)
            {
                // Escapes and character classes: keep it simple and let the local pattern do all the work.
                return null;
            }

            var best = pattern.Split('*', '?').OrderByDescending(p => p.Length).FirstOrDefault();
            return string.IsNullOrEmpty(best) ? null : best;
        }
    }
}
