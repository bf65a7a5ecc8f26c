using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Checkpoints.Storage;
using Daytona.Common.Diagnostics;
using static Daytona.Checkpoints.FolderScan;

namespace Daytona.Checkpoints
{
    public sealed partial class CheckpointRepository
    {
        /// <summary>
        /// Opens the repository at a location (creating it where there is nothing yet) and captures a folder into it
        /// (<see cref="Capture"/>). On object storage the folder is listed while the repository is being opened (its
        /// first requests, in a new process mostly setting up the storage client): the listing reads only the folder,
        /// and nothing of the capture touches the repository before it is open. Returns the repository and the checkpoint.
        /// </summary>
        public static (CheckpointRepository Repository, Checkpoint Checkpoint) OpenOrCreateAndCapture(RepositoryLocation location, RepositoryOptions? options,
            StorageOptions? storageOptions, string folder, CaptureOptions? captureOptions, CancellationToken cancellationToken)
        {
            options ??= new RepositoryOptions();
            var storage = OpenStorage(location, options, storageOptions);
            var source = Normalize(folder);

            // A folder repository may lie inside the folder (the capture leaves it out): listed once it is open, as before.
            using var early = location.Path == null && !storage.Traits.IsLocal && Directory.Exists(source)
                ? new EarlyListing(source, options.Workers, cancellationToken)
                : null;
            var repository = OpenOrCreate(storage, options, location.Path);
            Timings.Mark("New-Checkpoint: repository opened");
            return (repository, repository.Capture(folder, captureOptions, cancellationToken, early));
        }

        /// <summary>Runs <see cref="OpenOrCreateAndCapture"/> on the thread pool.</summary>
        public static Task<(CheckpointRepository Repository, Checkpoint Checkpoint)> OpenOrCreateAndCaptureAsync(RepositoryLocation location, RepositoryOptions? options,
            StorageOptions? storageOptions, string folder, CaptureOptions? captureOptions, CancellationToken cancellationToken) =>
            Task.Run(() => OpenOrCreateAndCapture(location, options, storageOptions, folder, captureOptions, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// A capture's folder listing started before its repository is open (the capture takes it over); disposed, it is
    /// stopped if still running and waited for, so nothing of it runs on after the call that started it.
    /// </summary>
    internal sealed class EarlyListing : IDisposable
    {
        private readonly CancellationTokenSource _stop;

        public EarlyListing(string source, int workers, CancellationToken cancellationToken)
        {
            Source = source;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var token = _stop.Token;
            var io = Platform.ForIo(source);
            // On a thread of its own: the opening's requests (and the storage client's set-up) run on the thread pool meanwhile.
            Listing = Task.Factory.StartNew(
                () =>
                {
                    var listed = Scan(io, Warnings, token, exclude: null, parallelism: workers, watch: true, keep: LastScan.Shared);
                    Timings.Mark("capture: folder listed");
                    return listed;
                },
                token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        /// <summary>The folder, normalized.</summary>
        public string Source { get; }

        /// <summary>When the listing started (the checkpoint's start).</summary>
        public DateTime Started { get; } = DateTime.UtcNow;

        /// <summary>What the listing warned about.</summary>
        public List<string> Warnings { get; } = new List<string>();

        public Task<ScanResult> Listing { get; }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                Listing.Wait();

                // Its change watch ends with it, whether a capture took the listing over (and disposed it already) or not.
                Listing.Result.Watch?.Dispose();
            }
            catch (AggregateException)
            {
                // Stopped, or failed: the capture that took it over saw the failure.
            }

            _stop.Dispose();
        }
    }
}
