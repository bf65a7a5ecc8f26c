using System;
using System.Linq;
using System.Management.Automation;
using System.Security;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Remote;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Lists the checkpoints of a repository (oldest first), gets one by id, or finds the newest at or before a time.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "Checkpoint", DefaultParameterSetName = ListSet)]
    [OutputType(typeof(Checkpoint))]
    public sealed class GetCheckpointCommand : CheckpointCmdlet
    {
        private const string ListSet = "List";
        private const string IdSet = "Id";
        private const string AtSet = "At";
        private const string UriSet = "Uri";

        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(Position = 0, ParameterSetName = ListSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(Position = 0, ParameterSetName = AtSet, ValueFromPipelineByPropertyName = true)]
        public override string? Repository { get; set; }

        /// <summary>
        /// A checkpoint server's URL (Start-CheckpointServer): its root lists every source's checkpoints, a source
        /// (http://host/&lt;name&gt;/) its own, and a URL with an instant (…/&lt;yyyyMMddTHHmmssZ&gt;/) the checkpoint it resolves to.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = UriSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Url")]
        [ValidateNotNull]
        public Uri? Uri { get; set; }

        /// <summary>The server's key, when it has one (binds by property name from Start-CheckpointServer's object).</summary>
        [Parameter(ParameterSetName = UriSet, ValueFromPipelineByPropertyName = true)]
        public SecureString? ApiKey { get; set; }

        /// <summary>The checkpoint id (its UTC time, yyyyMMddTHHmmssZ).</summary>
        [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string Id { get; set; } = string.Empty;

        /// <summary>
        /// An instant: a yyyyMMddTHHmmssZ stamp, a [datetime] or a [DateTimeOffset] (converted to UTC). Returns the newest
        /// checkpoint at or before it, with ExactMatch telling whether one exists at exactly that second.
        /// </summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = AtSet)]
        [Parameter(ParameterSetName = UriSet)]
        [ValidateNotNull]
        public object? At { get; set; }

        /// <summary>Only checkpoints of this source: a folder path, or daytona:&lt;api url&gt;.</summary>
        [Parameter(ParameterSetName = ListSet)]
        [Parameter(ParameterSetName = AtSet)]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Source { get; set; }

        /// <summary>Only checkpoints whose label matches (wildcards allowed).</summary>
        [Parameter(ParameterSetName = ListSet)]
        [Parameter(ParameterSetName = UriSet)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == UriSet)
            {
                ProcessUri(Uri!);
                return;
            }

            var repository = OpenRepository();
            try
            {
                switch (ParameterSetName)
                {
                    case IdSet:
                        WriteObject(repository.Get(Id));
                        break;
                    case AtSet:
                        WriteObject(FindAt(repository));
                        break;
                    default:
                        var pattern = Name == null ? null : WildcardPattern.Get(Name, WildcardOptions.IgnoreCase);
                        foreach (var checkpoint in repository.List(SourceKey()))
                        {
                            if (pattern == null || pattern.IsMatch(checkpoint.Name ?? string.Empty))
                            {
                                WriteObject(checkpoint);
                            }
                        }

                        break;
                }
            }
            catch (DaytonaException e)
            {
                WriteFailure(e, ParameterSetName == AtSet ? At : Id.Length > 0 ? Id : RepositoryTarget);
            }
        }

        /// <summary>From a checkpoint server: one checkpoint (an instant in the URL, or -At), else the listing.</summary>
        private void ProcessUri(Uri url)
        {
            var client = CheckpointServerClient.Create(ApiKey == null ? null : SecureStrings.ToPlainText(ApiKey));
            DateTime? instant = null;
            try
            {
                instant = At == null ? (DateTime?)null : ToInstant(At, out _);
            }
            catch (DaytonaException e)
            {
                WriteFailure(e, At);
                return;
            }

            var pattern = Name == null ? null : WildcardPattern.Get(Name, WildcardOptions.IgnoreCase);
            RunAsync(async token =>
            {
                if (CheckpointServerClient.CheckpointRoot(url, out _, out _) != null || instant != null)
                {
                    var target = instant == null ? url : new Uri(url.AbsolutePath.EndsWith("/", StringComparison.Ordinal) ? url : new Uri(url + "/"), CheckpointTime.ToId(instant.Value) + "/");
                    var checkpoint = await client.GetAsync(target, token).ConfigureAwait(false);
                    PostObject(checkpoint.ToCheckpoint());
                    return;
                }

                foreach (var checkpoint in await client.ListAsync(url, token).ConfigureAwait(false))
                {
                    if (pattern == null || pattern.IsMatch(checkpoint.Name ?? string.Empty))
                    {
                        PostObject(checkpoint);
                    }
                }
            });
        }

        private string? SourceKey() => SourceKey(Source);

        /// <summary>The lookup by -At; a failure says how the value was read and which UTC instant was looked up.</summary>
        private Checkpoint FindAt(CheckpointRepository repository)
        {
            var instant = ToInstant(At!, out var readAs);
            WriteVerbose($"-At {Describe(At)} is {readAs}: looking up {instant:yyyy-MM-dd HH:mm:ss} UTC ({CheckpointTime.ToId(instant)}).");
            try
            {
                return repository.FindAt(instant, SourceKey());
            }
            catch (DaytonaException e) when (ErrorCatalog.Find(e.ErrorId) is ErrorDefinition definition)
            {
                throw definition.Create(
                    $"{e.Message} (-At {Describe(At)} was read as {readAs}: {instant:yyyy-MM-dd HH:mm:ss} UTC.)",
                    e.Target, e, e.RecommendedAction, e.Kind);
            }
        }

        /// <summary>
        /// An -At value as the UTC second it names: a [datetime] (local and unspecified kinds as local time), a
        /// [DateTimeOffset], or text in any form <see cref="CheckpointTime.ParseInstant"/> reads.
        /// </summary>
        internal static DateTime ToInstant(object value, out string readAs)
        {
            var raw = value is PSObject wrapped ? wrapped.BaseObject : value;
            switch (raw)
            {
                case DateTime time:
                    readAs = time.Kind == DateTimeKind.Utc ? "a UTC [datetime]" : $"a local [datetime] (UTC{Offset(TimeZoneInfo.Local.GetUtcOffset(time))})";
                    return CheckpointTime.ToUtcSecond(time);
                case DateTimeOffset offset:
                    readAs = $"a [DateTimeOffset] (UTC{Offset(offset.Offset)})";
                    return CheckpointTime.ToUtcSecond(offset);
                default:
                    return CheckpointTime.ParseInstant(raw as string ?? Convert.ToString(raw, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, TimeZoneInfo.Local, out readAs);
            }
        }

        private static string Describe(object? value)
        {
            var raw = value is PSObject wrapped ? wrapped.BaseObject : value;
            return raw switch
            {
                string text => "'" + text + "'",
                DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                DateTimeOffset offset => offset.ToString("yyyy-MM-dd HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
                _ => Convert.ToString(raw, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
            };
        }

        private static string Offset(TimeSpan offset) =>
            (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", System.Globalization.CultureInfo.InvariantCulture);
    }
}
