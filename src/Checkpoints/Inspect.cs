using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Daytona.Common;
using static Daytona.Checkpoints.FolderScan;

namespace Daytona.Checkpoints
{
    public sealed partial class CheckpointRepository
    {
        /// <summary>Re-reads and re-hashes every chunk of a checkpoint; every missing or damaged piece is reported by path.</summary>
        public CheckpointVerification Verify(string id, Action<CheckpointProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var result = new CheckpointVerification { Id = id, Repository = Location };
            Manifest manifest;
            try
            {
                manifest = ReadManifest(id);
            }
            catch (DaytonaException e) when (e.ErrorId == CheckpointErrors.Corrupt)
            {
                result.Problems.Add(new CheckpointProblem { Path = ManifestPath(id), Problem = e.Message });
                return result;
            }

            try
            {
                manifest.EnsureSafePaths();
            }
            catch (DaytonaException e)
            {
                result.Problems.Add(new CheckpointProblem { Path = ManifestPath(id), Problem = e.Message });
            }

            var checkedChunks = new Dictionary<string, string?>(StringComparer.Ordinal);
            var files = manifest.Entries.Where(e => e.Type == EntryType.File).ToList();
            var totalBytes = files.Sum(f => f.Size);
            var buffer = new byte[ChunkStore.MaxChunkSize];
            long bytes = 0;
            long done = 0;
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var chunk in file.Chunks)
                {
                    if (!checkedChunks.TryGetValue(chunk.Hash, out var problem))
                    {
                        problem = null;
                        if (chunk.Size > buffer.Length)
                        {
                            problem = $"the chunk {chunk.Hash} claims {chunk.Size} bytes, more than a chunk can hold";
                        }
                        else
                        {
                            var frame = Store.ReadStored(chunk.Hash);
                            if (frame == null)
                            {
                                problem = $"the chunk {chunk.Hash} is missing";
                            }
                            else
                            {
                                try
                                {
                                    ChunkStore.Decode(chunk.Hash, chunk.Size, frame, frame.Length, buffer, null);
                                }
                                catch (DaytonaException e)
                                {
                                    problem = e.Message;
                                }
                            }
                        }

                        checkedChunks[chunk.Hash] = problem;
                        result.Chunks++;
                    }

                    if (problem != null)
                    {
                        result.Problems.Add(new CheckpointProblem { Path = file.Path, Chunk = chunk.Hash, Problem = problem });
                    }
                }

                bytes += file.Size;
                done++;
                progress?.Invoke(new CheckpointProgress("Verifying", done, files.Count, bytes, totalBytes, file.Path));
            }

            result.Files = files.Count;
            result.Bytes = bytes;
            return result;
        }

        /// <summary>What changed from checkpoint <paramref name="referenceId"/> to checkpoint <paramref name="differenceId"/>.</summary>
        public IReadOnlyList<CheckpointDifference> Compare(string referenceId, string differenceId)
        {
            var reference = ReadManifest(referenceId);
            var difference = ReadManifest(differenceId);
            return Diff(reference.Entries, difference.Entries, referenceId, differenceId);
        }

        /// <summary>What changed from a checkpoint to the current content of a folder (files of equal size are hashed).</summary>
        public IReadOnlyList<CheckpointDifference> CompareWithFolder(string referenceId, string folder, CancellationToken cancellationToken = default)
        {
            var reference = ReadManifest(referenceId);
            var root = Normalize(folder);
            if (!Directory.Exists(root))
            {
                throw CheckpointErrors.Create(CheckpointErrors.SourceNotFound, ErrorKind.ObjectNotFound, $"The folder {root} does not exist.", root);
            }

            var scan = Scan(Platform.ForIo(root), null, cancellationToken);
            var before = reference.Entries.Where(e => e.Type == EntryType.File).ToDictionary(e => e.Path, StringComparer.Ordinal);
            var chunker = new Chunker();
            foreach (var item in scan.Items)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (item.Entry.Type == EntryType.File && before.TryGetValue(item.Entry.Path, out var old) && old.Size == item.Entry.Size)
                {
                    item.Entry.Chunks = HashFile(item.FullPath, chunker);
                }
            }

            return Diff(reference.Entries, scan.Items.Select(i => i.Entry).ToList(), referenceId, root);
        }

        private static IReadOnlyList<ChunkRef> HashFile(string path, Chunker chunker)
        {
            var bytes = File.ReadAllBytes(path);
            var list = new List<ChunkRef>();
            var offset = 0;
            while (offset < bytes.Length)
            {
                var cut = chunker.NextCut(new ReadOnlySpan<byte>(bytes, offset, bytes.Length - offset), final: true);
                list.Add(new ChunkRef(ChunkStore.Hash(bytes, offset, cut), cut, 0));
                offset += cut;
            }

            return list;
        }

        private static IReadOnlyList<CheckpointDifference> Diff(IReadOnlyList<ManifestEntry> reference, IReadOnlyList<ManifestEntry> difference, string referenceName, string differenceName)
        {
            var before = reference.ToDictionary(e => e.Path, StringComparer.Ordinal);
            var after = difference.ToDictionary(e => e.Path, StringComparer.Ordinal);
            var result = new List<CheckpointDifference>();
            foreach (var path in before.Keys.Union(after.Keys, StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal))
            {
                before.TryGetValue(path, out var old);
                after.TryGetValue(path, out var now);
                string? change = null;
                string? detail = null;
                if (old == null)
                {
                    change = "Added";
                }
                else if (now == null)
                {
                    change = "Removed";
                }
                else if (old.Type != now.Type)
                {
                    change = "Changed";
                    detail = $"type {old.Type} -> {now.Type}";
                }
                else if (old.Type == EntryType.File && (old.Size != now.Size || !old.Chunks.SequenceEqual(now.Chunks)))
                {
                    change = "Changed";
                    detail = "content";
                }
                else if (old.Type == EntryType.Symlink && !string.Equals(old.Target, now.Target, StringComparison.Ordinal))
                {
                    change = "Changed";
                    detail = "link target";
                }
                else if (old.Type != EntryType.Symlink && old.Mode != null && now.Mode != null && old.Mode != now.Mode)
                {
                    change = "Changed";
                    detail = "mode";
                }

                if (change != null)
                {
                    var entry = now ?? old!;
                    result.Add(new CheckpointDifference
                    {
                        Path = path,
                        Change = change,
                        Detail = detail,
                        Type = entry.Type.ToString(),
                        OldSize = old?.Type == EntryType.File ? old.Size : (long?)null,
                        NewSize = now?.Type == EntryType.File ? now.Size : (long?)null,
                        Reference = referenceName,
                        Difference = differenceName,
                    });
                }
            }

            return result;
        }
    }
}
