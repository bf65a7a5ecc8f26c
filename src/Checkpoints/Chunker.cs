using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// Content-defined chunking (FastCDC with normalized chunking, Xia et al. 2016) over a gear rolling hash.
    /// Written here because none of the pinned packages offers one. Cut points depend only on the last 64 bytes,
    /// so an edit inside a large file moves the boundaries of the chunks around it only, and the rest dedupe.
    /// The gear table and masks are part of the repository format: changing them changes every chunk.
    /// </summary>
    public sealed class Chunker
    {
        public const int DefaultMinSize = 256 * 1024;
        public const int DefaultAverageSize = 1024 * 1024;
        public const int DefaultMaxSize = 4 * 1024 * 1024;

        private static readonly ulong[] s_gear = CreateGear();

        private readonly ulong _maskSmall;
        private readonly ulong _maskLarge;

        public Chunker(int minSize = DefaultMinSize, int averageSize = DefaultAverageSize, int maxSize = DefaultMaxSize)
        {
            if (minSize <= 0 || averageSize < minSize || maxSize < averageSize)
            {
                throw new ArgumentOutOfRangeException(nameof(averageSize), "Chunk sizes must satisfy 0 < min <= average <= max.");
            }

            MinSize = minSize;
            AverageSize = averageSize;
            MaxSize = maxSize;
            var bits = Log2(averageSize);
            // Normalized chunking: harder to cut before the average size, easier after it. The mask bits are the
            // top bits of the 64-bit fingerprint, which depend on the last 64 bytes.
            _maskSmall = TopBits(bits + 2);
            _maskLarge = TopBits(Math.Max(1, bits - 2));
        }

        public int MinSize { get; }

        public int AverageSize { get; }

        public int MaxSize { get; }

        /// <summary>The length of the next chunk at the start of <paramref name="data"/>; <paramref name="final"/> says no more data follows.</summary>
        public int NextCut(ReadOnlySpan<byte> data, bool final)
        {
            var n = data.Length;
            if (n <= MinSize)
            {
                return final ? n : -1;
            }

            if (n > MaxSize)
            {
                n = MaxSize;
            }
            else if (!final && n < MaxSize)
            {
                // Not enough buffered to be sure of a cut within the max: scan what we have; the caller refills when -1.
                var cut = Scan(data, n);
                return cut == n ? -1 : cut;
            }

            return Scan(data, n);
        }

        // The loop runs over most bytes of every large file: precompiled on pwsh 7.6+ (Dependencies/<rid>/), and reading
        // through references without bounds checks (the indexes stay below n <= data.Length), which doubles its speed:
        // the fingerprint's shift and add are then the whole loop.
        private int Scan(ReadOnlySpan<byte> data, int n)
        {
            ref var bytes = ref MemoryMarshal.GetReference(data);
            ref var gear = ref s_gear[0];
            var maskSmall = _maskSmall;
            var maskLarge = _maskLarge;
            ulong fp = 0;
            nint i = MinSize;
            nint normal = Math.Min(AverageSize, n);
            nint end = n;
            for (; i < normal; i++)
            {
                fp = (fp << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref bytes, i));
                if ((fp & maskSmall) == 0)
                {
                    return (int)i + 1;
                }
            }

            for (; i < end; i++)
            {
                fp = (fp << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref bytes, i));
                if ((fp & maskLarge) == 0)
                {
                    return (int)i + 1;
                }
            }

            return n;
        }

        private static ulong TopBits(int bits) => bits >= 64 ? ulong.MaxValue : ~(ulong.MaxValue >> bits);

        private static int Log2(int value)
        {
            var bits = 0;
            while ((1 << (bits + 1)) <= value)
            {
                bits++;
            }

            return bits;
        }

        private static ulong[] CreateGear()
        {
            // SplitMix64 from a fixed seed: a fixed, well-mixed table.
            var table = new ulong[256];
            ulong state = 0x5DEECE66DUL;
            for (var i = 0; i < table.Length; i++)
            {
                state += 0x9E3779B97F4A7C15UL;
                var z = state;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                table[i] = z ^ (z >> 31);
            }

            return table;
        }
    }
}
