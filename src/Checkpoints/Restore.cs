using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;
using static Daytona.Checkpoints.FolderScan;

namespace Daytona.Checkpoints
{
    /// <summary>Options of a restore.</summary>
    public sealed class RestoreOptions
    {
        /// <summary>Replace a destination folder that is not empty (through staging and a swap).</summary>
        public bool Force { get; set; }

        /// <summary>Called after each file is written (from worker threads).</summary>
        public Action<CheckpointProgress>? Progress { get; set; }
    }

    public sealed partial class CheckpointRepository
    {
        public Task RestoreAsync(string id, string destination, RestoreOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.Run(() => RestoreCoreAsync(id, destination, options, cancellationToken), cancellationToken);

        /// <summary>
        /// Restores a folder checkpoint into <paramref name="destination"/>: a new or empty folder, or (with
        /// <see cref="RestoreOptions.Force"/>) an existing one. Everything is written into a staging folder beside the
        /// destination and verified chunk by chunk; only then is it swapped in, so a failure leaves the destination as it
        /// was (see <see cref="TreeRestore"/>).
        /// </summary>
        public void Restore(string id, string destination, RestoreOptions? options, CancellationToken cancellationToken) =>
            RestoreCoreAsync(id, destination, options, cancellationToken).GetAwaiter().GetResult();

        private async Task RestoreCoreAsync(string id, string destination, RestoreOptions? options, CancellationToken cancellationToken)
        {
            var manifest = ReadManifest(id);
            manifest.EnsureSafePaths();
            var target = Normalize(destination);
            if (LocalPath != null && (SameSource(target, LocalPath) || IsInside(target, LocalPath) || IsInside(LocalPath, target)))
            {
                throw CheckpointErrors.Create(CheckpointErrors.DestinationNotEmpty, ErrorKind.InvalidArgument,
                    $"The destination {target} overlaps the repository {LocalPath}.", target, "Restore into a folder outside the repository.");
            }

            await TreeRestore.RestoreAsync(manifest, target, options, Options.Workers, WriteChunks, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A file's chunks, each read, decompressed and verified, written in order.</summary>
        private Task WriteChunks(ManifestEntry file, Stream output, CancellationToken cancellationToken)
        {
            foreach (var chunk in file.Chunks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, chunk.Size));
                try
                {
                    Store.Read(chunk.Hash, chunk.Size, buffer, file.Path);
                    output.Write(buffer, 0, chunk.Size);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            return Task.CompletedTask;
        }

        internal static void TryDeleteTree(string path) => TreeRestore.TryDeleteTree(path);
    }
}
