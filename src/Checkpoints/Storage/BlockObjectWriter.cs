using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// How an object store uploads one object in blocks (Azure: Put Block + Put Block List; S3: a multipart upload): the
    /// blocks are staged in any order, none is visible, and the commit makes the whole object visible at once under its
    /// condition. One per object; <see cref="StageAsync"/> may run for several blocks at once.
    /// </summary>
    public abstract class BlockUpload
    {
        /// <summary>Stages block <paramref name="number"/> (0, 1, …); staging a number again replaces it (a retry).</summary>
        public abstract Task StageAsync(int number, ArraySegment<byte> block, CancellationToken cancellationToken);

        /// <summary>Makes blocks 0 … <paramref name="blocks"/> − 1 the object, if the condition holds; <paramref name="length"/> is their total.</summary>
        public abstract Task<WriteResult> CommitAsync(int blocks, long length, WriteCondition condition, CancellationToken cancellationToken);

        /// <summary>Abandons the staged blocks (best effort; what is left is invisible and the store discards it).</summary>
        public abstract Task AbortAsync(CancellationToken cancellationToken);
    }

    /// <summary>
    /// An <see cref="ObjectWriter"/> for object stores that upload large objects while they are written: an object that
    /// fits in one block goes up in one conditional request at the commit (as <see cref="BufferedObjectWriter"/>); a
    /// larger one is staged block by block as each block fills (at most two staging at once; the writer never waits: while two are
    /// staging, the content gathers into the next, larger block, so memory stays at most the object's size, as buffered), and the commit stages the last block and makes the object visible whole under its
    /// condition. So a pack's upload is mostly done when its last chunk is written. Nothing is visible before the commit;
    /// a writer disposed without a commit (or whose commit failed) abandons what it staged. Compare-and-swap writes
    /// (<see cref="WriteConditionKind.IfVersion"/>) are never staged: they go up whole, in one request.
    /// </summary>
    public sealed class BlockObjectWriter : ObjectWriter
    {
        private const int Window = 2;

        private readonly int _blockSize;
        private readonly Func<string, ArraySegment<byte>, WriteCondition, CancellationToken, Task<WriteResult>> _upload;
        private readonly Func<string, BlockUpload> _start;
        private readonly List<Task> _stages = new List<Task>();
        private readonly SemaphoreSlim _window = new SemaphoreSlim(Window, Window);
        private readonly CancellationTokenSource _abandon = new CancellationTokenSource();
        private readonly ContentStream _content;
        private MemoryStream _pending;
        private BlockUpload? _blocks;
        private Exception? _failure;
        private int _staged;
        private long _length;
        private int _committed;
        private bool _disposed;

        public BlockObjectWriter(string key, WriteCondition condition, int blockSize,
            Func<string, ArraySegment<byte>, WriteCondition, CancellationToken, Task<WriteResult>> upload, Func<string, BlockUpload> start)
            : base(key, condition)
        {
            _blockSize = blockSize;
            _upload = upload;
            _start = start;
            _pending = new MemoryStream();
            _content = new ContentStream(this);
        }

        public override Stream Content => _disposed ? throw new ObjectDisposedException(nameof(BlockObjectWriter)) : _content;

        public override long Length => _length;

        /// <summary>Blocks staged so far (0 while the object fits in one block).</summary>
        public int StagedBlocks => _staged;

        private bool Stages => Condition.Kind != WriteConditionKind.IfVersion;

        private void Append(byte[] buffer, int offset, int count)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(BlockObjectWriter));
            }

            while (count > 0)
            {
                // A full block is staged only once more content comes (an object of exactly one block is one request),
                // and only when fewer than two are staging: otherwise the content gathers on (the writer never waits; a
                // block may then be larger) and goes with the next block or the commit.
                if (Stages && _pending.Length >= _blockSize && _window.Wait(0))
                {
                    StageFull();
                }

                var take = Stages && _pending.Length < _blockSize ? Math.Min(count, _blockSize - (int)_pending.Length) : count;
                _pending.Write(buffer, offset, take);
                _length += take;
                offset += take;
                count -= take;
            }
        }

        /// <summary>Stages the pending block (a window slot is taken).</summary>
        private void StageFull()
        {
            var failed = Volatile.Read(ref _failure);
            if (failed != null)
            {
                _window.Release();
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failed).Throw();
            }

            Stage(_pending, _staged++);
            _pending = new MemoryStream(_blockSize);
        }

        /// <summary>Stages a block in the background (a window slot is held; released when it ends).</summary>
        private void Stage(MemoryStream block, int number)
        {
            _blocks ??= _start(Key);
            var upload = _blocks;
            var token = _abandon.Token;
            _stages.Add(Task.Run(async () =>
            {
                try
                {
                    await upload.StageAsync(number, new ArraySegment<byte>(block.GetBuffer(), 0, (int)block.Length), token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, e, null);
                    throw;
                }
                finally
                {
                    _window.Release();
                }
            }));
        }

        public override async Task<WriteResult> CommitAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _committed, 1) != 0)
            {
                throw new InvalidOperationException($"The object {Key} was committed already.");
            }

            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(BlockObjectWriter));
            }

            if (_blocks == null)
            {
                return await _upload(Key, new ArraySegment<byte>(_pending.GetBuffer(), 0, (int)_pending.Length), Condition, cancellationToken).ConfigureAwait(false);
            }

            if (_pending.Length > 0)
            {
                await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
                Stage(_pending, _staged++);
                _pending = new MemoryStream();
            }

            // A failed stage fails the commit (after the others have ended); Dispose then abandons the upload.
            await Task.WhenAll(_stages).ConfigureAwait(false);
            var result = await _blocks.CommitAsync(_staged, _length, Condition, cancellationToken).ConfigureAwait(false);
            if (result.Status == WriteStatus.Written)
            {
                _blocks = null;
            }

            return result;
        }

        protected override void Dispose(bool disposing)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            var upload = _blocks;
            _blocks = null;
            if (upload != null)
            {
                // Not committed (or the commit failed or found the object there): the staged blocks are abandoned.
                _abandon.Cancel();
                try
                {
                    Task.WaitAll(_stages.ToArray());
                }
                catch (AggregateException)
                {
                }

                try
                {
                    upload.AbortAsync(CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (Exception e) when (StorageFailures.IsFailure(e) || e is OperationCanceledException)
                {
                    // Left to the store, which discards abandoned blocks (Azure after a week; an S3 lifecycle rule).
                }
            }

            _pending.Dispose();
            _abandon.Dispose();
        }

        /// <summary>The write-only stream callers write the content to.</summary>
        private sealed class ContentStream : Stream
        {
            private readonly BlockObjectWriter _writer;

            public ContentStream(BlockObjectWriter writer)
            {
                _writer = writer;
            }

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => _writer._length;

            public override long Position
            {
                get => _writer._length;
                set => throw new NotSupportedException();
            }

            public override void Write(byte[] buffer, int offset, int count) => _writer.Append(buffer, offset, count);

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
