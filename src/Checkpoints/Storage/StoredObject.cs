using System;
using System.Buffers;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// A whole object read into memory, with the version it had. The bytes may come from <see cref="ArrayPool{T}"/>
    /// (a manifest of many files is megabytes, read once and dropped): dispose it when done, and keep no reference to
    /// <see cref="Buffer"/> after that.
    /// </summary>
    public sealed class StoredObject : IDisposable
    {
        private byte[]? _buffer;
        private readonly bool _pooled;

        public StoredObject(byte[] buffer, int length, string? version, bool pooled = false)
        {
            if (length < 0 || length > buffer.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(length));
            }

            _buffer = buffer;
            Length = length;
            Version = version;
            _pooled = pooled;
        }

        /// <summary>The bytes; only the first <see cref="Length"/> are the object.</summary>
        public byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(StoredObject));

        public int Length { get; }

        public ReadOnlySpan<byte> Span => new ReadOnlySpan<byte>(Buffer, 0, Length);

        /// <summary>The version read, for a later <see cref="WriteCondition.IfVersion"/>.</summary>
        public string? Version { get; }

        /// <summary>The bytes as an array of their exact length (a copy when the buffer is larger).</summary>
        public byte[] ToArray()
        {
            var buffer = Buffer;
            if (!_pooled && buffer.Length == Length)
            {
                return buffer;
            }

            var copy = new byte[Length];
            System.Buffer.BlockCopy(buffer, 0, copy, 0, Length);
            return copy;
        }

        public void Dispose()
        {
            var buffer = _buffer;
            _buffer = null;
            if (buffer != null && _pooled)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
