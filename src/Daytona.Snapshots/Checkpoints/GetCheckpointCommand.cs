using System;
using System.Linq;
using System.Management.Automation;
using Daytona.Checkpoints;
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

        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        public override string? Repository { get; set; }

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
        [ValidateNotNull]
        public object? At { get; set; }

        /// <summary>Only checkpoints of this source: a folder path, or daytona:&lt;api url&gt;.</summary>
        [Parameter(ParameterSetName = ListSet)]
        [Parameter(ParameterSetName = AtSet)]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string? Source { get; set; }

        /// <summary>Only checkpoints whose label matches (wildcards allowed).</summary>
        [Parameter(ParameterSetName = ListSet)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string? Name { get; set; }

        protected override void ProcessRecord()
        {
            var repository = OpenRepository();
            try
            {
                switch (ParameterSetName)
                {
                    case IdSet:
                        WriteObject(repository.Get(Id));
                        break;
                    case AtSet:
                        WriteObject(repository.FindAt(ToInstant(At!), SourceKey()));
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
                WriteError(ErrorRecords.From(e, ParameterSetName == AtSet ? At : Id.Length > 0 ? Id : RepositoryTarget));
            }
        }

        private string? SourceKey()
        {
            if (string.IsNullOrEmpty(Source))
            {
                return null;
            }

            return Source!.StartsWith("daytona:", StringComparison.OrdinalIgnoreCase)
                ? Source
                : CheckpointRepository.Normalize(ResolvePath(Source));
        }

        internal static DateTime ToInstant(object value)
        {
            var raw = value is PSObject wrapped ? wrapped.BaseObject : value;
            switch (raw)
            {
                case DateTime time:
                    return CheckpointTime.ToUtcSecond(time);
                case DateTimeOffset offset:
                    return CheckpointTime.ToUtcSecond(offset);
                case string text:
                    return CheckpointTime.Parse(text.Trim());
                default:
                    return CheckpointTime.Parse(raw?.ToString() ?? string.Empty);
            }
        }
    }
}
