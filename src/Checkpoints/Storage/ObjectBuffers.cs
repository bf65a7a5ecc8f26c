using System.IO;
using Microsoft.IO;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// Where an object's bytes gather before its upload (and the copy kept in the machine cache): pooled blocks of 64 KiB,
    /// so a pack of ~16 MiB is never copied as it grows (a MemoryStream doubles and copies its buffer about ten times on
    /// the way there) and the blocks of an uploaded pack fill the next one. A block stays under the large-object size
    /// (85,000 bytes): a new process's re-capture, whose manifest is a few hundred KiB, then allocates too little on the
    /// large-object heap to set off a full collection. At most <see cref="RetainedBytes"/> of free blocks stay pooled.
    /// </summary>
    internal static class ObjectBuffers
    {
        /// <summary>Free blocks kept for the next object: two packs' worth; more is left to the garbage collector.</summary>
        public const long RetainedBytes = 2 * ChunkStore.PackTarget;

        private static readonly RecyclableMemoryStreamManager s_manager = new RecyclableMemoryStreamManager(new RecyclableMemoryStreamManager.Options
        {
            BlockSize = 64 * 1024,
            MaximumSmallPoolFreeBytes = RetainedBytes,
            // Objects are read through the stream, never as one array: no large buffers are asked for.
            MaximumLargePoolFreeBytes = 0,
        });

        /// <summary>A new, empty, seekable stream on pooled blocks; disposing it gives the blocks back.</summary>
        public static MemoryStream Rent(string tag) => s_manager.GetStream(tag);
    }
}
