using System.Collections.Concurrent;

namespace Daytona.Checkpoints.Server.Content;

/// <summary>
/// Small chunks (a small file is one chunk) kept decompressed and verified, so the files served most often cost no
/// read, decompression or hash. Chunks are named by their SHA-256 and never change; the oldest go first when more than
/// <see cref="Capacity"/> bytes are held.
/// </summary>
internal sealed class ChunkCache
{
    private readonly ConcurrentDictionary<string, byte[]> _chunks = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private long _bytes;

    public ChunkCache(long capacity = 64L * 1024 * 1024, int largest = 256 * 1024)
    {
        Capacity = capacity;
        Largest = largest;
    }

    public long Capacity { get; }

    /// <summary>Chunks larger than this are read each time (large files stream through without filling the cache).</summary>
    public int Largest { get; }

    /// <summary>Whether a chunk of this size is kept (else its reader reads it into a buffer of its own each time).</summary>
    public bool Keeps(int size) => size <= Largest && Capacity > 0;

    /// <summary>The verified bytes of a small chunk (exactly its size); reads and verifies it through the repository when not held.</summary>
    public byte[] Get(CheckpointRepository repository, ChunkRef chunk, string path)
    {
        if (_chunks.TryGetValue(chunk.Hash, out var held) && held.Length == chunk.Size)
        {
            return held;
        }

        var bytes = new byte[chunk.Size];
        repository.Store.Read(chunk.Hash, chunk.Size, bytes, path);
        if (Keeps(chunk.Size) && _chunks.TryAdd(chunk.Hash, bytes))
        {
            _order.Enqueue(chunk.Hash);
            if (Interlocked.Add(ref _bytes, bytes.Length) > Capacity)
            {
                while (Interlocked.Read(ref _bytes) > Capacity * 3 / 4 && _order.TryDequeue(out var oldest))
                {
                    if (_chunks.TryRemove(oldest, out var removed))
                    {
                        Interlocked.Add(ref _bytes, -removed.Length);
                    }
                }
            }
        }

        return bytes;
    }
}
