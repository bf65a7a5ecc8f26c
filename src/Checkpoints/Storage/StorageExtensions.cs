using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>Conveniences over <see cref="IObjectStorage"/>, the same for every backend.</summary>
    public static class StorageExtensions
    {
        /// <summary>Writes a whole object from memory under <paramref name="condition"/>.</summary>
        public static Task<WriteResult> WriteAsync(this IObjectStorage storage, string key, byte[] content, WriteCondition condition, CancellationToken cancellationToken) =>
            storage.WriteAsync(key, content, 0, content.Length, condition, durable: true, cancellationToken);

        /// <summary>Writes a whole object from a part of a buffer under <paramref name="condition"/>.</summary>
        public static async Task<WriteResult> WriteAsync(this IObjectStorage storage, string key, byte[] content, int offset, int count, WriteCondition condition, bool durable, CancellationToken cancellationToken)
        {
            using var writer = storage.CreateWriter(key, condition);
            writer.Durable = durable;
            writer.Content.Write(content, offset, count);
            return await writer.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        // The engine's capture and restore loops run on their own threads; these wait there (no synchronization
        // context is involved, so waiting cannot deadlock).

        public static StoredObject? Read(this IObjectStorage storage, string key, CancellationToken cancellationToken = default) =>
            storage.ReadAsync(key, cancellationToken).GetAwaiter().GetResult();

        public static int ReadRange(this IObjectStorage storage, string key, long position, byte[] buffer, int offset, int count, CancellationToken cancellationToken = default) =>
            storage.ReadRangeAsync(key, position, buffer, offset, count, cancellationToken).GetAwaiter().GetResult();

        public static WriteResult Write(this IObjectStorage storage, string key, byte[] content, WriteCondition condition, CancellationToken cancellationToken = default) =>
            storage.WriteAsync(key, content, condition, cancellationToken).GetAwaiter().GetResult();

        /// <summary>Writes a whole object, durable or not (see <see cref="ObjectWriter.Durable"/>).</summary>
        public static WriteResult Write(this IObjectStorage storage, string key, byte[] content, WriteCondition condition, bool durable, CancellationToken cancellationToken = default) =>
            storage.WriteAsync(key, content, 0, content.Length, condition, durable, cancellationToken).GetAwaiter().GetResult();

        public static WriteResult Commit(this ObjectWriter writer, CancellationToken cancellationToken = default) =>
            writer.CommitAsync(cancellationToken).GetAwaiter().GetResult();

        public static IReadOnlyList<ObjectInfo> List(this IObjectStorage storage, string prefix, string? startAfter = null, CancellationToken cancellationToken = default) =>
            storage.ListAsync(prefix, startAfter, cancellationToken).GetAwaiter().GetResult();

        public static bool Delete(this IObjectStorage storage, string key, CancellationToken cancellationToken = default) =>
            storage.DeleteAsync(key, cancellationToken).GetAwaiter().GetResult();

        /// <summary>Deletes an object if it is there, in one request where the storage can (<see cref="IUncheckedDelete"/>).</summary>
        public static Task DeleteUncheckedAsync(this IObjectStorage storage, string key, CancellationToken cancellationToken) =>
            storage is IUncheckedDelete oneRequest ? oneRequest.DeleteUncheckedAsync(key, cancellationToken) : storage.DeleteAsync(key, cancellationToken);

        public static ObjectInfo? Stat(this IObjectStorage storage, string key, CancellationToken cancellationToken = default) =>
            storage.StatAsync(key, cancellationToken).GetAwaiter().GetResult();
    }
}
