using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;
using Daytona.Common.Diagnostics;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// The folder a capture reads: scanned once (files, links and folders, in parallel), and checked again after it
    /// was read, so a capture of a folder that changed while it was read fails instead of recording a mix.
    /// </summary>
    internal static class FolderScan
    {

        internal readonly struct ScanItem
        {
            private readonly string _folder;
            private readonly string _name;

            public ScanItem(ManifestEntry entry, string folder, string name)
            {
                Entry = entry;
                _folder = folder;
                _name = name;
            }

            public ManifestEntry Entry { get; }

            /// <summary>Where the entry is (put together when asked: most entries of a re-capture are never opened).</summary>
            public string FullPath => Path.Combine(_folder, _name);
        }

        internal sealed class ScanResult
        {
            public List<ScanItem> Items { get; } = new List<ScanItem>();

            /// <summary>Each folder's listing (relative path → children), to detect entries added, removed or modified while reading.</summary>
            public Dictionary<string, FolderChild[]> Listings { get; } = new Dictionary<string, FolderChild[]>(StringComparer.Ordinal);

            public long Files { get; set; }

            public long Bytes { get; set; }

            /// <summary>A folder left out (the repository, when it lies inside the source).</summary>
            public string? Excluded { get; set; }

            /// <summary>Change notifications for every folder listed, when asked for and available (the owner disposes it).</summary>
            public ChangeWatch? Watch { get; set; }

            /// <summary>
            /// Each folder's listing as the scan made or kept it (relative path → listing), and what it was of, for the next
            /// scan of the folder in this process (<see cref="LastScan"/>); null when it is not to be kept.
            /// </summary>
            public LastScan.Listings? Kept { get; set; }
        }

        /// <summary>One folder's direct children, as <see cref="Scan"/> records them.</summary>
        internal sealed class FolderListing
        {
            public FolderListing(FolderChild[] children)
            {
                Children = children;
                Items = new List<ScanItem>(children.Length);
            }

            public FolderChild[] Children { get; }

            /// <summary>Whether a later scan may keep this listing when the folder's children are all as they were: not with a link (its target is read, not compared) or a warning.</summary>
            public bool Keepable => Warnings.Count == 0 && !HasLinks;

            public bool HasLinks { get; set; }

            /// <summary>One per child (sized so: growing a list of this struct ran unoptimized code, never precompiled).</summary>
            public List<ScanItem> Items { get; }

            public List<(string Full, string Relative)> Folders { get; } = new List<(string, string)>();

            public List<string> Warnings { get; } = new List<string>();

            public long Files { get; set; }

            public long Bytes { get; set; }
        }

        /// <summary>
        /// Lists a folder tree: every folder's entries sorted by name, folders before their content. The folders of
        /// one depth are listed on <paramref name="parallelism"/> threads (listing is system calls per entry), then
        /// the results are put in order. With <paramref name="watch"/>, each folder is watched for changes before it is
        /// listed (<see cref="ScanResult.Watch"/>, where the system offers it), so <see cref="Recheck"/> can skip listing
        /// them all again. With <paramref name="keep"/> (a capture's: <see cref="LastScan.Shared"/>), the listings it kept
        /// of the last scan of the tree are taken where nothing changed, and this scan's are ready to be kept for the next
        /// (<see cref="ScanResult.Kept"/>: the capture gives them back when it ends).
        /// </summary>
        internal static ScanResult Scan(string root, List<string>? warnings, CancellationToken cancellationToken, string? exclude = null, int parallelism = 1, bool watch = false, LastScan? keep = null)
        {
            var result = new ScanResult { Excluded = exclude, Watch = watch ? ChangeWatch.TryStart(root) : null };
            try
            {
                List(root, result, warnings, cancellationToken, exclude, parallelism, keep?.Take(root, exclude), keep != null);
                return result;
            }
            catch
            {
                result.Watch?.Dispose();
                throw;
            }
        }

        private static void List(string root, ScanResult result, List<string>? warnings, CancellationToken cancellationToken, string? exclude, int parallelism,
            LastScan.Listings? before, bool keep)
        {
            var watch = result.Watch;
            var listings = new ConcurrentDictionary<string, FolderListing>(StringComparer.Ordinal);
            var level = new List<(string Full, string Relative)> { (root, string.Empty) };
            while (level.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var current = level;
                Each(current.Count, parallelism, cancellationToken, i =>
                {
                    var (full, relative) = current[i];
                    FolderListing? earlier = null;
                    before?.Folders.TryGetValue(relative, out earlier);
                    listings[relative] = ListFolder(full, relative, exclude, ExcludedChild(full, exclude), watch, earlier);
                });
                level = current.SelectMany(f => listings[f.Relative].Folders).ToList();
            }

            var total = 0;
            foreach (var listing in listings.Values)
            {
                total += listing.Items.Count;
            }

            result.Items.Capacity = total;
            var pending = new Stack<(string Full, string Relative)>();
            pending.Push((root, string.Empty));
            while (pending.Count > 0)
            {
                var (_, relative) = pending.Pop();
                var listing = listings[relative];
                result.Listings[relative] = listing.Children;
                result.Items.AddRange(listing.Items);
                warnings?.AddRange(listing.Warnings);
                result.Files += listing.Files;
                result.Bytes += listing.Bytes;
                for (var i = listing.Folders.Count - 1; i >= 0; i--)
                {
                    pending.Push(listing.Folders[i]);
                }
            }

            if (keep && total <= LastScan.MaxEntries)
            {
                result.Kept = new LastScan.Listings(root, exclude, listings);
            }
        }

        /// <summary>
        /// One folder's listing: <paramref name="earlier"/> (the last scan's) when every child is as it lists it, else made
        /// anew. Watched first, when <paramref name="watch"/> is: a change after the listing is then notified.
        /// </summary>
        [MethodImpl(Jit.OptimizeAtFirstCall)]
        private static FolderListing ListFolder(string full, string relative, string? exclude, string? skip, ChangeWatch? watch, FolderListing? earlier)
        {
            var watching = watch != null && watch.Trusted;
            if (watching)
            {
                watch!.Add(full);
            }

            bool watchable;
            if (earlier != null && earlier.Keepable && FolderLister.Unchanged(full, earlier.Children, skip, out watchable))
            {
                if (watching && !watchable)
                {
                    watch!.Distrust();
                }

                return earlier;
            }

            var children = ListChildren(full, exclude, out watchable);
            if (watching && !watchable)
            {
                watch!.Distrust();
            }

            var listing = new FolderListing(children);
            foreach (var child in children)
            {
                var path = relative.Length == 0 ? child.Name : relative + "/" + child.Name;
                switch (child.Kind)
                {
                    case ChildKind.Symlink:
                        var target = Platform.LinkTarget(new FileInfo(Path.Combine(full, child.Name)));
                        if (target == null)
                        {
                            listing.Warnings.Add($"Skipped '{path}': the target of this link could not be read.");
                            continue;
                        }

                        listing.Items.Add(new ScanItem(new ManifestEntry { Type = EntryType.Symlink, Path = path, Target = target }, full, child.Name));
                        listing.HasLinks = true;
                        break;
                    case ChildKind.Directory:
                        listing.Items.Add(new ScanItem(new ManifestEntry
                        {
                            Type = EntryType.Directory,
                            Path = path,
                            Mode = child.Mode,
                            ModifiedUtc = child.ModifiedUtc,
                        }, full, child.Name));
                        listing.Folders.Add((Path.Combine(full, child.Name), path));
                        break;
                    default:
                        listing.Items.Add(new ScanItem(new ManifestEntry
                        {
                            Type = EntryType.File,
                            Path = path,
                            Size = child.Size,
                            Mode = child.Mode,
                            ModifiedUtc = child.ModifiedUtc,
                        }, full, child.Name));
                        listing.Files++;
                        listing.Bytes += child.Size;
                        break;
                }
            }

            return listing;
        }

        /// <summary>Runs <paramref name="body"/> for 0..count-1 on up to <paramref name="parallelism"/> threads; the first failure is thrown as it is.</summary>
        internal static void Each(int count, int parallelism, CancellationToken cancellationToken, Action<int> body)
        {
            if (parallelism <= 1 || count <= 1)
            {
                for (var i = 0; i < count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    body(i);
                }

                return;
            }

            try
            {
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, body);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                throw;
            }
        }

        /// <summary>A folder's children sorted by name, without <paramref name="exclude"/> (the repository, when it lies inside).</summary>
        internal static FolderChild[] ListChildren(string folder, string? exclude) => ListChildren(folder, exclude, out _);

        private static FolderChild[] ListChildren(string folder, string? exclude, out bool watchable)
        {
            var children = FolderLister.List(folder, out watchable);
            return exclude == null ? children : Array.FindAll(children, c => !CheckpointRepository.SameSource(Path.Combine(folder, c.Name), exclude));
        }

        /// <summary>The name of the repository in <paramref name="folder"/>, when the repository (<paramref name="exclude"/>) lies there: left out of its listing.</summary>
        private static string? ExcludedChild(string folder, string? exclude) =>
            exclude != null && CheckpointRepository.SameSource(Path.GetDirectoryName(exclude)!, folder) ? Path.GetFileName(exclude) : null;

        internal static bool IsInside(string path, string folder)
        {
            var prefix = folder.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? folder : folder + Path.DirectorySeparatorChar;
            return path.StartsWith(prefix, Platform.IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }

        internal static DaytonaException Changed(string source, string path, string what) =>
            CheckpointErrors.Create(CheckpointErrors.SourceChanged, ErrorKind.InvalidOperation,
                $"'{path}' in {Daytona.Common.FileSystem.LongPaths.ForDisplay(source)} changed while it was being captured ({what}); no checkpoint was written.",
                path, "Stop whatever writes to the folder (a checkpoint is taken only while the source is stopped), then capture again.");

        /// <summary>
        /// After everything was read: every folder lists the same entries and every file has its size and time. Proven
        /// without listing the folders again when every folder was watched and no change was notified
        /// (<see cref="ChangeWatch.Quiet"/>).
        /// </summary>
        internal static void Recheck(string source, ScanResult scan, CancellationToken cancellationToken, int parallelism = 1)
        {
            if (scan.Watch?.Quiet() == true)
            {
                Timings.Mark("capture: no change notified");
                return;
            }

            // Folders are listed again on several threads; the change reported is the first in listing order.
            var folders = scan.Listings.ToArray();
            var changes = new Exception?[folders.Length];
            Each(folders.Length, parallelism, cancellationToken, i => changes[i] = RecheckFolder(source, folders[i].Key, folders[i].Value, scan.Excluded));

            var change = changes.FirstOrDefault(c => c != null);
            if (change != null)
            {
                throw change;
            }

            foreach (var item in scan.Items)
            {
                if (item.Entry.Type == EntryType.Symlink)
                {
                    var target = Platform.LinkTarget(new FileInfo(item.FullPath));
                    if (!string.Equals(target, item.Entry.Target, StringComparison.Ordinal))
                    {
                        throw Changed(source, item.Entry.Path, "the link target changed");
                    }
                }
            }
        }

        /// <summary>How a folder differs from its listing (<see cref="Recheck"/>); null when it does not.</summary>
        [MethodImpl(Jit.OptimizeAtFirstCall)]
        private static Exception? RecheckFolder(string source, string relative, FolderChild[] listed, string? excluded)
        {
            var full = relative.Length == 0 ? source : Path.Combine(source, relative.Replace('/', Path.DirectorySeparatorChar));
            FolderChild[] now;
            try
            {
                // Most folders are unchanged: checked without building a listing, listed in full only to say what changed.
                if (FolderLister.TryMatch(full, listed, ExcludedChild(full, excluded), out var same) && same)
                {
                    return null;
                }

                now = ListChildren(full, excluded);
            }
            catch (DirectoryNotFoundException)
            {
                return Changed(source, relative.Length == 0 ? "." : relative, "the folder disappeared");
            }

            var name = FirstDifference(listed, now);
            if (name == null)
            {
                return null;
            }

            var path = name.Length == 0 ? (relative.Length == 0 ? "." : relative) : relative.Length == 0 ? name : relative + "/" + name;
            return Changed(source, path, "entries were added, removed or modified");
        }

        /// <summary>
        /// The name of the first entry (in name order) that differs between two listings of a folder: added, removed,
        /// of another kind, or a file of another size or modification time; null when they are the same.
        /// </summary>
        internal static string? FirstDifference(FolderChild[] before, FolderChild[] after)
        {
            var count = Math.Min(before.Length, after.Length);
            for (var i = 0; i < count; i++)
            {
                var (x, y) = (before[i], after[i]);
                var order = string.CompareOrdinal(x.Name, y.Name);
                if (order != 0)
                {
                    return order < 0 ? x.Name : y.Name;
                }

                if (x.Kind != y.Kind || (x.Kind == ChildKind.File && (x.Size != y.Size || x.ModifiedUtc != y.ModifiedUtc)))
                {
                    return x.Name;
                }
            }

            return before.Length > count ? before[count].Name : after.Length > count ? after[count].Name : null;
        }

        internal static void CheckUnchanged(string source, ScanItem item)
        {
            var info = new FileInfo(item.FullPath);
            if (!info.Exists)
            {
                throw Changed(source, item.Entry.Path, "it was deleted");
            }

            if (info.Length != item.Entry.Size || info.LastWriteTimeUtc != item.Entry.ModifiedUtc)
            {
                throw Changed(source, item.Entry.Path, "its size or modification time changed");
            }
        }
    }
}
