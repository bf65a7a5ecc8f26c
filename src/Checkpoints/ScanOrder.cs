using System;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// The order in which a capture lists a folder tree (<see cref="FolderScan.Scan"/>), and so writes its manifest: a
    /// folder's entries by name (ordinal), then each of its folders' content, folder by folder in name order. Paths are
    /// relative, separated by '/'.
    /// </summary>
    internal static class ScanOrder
    {
        /// <summary>Whether every path comes after the one before it in this order (so none is given twice).</summary>
        public static bool IsStrictlyIncreasing(ManifestChunks[] files)
        {
            for (var i = 1; i < files.Length; i++)
            {
                if (Compare(files[i - 1].Path, files[i].Path) >= 0)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Where <paramref name="a"/> comes relative to <paramref name="b"/>: entries of one folder by name; else their folders'.</summary>
        public static int Compare(string a, string b)
        {
            var slashA = LastSlash(a);
            var slashB = LastSlash(b);
            var folderA = slashA < 0 ? ReadOnlySpan<char>.Empty : a.AsSpan(0, slashA);
            var folderB = slashB < 0 ? ReadOnlySpan<char>.Empty : b.AsSpan(0, slashB);
            return folderA.SequenceEqual(folderB)
                ? a.AsSpan(slashA + 1).SequenceCompareTo(b.AsSpan(slashB + 1))
                : CompareFolders(folderA, folderB);
        }

        /// <summary>The order folders are visited in: name by name from the top (ordinal), a folder before the folders in it.</summary>
        private static int CompareFolders(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
        {
            while (true)
            {
                if (a.IsEmpty)
                {
                    return b.IsEmpty ? 0 : -1;
                }

                if (b.IsEmpty)
                {
                    return 1;
                }

                var endA = FirstSlash(a);
                var endB = FirstSlash(b);
                var order = (endA < 0 ? a : a.Slice(0, endA)).SequenceCompareTo(endB < 0 ? b : b.Slice(0, endB));
                if (order != 0)
                {
                    return order;
                }

                a = endA < 0 ? ReadOnlySpan<char>.Empty : a.Slice(endA + 1);
                b = endB < 0 ? ReadOnlySpan<char>.Empty : b.Slice(endB + 1);
            }
        }

        // Loops rather than string.LastIndexOf and IndexOf: their vectorized code for this machine is not precompiled, and
        // a check of a whole manifest's order (tens of thousands of calls) ran it unoptimized: ~6% of a re-capture's time.
        private static int LastSlash(string path)
        {
            for (var i = path.Length - 1; i >= 0; i--)
            {
                if (path[i] == '/')
                {
                    return i;
                }
            }

            return -1;
        }

        private static int FirstSlash(ReadOnlySpan<char> path)
        {
            for (var i = 0; i < path.Length; i++)
            {
                if (path[i] == '/')
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
