using System.Text;
using Daytona.Checkpoints;
using Daytona.Common;

namespace Checkpoints.Tests;

public sealed class ManifestTests
{
    private const string Hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void TheHeaderIsReadFromTheStartOfAManifestAndAStartCutInsideItAsksForMore()
    {
        var manifest = new Manifest { Id = "20250318T140338Z", Time = new DateTime(2025, 3, 18, 14, 3, 38, DateTimeKind.Utc), Source = "/work/space", Writer = "w1", Files = 1, Size = 1 };
        manifest.Entries.Add(new ManifestEntry { Type = EntryType.File, Path = "a", Size = 1, Chunks = new[] { new ChunkRef(Hash, 1, 1) } });
        using var stream = new MemoryStream();
        manifest.WriteTo(stream);
        var bytes = stream.ToArray();

        // Whole, or cut anywhere inside the entries: the header (which holds "time", a property the reader skips).
        var header = Manifest.ParseHeader(bytes, "test");
        Assert.Equal(("20250318T140338Z", "/work/space", "w1"), (header!.Id, header.Source, header.Writer));
        var entries = Encoding.UTF8.GetString(bytes).IndexOf("\"entries\"", StringComparison.Ordinal);
        Assert.NotNull(Manifest.ParseHeader(bytes.AsSpan(0, entries + 12), "test"));

        // Cut inside the header: read more.
        var time = Encoding.UTF8.GetString(bytes).IndexOf("\"time\"", StringComparison.Ordinal);
        Assert.Null(Manifest.ParseHeader(bytes.AsSpan(0, time + 10), "test"));
    }

    [Fact]
    public void WhatIsWrittenReadsBackTheSame()
    {
        var manifest = new Manifest
        {
            Id = "20250318T140338Z",
            Time = new DateTime(2025, 3, 18, 14, 3, 38, DateTimeKind.Utc),
            Source = "/work/space",
            Name = "before \"upgrade\" é",
            Host = "builder",
            Started = new DateTime(2025, 3, 18, 14, 3, 37, 250, DateTimeKind.Utc),
            Files = 2,
            Size = 7,
            StoredSize = 9,
            NewData = 9,
        };
        manifest.Entries.Add(new ManifestEntry { Type = EntryType.Directory, Path = "src", Mode = 493, ModifiedUtc = new DateTime(638_000_000_000_000_001, DateTimeKind.Utc) });
        manifest.Entries.Add(new ManifestEntry { Type = EntryType.File, Path = "src/a b.txt", Size = 7, Mode = 420, ModifiedUtc = new DateTime(638_000_000_000_000_002, DateTimeKind.Utc), Chunks = new[] { new ChunkRef(Hash, 3, 4), new ChunkRef(Hash.Replace('0', 'f'), 4, 5) } });
        manifest.Entries.Add(new ManifestEntry { Type = EntryType.File, Path = "empty", Size = 0 });
        manifest.Entries.Add(new ManifestEntry { Type = EntryType.Symlink, Path = "link", Target = "../elsewhere" });

        using var stream = new MemoryStream();
        manifest.WriteTo(stream);
        var read = Manifest.Parse(stream.ToArray(), "test");

        Assert.Equal((manifest.Id, manifest.Time, manifest.Source, manifest.Name, manifest.Host, manifest.Started, manifest.Kind),
            (read.Id, read.Time, read.Source, read.Name, read.Host, read.Started, read.Kind));
        Assert.Equal((2L, 7L, 9L, 9L), (read.Files, read.Size, read.StoredSize, read.NewData));
        Assert.Equal(manifest.Entries.Count, read.Entries.Count);
        for (var i = 0; i < manifest.Entries.Count; i++)
        {
            var (a, b) = (manifest.Entries[i], read.Entries[i]);
            Assert.Equal((a.Type, a.Path, a.Size, a.Mode, a.ModifiedUtc, a.Target), (b.Type, b.Path, b.Size, b.Mode, b.ModifiedUtc, b.Target));
            Assert.Equal(a.Chunks.Select(c => (c.Hash, c.Size, c.Stored)), b.Chunks.Select(c => (c.Hash, c.Size, c.Stored)));
        }
    }

