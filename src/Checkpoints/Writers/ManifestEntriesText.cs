using System;
using System.Buffers;
using System.IO;

namespace Daytona.Checkpoints.Writers
{
    /// <summary>
    /// A manifest's entries written as text ahead of its header (<see cref="Manifest.WriteEntriesTo"/>): a capture writes
    /// them while it counts the numbers the header holds, then the header goes before them. Holds a pooled buffer (megabytes
    /// for a large folder; a fresh one each time costs the system as many new pages): dispose it.
    /// </summary>
    internal sealed class ManifestEntriesText : IDisposable
    {
        private byte[]? _pooled;

        private ManifestEntriesText(byte[] buffer, int start, int length, PreviousCheckpoint.EntrySink? record, bool recorded, PreviousCheckpoint? reused, byte[]? pooled)
        {
            Buffer = buffer;
            Start = start;
            Length = length;
            Record = recorded ? record : null;
            Reused = reused;
            _pooled = pooled;
        }

        /// <summary>The text, from <see cref="Start"/> of <see cref="Buffer"/>.</summary>
        public byte[] Buffer { get; }

        public int Start { get; }

        public int Length { get; }

        /// <summary>What a reader finds in the entries (a folder's manifest), recorded as if they began the text; else null.</summary>
        public PreviousCheckpoint.EntrySink? Record { get; }

        /// <summary>The previous checkpoint whose entries these are, text for text (<see cref="Manifest.EntriesFrom"/>); else null.</summary>
        public PreviousCheckpoint? Reused { get; }

        /// <summary>
        /// The entries' text: the previous checkpoint's, taken as it is, when every entry is as there (an unchanged
        /// re-capture: nothing is written, copied or recorded); else written.
        /// </summary>
        public static ManifestEntriesText Write(Manifest manifest)
        {
            var previous = manifest.EntriesFrom;
            if (previous?.Text != null)
            {
                return new ManifestEntriesText(previous.Text, previous.EntriesAt, previous.Text.Length - previous.EntriesAt, null, false, previous, null);
            }

            var estimate = manifest.EstimateLength();
            var pooled = ArrayPool<byte>.Shared.Rent(estimate);
            try
            {
                return WriteInto(manifest, new MemoryStream(pooled, 0, pooled.Length, writable: true, publiclyVisible: true), pooled);
            }
            catch (NotSupportedException)
            {
                // Longer than estimated (names of many escaped characters): written again into a stream that grows.
                ArrayPool<byte>.Shared.Return(pooled);
                return WriteInto(manifest, new MemoryStream(estimate * 2), null);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(pooled);
                throw;
            }
        }

        /// <summary>The whole manifest: <paramref name="header"/>, then the entries.</summary>
        public byte[] After(MemoryStream header)
        {
            var bytes = new byte[header.Length + Length];
            System.Buffer.BlockCopy(header.GetBuffer(), 0, bytes, 0, (int)header.Length);
            System.Buffer.BlockCopy(Buffer, Start, bytes, (int)header.Length, Length);
            if (Record != null)
            {
                Record.Offset = (int)header.Length;
            }

            return bytes;
        }

        /// <summary>
        /// What the next capture reads of <paramref name="manifest"/> (its text <paramref name="json"/>, made by
        /// <see cref="After"/>): put together when first asked; null when nothing was recorded.
        /// </summary>
        public Lazy<PreviousCheckpoint?>? ReadingOf(Manifest manifest, byte[] json) =>
            Reused != null ? PreviousCheckpoint.Reused(manifest, Reused) : Record != null ? PreviousCheckpoint.Recorded(manifest, Record, json) : null;

        public void Dispose()
        {
            var pooled = _pooled;
            _pooled = null;
            if (pooled != null)
            {
                ArrayPool<byte>.Shared.Return(pooled);
            }
        }

        private static ManifestEntriesText WriteInto(Manifest manifest, MemoryStream stream, byte[]? pooled)
        {
            using (stream)
            {
                var record = manifest.Kind == Manifest.FolderKind ? new PreviousCheckpoint.EntrySink(manifest.Entries.Count) : null;
                var recorded = manifest.WriteEntriesTo(stream, record, 0);
                return new ManifestEntriesText(stream.GetBuffer(), 0, (int)stream.Position, record, recorded, null, pooled);
            }
        }
    }
}
