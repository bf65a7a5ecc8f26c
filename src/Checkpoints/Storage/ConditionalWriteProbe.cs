using System;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// Finds out whether a storage honours create-only writes: writes a fresh probe object create-only twice. The second
    /// write must be refused; a storage that accepts it (many S3-compatible servers accept <c>If-None-Match: *</c> and
    /// overwrite anyway) cannot be trusted with lock-free writers.
    /// </summary>
    public static class ConditionalWriteProbe
    {
        public const string Folder = "probe/";

        /// <summary>True when the storage refused the second create-only write (three requests: two writes and a delete that does not ask first).</summary>
        public static async Task<bool> HonoursCreateOnlyAsync(IObjectStorage storage, CancellationToken cancellationToken)
        {
            var key = Folder + Guid.NewGuid().ToString("N");
            var first = await storage.WriteAsync(key, new[] { (byte)'1' }, WriteCondition.CreateOnly, cancellationToken).ConfigureAwait(false);
            try
            {
                var second = await storage.WriteAsync(key, new[] { (byte)'2' }, WriteCondition.CreateOnly, cancellationToken).ConfigureAwait(false);
                return first.Written && second.Status == WriteStatus.AlreadyExists;
            }
            finally
            {
                await storage.DeleteUncheckedAsync(key, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
