using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// One object being written (from <see cref="IObjectStorage.CreateWriter"/>): write its content to
    /// <see cref="Content"/>, optionally call <see cref="Complete"/> as soon as the content is whole (the backend may start
    /// moving it: the folder starts the write-back to the disk, an object store may start the upload), then
    /// <see cref="CommitAsync"/>. Until the commit nothing is visible; disposing without a commit discards the content.
    /// </summary>
    public abstract class ObjectWriter : IDisposable
    {
        protected ObjectWriter(string key, WriteCondition condition)
        {
            Key = key;
            Condition = condition;
        }

        public string Key { get; }

        public WriteCondition Condition { get; }

        /// <summary>
        /// Whether the object must be on stable storage when the commit returns (the default). False for objects that
        /// can be rebuilt (a catalog): the folder then skips its flush to the disk.
        /// </summary>
        public bool Durable { get; set; } = true;

        /// <summary>Where the content is written. Not thread-safe: one writer thread at a time.</summary>
        public abstract Stream Content { get; }

        /// <summary>Bytes written so far.</summary>
        public abstract long Length { get; }

        /// <summary>The content is whole: no more writes to <see cref="Content"/>. Optional; <see cref="CommitAsync"/> implies it.</summary>
        public virtual void Complete()
        {
        }

        /// <summary>Makes the object visible, whole, if <see cref="Condition"/> holds; at most once.</summary>
        public abstract Task<WriteResult> CommitAsync(CancellationToken cancellationToken);

        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        /// <summary>Releases the content; an uncommitted object leaves nothing behind.</summary>
        protected abstract void Dispose(bool disposing);
    }
}
