using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Checkpoints.Compression;
using Daytona.Checkpoints.Storage;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// Appends chunk frames to packs of a <see cref="ChunkStore"/> and commits them (the pack, then its index, both
    /// create-only) when the writer finishes. Thread-safe. A full pack is completed at once, so its storage can start
    /// moving it (the folder's write-back to the disk, an upload) while the capture goes on compressing. On remote
    /// storage a full pack is uploaded at once, at most <see cref="StorageTraits.Connections"/> at a time: a writer that
    /// fills one more waits for an upload to end, so memory stays bounded by the packs in flight (each at most about
    /// <see cref="ChunkStore.PackTarget"/>), and <see cref="Uploaded"/> reports the bytes uploaded. (Where the storage
    /// uploads in blocks while an object is written, Azure's <see cref="BlockObjectWriter"/>, most of a pack is uploaded
    /// before it is full, and the last pack's upload after the last chunk is one block.) Disposing
    /// without <see cref="Keep"/> deletes every pack this writer committed: a failed capture leaves nothing behind
    /// (and a writer killed before its manifest leaves packs no manifest references, reclaimed by the next prune).
    /// </summary>
    internal sealed class PackWriter : IDisposable
    {
        private readonly ChunkStore _store;
        private readonly object _gate = new object();
        private readonly List<string> _committed = new List<string>();
        private readonly List<(string Pack, ObjectWriter Writer, List<ChunkStore.IndexEntry> Entries)> _full = new List<(string, ObjectWriter, List<ChunkStore.IndexEntry>)>();
        private readonly object _committedGate = new object();
        private readonly List<Task> _uploads = new List<Task>();
        private readonly SemaphoreSlim? _inFlight;
        private readonly CancellationTokenSource _abandon = new CancellationTokenSource();

        // Packs being filled that no thread is appending to at the moment; a thread takes one (or opens a new one),
        // appends outside the writer's lock, and puts it back. On local storage each appending thread thus has a pack
        // of its own and the writes (the copy into the page cache) run in parallel; on remote storage there is one,
        // taken in turn, so memory stays bounded by one pack being filled plus the uploads in flight.
        private readonly Stack<OpenPack> _idle = new Stack<OpenPack>();
        private readonly List<OpenPack> _open = new List<OpenPack>();
        private readonly SemaphoreSlim? _lane;
        private bool _keep;
        private long _newBytes;
        private long _queuedBytes;
        private long _uploadedBytes;
        private int _queuedPacks;
        private int _uploadedPacks;

        public PackWriter(ChunkStore store, Action<CheckpointProgress>? uploaded = null)
        {
            _store = store;
            Uploaded = uploaded;
            if (!store.Storage.Traits.IsLocal)
            {
                _inFlight = new SemaphoreSlim(Math.Max(1, store.Storage.Traits.Connections));
                _lane = new SemaphoreSlim(1, 1);
            }
        }

        /// <summary>Told after each pack uploaded (remote storage): packs and bytes uploaded of those completed so far.</summary>
        public Action<CheckpointProgress>? Uploaded { get; }

        /// <summary>Compressed bytes of the new chunks appended.</summary>
        public long NewBytes => Interlocked.Read(ref _newBytes);

        /// <summary>The packs this writer committed.</summary>
        public IReadOnlyList<string> Committed
        {
            get
            {
                lock (_committedGate)
                {
                    return _committed.ToList();
                }
            }
        }

        /// <summary>Compresses and appends a chunk; returns its stored length.</summary>
        public int Put(string hash, byte[] data, int count) => Put(hash, data, 0, count);

        /// <summary>Compresses and appends a chunk at <paramref name="offset"/> of <paramref name="data"/>; returns its stored length.</summary>
        public int Put(string hash, byte[] data, int offset, int count)
        {
            var bound = ChunkCompressor.Bound(count);
            var frame = ArrayPool<byte>.Shared.Rent(bound);
            try
            {
                var length = _store.Compress(data, offset, count, frame);
                Append(hash, frame, length, isNew: true);
                return length;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
        }

        /// <summary>Appends a compressed frame to a pack (thread-safe: concurrent appends go to different packs on local storage).</summary>
        public void Append(string hash, byte[] frame, int length, bool isNew)
        {
            var pack = Take();
            var full = false;
            try
            {
                pack.Entries.Add(new ChunkStore.IndexEntry(hash, pack.Writer.Length, length));
                pack.Writer.Content.Write(frame, 0, length);
                if (isNew)
                {
                    Interlocked.Add(ref _newBytes, length);
                }

                full = pack.Writer.Length >= ChunkStore.PackTarget;
            }
            finally
            {
                Give(pack, full);
            }
        }

        private OpenPack Take()
        {
            _lane?.Wait(_abandon.Token);
            lock (_gate)
            {
                if (_idle.Count > 0)
                {
                    return _idle.Pop();
                }
            }

            var id = Guid.NewGuid().ToString("N");
            var pack = new OpenPack(id, _store.Storage.CreateWriter(RepositoryLayout.PackKey(id), WriteCondition.CreateOnly));
            lock (_gate)
            {
                _open.Add(pack);
            }

            return pack;
        }

        private void Give(OpenPack pack, bool full)
        {
            try
            {
                lock (_gate)
                {
                    if (full)
                    {
                        Complete(pack);
                    }
                    else
                    {
                        _idle.Push(pack);
                    }
                }
            }
            finally
            {
                _lane?.Release();
            }
        }

        /// <summary>Completes a pack (under the lock): uploaded now on remote storage, committed at <see cref="Finish"/> on local storage.</summary>
        private void Complete(OpenPack pack)
        {
            _open.Remove(pack);
            var writer = pack.Writer;
            writer.Complete();
            if (_inFlight != null)
            {
                // Remote: upload now, or wait (holding the writers back) until one of the uploads in flight ends.
                _inFlight.Wait(_abandon.Token);
                var (id, entries, length) = (pack.Id, pack.Entries, writer.Length);
                Interlocked.Add(ref _queuedBytes, length);
                Interlocked.Increment(ref _queuedPacks);
                _uploads.Add(Task.Run(async () =>
                {
                    try
                    {
                        await CommitAsync(id, writer, entries, _abandon.Token).ConfigureAwait(false);
                        var done = Interlocked.Increment(ref _uploadedPacks);
                        var bytes = Interlocked.Add(ref _uploadedBytes, length);
                        Uploaded?.Invoke(new CheckpointProgress("Uploading", done, Volatile.Read(ref _queuedPacks), bytes, Interlocked.Read(ref _queuedBytes), null));
                    }
                    finally
                    {
                        _inFlight.Release();
                    }
                }));
            }
            else
            {
                _full.Add((pack.Id, writer, pack.Entries));
            }
        }

        /// <summary>
        /// Commits every pack written, several at once: each pack, then its index. The storage commits concurrent
        /// flushes together (a folder flushes them in one journal commit rather than one per pack).
        /// </summary>
        public void Finish(CancellationToken cancellationToken = default)
        {
            List<(string Pack, ObjectWriter Writer, List<ChunkStore.IndexEntry> Entries)> pending;
            Task[] uploads;
            lock (_gate)
            {
                // Every append has returned: the packs being filled are all idle.
                _idle.Clear();
                foreach (var pack in _open.ToList())
                {
                    Complete(pack);
                }

                pending = _full.ToList();
                _full.Clear();
                uploads = _uploads.ToArray();
            }

            if (uploads.Length > 0)
            {
                try
                {
                    Task.WaitAll(uploads, cancellationToken);
                }
                catch (AggregateException e)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                }
            }

            if (pending.Count == 0)
            {
                return;
            }

            var queue = new ConcurrentQueue<(string Pack, ObjectWriter Writer, List<ChunkStore.IndexEntry> Entries)>(pending);
            var parallelism = Math.Min(Math.Max(1, _store.Storage.Traits.Connections), queue.Count);
            var workers = Enumerable.Range(0, parallelism).Select(_ => Task.Run(async () =>
            {
                while (queue.TryDequeue(out var item))
                {
                    await CommitAsync(item.Pack, item.Writer, item.Entries, cancellationToken).ConfigureAwait(false);
                }
            })).ToArray();
            try
            {
                Task.WaitAll(workers);
            }
            catch (AggregateException e)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            finally
            {
                foreach (var item in queue)
                {
                    item.Writer.Dispose();
                }
            }
        }

        private async Task CommitAsync(string pack, ObjectWriter writer, List<ChunkStore.IndexEntry> entries, CancellationToken cancellationToken)
        {
            using (writer)
            {
                // Packs are named at random: "already exists" can only be this very pack, written by an earlier try.
                await writer.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            var index = ChunkStore.WriteIndex(entries);
            await _store.Storage.WriteAsync(RepositoryLayout.PackIndexKey(pack), index, WriteCondition.CreateOnly, cancellationToken).ConfigureAwait(false);
            lock (_committedGate)
            {
                _committed.Add(pack);
            }

            _store.Learn(pack, entries);
        }

        /// <summary>The packs written stay (the manifest referencing them is committed).</summary>
        public void Keep() => _keep = true;

        public void Dispose()
        {
            // Uploads still running (a capture that failed or was cancelled) stop, and end before their packs are deleted.
            Task[] uploads;
            lock (_gate)
            {
                uploads = _uploads.ToArray();
                _uploads.Clear();
            }

            if (!_keep && uploads.Any(t => !t.IsCompleted))
            {
                _abandon.Cancel();
            }

            try
            {
                Task.WaitAll(uploads);
            }
            catch (AggregateException)
            {
                // A failed upload left nothing (or a pack the loop below or the next prune deletes).
            }

            lock (_gate)
            {
                foreach (var pack in _open)
                {
                    pack.Writer.Dispose();
                }

                _open.Clear();
                _idle.Clear();
                foreach (var item in _full)
                {
                    item.Writer.Dispose();
                }

                _full.Clear();
                if (_keep)
                {
                    return;
                }

                List<string> committed;
                lock (_committedGate)
                {
                    committed = _committed.ToList();
                }

                foreach (var pack in committed)
                {
                    try
                    {
                        _store.DeletePack(pack);
                    }
                    catch (Daytona.Common.DaytonaException)
                    {
                        // Left for the next prune.
                    }
                }

                if (committed.Count > 0)
                {
                    lock (_committedGate)
                    {
                        _committed.Clear();
                    }

                    _store.Reload();
                }
            }
        }

        private sealed class OpenPack
        {
            public OpenPack(string id, ObjectWriter writer)
            {
                Id = id;
                Writer = writer;
            }

            public string Id { get; }

            public ObjectWriter Writer { get; }

            public List<ChunkStore.IndexEntry> Entries { get; } = new List<ChunkStore.IndexEntry>();
        }
    }
}
