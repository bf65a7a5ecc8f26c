using System;
using System.Buffers;
using System.IO;
using System.Threading;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// The last folder manifest this process committed, with what a capture reads of it as its previous checkpoint
    /// (<see cref="PreviousCheckpoint"/>), recorded while the manifest was written: the next capture of that source in this
    /// process (a pwsh session capturing again) finds it instead of reading megabytes of text again while it lists the
    /// folder. Nothing runs aside: the recording is part of writing the manifest, and its files are put in a dictionary
    /// only by a capture that finds it.
    /// </summary>
    /// <remarks>
    /// It is used only for the same bytes: a capture still reads the previous manifest from the repository (which also
    /// proves it is still there) and compares its text with the text remembered, so what it reuses is what
    /// <see cref="PreviousCheckpoint.Read(byte[])"/> makes of the manifest as it is now (the tests hold the recording to
    /// that). One manifest is kept, and only a manifest of at most <see cref="MaxBytes"/> (about 80,000 files).
    /// </remarks>
    internal sealed class LastWrittenManifest
    {
        /// <summary>The largest manifest remembered.</summary>
        public const int MaxBytes = 16 << 20;

        private Remembered? _last;

        /// <summary>The one this process's captures use.</summary>
        public static LastWrittenManifest Shared { get; } = new LastWrittenManifest();

        /// <summary>
        /// Remembers a manifest of <paramref name="source"/> just committed (its exact text) and its reading; forgets the one
        /// before. Without a reading (none was recorded), or when the manifest is larger than <see cref="MaxBytes"/>, nothing
        /// is remembered.
        /// </summary>
        public void Remember(string source, byte[] json, Lazy<PreviousCheckpoint?>? reading) =>
            Volatile.Write(ref _last, reading == null || json.Length > MaxBytes ? null : new Remembered(source, json, reading));

        /// <summary>
        /// A capture of <paramref name="source"/> starts: the reading of the manifest remembered for that source is put
        /// together on the thread pool now, while the folder is listed, rather than when the capture finds it after the
        /// listing (it is used only if the repository holds that very text).
        /// </summary>
        public void Prepare(string source)
        {
            var last = Volatile.Read(ref _last);
            if (last != null && last.Source == source && !last.Reading.IsValueCreated)
            {
                ThreadPool.QueueUserWorkItem(reading => _ = ((Lazy<PreviousCheckpoint?>)reading!).Value, last.Reading);
            }
        }

        /// <summary>
        /// <paramref name="json"/> read as <see cref="PreviousCheckpoint.Read(byte[])"/> reads it: the reading remembered
        /// when the text is the same, else a new one.
        /// </summary>
        public PreviousCheckpoint? Read(byte[] json) => Find(json, out var read, out _) ? read : PreviousCheckpoint.Read(json);

        /// <summary>Whether the text remembered is <paramref name="json"/>, and then its reading and that text.</summary>
        public bool Find(ReadOnlySpan<byte> json, out PreviousCheckpoint? read, out byte[] text)
        {
            read = null;
            text = Array.Empty<byte>();
            var last = Volatile.Read(ref _last);
            if (last == null || !json.SequenceEqual(last.Json))
            {
                return false;
            }

            read = last.Reading.Value;
            text = last.Json;
            return true;
        }

        /// <summary>
        /// Whether what <paramref name="open"/> opens (null: nothing there) holds the text remembered, compared piece by
        /// piece (no buffer of the text's size), and then its reading and that text. Opened only when a text is remembered;
        /// one of another length is not read.
        /// </summary>
        public bool Find(Func<Stream?> open, out PreviousCheckpoint? read, out byte[] text)
        {
            read = null;
            text = Array.Empty<byte>();
            var last = Volatile.Read(ref _last);
            if (last == null)
            {
                return false;
            }

            using var content = open();
            if (content == null || (content.CanSeek && content.Length != last.Json.Length))
            {
                return false;
            }

            var piece = ArrayPool<byte>.Shared.Rent(PieceBytes);
            try
            {
                var at = 0;
                int count;
                while ((count = content.Read(piece, 0, piece.Length)) > 0)
                {
                    if (count > last.Json.Length - at || !new ReadOnlySpan<byte>(piece, 0, count).SequenceEqual(new ReadOnlySpan<byte>(last.Json, at, count)))
                    {
                        return false;
                    }

                    at += count;
                }

                if (at != last.Json.Length)
                {
                    return false;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(piece);
            }

            read = last.Reading.Value;
            text = last.Json;
            return true;
        }

        /// <summary>How much of a manifest <see cref="Find(Func{Stream}, out PreviousCheckpoint, out byte[])"/> compares at a time.</summary>
        private const int PieceBytes = 1 << 20;

        private sealed class Remembered
        {
            public Remembered(string source, byte[] json, Lazy<PreviousCheckpoint?> reading)
            {
                Source = source;
                Json = json;
                Reading = reading;
            }

            /// <summary>The folder the manifest is of.</summary>
            public string Source { get; }

            public byte[] Json { get; }

            /// <summary>Put together at the first capture that finds it.</summary>
            public Lazy<PreviousCheckpoint?> Reading { get; }
        }
    }
}
