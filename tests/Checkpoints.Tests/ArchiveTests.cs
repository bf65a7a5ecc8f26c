using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Daytona.Checkpoints;
using Daytona.Common;

namespace Checkpoints.Tests;

public sealed class ArchiveTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private (CheckpointRepository Repository, Checkpoint Checkpoint, string Source) Captured()
    {
        var source = _temp.Sub("source");
        TestTree.Build(source);
        var repository = TestTree.NewRepository(_temp);
        return (repository, repository.Capture(source, new CaptureOptions { Name = "exported" }, default), source);
    }

    [Fact]
    public void ExportThenImportElsewhereKeepsTheTimeAndTheContent()
    {
        var (repository, checkpoint, source) = Captured();
        var archive = _temp.Sub("one.dyckpt");
        repository.Export(checkpoint.Id, archive, overwrite: false, null, default);

        var other = CheckpointRepository.OpenOrCreate(_temp.Sub("other-repo"));
        var imported = other.Import(archive, null, default);
        Assert.Equal(checkpoint.Id, imported.Id);
        Assert.Equal(checkpoint.Time, imported.Time);
        Assert.Equal("exported", imported.Name);
        Assert.True(other.Verify(imported.Id).IsValid);

        var restored = _temp.Sub("restored");
        other.Restore(imported.Id, restored, null, default);
        TestTree.AssertSameTree(source, restored);

        // Exactly its content: the archive holds each referenced chunk once and nothing else.
        var chunkFiles = other.Store.ListChunks().Count;
        var referenced = other.ReadManifest(imported.Id).Entries.SelectMany(e => e.Chunks).Select(c => c.Hash).Distinct().Count();
        Assert.Equal(referenced, chunkFiles);
        var packFiles = TestTree.PackFiles(other).ToList();

        // Importing twice is harmless.
        var again = other.Import(archive, null, default);
        Assert.Equal(imported.Id, again.Id);
        Assert.Single(other.List());
        Assert.Equal(packFiles, TestTree.PackFiles(CheckpointRepository.Open(other.Root)));
    }

    [Fact]
    public void ExportRefusesToOverwriteWithoutPermission()
    {
        var (repository, checkpoint, _) = Captured();
        var archive = _temp.Sub("one.dyckpt");
        File.WriteAllText(archive, "keep");
        Assert.Equal("CheckpointAlreadyExists", Assert.Throws<DaytonaException>(() => repository.Export(checkpoint.Id, archive, false, null, default)).ErrorId);
        Assert.Equal("keep", File.ReadAllText(archive));
        repository.Export(checkpoint.Id, archive, true, null, default);
        Assert.NotEqual("keep", File.ReadAllText(archive));
    }

    [Fact]
    public void ATamperedArchiveIsRefusedAndNothingIsImported()
    {
        var (repository, checkpoint, _) = Captured();
        var archive = _temp.Sub("one.dyckpt");
        repository.Export(checkpoint.Id, archive, false, null, default);
        var bytes = File.ReadAllBytes(archive);

        // One flipped byte deep inside: the end checksum no longer matches.
        var flipped = (byte[])bytes.Clone();
        flipped[flipped.Length / 2] ^= 0x01;
        File.WriteAllBytes(archive, flipped);
        var target = CheckpointRepository.OpenOrCreate(_temp.Sub("target"));
        var error = Assert.Throws<DaytonaException>(() => target.Import(archive, null, default));
        Assert.Equal("CheckpointArchiveInvalid", error.ErrorId);
        AssertNothingImported(target);

        // A forger who also recomputes the end checksum is caught by the chunk hash, named with its file.
        var parsed = ArchiveFile.Read(bytes);
        var chunk = parsed.Chunks.First();
        var frame = DamageFrame(chunk.Frame);
        parsed.Chunks[0] = (chunk.Hash, frame);
        File.WriteAllBytes(archive, ArchiveFile.Write(parsed));
        error = Assert.Throws<DaytonaException>(() => target.Import(archive, null, default));
        Assert.Equal("CheckpointArchiveInvalid", error.ErrorId);
        Assert.Contains(chunk.Hash, error.Message);
        AssertNothingImported(target);
    }

    [Fact]
    public void TruncatedOrGarbageArchivesAreClearErrors()
    {
        var (repository, checkpoint, _) = Captured();
        var archive = _temp.Sub("one.dyckpt");
        repository.Export(checkpoint.Id, archive, false, null, default);
        var bytes = File.ReadAllBytes(archive);
        var target = CheckpointRepository.OpenOrCreate(_temp.Sub("target"));
        foreach (var length in new[] { 0, 3, 8, 12, 20, 100, bytes.Length / 3, bytes.Length - 33, bytes.Length - 1 })
        {
            File.WriteAllBytes(archive, bytes.Take(length).ToArray());
            var error = Assert.Throws<DaytonaException>(() => target.Import(archive, null, default));
            Assert.Equal("CheckpointArchiveInvalid", error.ErrorId);
        }

        File.WriteAllBytes(archive, bytes.Concat(new byte[] { 0 }).ToArray());
        Assert.Equal("CheckpointArchiveInvalid", Assert.Throws<DaytonaException>(() => target.Import(archive, null, default)).ErrorId);
        File.WriteAllBytes(archive, TestTree.Random(5000, 3));
        Assert.Equal("CheckpointArchiveInvalid", Assert.Throws<DaytonaException>(() => target.Import(archive, null, default)).ErrorId);
        AssertNothingImported(target);
    }

    [Fact]
    public void MissingAndExtraChunksAreRefused()
    {
        var (repository, checkpoint, _) = Captured();
        var archive = _temp.Sub("one.dyckpt");
        repository.Export(checkpoint.Id, archive, false, null, default);
        var parsed = ArchiveFile.Read(File.ReadAllBytes(archive));
        var target = CheckpointRepository.OpenOrCreate(_temp.Sub("target"));

        var missing = parsed with { Chunks = parsed.Chunks.Skip(1).ToList() };
        File.WriteAllBytes(archive, ArchiveFile.Write(missing));
        Assert.Contains("lacks", Assert.Throws<DaytonaException>(() => target.Import(archive, null, default)).Message);

        var extraData = TestTree.Random(100, 42);
        var extra = parsed with { Chunks = parsed.Chunks.Append((Convert.ToHexStringLower(SHA256.HashData(extraData)), new ZstdSharp.Compressor().Wrap(extraData).ToArray())).ToList() };
        File.WriteAllBytes(archive, ArchiveFile.Write(extra));
        Assert.Contains("does not reference", Assert.Throws<DaytonaException>(() => target.Import(archive, null, default)).Message);
        AssertNothingImported(target);
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("/tmp/escape.txt")]
    [InlineData("C:/escape.txt")]
    [InlineData("c:escape.txt")]
    [InlineData("a//b.txt")]
    [InlineData("./a.txt")]
    public void ArchivesWithEntriesOutsideTheDestinationAreRefused(string path)
    {
        var (repository, checkpoint, _) = Captured();
        var archive = _temp.Sub("one.dyckpt");
        repository.Export(checkpoint.Id, archive, false, null, default);
        var parsed = ArchiveFile.Read(File.ReadAllBytes(archive));
        var manifest = JsonNode.Parse(parsed.Manifest)!;
        var file = manifest["entries"]!.AsArray().First(e => (string)e!["type"]! == "file" && (string)e["path"]! == "readme.txt")!;
        file["path"] = path;
        File.WriteAllBytes(archive, ArchiveFile.Write(parsed with { Manifest = Encoding.UTF8.GetBytes(manifest.ToJsonString()) }));

        var target = CheckpointRepository.OpenOrCreate(_temp.Sub("target"));
        var error = Assert.Throws<DaytonaException>(() => target.Import(archive, null, default));
        Assert.Equal("CheckpointPathUnsafe", error.ErrorId);
        Assert.Equal(ErrorKind.SecurityError, error.Kind);
        AssertNothingImported(target);
        Assert.False(File.Exists(Path.Combine(_temp.Path, "escape.txt")));
    }

    [Fact]
    public void AWriteThroughASymlinkOfTheSameCheckpointIsRefused()
    {
        var (repository, checkpoint, _) = Captured();
        var outside = _temp.Sub("outside");
        Directory.CreateDirectory(outside);
        var archive = _temp.Sub("one.dyckpt");
        repository.Export(checkpoint.Id, archive, false, null, default);
        var parsed = ArchiveFile.Read(File.ReadAllBytes(archive));
        var manifest = JsonNode.Parse(parsed.Manifest)!;
        var entries = manifest["entries"]!.AsArray();
        entries.Add(new JsonObject { ["type"] = "symlink", ["path"] = "trap", ["target"] = outside });
        var file = entries.First(e => (string)e!["type"]! == "file" && (string)e["path"]! == "readme.txt")!;
        file["path"] = "trap/planted.txt";
        File.WriteAllBytes(archive, ArchiveFile.Write(parsed with { Manifest = Encoding.UTF8.GetBytes(manifest.ToJsonString()) }));

        var target = CheckpointRepository.OpenOrCreate(_temp.Sub("target"));
        var error = Assert.Throws<DaytonaException>(() => target.Import(archive, null, default));
        Assert.Equal("CheckpointPathUnsafe", error.ErrorId);
        Assert.Contains("trap/planted.txt", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact]
    public void RestoreRefusesAnUnsafeManifestInTheRepositoryAndWritesNothing()
    {
        var (repository, checkpoint, _) = Captured();
        var path = Path.Combine(repository.Root, "checkpoints", checkpoint.Id + ".json");
        var manifest = JsonNode.Parse(File.ReadAllBytes(path))!;
        var file = manifest["entries"]!.AsArray().First(e => (string)e!["type"]! == "file" && (string)e["path"]! == "readme.txt")!;
        file["path"] = "../../escape.txt";
        File.WriteAllText(path, manifest.ToJsonString());

        var destination = _temp.Sub("deep/dest");
        var error = Assert.Throws<DaytonaException>(() => repository.Restore(checkpoint.Id, destination, null, default));
        Assert.Equal("CheckpointPathUnsafe", error.ErrorId);
        Assert.False(Directory.Exists(destination));
        Assert.False(File.Exists(_temp.Sub("escape.txt")));
        Assert.False(repository.Verify(checkpoint.Id).IsValid);
    }

    private static byte[] DamageFrame(byte[] frame)
    {
        // Re-compress different content: a valid frame whose content does not match the claimed hash.
        var size = (int)ZstdSharp.Decompressor.GetDecompressedSize(frame);
        var data = new ZstdSharp.Decompressor().Unwrap(frame).ToArray();
        data[size / 2] ^= 0x10;
        return new ZstdSharp.Compressor().Wrap(data).ToArray();
    }

    private static void AssertNothingImported(CheckpointRepository target)
    {
        Assert.Empty(target.List());
        Assert.Empty(target.ListIds());
        Assert.Empty(TestTree.PackFiles(target));
        Assert.False(File.Exists(Path.Combine(target.Root, "lock")));
    }
}

