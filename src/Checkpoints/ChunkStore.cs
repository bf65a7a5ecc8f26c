using System;
using System.Buffers;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using ZstdSharp;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// Content-addressed chunk storage: <c>chunks/&lt;first two hex digits&gt;/&lt;sha256&gt;</c>, each one zstd frame of
    /// the chunk's bytes, named by the SHA-256 of the uncompressed bytes. Written to <c>tmp/</c>, flushed, then
    /// renamed into place, so a chunk file is either absent or complete.
    /// </summary>
    public sealed class ChunkStore
    {
        /// <summary>The largest chunk this store accepts (the chunker's maximum).</summary>
        public const int MaxChunkSize = Chunker.DefaultMaxSize;

        private static readonly ThreadLocal<SHA256> s_sha = new ThreadLocal<SHA256>(SHA256.Create);
        private static readonly ThreadLocal<Decompressor> s_decompressor = new ThreadLocal<Decompressor>(() => new Decompressor());

        private readonly ThreadLocal<Compressor> _compressor;
        private readonly string _chunks;
        private readonly string _temp;

        public ChunkStore(string root, string temp, int level, bool durable)
        {
            _chunks = root;
            _temp = temp;
            Durable = durable;
            _compressor = new ThreadLocal<Compressor>(() => new Compressor(level));
        }

        public bool Durable { get; }

        public static bool IsHash(string text)
        {
            if (text.Length != 64)
            {
                return false;
            }

            foreach (var c in text)
            {
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                {
                    return false;
                }
            }

            return true;
        }

        public string PathOf(string hash) => Path.Combine(_chunks, hash.Substring(0, 2), hash);

        public bool Exists(string hash) => File.Exists(PathOf(hash));

        /// <summary>The stored (compressed) length of a chunk, or -1 when it is absent.</summary>
        public long StoredLength(string hash)
        {
            var info = new FileInfo(PathOf(hash));
            return info.Exists ? info.Length : -1;
        }

        public static string Hash(byte[] data, int offset, int count) => ToHex(s_sha.Value!.ComputeHash(data, offset, count));

        /// <summary>Compresses and stores a chunk unless it is already there; returns the stored length.</summary>
        public int Put(string hash, byte[] data, int count, out bool written)
        {
            var path = PathOf(hash);
            var existing = new FileInfo(path);
            if (existing.Exists)
            {
                written = false;
                return (int)existing.Length;
            }

            var bound = Compressor.GetCompressBound(count);
            var buffer = ArrayPool<byte>.Shared.Rent(bound);
            try
            {
                var length = _compressor.Value!.Wrap(new ReadOnlySpan<byte>(data, 0, count), new Span<byte>(buffer, 0, bound));
                WriteAtomically(path, buffer, length);
                written = true;
                return length;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>Stores an already compressed frame (from an archive) under its hash.</summary>
        public void PutStored(string hash, byte[] frame, int length)
        {
            var path = PathOf(hash);
            if (!File.Exists(path))
            {
                WriteAtomically(path, frame, length);
            }
        }

        /// <summary>Reads the stored frame of a chunk; null when absent.</summary>
        public byte[]? ReadStored(string hash)
        {
            try
            {
                return File.ReadAllBytes(PathOf(hash));
            }
            catch (FileNotFoundException)
            {
                return null;
            }
            catch (DirectoryNotFoundException)
            {
                return null;
            }
        }

        /// <summary>
        /// Reads, decompresses and verifies a chunk into <paramref name="destination"/> (at least <paramref name="size"/>
        /// bytes); a missing, undecodable or mismatching chunk is <c>CheckpointCorrupt</c>.
        /// </summary>
        public void Read(string hash, int size, byte[] destination, string? forPath)
        {
            var frame = ReadStored(hash) ?? throw CheckpointErrors.CorruptData(
                $"The chunk {hash}{Of(forPath)} is missing from the repository.", forPath ?? hash);
            Decode(hash, size, frame, frame.Length, destination, forPath);
        }

        /// <summary>Decompresses a stored frame and checks its length and SHA-256.</summary>
        public static void Decode(string hash, int size, byte[] frame, int frameLength, byte[] destination, string? forPath, int frameOffset = 0)
        {
            int length;
            try
            {
                length = s_decompressor.Value!.Unwrap(new ReadOnlySpan<byte>(frame, frameOffset, frameLength - frameOffset), new Span<byte>(destination, 0, size));
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                throw CheckpointErrors.CorruptData($"The chunk {hash}{Of(forPath)} cannot be decompressed: {e.Message}", forPath ?? hash, e);
            }

            if (length != size)
            {
                throw CheckpointErrors.CorruptData($"The chunk {hash}{Of(forPath)} holds {length} bytes instead of {size}.", forPath ?? hash);
            }

            var actual = Hash(destination, 0, length);
            if (!string.Equals(actual, hash, StringComparison.Ordinal))
            {
                throw CheckpointErrors.CorruptData($"The chunk {hash}{Of(forPath)} does not match its hash (its content hashes to {actual}).", forPath ?? hash);
            }
        }

        internal void WriteAtomically(string path, byte[] data, int length)
        {
            var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                stream.Write(data, 0, length);
                stream.Flush(Durable);
            }

            var folder = Path.GetDirectoryName(path)!;
            Directory.CreateDirectory(folder);
            try
            {
                File.Move(temp, path);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another writer of the same content won: the chunk is there either way.
                File.Delete(temp);
            }
        }

        internal static string ToHex(byte[] bytes)
        {
            var chars = new char[bytes.Length * 2];
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i];
                chars[i * 2] = Digit(b >> 4);
                chars[(i * 2) + 1] = Digit(b & 15);
            }

            return new string(chars);
        }

        private static char Digit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

        private static string Of(string? path) => path == null ? string.Empty : $" (of '{path}')";
    }
}
