using System.Collections.Generic;
using System.Threading;
using static Daytona.Checkpoints.FolderScan;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// The folder listings of the last capture's scan in this process, for the next capture of the same tree: a folder
    /// whose children are all as it lists them (<see cref="FolderLister.Unchanged"/>: kind, size, modification time and
    /// mode of each) keeps its listing — its entries, names and paths — instead of making them again. A scan takes the
    /// listings, so no other scan uses them meanwhile (a capture sets its entries' chunks), and its capture gives its own
    /// back when it ends. One tree is kept, of at most <see cref="MaxEntries"/> entries.
    /// </summary>
    internal sealed class LastScan
    {
        /// <summary>The most entries kept (their listings hold a few hundred bytes each).</summary>
        public const int MaxEntries = 100_000;

        private Listings? _kept;

        /// <summary>The one this process's captures use.</summary>
        public static LastScan Shared { get; } = new LastScan();

        /// <summary>The listings kept of <paramref name="root"/> listed without <paramref name="exclude"/>, now the caller's; null when none are.</summary>
        public Listings? Take(string root, string? exclude)
        {
            var kept = Interlocked.Exchange(ref _kept, null);
            return kept != null && kept.Root == root && kept.Exclude == exclude ? kept : null;
        }

        /// <summary>Keeps a scan's listings for the next scan of its tree (its capture has ended); forgets the ones before.</summary>
        public void Keep(Listings? listings)
        {
            if (listings != null)
            {
                Volatile.Write(ref _kept, listings);
            }
        }

        /// <summary>Keeps a scan's listings once what this returns is disposed (when the capture that uses them ends).</summary>
        public Lent KeepWhenDone(Listings? listings) => new Lent(this, listings);

        /// <summary>A scan's listings in use by its capture (see <see cref="KeepWhenDone"/>).</summary>
        internal readonly struct Lent : System.IDisposable
        {
            private readonly LastScan _owner;
            private readonly Listings? _listings;

            public Lent(LastScan owner, Listings? listings)
            {
                _owner = owner;
                _listings = listings;
            }

            public void Dispose() => _owner.Keep(_listings);
        }

        /// <summary>Every folder's listing of one scan (relative path → listing), and what the scan was of.</summary>
        internal sealed class Listings
        {
            public Listings(string root, string? exclude, IReadOnlyDictionary<string, FolderListing> folders)
            {
                Root = root;
                Exclude = exclude;
                Folders = folders;
            }

            public string Root { get; }

            public string? Exclude { get; }

            public IReadOnlyDictionary<string, FolderListing> Folders { get; }
        }
    }
}
