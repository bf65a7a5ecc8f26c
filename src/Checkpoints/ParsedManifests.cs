using System;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// The last folder manifest this process committed, read as <see cref="PreviousCheckpoint"/> on the thread pool right
    /// after its commit: the next capture of that source in this process (a pwsh session capturing again) finds it read
    /// instead of reading megabytes of text again while it lists the folder.
    /// </summary>
    /// <remarks>
    /// It is used only for the same bytes: a capture still reads the previous manifest from the repository (which also
    /// proves it is still there) and compares its text with the text remembered, so what it reuses is exactly what
    /// <see cref="PreviousCheckpoint.Read(byte[])"/> makes of the manifest as it is now. One manifest is kept, and only a
    /// manifest of at most <see cref="MaxBytes"/> (about 80,000 files): a process holds at most that text and its reading.
    /// </remarks>
    internal sealed class ParsedManifests
    {
        /// <summary>The largest manifest remembered.</summary>
        public const int MaxBytes = 16 << 20;

        private Remembered? _last;

        /// <summary>The one this process's captures use.</summary>
        public static ParsedManifests Shared { get; } = new ParsedManifests();

        /// <summary>Starts reading a manifest just committed (its exact text) for the next capture; forgets the one before.</summary>
        public void Remember(byte[] json)
        {
            if (json.Length > MaxBytes)
            {
                Volatile.Write(ref _last, null);
                return;
            }

            var read = Task.Factory.StartNew(() => PreviousCheckpoint.Read(json), CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default);
            Volatile.Write(ref _last, new Remembered(json, read));
        }

        /// <summary>
        /// <paramref name="json"/> read as <see cref="PreviousCheckpoint.Read(byte[])"/> reads it: the reading remembered
        /// when the text is the same (waited for if it is still under way), else a new one.
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

            try
            {
                read = last.Read.GetAwaiter().GetResult();
                text = last.Json;
                return true;
            }
            catch (Exception)
            {
                // A reading that failed (out of memory, say) is done again by the caller.
                return false;
            }
        }

        private sealed class Remembered
        {
            public Remembered(byte[] json, Task<PreviousCheckpoint?> read)
            {
                Json = json;
                Read = read;
            }

            public byte[] Json { get; }

            public Task<PreviousCheckpoint?> Read { get; }
        }
    }
}
