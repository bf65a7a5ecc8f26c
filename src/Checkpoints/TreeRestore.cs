using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;

namespace Daytona.Checkpoints
{
    /// <summary>Writes the content of one file of a checkpoint to <paramref name="output"/> (verified as it is read).</summary>
    public delegate Task CheckpointFileWriter(ManifestEntry file, Stream output, CancellationToken cancellationToken);

    /// <summary>
    /// Restores the tree of a folder checkpoint with the same safety wherever its content comes from (a repository, a
    /// checkpoint server): paths are checked first (nothing outside the destination), everything is written into a
    /// staging folder beside the destination, and only a complete tree is swapped in (<see cref="RestoreOptions.Force"/>
    /// replaces a folder that is not empty). A failure removes the staging folder and leaves the destination as it was.
    /// </summary>
    public static class TreeRestore
    {
        /// <summary>Restores <paramref name="manifest"/> into <paramref name="destination"/> with <paramref name="workers"/> files written at once.</summary>
        public static async Task RestoreAsync(Manifest manifest, string destination, RestoreOptions? options, int workers, CheckpointFileWriter writeFile, CancellationToken cancellationToken)
        {
            options ??= new RestoreOptions();
            manifest.EnsureSafePaths();
            var target = CheckpointRepository.Normalize(destination);
            var io = Platform.ForIo(target);
            var exists = Directory.Exists(io);
            if (File.Exists(io))
            {
                throw CheckpointErrors.Create(CheckpointErrors.DestinationNotEmpty, ErrorKind.ResourceExists,
                    $"The destination {target} is a file.", target, "Pass a folder path.");
            }

            if (exists && !options.Force && Directory.EnumerateFileSystemEntries(io).Any())
            {
                throw CheckpointErrors.Create(CheckpointErrors.DestinationNotEmpty, ErrorKind.ResourceExists,
                    $"The destination {target} is not empty.", target, "Restore into a new or empty folder, or add -Force to replace its content.");
            }

            var parent = Path.GetDirectoryName(io) ?? throw new ArgumentException("The destination has no parent folder.", nameof(destination));
            Directory.CreateDirectory(parent);
            var staging = Path.Combine(parent, "." + Path.GetFileName(io) + ".restore-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            try
            {
                Directory.CreateDirectory(staging);
                await WriteTreeAsync(manifest, staging, options, Math.Max(1, workers), writeFile, cancellationToken).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                Swap(staging, io, exists);
            }
            catch
            {
                TryDeleteTree(staging);
                throw;
            }
        }

        private static async Task WriteTreeAsync(Manifest manifest, string root, RestoreOptions options, int workers, CheckpointFileWriter writeFile, CancellationToken cancellationToken)
        {
            string Full(string relative) => Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));

            var directories = manifest.Entries.Where(e => e.Type == EntryType.Directory).OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
            foreach (var directory in directories)
            {
                Directory.CreateDirectory(Full(directory.Path));
            }

            var files = manifest.Entries.Where(e => e.Type == EntryType.File).ToList();
            long totalBytes = files.Sum(f => f.Size);
            long filesDone = 0;
            long bytesDone = 0;
            var queue = new ConcurrentQueue<ManifestEntry>(files);
            Exception? failure = null;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

            async Task Worker()
            {
                while (!stop.IsCancellationRequested && queue.TryDequeue(out var file))
                {
                    try
                    {
                        var path = Full(file.Path);
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
                        {
                            if (file.Size > 0)
                            {
                                stream.SetLength(file.Size);
                            }

                            await writeFile(file, stream, stop.Token).ConfigureAwait(false);
                            if (stream.Position != file.Size)
                            {
                                throw CheckpointErrors.CorruptData($"'{file.Path}' came out {stream.Position} bytes long instead of {file.Size}.", file.Path);
                            }
                        }

                        if (file.Mode != null)
                        {
                            Platform.SetMode(path, file.Mode.Value);
                        }

                        if (file.ModifiedUtc != null)
                        {
                            File.SetLastWriteTimeUtc(path, file.ModifiedUtc.Value);
                        }

                        var done = Interlocked.Increment(ref filesDone);
                        var bytes = Interlocked.Add(ref bytesDone, file.Size);
                        options.Progress?.Invoke(new CheckpointProgress("Restoring", done, files.Count, bytes, totalBytes, file.Path));
                    }
                    catch (Exception e)
                    {
                        // The first failure wins (a cancellation it caused in the other workers does not replace it).
                        if (Interlocked.CompareExchange(ref failure, e, null) == null)
                        {
                            stop.Cancel();
                        }

                        return;
                    }
                }
            }

            var running = new List<Task>();
            for (var i = 0; i < Math.Min(workers, Math.Max(1, files.Count)); i++)
            {
                running.Add(Task.Run(Worker));
            }

            await Task.WhenAll(running).ConfigureAwait(false);
            if (failure != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }

            cancellationToken.ThrowIfCancellationRequested();
            foreach (var link in manifest.Entries.Where(e => e.Type == EntryType.Symlink))
            {
                var path = Full(link.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                Platform.CreateSymlink(path, link.Target!);
            }

            // Folders last, deepest first: their times after everything inside was written, their modes after that
            // (a read-only folder could not have been filled).
            foreach (var directory in directories.OrderByDescending(d => d.Path.Count(c => c == '/')))
            {
                if (directory.ModifiedUtc != null)
                {
                    Directory.SetLastWriteTimeUtc(Full(directory.Path), directory.ModifiedUtc.Value);
                }
            }

            foreach (var directory in directories.OrderByDescending(d => d.Path.Count(c => c == '/')))
            {
                if (directory.Mode != null)
                {
                    Platform.SetMode(Full(directory.Path), directory.Mode.Value);
                }
            }
        }

        private static void Swap(string staging, string target, bool exists)
        {
            if (!exists)
            {
                Directory.Move(staging, target);
                return;
            }

            var aside = Path.Combine(Path.GetDirectoryName(target)!, "." + Path.GetFileName(target) + ".replaced-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.Move(target, aside);
            try
            {
                Directory.Move(staging, target);
            }
            catch
            {
                Directory.Move(aside, target);
                throw;
            }

            TryDeleteTree(aside);
        }

        /// <summary>Deletes a folder tree, opening up read-only folders (restored modes) that block it on Unix; never throws.</summary>
        internal static void TryDeleteTree(string path)
        {
            if (!Directory.Exists(path))
            {
                return;
            }

            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                foreach (var folder in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories).Prepend(path))
                {
                    try
                    {
                        if (!Platform.IsLink(new DirectoryInfo(folder)))
                        {
                            Platform.SetMode(folder, 0x1C0);
                        }
                    }
                    catch (Exception)
                    {
                    }
                }

                try
                {
                    Directory.Delete(path, recursive: true);
                }
                catch (Exception)
                {
                }
            }
        }
    }
}
