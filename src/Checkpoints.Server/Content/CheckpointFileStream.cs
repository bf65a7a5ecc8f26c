using System.Buffers;

namespace Daytona.Checkpoints.Server.Content;

/// <summary>
/// One file of a checkpoint as a read-only, seekable stream: its chunks are read from the repository (or the chunk
/// cache), decompressed and verified as the reader reaches them, so ASP.NET Core's file results can serve ranges from
/// it. A chunk that is missing or damaged fails the read with <c>CheckpointCorrupt</c>.
/// </summary>
internal sealed class CheckpointFileStream : Stream
{
    private readonly CheckpointRepository _repository;
    private readonly ChunkCache _cache;
    private readonly ManifestEntry _file;
    private readonly long[] _starts;
    private long _position;
    private int _chunkIndex = -1;
    private byte[]? _chunk;
    private bool _pooled;

    public CheckpointFileStream(CheckpointRepository repository, ChunkCache cache, ManifestEntry file)
    {
        _repository = repository;
        _cache = cache;
        _file = file;
        _starts = new long[file.Chunks.Count];
        long offset = 0;
        for (var i = 0; i < _starts.Length; i++)
        {
            _starts[i] = offset;
            offset += file.Chunks[i].Size;
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _file.Size;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= _file.Size || buffer.Length == 0)
        {
            return 0;
        }

        var index = ChunkAt(_position);
        if (index != _chunkIndex)
        {
            Load(index);
        }

        var within = (int)(_position - _starts[index]);
        var available = _file.Chunks[index].Size - within;
        var count = Math.Min(available, buffer.Length);
        _chunk.AsSpan(within, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The chunk reads are local and short: done inline rather than queued to another thread.
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<int>(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _file.Size + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0)
        {
            throw new IOException("A position before the start of the file.");
        }

        _position = target;
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Release();
        base.Dispose(disposing);
    }

    private int ChunkAt(long position)
    {
        var index = Array.BinarySearch(_starts, position);
        return index >= 0 ? index : ~index - 1;
    }

    private void Load(int index)
    {
        Release();
        var chunk = _file.Chunks[index];
        if (_cache.Keeps(chunk.Size))
        {
            _chunk = _cache.Get(_repository, chunk, _file.Path);
        }
        else
        {
            _chunk = ArrayPool<byte>.Shared.Rent(chunk.Size);
            _pooled = true;
            _repository.Store.Read(chunk.Hash, chunk.Size, _chunk, _file.Path);
        }

        _chunkIndex = index;
    }

    private void Release()
    {
        if (_pooled && _chunk != null)
        {
            ArrayPool<byte>.Shared.Return(_chunk);
        }

        _chunk = null;
        _pooled = false;
        _chunkIndex = -1;
    }
}
