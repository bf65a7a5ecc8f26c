using System;
using System.Threading;
using ZstdSharp;

namespace Daytona.Checkpoints.Compression
{
    /// <summary>
    /// Compresses chunks into zstd frames at a repository's level, one compressor per thread: with the system's libzstd
    /// where it can be used (<see cref="NativeZstd"/>), else with ZstdSharp. Either writes standard frames, which
    /// <see cref="ChunkStore.Decode"/> reads with ZstdSharp; a chunk is named by its uncompressed bytes, so which one
    /// wrote a frame changes nothing a reader sees.
    /// </summary>
    public sealed class ChunkCompressor
    {
        private readonly int _level;
        private readonly ThreadLocal<Compressor>? _managed;
        private readonly ThreadLocal<NativeZstd.Context>? _native;

        public ChunkCompressor(int level, bool allowNative = true)
        {
            _level = level;
            if (allowNative && NativeZstd.Available)
            {
                _native = new ThreadLocal<NativeZstd.Context>(NativeZstd.Context.Create);
                Engine = "libzstd " + NativeZstd.Version;
            }
            else
            {
                _managed = new ThreadLocal<Compressor>(() => new Compressor(level));
                Engine = "ZstdSharp";
            }
        }

        /// <summary>What compresses: "libzstd 1.5.4" (the system's) or "ZstdSharp".</summary>
        public string Engine { get; }

        /// <summary>The largest frame <paramref name="count"/> bytes can take.</summary>
        public static int Bound(int count) => Compressor.GetCompressBound(count);

        /// <summary>Compresses a chunk into a frame at the start of <paramref name="destination"/> (at least <see cref="Bound"/> bytes); returns its length.</summary>
        public int Compress(byte[] data, int offset, int count, byte[] destination) =>
            _native != null
                ? NativeZstd.Compress(_native.Value!, data, offset, count, destination, _level)
                : _managed!.Value!.Wrap(new ReadOnlySpan<byte>(data, offset, count), new Span<byte>(destination));
    }
}
