using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Daytona.Checkpoints;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// <para type="synopsis">Removes checkpoints — one by id, or all but the newest N of each source (-KeepLast) — and reclaims the stored content no other checkpoint uses. Asks for confirmation.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "Checkpoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = IdSet)]
    [OutputType(typeof(Checkpoint))]
    public sealed class RemoveCheckpointCommand : CheckpointCmdlet
    {
        private const string IdSet = "Id";
        private const string KeepLastSet = "KeepLast";

        /// <summary>The repository: a folder or a URL (az://, https://<account>.blob.core.windows.net/, s3://). Default: $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public override string? Repository { get; set; }

        /// <summary>The checkpoint id.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string Id { get; set; } = string.Empty;

        /// <summary>Keeps the newest this many checkpoints of each source (of -Source only, when given) and removes the older ones.</summary>
        [Parameter(Mandatory = true, ParameterSetName = KeepLastSet)]
        [ValidateRange(1, int.MaxValue)]
        public int KeepLast { get; set; }

        /// <summary>With -KeepLast: only checkpoints of this source (a folder path, or daytona:&lt;api url&gt;).</summary>
        [Parameter(ParameterSetName = KeepLastSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.CheckpointCompleter))]
        public string? Source { get; set; }

        /// <summary>Removes without asking (-WhatIf still only reports).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Emits the removed checkpoints.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private bool MustConfirm => !Force.IsPresent || MyInvocation.BoundParameters.ContainsKey("WhatIf") || MyInvocation.BoundParameters.ContainsKey("Confirm");

        protected override void ProcessRecord()
        {
            if (ParameterSetName == KeepLastSet)
            {
                RemoveOlder();
                return;
            }

            var repository = OpenRepository();
            Checkpoint checkpoint;
            try
            {
                checkpoint = repository.Get(Id);
            }
            catch (DaytonaException e)
            {
                WriteFailure(e, Id);
                return;
            }

            var description = Describe(checkpoint);
            if (MustConfirm && !ShouldProcess(description, "Remove checkpoint"))
            {
                return;
            }

            RunForItem(Id, token =>
            {
                var freed = repository.Remove(checkpoint.Id, token);
                PostVerbose($"Removed {description}; reclaimed {Sizes.Format(freed)}.");
                if (PassThru.IsPresent)
                {
                    PostObject(checkpoint);
                }

                return System.Threading.Tasks.Task.CompletedTask;
            });
        }

        /// <summary>-KeepLast: each checkpoint beyond the newest N of its source is confirmed on its own, then all go in one removal (one prune).</summary>
        private void RemoveOlder()
        {
            var repository = OpenRepository();
            var source = SourceKey(Source);
            IReadOnlyList<Checkpoint> planned;
            try
            {
                planned = repository.PlanKeepLast(KeepLast, source);
            }
            catch (DaytonaException e)
            {
                WriteFailure(e, repository.Location);
                return;
            }

            var confirmed = planned.Where(c => !MustConfirm || ShouldProcess(Describe(c), "Remove checkpoint")).ToList();
            if (confirmed.Count == 0)
            {
                PostVerbose(planned.Count == 0
                    ? $"No checkpoint{(source == null ? string.Empty : " of " + source)} is older than the newest {KeepLast} of its source."
                    : "No checkpoint removed.");
                return;
            }

            RunForItem(repository.Location, token =>
            {
                var result = repository.RemoveKeepLast(KeepLast, source, confirmed.Select(c => c.Id).ToList(), token);
                PostVerbose($"Removed {result.Removed.Count} checkpoint(s) older than the newest {KeepLast} of their source; reclaimed {Sizes.Format(result.Freed)}.");
                if (PassThru.IsPresent)
                {
                    foreach (var checkpoint in result.Removed)
                    {
                        PostObject(checkpoint);
                    }
                }

                return System.Threading.Tasks.Task.CompletedTask;
            });
        }

        private static string Describe(Checkpoint checkpoint) =>
            $"checkpoint {checkpoint.Id}{(checkpoint.Name == null ? string.Empty : $" '{checkpoint.Name}'")} of {checkpoint.Source}";
    }
}