    [Fact]
    public void TheTextIsWhatOneJsonWriterWritesForLongAndEscapedEntriesToo()
    {
        // Entries are written one by one (each unchanged file's entry copied from the previous manifest): the text is the
        // same as one writer writing the whole document, across the writer's buffer boundaries and for very long entries.
        var manifest = new Manifest
        {
            Id = "20250318T140338Z",
            Time = new DateTime(2025, 3, 18, 14, 3, 38, DateTimeKind.Utc),
            Source = "/work/space",
            Name = "n \"q\" é <tag>",
            Started = new DateTime(2025, 3, 18, 14, 3, 37, DateTimeKind.Utc),
        };
        var many = Enumerable.Range(0, 3000).Select(i => new ChunkRef(i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture), 100 + i, 50 + i)).ToArray();
        manifest.Entries.Add(new ManifestEntry { Type = EntryType.Directory, Path = "d", Mode = 493, ModifiedUtc = new DateTime(638_000_000_000_000_001, DateTimeKind.Utc) });
        for (var i = 0; i < 2000; i++)
        {
            manifest.Entries.Add(new ManifestEntry { Type = EntryType.File, Path = "d/f" + i + (i % 7 == 0 ? " \"é\u0001\\" : ""), Size = 3, Mode = 420, ModifiedUtc = new DateTime(638_000_000_000_000_002 + i, DateTimeKind.Utc), Chunks = new[] { new ChunkRef(Hash, 3, 4) } });
        }

        manifest.Entries.Add(new ManifestEntry { Type = EntryType.File, Path = "d/many", Size = many.Sum(c => (long)c.Size), Chunks = many });
        manifest.Entries.Add(new ManifestEntry { Type = EntryType.File, Path = "d/" + new string('\u00e9', 40_000), Size = 0 });
        manifest.Entries.Add(new ManifestEntry { Type = EntryType.Symlink, Path = "d/link", Target = "../" + new string('<', 30_000) });
        manifest.Entries.Add(new ManifestEntry { Type = EntryType.File, Path = "z", Size = 0 });

        using var stream = new MemoryStream();
        manifest.WriteTo(stream);

