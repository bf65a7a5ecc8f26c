using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// An <see cref="ObjectWriter"/> for object stores: the content gathers in memory and the commit uploads it in one
    /// conditional request, so nothing is visible before the commit and an abandoned writer leaves nothing behind.
    /// (Objects are packs of at most ~16 MiB and manifests; the engine bounds how many are in flight.) The content gathers
    /// in pooled blocks (<see cref="ObjectBuffers"/>); the upload reads it as a seekable stream, from the start at each
    /// attempt, and leaves it open.
    /// </summary>
    public sealed class BufferedObjectWriter : ObjectWriter
    {
        private readonly Func<string, Stream, WriteCondition, CancellationToken, Task<WriteResult>> _upload;
        private MemoryStream? _content;
        private int _committed;

        public BufferedObjectWriter(string key, WriteCondition condition, Func<string, Stream, WriteCondition, CancellationToken, Task<WriteResult>> upload)
            : base(key, condition)
        {
            _upload = upload;
            _content = ObjectBuffers.Rent(key);
        }

        public override Stream Content => _content ?? throw new ObjectDisposedException(nameof(BufferedObjectWriter));

        public override long Length => _content?.Length ?? 0;

        public override async Task<WriteResult> CommitAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _committed, 1) != 0)
            {
                throw new InvalidOperationException($"The object {Key} was committed already.");
            }

            var content = _content ?? throw new ObjectDisposedException(nameof(BufferedObjectWriter));
            content.Position = 0;
            return await _upload(Key, content, Condition, cancellationToken).ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            _content?.Dispose();
            _content = null;
        }
    }
}
