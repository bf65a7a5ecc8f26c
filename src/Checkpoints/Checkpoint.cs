using System;
using System.Collections.Generic;

namespace Daytona.Checkpoints
{
    /// <summary>One checkpoint of a repository, as listed: what was captured, when, and what it costs to keep.</summary>
    public sealed class Checkpoint
    {
        /// <summary>The UTC instant of the checkpoint, <c>yyyyMMddTHHmmssZ</c>; unique in its repository.</summary>
        public string Id { get; set; } = string.Empty;

        /// <summary>The same instant as a UTC DateTime.</summary>
        public DateTime Time { get; set; }

        /// <summary>What was captured: a folder's full path, or <c>daytona:&lt;api url&gt;</c> for snapshot definitions.</summary>
        public string Source { get; set; } = string.Empty;

        /// <summary>The label; the only thing about a checkpoint that can change.</summary>
        public string? Name { get; set; }

        /// <summary>A label given at capture (e.g. the URL base path a checkpoint server publishes its source under); it never changes.</summary>
        public string? Label { get; set; }

        /// <summary><c>folder</c> or <c>document</c> (e.g. Daytona snapshot definitions).</summary>
        public string Kind { get; set; } = Manifest.FolderKind;

        public long Files { get; set; }

        /// <summary>Bytes of all files.</summary>
        public long Size { get; set; }

        /// <summary>Compressed bytes of all distinct chunks the checkpoint references.</summary>
        public long StoredSize { get; set; }

        /// <summary>Compressed bytes the capture added to the repository (the rest was already there).</summary>
        public long NewData { get; set; }

        /// <summary>Where the repository is: a folder's full path, or its URL (never with a secret).</summary>
        public string Repository { get; set; } = string.Empty;

        /// <summary>The checkpoint's URL when it was read from a checkpoint server (<c>…/&lt;source&gt;/&lt;id&gt;/</c>); null otherwise.</summary>
        public Uri? Url { get; set; }

        /// <summary>For a lookup by time: whether a checkpoint exists at exactly that instant; null otherwise.</summary>
        public bool? ExactMatch { get; set; }

        /// <summary>Warnings of the capture (e.g. entries skipped); not stored.</summary>
        public IReadOnlyList<string> Warnings { get; set; } = Array.Empty<string>();

        public override string ToString() => Id;

        internal static Checkpoint From(Manifest manifest, string repository) => new Checkpoint
        {
            Id = manifest.Id,
            Time = manifest.Time,
            Source = manifest.Source,
            Name = manifest.Name,
            Label = manifest.Label,
            Kind = manifest.Kind,
            Files = manifest.Files,
            Size = manifest.Size,
            StoredSize = manifest.StoredSize,
            NewData = manifest.NewData,
            Repository = repository,
        };

        internal Checkpoint Copy() => (Checkpoint)MemberwiseClone();
    }

    /// <summary>A difference between two states: one path added, removed or changed.</summary>
    public sealed class CheckpointDifference
    {
        public string Path { get; set; } = string.Empty;

        /// <summary><c>Added</c>, <c>Removed</c> or <c>Changed</c>.</summary>
        public string Change { get; set; } = string.Empty;

        /// <summary><c>File</c>, <c>Directory</c> or <c>Symlink</c> (the newer side's type when both exist).</summary>
        public string Type { get; set; } = string.Empty;

        public long? OldSize { get; set; }

        public long? NewSize { get; set; }

        /// <summary>What changed: content, mode, type or link target.</summary>
        public string? Detail { get; set; }

        public string Reference { get; set; } = string.Empty;

        public string Difference { get; set; } = string.Empty;

        public override string ToString() => Change + " " + Path;
    }

    /// <summary>One damaged piece found by verification, by path.</summary>
    public sealed class CheckpointProblem
    {
        public string Path { get; set; } = string.Empty;

        public string? Chunk { get; set; }

        public string Problem { get; set; } = string.Empty;

        public override string ToString() => Path + ": " + Problem;
    }

    /// <summary>The result of re-hashing one checkpoint.</summary>
    public sealed class CheckpointVerification
    {
        public string Id { get; set; } = string.Empty;

        public string Repository { get; set; } = string.Empty;

        public bool IsValid => Problems.Count == 0;

        public long Files { get; set; }

        public long Chunks { get; set; }

        public long Bytes { get; set; }

        public List<CheckpointProblem> Problems { get; set; } = new List<CheckpointProblem>();
    }

    /// <summary>Progress of a long operation: files and bytes done of the totals.</summary>
    public readonly struct CheckpointProgress
    {
        public CheckpointProgress(string activity, long files, long totalFiles, long bytes, long totalBytes, string? current)
        {
            Activity = activity;
            Files = files;
            TotalFiles = totalFiles;
            Bytes = bytes;
            TotalBytes = totalBytes;
            Current = current;
        }

        public string Activity { get; }

        public long Files { get; }

        public long TotalFiles { get; }

        public long Bytes { get; }

        public long TotalBytes { get; }

        public string? Current { get; }
    }
}
