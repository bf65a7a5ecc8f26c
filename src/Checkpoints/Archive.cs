using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Checkpoints.Storage;
using Daytona.Common;
using ZstdSharp;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// The checkpoint archive: one file holding one checkpoint with exactly the chunks it references.
    /// <code>
    /// magic    8 bytes  "DYCKPT" 0D 0A
    /// version  4 bytes  little-endian uint32 = 1
    /// records  tag (1 byte) + length (little-endian uint32) + payload:
    ///   'H'  header JSON {"format":"daytona-checkpoint-archive","version":1,"id":...,"chunks":n}
    ///   'M'  the checkpoint's manifest JSON, as in the repository
    ///   'C'  one chunk: its SHA-256 (32 raw bytes) + its zstd frame, as stored in the repository
    ///   'E'  the end: SHA-256 (32 bytes) of every byte before this record
    /// </code>
    /// Order: H, M, C..., E. Nothing may follow E. An importer verifies the end hash, every chunk's hash after
    /// decompression, that every referenced chunk is present and that no other chunk is, before it stores anything.
    /// </summary>
    public sealed partial class CheckpointRepository
    {
        public const string ArchiveFormatName = "daytona-checkpoint-archive";
        private static readonly byte[] s_magic = { (byte)'D', (byte)'Y', (byte)'C', (byte)'K', (byte)'P', (byte)'T', 0x0D, 0x0A };
        private const int ArchiveVersion = 1;
        private const int MaxHeader = 64 * 1024;
        private const int MaxManifest = 512 * 1024 * 1024;

        public Task<long> ExportAsync(string id, string archivePath, bool overwrite, Action<CheckpointProgress>? progress = null, CancellationToken cancellationToken = default) =>
            Task.Run(() => Export(id, archivePath, overwrite, progress, cancellationToken), cancellationToken);

        /// <summary>Writes one checkpoint and its chunks (each verified) to an archive file, atomically.</summary>
        public long Export(string id, string archivePath, bool overwrite, Action<CheckpointProgress>? progress, CancellationToken cancellationToken)
        {
            var manifest = ReadManifest(id);
            byte[] manifestBytes;
            using (var stored = Storage.Read(RepositoryLayout.ManifestKey(id), cancellationToken) ?? throw CheckpointErrors.NotFoundAt($"The repository {Location} holds no checkpoint {id}.", id))
            {
                manifestBytes = stored.ToArray();
            }

            var target = Path.GetFullPath(archivePath);
            if (File.Exists(target) && !overwrite)
            {
                throw CheckpointErrors.Create(CheckpointErrors.AlreadyExists, ErrorKind.ResourceExists,
                    $"The file {target} already exists.", target, "Pass another path, or -Force to replace it.");
            }

            var chunks = new List<ChunkRef>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var pathOf = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in manifest.Entries)
            {
                foreach (var chunk in entry.Chunks)
                {
                    if (seen.Add(chunk.Hash))
                    {
                        chunks.Add(chunk);
                        pathOf[chunk.Hash] = entry.Path;
                    }
                }
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var temp = target + ".tmp-" + Guid.NewGuid().ToString("N").Substring(0, 12);
            long written;
            try
            {
                using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    void Put(byte[] data, int offset, int count)
                    {
                        file.Write(data, offset, count);
                        sha.AppendData(data, offset, count);
                    }

                    void Record(byte tag, byte[] payload, int count)
                    {
                        var head = new byte[5];
                        head[0] = tag;
                        WriteUInt32(head, 1, (uint)count);
                        Put(head, 0, 5);
                        Put(payload, 0, count);
                    }

                    Put(s_magic, 0, s_magic.Length);
                    var version = new byte[4];
                    WriteUInt32(version, 0, ArchiveVersion);
                    Put(version, 0, 4);
                    var header = Header(id, chunks.Count);
                    Record((byte)'H', header, header.Length);
                    Record((byte)'M', manifestBytes, manifestBytes.Length);
                    var buffer = new byte[ChunkStore.MaxChunkSize];
                    long bytes = 0;
                    var total = chunks.Sum(c => (long)c.Size);
                    var done = 0;
                    foreach (var chunk in chunks)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var frame = Store.ReadStored(chunk.Hash)
                            ?? throw CheckpointErrors.CorruptData($"The chunk {chunk.Hash} (of '{pathOf[chunk.Hash]}') is missing from the repository; checkpoint {id} cannot be exported.", pathOf[chunk.Hash]);
                        if (chunk.Size > buffer.Length)
                        {
                            throw CheckpointErrors.CorruptData($"The chunk {chunk.Hash} (of '{pathOf[chunk.Hash]}') claims {chunk.Size} bytes.", pathOf[chunk.Hash]);
                        }

                        ChunkStore.Decode(chunk.Hash, chunk.Size, frame, frame.Length, buffer, pathOf[chunk.Hash]);
                        var payload = new byte[32 + frame.Length];
                        HexToBytes(chunk.Hash, payload);
                        Buffer.BlockCopy(frame, 0, payload, 32, frame.Length);
                        Record((byte)'C', payload, payload.Length);
                        bytes += chunk.Size;
                        done++;
                        progress?.Invoke(new CheckpointProgress("Exporting", done, chunks.Count, bytes, total, pathOf[chunk.Hash]));
                    }

                    var end = sha.GetHashAndReset();
                    var tail = new byte[5];
                    tail[0] = (byte)'E';
                    WriteUInt32(tail, 1, 32);
                    file.Write(tail, 0, 5);
                    file.Write(end, 0, end.Length);
                    file.Flush(true);
                    written = file.Length;
                }

                Platform.MoveReplacing(temp, target);
                return written;
            }
            catch
            {
                try
                {
                    File.Delete(temp);
                }
                catch (IOException)
                {
                }

                throw;
            }
        }

        public Task<Checkpoint> ImportAsync(string archivePath, Action<CheckpointProgress>? progress = null, CancellationToken cancellationToken = default) =>
            Task.Run(() => Import(archivePath, progress, cancellationToken), cancellationToken);

        /// <summary>
        /// Imports an archive, keeping the checkpoint's id. Every hash is verified before anything becomes visible; a
        /// tampered, truncated or unsafe archive is refused naming what is wrong. Importing a checkpoint that is already
        /// here (same id, same content) returns it unchanged.
        /// </summary>
        public Checkpoint Import(string archivePath, Action<CheckpointProgress>? progress, CancellationToken cancellationToken)
        {
            var path = Path.GetFullPath(archivePath);
            if (!File.Exists(path))
            {
                throw CheckpointErrors.Create(CheckpointErrors.ArchiveInvalid, ErrorKind.ObjectNotFound, $"The archive {path} does not exist.", path);
            }

            var staging = Path.Combine(Path.GetTempPath(), "daytona-import-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(staging);
            try
            {
                // Everything is read and verified before the repository is touched.
                var manifest = ReadArchive(path, staging, progress, cancellationToken);
                var existing = TryExisting(manifest);
                if (existing != null)
                {
                    return existing;
                }

                using var session = BeginWrite("importing", cancellationToken, manifest.Id);
                using var packs = Store.OpenWriter();
                foreach (var file in Directory.EnumerateFiles(staging))
                {
                    var hash = Path.GetFileName(file);
                    if (!Store.Exists(hash))
                    {
                        var frame = File.ReadAllBytes(file);
                        packs.Append(hash, frame, frame.Length, isNew: true);
                    }
                }

                packs.Finish(cancellationToken);
                var newData = packs.NewBytes;
                manifest.Writer = session.Marker.Id;
                byte[] bytes;
                using (var stream = new MemoryStream())
                {
                    manifest.WriteTo(stream);
                    bytes = stream.ToArray();
                }

                // The checkpoint keeps its id: its creation decides whether the id is free (in a format-2 repository, the
                // claim of the writer's marker does, and the write follows).
                var free = !ClaimsIds || ClaimFixed(session, manifest.Id, cancellationToken);
                var result = free ? Storage.Write(RepositoryLayout.ManifestKey(manifest.Id), bytes, WriteCondition.CreateOnly, cancellationToken) : new WriteResult(WriteStatus.AlreadyExists, null);
                if (!result.Written)
                {
                    return TryExisting(manifest) ?? throw CheckpointErrors.Create(CheckpointErrors.AlreadyExists, ErrorKind.ResourceExists,
                        $"The repository {Location} already holds a different checkpoint {manifest.Id}.", manifest.Id,
                        "Import into another repository, or remove the checkpoint there first.");
                }

                packs.Keep();
                session.Finished();

                // An imported id may lie before the catalog's newest generation: a generation that holds it makes it visible.
                var checkpoint = Checkpoint.From(manifest, Location);
                Catalog.WriteNext(add: new[] { checkpoint }, cancellationToken: cancellationToken);
                checkpoint.NewData = newData;
                return checkpoint;
            }
            finally
            {
                TryDeleteTree(staging);
            }
        }

        /// <summary>The checkpoint already here with the same id, when it is the same checkpoint; null when the id is free; an error when it differs.</summary>
        private Checkpoint? TryExisting(Manifest manifest)
        {
            Manifest existing;
            try
            {
                existing = ReadManifest(manifest.Id);
            }
            catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.NotFound)
            {
                return null;
            }

            if (SameSource(existing.Source, manifest.Source) && SameEntries(existing, manifest))
            {
                return Checkpoint.From(existing, Location);
            }

            throw CheckpointErrors.Create(CheckpointErrors.AlreadyExists, ErrorKind.ResourceExists,
                $"The repository {Location} already holds a different checkpoint {manifest.Id}.", manifest.Id,
                "Import into another repository, or remove the checkpoint there first.");
        }

        private static bool SameEntries(Manifest a, Manifest b)
        {
            if (a.Entries.Count != b.Entries.Count)
            {
                return false;
            }

            for (var i = 0; i < a.Entries.Count; i++)
            {
                var x = a.Entries[i];
                var y = b.Entries[i];
                if (x.Type != y.Type || x.Path != y.Path || x.Size != y.Size || x.Mode != y.Mode || x.ModifiedUtc != y.ModifiedUtc
                    || x.Target != y.Target || !x.Chunks.SequenceEqual(y.Chunks))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Reads and verifies a whole archive, leaving its chunk frames in <paramref name="staging"/>.</summary>
        private static Manifest ReadArchive(string path, string staging, Action<CheckpointProgress>? progress, CancellationToken cancellationToken)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var totalLength = file.Length;

            byte[] Take(int count, string what)
            {
                var data = new byte[count];
                var read = 0;
                while (read < count)
                {
                    var n = file.Read(data, read, count - read);
                    if (n == 0)
                    {
                        throw CheckpointErrors.Archive($"The archive {path} ends early, inside {what} (it is truncated).", path);
                    }

                    read += n;
                }

                return data;
            }

            (byte Tag, byte[] Payload) Next(string what, long limit, bool hash = true)
            {
                var head = Take(5, what);
                var length = ReadUInt32(head, 1);
                if (length > limit || length > totalLength)
                {
                    throw CheckpointErrors.Archive($"The archive {path} declares a record of {length} bytes at {what}, which is impossible.", path);
                }

                var payload = Take((int)length, what);
                if (hash)
                {
                    sha.AppendData(head);
                    sha.AppendData(payload);
                }

                return (head[0], payload);
            }

            var magic = Take(s_magic.Length, "the file signature");
            if (!magic.SequenceEqual(s_magic))
            {
                throw CheckpointErrors.Archive($"The file {path} is not a checkpoint archive (its signature is wrong).", path);
            }

            sha.AppendData(magic);
            var version = Take(4, "the version");
            sha.AppendData(version);
            if (ReadUInt32(version, 0) != ArchiveVersion)
            {
                throw CheckpointErrors.Archive($"The archive {path} has version {ReadUInt32(version, 0)}; this module reads version {ArchiveVersion}.", path);
            }

            var header = Next("the header", MaxHeader);
            if (header.Tag != (byte)'H')
            {
                throw CheckpointErrors.Archive($"The archive {path} has no header record.", path);
            }

            string headerId;
            try
            {
                using var document = JsonDocument.Parse(header.Payload);
                if (document.RootElement.GetProperty("format").GetString() != ArchiveFormatName)
                {
                    throw CheckpointErrors.Archive($"The archive {path} is not a {ArchiveFormatName}.", path);
                }

                headerId = document.RootElement.GetProperty("id").GetString() ?? string.Empty;
            }
            catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException)
            {
                throw CheckpointErrors.Archive($"The header of the archive {path} is malformed: {e.Message}", path, e);
            }

            var manifestRecord = Next("the manifest", MaxManifest);
            if (manifestRecord.Tag != (byte)'M')
            {
                throw CheckpointErrors.Archive($"The archive {path} has no manifest record after its header.", path);
            }

            Manifest manifest;
            try
            {
                manifest = Manifest.Parse(manifestRecord.Payload, "in the archive " + path);
            }
            catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.Corrupt)
            {
                throw CheckpointErrors.Archive(e.Message, path, e);
            }

            if (manifest.Id != headerId)
            {
                throw CheckpointErrors.Archive($"The archive {path} says it holds {headerId} but its manifest is {manifest.Id}.", path);
            }

            manifest.EnsureSafePaths();

            var needed = new Dictionary<string, (int Size, string Path)>(StringComparer.Ordinal);
            foreach (var entry in manifest.Entries)
            {
                foreach (var chunk in entry.Chunks)
                {
                    if (!needed.ContainsKey(chunk.Hash))
                    {
                        needed[chunk.Hash] = (chunk.Size, entry.Path);
                    }
                }
            }

            var found = new HashSet<string>(StringComparer.Ordinal);
            var buffer = new byte[ChunkStore.MaxChunkSize];
            var maxFrame = 32 + Compressor.GetCompressBound(ChunkStore.MaxChunkSize);
            long bytes = 0;
            var total = needed.Values.Sum(v => (long)v.Size);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var head = Take(5, "a chunk record");
                var length = ReadUInt32(head, 1);
                if (head[0] == (byte)'E')
                {
                    var expected = sha.GetHashAndReset();
                    if (length != 32)
                    {
                        throw CheckpointErrors.Archive($"The end record of the archive {path} is malformed.", path);
                    }

                    var actual = Take(32, "the end record");
                    if (!actual.SequenceEqual(expected))
                    {
                        throw CheckpointErrors.Archive($"The archive {path} was altered: its content does not match its end checksum.", path);
                    }

                    if (file.ReadByte() != -1)
                    {
                        throw CheckpointErrors.Archive($"The archive {path} has data after its end record.", path);
                    }

                    break;
                }

                if (head[0] != (byte)'C')
                {
                    throw CheckpointErrors.Archive($"The archive {path} holds an unknown record '{(char)head[0]}'.", path);
                }

                if (length < 33 || length > maxFrame)
                {
                    throw CheckpointErrors.Archive($"The archive {path} declares a chunk record of {length} bytes, which is impossible.", path);
                }

                var payload = Take((int)length, "a chunk");
                sha.AppendData(head);
                sha.AppendData(payload);
                var raw = new byte[32];
                Buffer.BlockCopy(payload, 0, raw, 0, 32);
                var hash = ChunkStore.ToHex(raw);
                if (!needed.TryGetValue(hash, out var use))
                {
                    throw CheckpointErrors.Archive($"The archive {path} holds the chunk {hash}, which its manifest does not reference.", path);
                }

                if (!found.Add(hash))
                {
                    throw CheckpointErrors.Archive($"The archive {path} holds the chunk {hash} twice.", path);
                }

                try
                {
                    ChunkStore.Decode(hash, use.Size, payload, payload.Length, buffer, use.Path, 32);
                }
                catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.Corrupt)
                {
                    throw CheckpointErrors.Archive($"The archive {path} is damaged or was tampered with: {e.Message}", use.Path, e);
                }

                using (var stored = new FileStream(Path.Combine(staging, hash), FileMode.CreateNew, FileAccess.Write))
                {
                    stored.Write(payload, 32, payload.Length - 32);
                }

                bytes += use.Size;
                progress?.Invoke(new CheckpointProgress("Importing", found.Count, needed.Count, bytes, total, use.Path));
            }

            var missing = needed.Where(n => !found.Contains(n.Key)).ToList();
            if (missing.Count > 0)
            {
                var first = missing[0];
                throw CheckpointErrors.Archive(
                    $"The archive {path} lacks {missing.Count} chunk(s) its manifest needs, e.g. {first.Key} of '{first.Value.Path}'.", first.Value.Path);
            }

            return manifest;
        }

        private static byte[] Header(string id, int chunks)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteString("format", ArchiveFormatName);
                writer.WriteNumber("version", ArchiveVersion);
                writer.WriteString("id", id);
                writer.WriteNumber("chunks", chunks);
                writer.WriteEndObject();
            }

            return stream.ToArray();
        }

        private static void WriteUInt32(byte[] buffer, int offset, uint value)
        {
            buffer[offset] = (byte)value;
            buffer[offset + 1] = (byte)(value >> 8);
            buffer[offset + 2] = (byte)(value >> 16);
            buffer[offset + 3] = (byte)(value >> 24);
        }

        private static uint ReadUInt32(byte[] buffer, int offset) =>
            buffer[offset] | ((uint)buffer[offset + 1] << 8) | ((uint)buffer[offset + 2] << 16) | ((uint)buffer[offset + 3] << 24);

        private static void HexToBytes(string hex, byte[] destination)
        {
            for (var i = 0; i < 32; i++)
            {
                destination[i] = (byte)((Nibble(hex[i * 2]) << 4) | Nibble(hex[(i * 2) + 1]));
            }
        }

        private static int Nibble(char c) => c <= '9' ? c - '0' : c - 'a' + 10;
    }
}
