using System.Globalization;
using System.Text.Json;
using Daytona.Checkpoints.Remote;
using Daytona.Checkpoints.Server.Content;
using Daytona.Checkpoints.Server.Sources;

namespace Daytona.Checkpoints.Server.Http;

/// <summary>The three indexes (the sources, a source's checkpoints, a folder of a checkpoint) as HTML lines or JSON.</summary>
internal static class Listings
{
    private static readonly JsonWriterOptions s_json = new() { Indented = true };

    public static IEnumerable<IndexLine> Sources(CatalogSnapshot snapshot) =>
        snapshot.Sources.Select(s => new IndexLine(s.BasePath + "/", CheckpointProtocol.EscapeSegment(s.BasePath, relative: true) + "/", s.Latest.Time, null));

    public static IEnumerable<IndexLine> Checkpoints(ServedSource source) =>
        source.Checkpoints.Select(c => new IndexLine(c.Id + "/", c.Id + "/", c.Time, null));

    public static IEnumerable<IndexLine> Folder(CheckpointTree tree, string folder)
    {
        foreach (var entry in tree.ChildrenOf(folder) ?? Array.Empty<ManifestEntry>())
        {
            var name = CheckpointTree.NameOf(entry.Path);
            var href = CheckpointProtocol.EscapeSegment(name, relative: true);
            var shown = entry;
            if (entry.Type == EntryType.Symlink)
            {
                // Shown as what it leads to inside the checkpoint; a link leading nowhere (or out) is not listed.
                if (!tree.TryResolve(entry.Path, out var target, out var resolved))
                {
                    continue;
                }

                if (target == null || target.Type == EntryType.Directory)
                {
                    yield return new IndexLine(name + "/", href + "/", target?.ModifiedUtc ?? entry.ModifiedUtc, null);
                    continue;
                }

                shown = target;
            }

            yield return shown.Type == EntryType.Directory
                ? new IndexLine(name + "/", href + "/", shown.ModifiedUtc, null)
                : new IndexLine(name, href, shown.ModifiedUtc, shown.Size);
        }
    }

    public static byte[] SourcesJson(CatalogSnapshot snapshot, string path)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, s_json))
        {
            json.WriteStartObject();
            json.WriteString("path", path);
            json.WriteStartArray("sources");
            foreach (var source in snapshot.Sources)
            {
                json.WriteStartObject();
                json.WriteString("name", source.BasePath);
                json.WriteString("url", CheckpointProtocol.EscapeSegment(source.BasePath, relative: true) + "/");
                json.WriteString("source", source.Latest.Source);
                json.WriteString("kind", source.Latest.Kind);
                json.WriteNumber("checkpoints", source.Index.Count);
                json.WriteString("first", source.Checkpoints[0].Id);
                json.WriteString("latest", source.Latest.Id);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static byte[] CheckpointsJson(ServedSource source, string path)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, s_json))
        {
            json.WriteStartObject();
            json.WriteString("path", path);
            json.WriteString("name", source.BasePath);
            json.WriteString("source", source.Latest.Source);
            json.WriteStartArray("checkpoints");
            foreach (var checkpoint in source.Checkpoints)
            {
                WriteCheckpoint(json, checkpoint);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static byte[] FolderJson(Checkpoint checkpoint, CheckpointTree tree, string folder, string path)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, s_json))
        {
            json.WriteStartObject();
            json.WriteString("path", path);
            json.WritePropertyName("checkpoint");
            WriteCheckpoint(json, checkpoint);
            json.WriteStartArray("entries");
            foreach (var line in Folder(tree, folder).OrderBy(l => l.Name, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                var isFolder = line.Name.EndsWith('/');
                json.WriteString("name", isFolder ? line.Name.Substring(0, line.Name.Length - 1) : line.Name);
                json.WriteString("type", isFolder ? "dir" : "file");
                json.WriteString("url", line.Href);
                if (line.Size is long size)
                {
                    json.WriteNumber("size", size);
                }

                if (line.Date is DateTime date)
                {
                    json.WriteString("modified", Iso(date));
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteCheckpoint(Utf8JsonWriter json, Checkpoint checkpoint)
    {
        json.WriteStartObject();
        json.WriteString("id", checkpoint.Id);
        json.WriteString("time", Iso(checkpoint.Time));
        if (checkpoint.Name != null)
        {
            json.WriteString("name", checkpoint.Name);
        }
        else
        {
            json.WriteNull("name");
        }

        json.WriteString("kind", checkpoint.Kind);
        json.WriteNumber("files", checkpoint.Files);
        json.WriteNumber("size", checkpoint.Size);
        json.WriteString("url", checkpoint.Id + "/");
        json.WriteEndObject();
    }

    private static string Iso(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
