using System.Runtime.InteropServices;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Compression;

namespace Checkpoints.Tests.Compression;

/// <summary>
/// Chunks compressed by the system's libzstd and by ZstdSharp: both are frames the reader (ZstdSharp) decodes to the
/// same bytes, and a repository written with either restores the same files.
/// </summary>
public sealed class ChunkCompressorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<bool> Engines => new() { true, false };

    [Fact]
    public void TheSystemsLibzstdIsUsedOnSixtyFourBitLinuxWhereItIsInstalled()
    {
        var installed = new[] { "/lib/x86_64-linux-gnu/libzstd.so.1", "/usr/lib/x86_64-linux-gnu/libzstd.so.1", "/lib/aarch64-linux-gnu/libzstd.so.1", "/usr/lib/aarch64-linux-gnu/libzstd.so.1", "/usr/lib64/libzstd.so.1" }
            .Any(File.Exists);
        var expected = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && Environment.Is64BitProcess && installed;
        Assert.Equal(expected, NativeZstd.Available);
        Assert.Equal(expected ? "libzstd " + NativeZstd.Version : "ZstdSharp", new ChunkCompressor(1).Engine);
        Assert.Equal("ZstdSharp", new ChunkCompressor(1, allowNative: false).Engine);
        if (expected)
        {
            Assert.Matches(@"^1\.\d+\.\d+$", NativeZstd.Version);
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void EveryKindOfChunkComesBackExactlyFromItsFrame(bool native)
    {
        var compressor = new ChunkCompressor(1, native);
        var random = new Random(7);
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 200_000).Select(i => "word" + (i % 97) + " ")));
        var noise = new byte[ChunkStore.MaxChunkSize];
        random.NextBytes(noise);
        var cases = new List<(byte[] Data, int Offset, int Count)>
        {
            (new byte[] { 42 }, 0, 1),
            (text, 0, 4096),
            (text, 1234, 600_000),
            (noise, 0, noise.Length),
            (noise, 17, 5000),
            (new byte[(1 << 20) + ChunkStore.MaxChunkSize], 1 << 20, ChunkStore.MaxChunkSize), // zeros, the largest chunk
        };

        foreach (var (data, offset, count) in cases)
        {
            var frame = new byte[ChunkCompressor.Bound(count)];
            var length = compressor.Compress(data, offset, count, frame);
            Assert.InRange(length, 1, frame.Length);
            var back = new byte[count];
            var hash = ChunkStore.Hash(data, offset, count);
            ChunkStore.Decode(hash, count, frame, length, back, "case"); // decompresses with ZstdSharp, checks length and SHA-256
            Assert.True(back.AsSpan().SequenceEqual(data.AsSpan(offset, count)));
        }

        // Text compresses: the level is applied, not a stored (raw) frame.
        var textFrame = new byte[ChunkCompressor.Bound(600_000)];
        Assert.True(compressor.Compress(text, 0, 600_000, textFrame) < 600_000 / 5);
    }

    [Fact]
    public void ThreadsCompressingAtOnceEachGetTheirOwnContext()
    {
        var compressor = new ChunkCompressor(1);
        var failures = 0;
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var data = TestTree.Random(100_000 + (i * 1000), i);
            var frame = new byte[ChunkCompressor.Bound(data.Length)];
            var length = compressor.Compress(data, 0, data.Length, frame);
            var back = new byte[data.Length];
            try
            {
                ChunkStore.Decode(ChunkStore.Hash(data, 0, data.Length), data.Length, frame, length, back, null);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void ARepositoryWrittenWithEitherEngineHoldsTheSameChunksAndRestoresTheSameFiles()
    {
        var source = _temp.Sub("source");
        TestTree.Write(source, "big.bin", TestTree.Random(5 << 20, 3));
        TestTree.Write(source, "text.txt", System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the same line again\n", 40_000))));
        for (var i = 0; i < 40; i++)
        {
            TestTree.Write(source, $"small/f{i:D2}.txt", TestTree.Random(300 + (i * 91), 50 + i));
        }

        var native = CheckpointRepository.OpenOrCreate(_temp.Sub("native"), new RepositoryOptions());
        var managed = CheckpointRepository.OpenOrCreate(_temp.Sub("managed"), new RepositoryOptions { NativeCompression = false });
        Assert.Equal("ZstdSharp", managed.Store.Compression);
        var a = native.Capture(source, null, default);
        var b = managed.Capture(source, null, default);
        Assert.Equal(native.Store.ListChunks().OrderBy(h => h), managed.Store.ListChunks().OrderBy(h => h));

        foreach (var (repository, checkpoint, name) in new[] { (native, a, "from-native"), (managed, b, "from-managed") })
        {
            var target = Path.Combine(_temp.Path, name);
            repository.Restore(checkpoint.Id, target, null, default);
            foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(source, file);
                Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(target, relative)));
            }

            Assert.Empty(repository.Verify(checkpoint.Id).Problems);
        }
    }
}
