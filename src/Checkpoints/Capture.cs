using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Checkpoints.Storage;
using Daytona.Common;
using Daytona.Common.Diagnostics;
using static Daytona.Checkpoints.FolderScan;

namespace Daytona.Checkpoints
{
    /// <summary>Options of a capture.</summary>
    public sealed class CaptureOptions
    {
        /// <summary>The name of the new checkpoint (it can be changed later with a rename).</summary>
        public string? Name { get; set; }

        /// <summary>A label that never changes (e.g. the URL base path a checkpoint server publishes the source under).</summary>
        public string? Label { get; set; }

        /// <summary>
        /// Called on the reading thread after each file has been read (its chunks may still be hashing and compressing).
        /// For progress; whatever it changes in the source is detected like any other change (the final check of every
        /// file's size and modification time and of every folder's listing).
        /// </summary>
        public Action<CheckpointProgress>? OnFileRead { get; set; }

        /// <summary>Told after each pack uploaded to remote storage: packs and bytes uploaded of those filled so far.</summary>
        public Action<CheckpointProgress>? OnUpload { get; set; }

        /// <summary>Reuse the chunk lists of files unchanged (same size and modification time) since the previous checkpoint of the source.</summary>
        public bool ReuseUnchanged { get; set; } = true;
    }

    public sealed partial class CheckpointRepository
    {
        /// <summary>Captures a folder as a new checkpoint (see <see cref="Capture"/>).</summary>
        public Task<Checkpoint> CaptureAsync(string folder, CaptureOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.Run(() => Capture(folder, options, cancellationToken), cancellationToken);

        /// <summary>
        /// Captures a folder: files (chunked, hashed, compressed, stored once), folders and symbolic links (as links).
        /// A source that changes while it is read is refused with <c>CheckpointSourceChanged</c> and leaves nothing
        /// visible behind. The checkpoint's id is the UTC second of its commit.
        /// </summary>
        public Checkpoint Capture(string folder, CaptureOptions? options, CancellationToken cancellationToken) =>
            Capture(folder, options, cancellationToken, null);

        /// <summary>A capture that takes over a listing of the folder started <paramref name="early"/> (before the repository was open).</summary>
        private Checkpoint Capture(string folder, CaptureOptions? options, CancellationToken cancellationToken, EarlyListing? early)
        {
            options ??= new CaptureOptions();
            var source = Normalize(folder);
            if (!Directory.Exists(source))
            {
                throw CheckpointErrors.Create(CheckpointErrors.SourceNotFound, ErrorKind.ObjectNotFound,
                    $"The folder {source} does not exist.", source, "Pass an existing folder to -Path.");
            }

            if (LocalPath != null && (SameSource(source, LocalPath) || IsInside(source, LocalPath)))
            {
                throw CheckpointErrors.Create(CheckpointErrors.SourceInvalid, ErrorKind.InvalidArgument,
                    $"The folder {source} is the repository or lies inside it.", source, "Keep the repository outside the folder you capture.");
            }

            Timings.Mark("capture: start");
            if (options.ReuseUnchanged)
            {
                LastWrittenManifest.Shared.Prepare(source);
            }

            var io = Platform.ForIo(source);
            early = early != null && early.Source == source && LocalPath == null ? early : null;
            var started = early?.Started ?? DateTime.UtcNow;
            var warnings = early?.Warnings ?? new List<string>();

            // The folder is listed while the writer announces itself and reads the catalog (requests, on object storage:
            // the first ones of a new process also set up the storage client), and the previous checkpoint's manifest is
            // read while the listing goes on. A repository kept inside the folder it captures is left out of the capture.
            using var scanning = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var inside = LocalPath != null && IsInside(LocalPath, source);
            var scanTask = early?.Listing ?? Task.Run(
                () =>
                {
                    var listed = Scan(io, warnings, scanning.Token, exclude: inside ? Platform.ForIo(LocalPath!) : null, parallelism: Options.Workers, watch: true, keep: LastScan.Shared);
                    Timings.Mark("capture: folder listed");
                    return listed;
                },
                scanning.Token);
            WriterSession begun;
            try
            {
                begun = BeginWrite("capturing", cancellationToken);
            }
            catch
            {
                // The listing is of no use now: stopped, and waited for, so nothing of the capture runs on.
                scanning.Cancel();
                try
                {
                    scanTask.Wait();
                    scanTask.Result.Watch?.Dispose();
                }
                catch (AggregateException)
                {
                }

                throw;
            }

            using var session = begun;
            var previousTask = options.ReuseUnchanged ? Task.Run(() => PreviousFiles(session.View, source)) : null;
            ScanResult scan;
            try
            {
                scan = scanTask.GetAwaiter().GetResult();
            }
            finally
            {
                previousTask?.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            }

            // The folders stay watched until the capture ends, committed or not; then their listings are kept for the
            // next capture of the folder in this process.
            using var watching = scan.Watch;
            using var kept = LastScan.Shared.KeepWhenDone(scan.Kept);
            Timings.Mark("capture: listing awaited");
            var previous = previousTask?.GetAwaiter().GetResult();
            Timings.Mark("capture: previous checkpoint read");

            using var packs = Store.OpenWriter(options.OnUpload);
            try
            {
                ReadFiles(io, scan, previous, options, packs, cancellationToken);
                Timings.Mark("capture: files read");

                var manifest = new Manifest
                {
                    Source = source,
                    Name = string.IsNullOrEmpty(options.Name) ? null : options.Name,
                    Label = string.IsNullOrEmpty(options.Label) ? null : options.Label,
                    Kind = Manifest.FolderKind,
                    Started = started,
                    NewData = packs.NewBytes,
                };
                manifest.Entries.Capacity = scan.Items.Count;
                foreach (var item in scan.Items)
                {
                    manifest.Entries.Add(item.Entry);
                }

                var taken = TakeEntries(manifest, previous);

                // The manifest is written (not committed) on its own thread, its entries while the numbers of its header are
                // counted, and while the files are checked again: it becomes the checkpoint only after the check, and is
                // discarded if the check fails.
                var counted = new TaskCompletionSource<bool>();
                var preparing = Task.Factory.StartNew(() => PrepareCommit(session, manifest, counted.Task), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                try
                {
                    if (!taken)
                    {
                        FillStats(manifest);
                    }
                }
                catch
                {
                    counted.TrySetCanceled();
                    Discard(preparing);
                    throw;
                }

                counted.TrySetResult(true);
                Timings.Mark("capture: manifest made");

                // The packs are flushed and committed (a folder: fsync, mostly waiting on the disk; object storage: the
                // last uploads) during the check too. Packs no manifest references are invisible to readers, and the pack
                // writer deletes them if the check fails.
                var finishing = Task.Factory.StartNew(() => packs.Finish(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                try
                {
                    Recheck(io, scan, cancellationToken, Options.Workers);
                    Timings.Mark("capture: files checked again");
                    finishing.GetAwaiter().GetResult();
                    Timings.Mark("capture: packs uploaded");
                    using var prepared = preparing.GetAwaiter().GetResult();
                    Commit(session, manifest, prepared, cancellationToken);
                }
                finally
                {
                    // The pack writer is disposed (its packs deleted) only once its flush has ended.
                    WaitQuietly(finishing);

                    // Not committed (the check or the commit failed): the manifest written ahead is discarded.
                    Discard(preparing);
                }

                packs.Keep();
                var checkpoint = Checkpoint.From(manifest, Location);
                KeepLastAfterCapture(session.View, source, warnings, cancellationToken);
                Jit.PrepareReCapture();
                Timings.Mark("capture: done");
                checkpoint.Warnings = warnings;
                return checkpoint;
            }
            catch
            {
                // The pack writer deletes the packs it wrote: nothing of this capture stays.
                packs.Dispose();
                throw;
            }
        }

        /// <summary>Waits for a task whose failure, if any, was seen (or does not matter) elsewhere.</summary>
        private static void WaitQuietly(Task task)
        {
            try
            {
                task.Wait();
            }
            catch (AggregateException)
            {
            }
        }

        /// <summary>Waits for a manifest written ahead and disposes it: one that was not committed is discarded.</summary>
        private static void Discard(Task<PreparedManifest?> preparing)
        {
            try
            {
                preparing.GetAwaiter().GetResult()?.Dispose();
            }
            catch (Exception)
            {
                // Its failure matters only to a capture that went on to commit it, which saw it.
            }
        }

        /// <summary>Stores a document (e.g. Daytona snapshot definitions as JSON) as a checkpoint of <paramref name="source"/>.</summary>
        public Checkpoint CaptureDocument(string source, string fileName, byte[] content, string? name, CancellationToken cancellationToken = default) =>
            CaptureDocument(source, fileName, content, name, null, cancellationToken);

        /// <summary>Stores a document as a checkpoint of <paramref name="source"/>, with a name and a label.</summary>
        public Checkpoint CaptureDocument(string source, string fileName, byte[] content, string? name, string? label, CancellationToken cancellationToken = default)
        {
            var problem = Manifest.PathProblem(fileName);
            if (problem != null || fileName.IndexOf('/') >= 0)
            {
                throw new ArgumentException($"'{fileName}' is not a plain file name.", nameof(fileName));
            }

            using var session = BeginWrite("capturing", cancellationToken);
            using var packs = Store.OpenWriter();
            try
            {
                var chunker = new Chunker();
                var refs = new List<ChunkRef>();
                var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                var offset = 0;
                while (offset < content.Length || (content.Length == 0 && refs.Count == 0 && offset == 0))
                {
                    var length = content.Length == 0 ? 0 : chunker.NextCut(new ReadOnlySpan<byte>(content, offset, content.Length - offset), final: true);
                    var piece = new byte[length];
                    Buffer.BlockCopy(content, offset, piece, 0, length);
                    var hash = ChunkStore.Hash(piece, 0, length);
                    if (!seen.TryGetValue(hash, out var stored))
                    {
                        stored = Store.Exists(hash) ? (int)Store.StoredLength(hash) : packs.Put(hash, piece, length);
                        seen[hash] = stored;
                    }

                    refs.Add(new ChunkRef(hash, length, stored));
                    offset += length;
                    if (content.Length == 0)
                    {
                        break;
                    }
                }

                var manifest = new Manifest
                {
                    Source = source,
                    Name = string.IsNullOrEmpty(name) ? null : name,
                    Label = string.IsNullOrEmpty(label) ? null : label,
                    Kind = Manifest.DocumentKind,
                };
                manifest.Entries.Add(new ManifestEntry
                {
                    Type = EntryType.File,
                    Path = fileName,
                    Size = content.Length,
                    ModifiedUtc = DateTime.UtcNow,
                    Chunks = content.Length == 0 ? Array.Empty<ChunkRef>() : refs,
                });
                packs.Finish(cancellationToken);
                manifest.NewData = packs.NewBytes;
                FillStats(manifest);
                Commit(session, manifest, cancellationToken);
                packs.Keep();
                var checkpoint = Checkpoint.From(manifest, Location);
                var warnings = new List<string>();
                KeepLastAfterCapture(session.View, source, warnings, cancellationToken);
                checkpoint.Warnings = warnings;
                return checkpoint;
            }
            catch
            {
                packs.Dispose();
                throw;
            }
        }

        /// <summary>The content of one file of a checkpoint, verified (for document checkpoints).</summary>
        public byte[] ReadFile(string id, string path)
        {
            var manifest = ReadManifest(id);
            var entry = manifest.Entries.FirstOrDefault(e => e.Type == EntryType.File && e.Path == path)
                ?? throw CheckpointErrors.NotFoundAt($"Checkpoint {id} holds no file '{path}'.", path);
            if (entry.Size > int.MaxValue)
            {
                throw new InvalidOperationException($"'{path}' is too large to read into memory.");
            }

            var result = new byte[entry.Size];
            var offset = 0;
            foreach (var chunk in entry.Chunks)
            {
                var buffer = new byte[chunk.Size];
                Store.Read(chunk.Hash, chunk.Size, buffer, path);
                Buffer.BlockCopy(buffer, 0, result, offset, chunk.Size);
                offset += chunk.Size;
            }

            return result;
        }

        /// <summary>
        /// An unchanged re-capture: when every entry is as in the previous checkpoint, text for text, the manifest takes that
        /// manifest's entries and the numbers of its header (no entry is written again, no chunk counted again): the numbers
        /// this module wrote there are those of the same entries.
        /// </summary>
        private static bool TakeEntries(Manifest manifest, PreviousCheckpoint? previous)
        {
            if (previous?.Text == null || previous.Stats == null || !manifest.EntriesAre(previous.Text, previous.EntriesAt))
            {
                return false;
            }

            manifest.EntriesFrom = previous;
            previous.Stats.Value.ApplyTo(manifest);
            return true;
        }

        private static void FillStats(Manifest manifest)
        {
            // Chunks are told apart by their hashes as numbers: a re-capture's chunk lists hold them so (no strings).
            var distinct = new Hash256Set(manifest.Entries.Count);
            HashSet<string>? other = null; // hashes that are not lower-case SHA-256 text (none a capture writes)
            long files = 0;
            long size = 0;
            long stored = 0;
            foreach (var entry in manifest.Entries)
            {
                if (entry.Type != EntryType.File)
                {
                    continue;
                }

                files++;
                size += entry.Size;
                if (entry.Chunks is ManifestChunks list)
                {
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (distinct.Add(list.HashAt(i)))
                        {
                            stored += list.StoredAt(i);
                        }
                    }

                    continue;
                }

                foreach (var chunk in entry.Chunks)
                {
                    var added = Hash256.TryParse(chunk.Hash, out var hash) ? distinct.Add(hash) : (other ??= new HashSet<string>(StringComparer.Ordinal)).Add(chunk.Hash);
                    if (added)
                    {
                        stored += chunk.Stored;
                    }
                }
            }

            new ManifestStats(files, size, stored).ApplyTo(manifest);
        }

        /// <summary>
        /// The files of the previous checkpoint of <paramref name="source"/> whose content a re-capture may reuse, read from
        /// its manifest's text (see <see cref="PreviousCheckpoint"/>); null when there is none to use.
        /// </summary>
        private PreviousCheckpoint? PreviousFiles(Catalog.CatalogView view, string source)
        {
            var last = view.FindAtOrBefore(long.MaxValue, source, SameSource);
            if (last == null || last.Kind != Manifest.FolderKind)
            {
                return null;
            }

            try
            {
                // The listing just showed this manifest at this version: this machine's copy of it is good. A manifest the
                // listing did not show (older than the catalog generation) is read, which also proves it is still there:
                // content is reused only from a manifest that exists (a removal deletes it, then a prune its packs).
                view.Listed.TryGetValue(last.Id, out var listedVersion);
                var bytes = Manifests.ReadBytes(last.Id, listedVersion);
                var fromCache = bytes != null;
                string? version = null;
                PreviousCheckpoint? previous;
                if (bytes == null)
                {
                    // The manifest this process wrote last, recorded while it was written: found, not parsed again (in a
                    // folder, its file is compared with the text remembered piece by piece, not read whole).
                    var key = RepositoryLayout.ManifestKey(last.Id);
                    if (!Storage.Traits.IsLocal
                        || !LastWrittenManifest.Shared.Find(() => Storage.OpenReadAsync(key, CancellationToken.None).GetAwaiter().GetResult(), out previous, out bytes))
                    {
                        using var stored = Storage.Read(key) ?? throw CheckpointErrors.NotFoundAt($"The repository {Location} holds no checkpoint {last.Id}.", last.Id);
                        version = stored.Version;
                        if (!LastWrittenManifest.Shared.Find(stored.Span, out previous, out bytes))
                        {
                            bytes = stored.ToArray();
                            previous = PreviousCheckpoint.Read(bytes);
                        }
                    }
                }
                else
                {
                    previous = LastWrittenManifest.Shared.Read(bytes);
                }

                if (previous == null || previous.Id != last.Id)
                {
                    return null;
                }

                if (!fromCache)
                {
                    Manifests.Put(last.Id, bytes, version);
                }

                return previous;
            }
            catch (DaytonaException)
            {
                return null;
            }
        }

        // ---------------------------------------------------------------- reading, hashing, compressing

        /// <summary>
        /// Work for a hashing and compressing thread: one pooled buffer holding one or more chunks (the whole content of
        /// several small files, or one chunk of a large file), and where each chunk's reference goes.
        /// </summary>
        private sealed class ChunkJob
        {
            /// <summary>Bytes a job of small files collects before it is handed over.</summary>
            public const int BatchBytes = 1 << 20;

            /// <summary>Small files a job collects at most.</summary>
            public const int BatchFiles = 64;

            public ChunkJob(byte[] data)
            {
                Data = data;
            }

            public byte[] Data { get; }

            /// <summary>Bytes of <see cref="Data"/> in use.</summary>
            public int Used { get; set; }

            public int Count { get; private set; }

            public Piece[] Pieces { get; } = new Piece[BatchFiles];

            public void Add(int offset, int length, ChunkRef[] slots, int index)
            {
                Pieces[Count++] = new Piece(offset, length, slots, index);
                Used = offset + length;
            }
        }

        private readonly struct Piece
        {
            public Piece(int offset, int length, ChunkRef[] slots, int index)
            {
                Offset = offset;
                Length = length;
                Slots = slots;
                Index = index;
            }

            public int Offset { get; }

            public int Length { get; }

            public ChunkRef[] Slots { get; }

            public int Index { get; }
        }

        /// <summary>
        /// Reads every file once, on this thread, and hands its chunks to workers that hash, compress and store them in
        /// parallel: small files are read back to back into one buffer and handed over together, large files are cut
        /// by the chunker and each chunk handed over alone. Whether a file changed while it was read is checked once
        /// for all at the end (<see cref="Recheck"/>: every size and modification time, every folder listing).
        /// </summary>
        private void ReadFiles(string source, ScanResult scan, PreviousCheckpoint? previous, CaptureOptions options,
            PackWriter packs, CancellationToken cancellationToken)
        {
            // A file modified within the last second may change again within its modification time: it is read.
            var settled = DateTime.UtcNow.AddSeconds(-1);
            var chunker = new Chunker();
            var workerCount = Math.Max(1, Options.Workers);
            var queue = new BlockingCollection<ChunkJob>(workerCount * 4);
            var known = new ConcurrentDictionary<string, Lazy<int>>(StringComparer.Ordinal);
            Exception? failure = null;

            void Work()
            {
                foreach (var job in queue.GetConsumingEnumerable())
                {
                    try
                    {
                        for (var i = 0; i < job.Count && Volatile.Read(ref failure) == null; i++)
                        {
                            var piece = job.Pieces[i];
                            var hash = ChunkStore.Hash(job.Data, piece.Offset, piece.Length);
                            var lazy = known.GetOrAdd(hash, h => new Lazy<int>(
                                () => Store.Exists(h) ? (int)Store.StoredLength(h) : packs.Put(h, job.Data, piece.Offset, piece.Length),
                                LazyThreadSafetyMode.ExecutionAndPublication));
                            piece.Slots[piece.Index] = new ChunkRef(hash, piece.Length, lazy.Value);
                        }
                    }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref failure, e, null);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(job.Data);
                    }
                }
            }

            // Started when the first chunks are handed over: a re-capture of files unchanged since the previous checkpoint
            // hands over none.
            Task[]? workers = null;
            void StartWorkers() => workers ??= Enumerable.Range(0, workerCount)
                .Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
                .ToArray();
            var pending = new List<(ManifestEntry Entry, ChunkRef[] Slots, int Count)>();
            var lookup = previous?.StartLookup();
            long filesDone = 0;
            long bytesDone = 0;
            byte[]? window = null; // taken when the first large file is read: most re-captures read none
            ChunkJob? batch = null;

            void Hand(ChunkJob job)
            {
                if (job.Count == 0)
                {
                    ArrayPool<byte>.Shared.Return(job.Data);
                }
                else
                {
                    StartWorkers();
                    queue.Add(job, cancellationToken);
                }
            }

            try
            {
                foreach (var item in scan.Items)
                {
                    if (item.Entry.Type != EntryType.File)
                    {
                        continue;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    if (Volatile.Read(ref failure) != null)
                    {
                        break;
                    }

                    var entry = item.Entry;
                    if (lookup != null && lookup.TryGet(entry.Path, out var before)
                        && before.Size == entry.Size && before.ModifiedUtc == entry.ModifiedUtc && entry.ModifiedUtc < settled
                        && (!Store.HasExclusions || StoredOutsidePlan(before)))
                    {
                        // Unchanged since the previous checkpoint: its chunks are reused without reading the file.
                        entry.Chunks = before;
                    }
                    else if (entry.Size == 0)
                    {
                        if (WholeFileReader.TryRead(item.FullPath, Array.Empty<byte>(), 0, 0, 0) < 0)
                        {
                            OpenSource(source, item, small: true).Dispose();
                        }

                        entry.Chunks = Array.Empty<ChunkRef>();
                    }
                    else if (entry.Size <= chunker.MinSize)
                    {
                        // A small file is one chunk: read straight into the batch buffer the workers get.
                        var size = (int)entry.Size;
                        if (batch != null && (batch.Count == ChunkJob.BatchFiles || batch.Used + size + 1 > batch.Data.Length))
                        {
                            Hand(batch);
                            batch = null;
                        }

                        batch ??= new ChunkJob(ArrayPool<byte>.Shared.Rent(Math.Max(ChunkJob.BatchBytes, chunker.MinSize + 1)));
                        var slots = new ChunkRef[1];

                        // One more byte than expected is asked for: a file that grew says so at once, and a short
                        // read of a regular file is its end, so one read call is enough.
                        var read = WholeFileReader.TryRead(item.FullPath, batch.Data, batch.Used, size, size + 1);
                        if (read < 0)
                        {
                            using var stream = OpenSource(source, item, small: true);
                            read = ReadAtLeast(stream, batch.Data, batch.Used, size, size + 1);
                        }

                        if (read != size)
                        {
                            throw Changed(source, entry.Path, "its length changed");
                        }

                        batch.Add(batch.Used, size, slots, 0);
                        pending.Add((entry, slots, 1));
                    }
                    else
                    {
                        var slots = new ChunkRef[(entry.Size / chunker.MinSize) + 2];
                        window ??= ArrayPool<byte>.Shared.Rent(Chunker.DefaultMaxSize * 2);
                        StartWorkers();
                        var count = ReadLargeFile(source, item, chunker, window, slots, queue, cancellationToken);
                        pending.Add((entry, slots, count));
                    }

                    filesDone++;
                    bytesDone += entry.Size;
                    options.OnFileRead?.Invoke(new CheckpointProgress("Capturing", filesDone, scan.Files, bytesDone, scan.Bytes, entry.Path));
                }

                if (batch != null)
                {
                    var last = batch;
                    batch = null;
                    Hand(last);
                }
            }
            finally
            {
                if (batch != null)
                {
                    ArrayPool<byte>.Shared.Return(batch.Data);
                }

                queue.CompleteAdding();
                if (workers != null)
                {
                    Task.WaitAll(workers);
                }
                if (window != null)
                {
                    ArrayPool<byte>.Shared.Return(window);
                }
            }

            if (failure != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }

            foreach (var (entry, slots, count) in pending)
            {
                if (count == slots.Length)
                {
                    entry.Chunks = slots;
                    continue;
                }

                var chunks = new ChunkRef[count];
                Array.Copy(slots, chunks, count);
                entry.Chunks = chunks;
            }
        }

        /// <summary>While a prune runs: whether every chunk lies in a pack its plan leaves alone (else the file is read again).</summary>
        private bool StoredOutsidePlan(IReadOnlyList<ChunkRef> chunks)
        {
            foreach (var chunk in chunks)
            {
                if (!Store.Exists(chunk.Hash))
                {
                    return false;
                }
            }

            return true;
        }

        private static FileStream OpenSource(string source, ScanItem item, bool small)
        {
            try
            {
                // Unbuffered: reads go straight into the caller's buffers.
                return new FileStream(item.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1,
                    small ? FileOptions.None : FileOptions.SequentialScan);
            }
            catch (FileNotFoundException)
            {
                throw Changed(source, item.Entry.Path, "it was deleted");
            }
            catch (DirectoryNotFoundException)
            {
                throw Changed(source, item.Entry.Path, "it was deleted");
            }
        }

        private static int ReadLargeFile(string source, ScanItem item, Chunker chunker, byte[] window, ChunkRef[] slots,
            BlockingCollection<ChunkJob> queue, CancellationToken cancellationToken)
        {
            var entry = item.Entry;
            using var stream = OpenSource(source, item, small: false);
            var index = 0;
            long total = 0;
            var start = 0;
            var end = 0;
            var eof = false;
            while (true)
            {
                if (!eof && end - start < chunker.MaxSize)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(window, start, window, 0, end - start);
                        end -= start;
                        start = 0;
                    }

                    while (end < window.Length)
                    {
                        var n = stream.Read(window, end, window.Length - end);
                        if (n == 0)
                        {
                            eof = true;
                            break;
                        }

                        end += n;
                        total += n;
                    }

                    if (total > entry.Size)
                    {
                        throw Changed(source, entry.Path, "it grew");
                    }
                }

                if (start == end)
                {
                    break;
                }

                var cut = chunker.NextCut(new ReadOnlySpan<byte>(window, start, end - start), eof);
                if (cut <= 0)
                {
                    cut = end - start;
                }

                if (index >= slots.Length)
                {
                    throw Changed(source, entry.Path, "it grew");
                }

                var job = new ChunkJob(ArrayPool<byte>.Shared.Rent(cut));
                Buffer.BlockCopy(window, start, job.Data, 0, cut);
                job.Add(0, cut, slots, index++);
                queue.Add(job, cancellationToken);
                start += cut;
            }

            if (total != entry.Size)
            {
                throw Changed(source, entry.Path, "its length changed");
            }

            return index;
        }

        /// <summary>Reads until <paramref name="wanted"/> bytes or the end, asking for up to <paramref name="room"/>.</summary>
        private static int ReadAtLeast(Stream stream, byte[] buffer, int offset, int wanted, int room)
        {
            var total = 0;
            while (total < wanted)
            {
                var n = stream.Read(buffer, offset + total, room - total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total;
        }
    }
}
