using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Checkpoints.Storage;
using ZstdSharp;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// Appends chunk frames to packs of a <see cref="ChunkStore"/> and commits them (the pack, then its index, both
    /// create-only) when the writer finishes. Thread-safe. A full pack is completed at once, so its storage can start
    /// moving it (the folder's write-back to the disk, an upload) while the capture goes on compressing. On remote
    /// storage a full pack is uploaded at once, at most <see cref="StorageTraits.Connections"/> at a time: a writer that
    /// fills one more waits for an upload to end, so memory stays bounded by the packs in flight (each at most about
    /// <see cref="ChunkStore.PackTarget"/>), and <see cref="Uploaded"/> reports the bytes uploaded. Disposing
    /// without <see cref="Keep"/> deletes every pack this writer committed: a failed capture leaves nothing behind
    /// (and a writer killed before its manifest leaves packs no manifest references, reclaimed by the next prune).
    /// </summary>
    internal sealed class PackWriter : IDisposable
    {
        private readonly ChunkStore _store;
        private readonly object _gate = new object();
        private readonly List<string> _committed = new List<string>();
        private readonly List<ChunkStore.IndexEntry> _entries = new List<ChunkStore.IndexEntry>();
        private readonly List<(string Pack, ObjectWriter Writer, List<ChunkStore.IndexEntry> Entries)> _full = new List<(string, ObjectWriter, List<ChunkStore.IndexEntry>)>();
        private readonly object _committedGate = new object();
        private readonly List<Task> _uploads = new List<Task>();
        private readonly SemaphoreSlim? _inFlight;
        private readonly CancellationTokenSource _abandon = new CancellationTokenSource();
        private ObjectWriter? _current;
        private string? _currentPack;
        private bool _keep;
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
            }
        }

        /// <summary>Told after each pack uploaded (remote storage): packs and bytes uploaded of those completed so far.</summary>
        public Action<CheckpointProgress>? Uploaded { get; }

        /// <summary>Compressed bytes of the new chunks appended.</summary>
        public long NewBytes { get; private set; }

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
            var bound = Compressor.GetCompressBound(count);
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

        public void Append(string hash, byte[] frame, int length, bool isNew)
        {
            lock (_gate)
            {
                if (_current == null)
                {
                    _currentPack = Guid.NewGuid().ToString("N");
                    _current = _store.Storage.CreateWriter(RepositoryLayout.PackKey(_currentPack), WriteCondition.CreateOnly);
                }

                _entries.Add(new ChunkStore.IndexEntry(hash, _current.Length, length));
                _current.Content.Write(frame, 0, length);
                if (isNew)
                {
                    NewBytes += length;
                }

                if (_current.Length >= ChunkStore.PackTarget)
                {
                    CompleteCurrent();
                }
            }
        }

        private void CompleteCurrent()
        {
            if (_current == null)
            {
                return;
            }

            _current.Complete();
            if (_inFlight != null)
            {
                // Remote: upload now, or wait (holding the writers back) until one of the uploads in flight ends.
                _inFlight.Wait(_abandon.Token);
                var (pack, writer, entries, length) = (_currentPack!, _current, _entries.ToList(), _current.Length);
                Interlocked.Add(ref _queuedBytes, length);
                Interlocked.Increment(ref _queuedPacks);
                _uploads.Add(Task.Run(async () =>
                {
                    try
                    {
                        await CommitAsync(pack, writer, entries, _abandon.Token).ConfigureAwait(false);
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
                _full.Add((_currentPack!, _current, _entries.ToList()));
            }

            _entries.Clear();
            _current = null;
            _currentPack = null;
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
                CompleteCurrent();
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
                _current?.Dispose();
                _current = null;
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
    }
}
