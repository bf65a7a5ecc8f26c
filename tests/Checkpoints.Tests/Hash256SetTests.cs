using System.Security.Cryptography;
using Daytona.Checkpoints;

namespace Checkpoints.Tests;

/// <summary>The set a capture counts its distinct chunks with: the same answers as a HashSet, as it grows.</summary>
public sealed class Hash256SetTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public void ItAnswersAsAHashSetDoesAcrossGrowth(int expected)
    {
        var random = new Random(7);
        var hashes = Enumerable.Range(0, 5000).Select(i => Parse(SHA256.HashData(BitConverter.GetBytes(i)))).ToList();

        // Hashes that share their first 32 bits (the hash code): they collide, and are still told apart.
        var bytes = SHA256.HashData(BitConverter.GetBytes(-1));
        for (var i = 0; i < 40; i++)
        {
            bytes[31] = (byte)i;
            hashes.Add(Parse(bytes));
        }

        var set = new Hash256Set(expected);
        var reference = new HashSet<Hash256>();
        for (var i = 0; i < 20_000; i++)
        {
            var hash = hashes[random.Next(hashes.Count)];
            Assert.Equal(reference.Add(hash), set.Add(hash));
        }

        Assert.Equal(reference.Count, set.Count);

        // Every hash once more: those drawn are there, the others are added now.
        Assert.All(hashes, h => Assert.Equal(reference.Add(h), set.Add(h)));
        Assert.Equal(hashes.Distinct().Count(), set.Count);
    }

    private static Hash256 Parse(byte[] bytes)
    {
        Assert.True(Hash256.TryParse(Convert.ToHexString(bytes).ToLowerInvariant(), out var hash));
        return hash;
    }
}
