using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;

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
            Task.Run(() => Restore(id, destination, options, cancellationToken), cancellationToken);

        /// <summary>
        /// Restores a folder checkpoint into <paramref name="destination"/>: a new or empty folder, or (with
        /// <see cref="RestoreOptions.Force"/>) an existing one. Everything is written into a staging folder beside the
        /// destination and verified chunk by chunk; only then is it swapped in, so a failure leaves the destination as it was.
        /// </summary>
        public void Restore(string id, string destination, RestoreOptions? options, CancellationToken cancellationToken)
        {
            options ??= new RestoreOptions();
            var manifest = ReadManifest(id);
            manifest.EnsureSafePaths();
            var target = Normalize(destination);
            if (SameSource(target, Root) || IsInside(target, Root) || IsInside(Root, target))
            {
                throw CheckpointErrors.Create(CheckpointErrors.DestinationNotEmpty, ErrorKind.InvalidArgument,
                    $"The destination {target} overlaps the repository {Root}.", target, "Restore into a folder outside the repository.");
            }

            var exists = Directory.Exists(target);
            if (File.Exists(target))
            {
                throw CheckpointErrors.Create(CheckpointErrors.DestinationNotEmpty, ErrorKind.ResourceExists,
                    $"The destination {target} is a file.", target, "Pass a folder path.");
            }

            if (exists && !options.Force && Directory.EnumerateFileSystemEntries(target).Any())
            {
                throw CheckpointErrors.Create(CheckpointErrors.DestinationNotEmpty, ErrorKind.ResourceExists,
                    $"The destination {target} is not empty.", target, "Restore into a new or empty folder, or add -Force to replace its content.");
            }

            var parent = Path.GetDirectoryName(target) ?? throw new ArgumentException("The destination has no parent folder.", nameof(destination));
            Directory.CreateDirectory(parent);
            var staging = Path.Combine(parent, "." + Path.GetFileName(target) + ".restore-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            try
            {
                Directory.CreateDirectory(staging);
                WriteTree(manifest, staging, options, cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                Swap(staging, target, exists);
            }
            catch
            {
                TryDeleteTree(staging);
                throw;
            }
        }

        private void WriteTree(Manifest manifest, string root, RestoreOptions options, CancellationToken cancellationToken)
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
            try
            {
                WriteFiles();
            }
            catch (AggregateException e)
            {
                var inner = e.Flatten().InnerExceptions;
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner.FirstOrDefault(x => x is DaytonaException) ?? inner[0]).Throw();
            }

            void WriteFiles() => Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Options.Workers), CancellationToken = cancellationToken }, file =>
            {
                var path = Full(file.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
                {
                    if (file.Size > 0)
                    {
                        stream.SetLength(file.Size);
                    }

                    foreach (var chunk in file.Chunks)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, chunk.Size));
                        try
                        {
                            Store.Read(chunk.Hash, chunk.Size, buffer, file.Path);
                            stream.Write(buffer, 0, chunk.Size);
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                        }
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
            });

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
                // Read-only folders (restored modes) block deletion on Unix: open them up and try again.
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
