using Daytona.Checkpoints;

namespace Checkpoints.Tests;

public sealed class ChunkerTests
{
    [Fact]
    public void CutPointsAreThoseOfThePlainGearDefinition()
    {
        // Cut points are part of the repository format: the optimized scan must cut exactly where the plain
        // definition (FastCDC, normalized, over the SplitMix64 gear table) cuts, on data long enough for many chunks
        // of both normalization regimes and for chunks cut at the maximum size.
        var data = new byte[48 * 1024 * 1024];
        new Random(11).NextBytes(data);
        Array.Clear(data, 20 * 1024 * 1024, 9 * 1024 * 1024); // zeros never cut: the maximum applies

        var chunker = new Chunker();
        var expected = PlainCuts(data, chunker);
        var actual = new List<int>();
        var offset = 0;
        while (offset < data.Length)
        {
            var cut = chunker.NextCut(data.AsSpan(offset), final: true);
            actual.Add(cut);
            offset += cut;
        }

        Assert.Equal(expected, actual);
        Assert.Contains(Chunker.DefaultMaxSize, actual);
        Assert.True(actual.Count > 30, $"{actual.Count} chunks");
    }

    [Fact]
    public void WithoutTheFinalDataAShortBufferAsksForMore()
    {
        var chunker = new Chunker();
        var zeros = new byte[Chunker.DefaultMaxSize - 1];
        Assert.Equal(-1, chunker.NextCut(zeros, final: false));
        Assert.Equal(zeros.Length, chunker.NextCut(zeros, final: true));
        Assert.Equal(-1, chunker.NextCut(new byte[10], final: false));
        Assert.Equal(10, chunker.NextCut(new byte[10], final: true));
    }

    private static List<int> PlainCuts(byte[] data, Chunker chunker)
    {
        var gear = new ulong[256];
        ulong state = 0x5DEECE66DUL;
        for (var i = 0; i < gear.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            gear[i] = z ^ (z >> 31);
        }

        var bits = (int)Math.Log2(chunker.AverageSize);
        var maskSmall = ~(ulong.MaxValue >> (bits + 2));
        var maskLarge = ~(ulong.MaxValue >> (bits - 2));
        var cuts = new List<int>();
        var start = 0;
        while (start < data.Length)
        {
            var n = Math.Min(data.Length - start, chunker.MaxSize);
            var cut = n;
            if (n > chunker.MinSize)
            {
                ulong fp = 0;
                for (var i = chunker.MinSize; i < n; i++)
                {
                    fp = (fp << 1) + gear[data[start + i]];
                    if ((fp & (i < chunker.AverageSize ? maskSmall : maskLarge)) == 0)
                    {
                        cut = i + 1;
                        break;
                    }
                }
            }

            cuts.Add(cut);
            start += cut;
        }

        return cuts;
    }
}
