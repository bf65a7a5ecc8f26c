using Daytona.Checkpoints.Storage;

namespace Checkpoints.Tests.Storage;

/// <summary>An object gathered in pooled blocks reaches its upload whole, from the start, at every attempt.</summary>
public sealed class BufferedObjectWriterTests
{
    [Fact]
    public async Task TheUploadReadsEveryByteWrittenFromTheStartAtEachAttempt()
    {
        // Larger than a pack and not a multiple of the 64 KiB block: writes of varied sizes cross block boundaries.
        var expected = new byte[17 * 1024 * 1024 + 12345];
        new Random(7).NextBytes(expected);
        var uploads = new List<byte[]>();
        using var writer = new BufferedObjectWriter("packs/ab/x.pack", WriteCondition.CreateOnly, async (key, content, condition, cancellationToken) =>
        {
            Assert.Equal("packs/ab/x.pack", key);
            Assert.True(content.CanSeek);
            Assert.Equal(expected.Length, content.Length);
            for (var attempt = 0; attempt < 2; attempt++)
            {
                // As the S3 upload does on a retry: back to the start, read it all again.
                content.Position = 0;
                var copy = new MemoryStream();
                await content.CopyToAsync(copy, 7919, cancellationToken);
                uploads.Add(copy.ToArray());
            }

            return new WriteResult(WriteStatus.Written, "v1");
        });

        var random = new Random(11);
        for (var at = 0; at < expected.Length;)
        {
            var count = Math.Min(expected.Length - at, random.Next(1, 300_000));
            writer.Content.Write(expected, at, count);
            at += count;
        }

        Assert.Equal(expected.Length, writer.Length);
        var result = await writer.CommitAsync(CancellationToken.None);

        Assert.Equal(WriteStatus.Written, result.Status);
        Assert.Equal(2, uploads.Count);
        Assert.All(uploads, upload => Assert.True(upload.AsSpan().SequenceEqual(expected)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CommitAsync(CancellationToken.None));
    }

    [Fact]
    public void AWriterDisposedWithoutACommitUploadsNothing()
    {
        var uploaded = false;
        var writer = new BufferedObjectWriter("manifest", WriteCondition.CreateOnly, (_, _, _, _) =>
        {
            uploaded = true;
            return Task.FromResult(new WriteResult(WriteStatus.Written, null));
        });
        writer.Content.Write(new byte[1000], 0, 1000);
        writer.Dispose();

        Assert.False(uploaded);
        Assert.Throws<ObjectDisposedException>(() => writer.Content);
    }
}
