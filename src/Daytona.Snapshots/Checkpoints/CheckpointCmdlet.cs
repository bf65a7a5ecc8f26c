using System;
using System.Diagnostics;
using System.Management.Automation;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.Snapshots.AzureDevOps;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// What every checkpoint cmdlet shares: the repository parameter (resolved in one place, <see cref="RepositoryResolver"/>),
    /// opening the repository on its storage, path resolution and progress.
    /// </summary>
    public abstract class CheckpointCmdlet : AsyncCmdlet
    {
        private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
        private RepositoryLocation? _location;

        /// <summary>The checkpoint repository: a folder or a URL; default $env:DAYTONA_CHECKPOINT_REPOSITORY.</summary>
        public abstract string? Repository { get; set; }

        /// <summary>A PowerShell path (relative, PSDrive) as a file-system path; call on the pipeline thread.</summary>
        protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

        /// <summary>A -Source value as checkpoints record it: daytona:&lt;api url&gt; as given, a folder path resolved and normalized; null when empty.</summary>
        protected string? SourceKey(string? source)
        {
            if (string.IsNullOrEmpty(source))
            {
                return null;
            }

            return source!.StartsWith("daytona:", StringComparison.OrdinalIgnoreCase)
                ? source
                : CheckpointRepository.Normalize(ResolvePath(source));
        }

        /// <summary>Where the repository named by <see cref="Repository"/> (or the environment) is; call on the pipeline thread.</summary>
        protected RepositoryLocation ResolveRepository()
        {
            try
            {
                if (string.IsNullOrWhiteSpace(Repository) && MyInvocation.BoundParameters.ContainsKey(nameof(Repository)))
                {
                    // Given but empty (an unset variable, say): never fall back to the default repository silently.
                    throw ErrorCatalog.CheckpointRepositoryMissing.Create(
                        "-Repository is an empty string.", Repository,
                        recommendation: "Name the repository (a folder, or an az:// or s3:// URL), or leave -Repository out to use $env:" + RepositoryResolver.EnvironmentVariable + ".");
                }

                var location = RepositoryResolver.Resolve(Repository, ResolveProviderPath);
                if (location.SasToken != null)
                {
                    PipelineLog.RegisterSecret(this, location.SasToken);
                }

                return _location = location;
            }
            catch (DaytonaException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, RepositoryTarget));
                throw;
            }
        }

        private (string Path, bool IsFileSystem) ResolveProviderPath(string path)
        {
            try
            {
                var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
                return (resolved, string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase));
            }
            catch (Exception e) when (e is ItemNotFoundException || e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException || e is NotSupportedException)
            {
                throw Daytona.Checkpoints.Storage.StorageErrors.BadLocation(path, e.Message);
            }
        }

        /// <summary>The repository as error records name it (never with a secret).</summary>
        protected object? RepositoryTarget => _location?.Display ?? (RepositoryResolver.ValueOrDefault(Repository) is string text ? RepositoryLocation.Redact(text) : null);

        /// <summary>How the repository is opened: its storage reports retries on the verbose stream and doubts on the warning stream.</summary>
        private RepositoryOptions RepositoryOptions() => new RepositoryOptions { Verbose = PostVerbose };

        private StorageOptions StorageOptions() => new StorageOptions
        {
            Verbose = PostVerbose,
            Warning = PostWarning,
            // Keys, SAS tokens and connection strings read from the environment are masked in an Azure Pipelines log.
            Secret = secret => Post(() => PipelineLog.RegisterSecret(this, secret)),
        };

        /// <summary>Opens the repository named by <see cref="Repository"/>; call on the pipeline thread.</summary>
        protected CheckpointRepository OpenRepository()
        {
            var location = ResolveRepository();
            try
            {
                return CheckpointRepository.Open(location, RepositoryOptions(), StorageOptions());
            }
            catch (DaytonaException e)
            {
                ThrowTerminatingError(ErrorRecords.From(e, location.Display));
                throw;
            }
        }

        /// <summary>Opens the repository, creating it where there is nothing yet (on the thread the work runs on).</summary>
        protected CheckpointRepository OpenOrCreateRepository(RepositoryLocation location) =>
            CheckpointRepository.OpenOrCreate(location, RepositoryOptions(), StorageOptions());

        /// <summary>Opens or creates the repository and captures a folder into it (on object storage the folder is listed while the repository opens).</summary>
        protected System.Threading.Tasks.Task<(CheckpointRepository Repository, Checkpoint Checkpoint)> OpenOrCreateAndCaptureAsync(RepositoryLocation location, string source, CaptureOptions options, System.Threading.CancellationToken token) =>
            CheckpointRepository.OpenOrCreateAndCaptureAsync(location, RepositoryOptions(), StorageOptions(), source, options, token);

        /// <summary>A progress callback for the engine, posting at most five records a second.</summary>
        protected Action<CheckpointProgress> ProgressReporter(int activityId)
        {
            var gate = new object();
            return progress =>
            {
                lock (gate)
                {
                    var last = progress.Files == progress.TotalFiles;
                    if (!last && _sinceProgress.ElapsedMilliseconds < 200)
                    {
                        return;
                    }

                    _sinceProgress.Restart();
                }

                var percent = progress.TotalBytes > 0
                    ? (int)Math.Min(100, progress.Bytes * 100 / progress.TotalBytes)
                    : progress.TotalFiles > 0 ? (int)Math.Min(100, progress.Files * 100 / progress.TotalFiles) : 0;
                PostProgress(new ProgressRecord(activityId, progress.Activity,
                    $"{progress.Files} of {progress.TotalFiles} files, {Sizes.Format(progress.Bytes)} of {Sizes.Format(progress.TotalBytes)}")
                {
                    PercentComplete = percent,
                    CurrentOperation = progress.Current,
                });
            };
        }

        protected void CompleteProgress(int activityId, string activity) =>
            PostProgress(new ProgressRecord(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed });

        /// <summary>Parses a checkpoint id or fails with <c>CheckpointTimeInvalid</c>.</summary>
        protected static void RequireId(string id) => CheckpointTime.Parse(id);
    }

    /// <summary>Byte counts as people read them: 1.2 MB.</summary>
    internal static class Sizes
    {
        public static string Format(long bytes)
        {
            string[] units = { "B", "KB", "MB", "GB", "TB" };
            double value = bytes;
            var unit = 0;
            while (value >= 1024 && unit < units.Length - 1)
            {
                value /= 1024;
                unit++;
            }

            return unit == 0 ? bytes + " B" : value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " " + units[unit];
        }
    }
}
