using System;
using System.IO;
using System.IO.Hashing;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints.Storage.Folder
{
    /// <summary>
    /// One file being written in <c>tmp/</c> of a <see cref="FolderStorage"/>: <see cref="Complete"/> closes it and starts
    /// its write-back to the disk (Linux), so the flush at the commit mostly finds the data written; the commit flushes
    /// (when durable) and renames it into place under its condition.
    /// </summary>
    internal sealed class FolderObjectWriter : ObjectWriter
    {
        private readonly FolderStorage _storage;
        private readonly string _target;
        private readonly string _temp;
        private readonly HashingStream _content;
        private Task? _writeBack;
        private bool _completed;
        private int _committed;

        public FolderObjectWriter(FolderStorage storage, string key, string target, WriteCondition condition)
            : base(key, condition)
        {
            _storage = storage;
            _target = target;
            storage.CleanTemporaryFilesOnce();
            _temp = Path.Combine(storage.Temp, FolderStorage.TemporaryName(key));
            FileStream file;
            try
            {
                file = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            }
            catch (DirectoryNotFoundException)
            {
                Directory.CreateDirectory(storage.Temp);
                file = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            }

            _content = new HashingStream(file);
        }

        public override Stream Content => _content;

        public override long Length => _content.Length;

        public override void Complete()
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _content.Inner.Flush();
            _content.Inner.Dispose();
            if (Durable && _storage.Durable)
            {
                _writeBack = _storage.StartWriteBack(_temp, thenDrop: Key.StartsWith(RepositoryLayout.PacksPrefix, StringComparison.Ordinal));
            }
        }

        public override async Task<WriteResult> CommitAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _committed, 1) != 0)
            {
                throw new InvalidOperationException("The object was committed already.");
            }

            Complete();
            var version = _content.Version;
            if (Durable && _storage.Durable)
            {
                if (_writeBack != null)
                {
                    await _writeBack.ConfigureAwait(false);
                }

                _storage.GuardWrite(Key, () =>
                {
                    using var stream = new FileStream(_temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
                    stream.Flush(true);
                    return 0;
                });
            }

            try
            {
                switch (Condition.Kind)
                {
                    case WriteConditionKind.CreateOnly:
                        return _storage.GuardWrite(Key, () => MoveIfAbsent() ? new WriteResult(WriteStatus.Written, version) : new WriteResult(WriteStatus.AlreadyExists, null));
                    case WriteConditionKind.IfVersion:
                        return await _storage.WithKeyLockAsync(Key, () => _storage.GuardWrite(Key, () =>
                        {
                            string? current;
                            using (var existing = _storage.Read(Key))
                            {
                                current = existing?.Version;
                            }

                            if (!string.Equals(current, Condition.Version, StringComparison.Ordinal))
                            {
                                return new WriteResult(WriteStatus.VersionMismatch, null);
                            }

                            Platform.MoveReplacing(_temp, _target);
                            return new WriteResult(WriteStatus.Written, version);
                        }), cancellationToken).ConfigureAwait(false);
                    default:
                        return await _storage.WithKeyLockAsync(Key, () => _storage.GuardWrite(Key, () =>
                        {
                            EnsureParent();
                            Platform.MoveReplacing(_temp, _target);
                            return new WriteResult(WriteStatus.Written, version);
                        }), cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                DeleteTemp();
            }
        }

        /// <summary>Renames the file into place unless the target exists (File.Move without replacing is atomic).</summary>
        private bool MoveIfAbsent()
        {
            try
            {
                return Platform.MoveIfAbsent(_temp, _target);
            }
            catch (DirectoryNotFoundException)
            {
                EnsureParent();
                return Platform.MoveIfAbsent(_temp, _target);
            }
        }

        private void EnsureParent() => Directory.CreateDirectory(Path.GetDirectoryName(_target)!);

        private void DeleteTemp()
        {
            try
            {
                File.Delete(_temp);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (!_completed)
            {
                _completed = true;
                _content.Inner.Dispose();
            }

            if (Volatile.Read(ref _committed) == 0)
            {
                DeleteTemp();
            }
        }

        /// <summary>Writes through to the file, hashing the first <see cref="FolderStorage.VersionedWriteLimit"/> bytes for the version.</summary>
        private sealed class HashingStream : Stream
        {
            private readonly XxHash64 _hash = new XxHash64();
            private long _length;

            public HashingStream(FileStream inner)
            {
                Inner = inner;
            }

            public FileStream Inner { get; }

            /// <summary>The version of what was written; null when it was too large to hash on the fly.</summary>
            public string? Version => _length <= FolderStorage.VersionedWriteLimit ? FolderStorage.VersionOf(_hash.GetCurrentHashAsUInt64(), _length) : null;

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => _length;

            public override long Position
            {
                get => _length;
                set => throw new NotSupportedException();
            }

            public override void Write(byte[] buffer, int offset, int count)
            {
                // In pieces of at most Platform.WritePieceBytes (see there why).
                for (var done = 0; done < count;)
                {
                    var piece = Math.Min(Platform.WritePieceBytes, count - done);
                    Inner.Write(buffer, offset + done, piece);
                    done += piece;
                }

                if (_length + count <= FolderStorage.VersionedWriteLimit)
                {
                    _hash.Append(new ReadOnlySpan<byte>(buffer, offset, count));
                }

                _length += count;
            }

            public override void WriteByte(byte value) => Write(new[] { value }, 0, 1);

            public override void Flush() => Inner.Flush();

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