/// <summary>The archive format as its documentation describes it, written independently of the engine.</summary>
public sealed record ArchiveFile(byte[] Header, byte[] Manifest, List<(string Hash, byte[] Frame)> Chunks)
{
    private static readonly byte[] Magic = "DYCKPT\r\n"u8.ToArray();

    public static ArchiveFile Read(byte[] bytes)
    {
        Assert.Equal(Magic, bytes[..8]);
        Assert.Equal(1u, BitConverter.ToUInt32(bytes, 8));
        var offset = 12;
        byte[]? header = null, manifest = null;
        var chunks = new List<(string, byte[])>();
        while (true)
        {
            var tag = (char)bytes[offset];
            var length = (int)BitConverter.ToUInt32(bytes, offset + 1);
            var payload = bytes[(offset + 5)..(offset + 5 + length)];
            if (tag == 'E')
            {
                Assert.Equal(SHA256.HashData(bytes.AsSpan(0, offset)), payload);
                Assert.Equal(bytes.Length, offset + 5 + length);
                break;
            }

            switch (tag)
            {
                case 'H': header = payload; break;
                case 'M': manifest = payload; break;
                case 'C': chunks.Add((Convert.ToHexStringLower(payload[..32]), payload[32..])); break;
                default: throw new InvalidDataException("tag " + tag);
            }

            offset += 5 + length;
        }

        return new ArchiveFile(header!, manifest!, chunks);
    }

    public static byte[] Write(ArchiveFile archive)
    {
        var stream = new MemoryStream();
        stream.Write(Magic);
        stream.Write(BitConverter.GetBytes(1u));
        void Record(char tag, byte[] payload)
        {
            stream.WriteByte((byte)tag);
            stream.Write(BitConverter.GetBytes((uint)payload.Length));
            stream.Write(payload);
        }

        Record('H', archive.Header);
        Record('M', archive.Manifest);
        foreach (var (hash, frame) in archive.Chunks)
        {
            Record('C', Convert.FromHexString(hash).Concat(frame).ToArray());
        }

        var sum = SHA256.HashData(stream.ToArray());
        Record('E', sum);
        return stream.ToArray();
    }
}