        Assert.Equal(Encoding.UTF8.GetString(OneWriter(manifest)), Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>The manifest as one <see cref="System.Text.Json.Utf8JsonWriter"/> writes it, property by property.</summary>
    private static byte[] OneWriter(Manifest manifest)
    {
        using var stream = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", manifest.Format);
            writer.WriteString("id", manifest.Id);
            writer.WriteString("time", manifest.Time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("source", manifest.Source);
            writer.WriteString("name", manifest.Name);
            writer.WriteString("kind", manifest.Kind);
            writer.WriteNumber("started", manifest.Started!.Value.Ticks);
            writer.WriteNumber("files", manifest.Files);
            writer.WriteNumber("size", manifest.Size);
            writer.WriteNumber("storedSize", manifest.StoredSize);
            writer.WriteNumber("newData", manifest.NewData);
            writer.WriteStartArray("entries");
            foreach (var entry in manifest.Entries)
            {
                writer.WriteStartObject();
                writer.WriteString("type", entry.Type == EntryType.File ? "file" : entry.Type == EntryType.Directory ? "dir" : "symlink");
                writer.WriteString("path", entry.Path);
                if (entry.Type == EntryType.File)
                {
                    writer.WriteNumber("size", entry.Size);
                }

                if (entry.Mode != null)
                {
                    writer.WriteNumber("mode", entry.Mode.Value);
                }

                if (entry.ModifiedUtc != null)
                {
                    writer.WriteNumber("mtime", entry.ModifiedUtc.Value.Ticks);
                }

                if (entry.Target != null)
                {
                    writer.WriteString("target", entry.Target);
                }

                if (entry.Type == EntryType.File)
                {
                    writer.WriteStartArray("chunks");
                    foreach (var chunk in entry.Chunks)
                    {
                        writer.WriteStartArray();
                        writer.WriteStringValue(chunk.Hash);
                        writer.WriteNumberValue(chunk.Size);
                        writer.WriteNumberValue(chunk.Stored);
                        writer.WriteEndArray();
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    [Fact]
    public void PropertiesMayComeInAnyOrderAndUnknownOnesAreSkipped()
    {
        var json = $$"""
            {"entries":[{"chunks":[["{{Hash}}",5,6]],"extra":{"nested":[1,[2]]},"size":5,"path":"a","type":"file"}],
             "newData":1,"storedSize":6,"size":5,"files":1,"future":[true,null],"kind":"folder","source":"/s",
             "id":"20250318T140338Z","format":1}
            """;
        var manifest = Manifest.Parse(Encoding.UTF8.GetBytes(json), "test");
        var entry = Assert.Single(manifest.Entries);
        Assert.Equal(("a", EntryType.File, 5L), (entry.Path, entry.Type, entry.Size));
        Assert.Equal(6, Assert.Single(entry.Chunks).Stored);
        Assert.Null(manifest.Started);
    }

    [Theory]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{\"format\":1", "not valid JSON")]
    [InlineData("{} {}", "not valid JSON")]
    [InlineData("{\"id\":\"20250318T140338Z\",\"source\":\"/s\",\"files\":0,\"size\":0,\"storedSize\":0,\"newData\":0,\"entries\":[]}", "'format' is missing")]
    [InlineData("{\"format\":2,\"id\":\"x\",\"entries\":[{\"anything\":1}]}", "format 2 is not supported")]
    [InlineData("{\"format\":1,\"id\":\"20250318t140338z\",\"source\":\"/s\",\"files\":0,\"size\":0,\"storedSize\":0,\"newData\":0,\"entries\":[]}", "is not a checkpoint time")]
    [InlineData("{\"format\":1,\"id\":\"20250318T140338Z\",\"source\":\"/s\",\"files\":0,\"size\":0,\"storedSize\":0,\"newData\":0}", "'entries' is missing")]
    [InlineData("{\"format\":1,\"id\":\"20250318T140338Z\",\"source\":\"/s\",\"files\":-1,\"size\":0,\"storedSize\":0,\"newData\":0,\"entries\":[]}", "'files' is negative")]
    [InlineData("{\"format\":1,\"id\":\"20250318T140338Z\",\"source\":7,\"files\":0,\"size\":0,\"storedSize\":0,\"newData\":0,\"entries\":[]}", "'source' is missing or not a string")]
    public void AMalformedManifestIsCorruptAndSaysWhy(string json, string why)
    {
        var error = Assert.Throws<DaytonaException>(() => Manifest.Parse(Encoding.UTF8.GetBytes(json), "m.json"));
        Assert.Equal("CheckpointCorrupt", error.ErrorId);
        Assert.Contains("m.json", error.Message);
        Assert.Contains(why, error.Message);
    }

    [Theory]
    [InlineData("[1]", "is not an object")]
    [InlineData("[{\"type\":\"file\",\"size\":1,\"chunks\":[]}]", "'path' is missing")]
    [InlineData("[{\"type\":\"pipe\",\"path\":\"p\"}]", "unknown type 'pipe'")]
    [InlineData("[{\"type\":\"file\",\"path\":\"f\",\"size\":3}]", "file 'f' has no chunk list")]
    [InlineData("[{\"type\":\"file\",\"path\":\"f\",\"size\":3,\"chunks\":{}}]", "file 'f' has no chunk list")]
    [InlineData("[{\"type\":\"file\",\"path\":\"f\",\"size\":3,\"chunks\":[[\"HASH\",3]]}]", "malformed chunk reference")]
    [InlineData("[{\"type\":\"file\",\"path\":\"f\",\"size\":3,\"chunks\":[[\"HASH\",3,1,0]]}]", "malformed chunk reference")]
    [InlineData("[{\"type\":\"file\",\"path\":\"f\",\"size\":3,\"chunks\":[[3,\"HASH\",1]]}]", "malformed chunk reference")]
    [InlineData("[{\"type\":\"file\",\"path\":\"f\",\"size\":3,\"chunks\":[[\"ABC\",3,1]]}]", "not a SHA-256 in lower-case hex")]
    [InlineData("[{\"type\":\"file\",\"path\":\"f\",\"size\":3,\"chunks\":[[\"HASH\",0,1]]}]", "impossible size 0")]
    [InlineData("[{\"type\":\"file\",\"path\":\"f\",\"size\":3,\"chunks\":[[\"HASH\",2,1]]}]", "is 3 bytes but its chunks add up to 2")]
    [InlineData("[{\"type\":\"file\",\"path\":\"f\",\"size\":3,\"mtime\":-5,\"chunks\":[[\"HASH\",3,1]]}]", "impossible modification time")]
    [InlineData("[{\"type\":\"symlink\",\"path\":\"l\"}]", "'target' is missing")]
    [InlineData("[{\"type\":\"dir\",\"path\":\"d\",\"mode\":1.5}]", "malformed")]
    public void AMalformedEntryIsCorruptAndSaysWhy(string entries, string why)
    {
        var json = "{\"format\":1,\"id\":\"20250318T140338Z\",\"source\":\"/s\",\"files\":1,\"size\":3,\"storedSize\":1,\"newData\":1,\"entries\":"
            + entries.Replace("HASH", Hash) + "}";
        var error = Assert.Throws<DaytonaException>(() => Manifest.Parse(Encoding.UTF8.GetBytes(json), "m.json"));
        Assert.Equal("CheckpointCorrupt", error.ErrorId);
        Assert.Contains(why, error.Message);
    }
}
