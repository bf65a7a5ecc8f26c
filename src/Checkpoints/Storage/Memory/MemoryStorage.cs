using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Checkpoints.Storage.Memory
{
    /// <summary>
    /// Objects in memory, for tests: every promise of <see cref="IObjectStorage"/> kept exactly (atomic create-only and
    /// compare-and-swap, sorted listings), versions counted up, and a hook before every request so a test can
    /// interleave writers (<see cref="BeforeRequest"/>) or count requests (<see cref="Requests"/>).
    /// </summary>
    public sealed class MemoryStorage : IObjectStorage
    {
        private readonly object _gate = new object();
        private readonly SortedDictionary<string, Entry> _objects = new SortedDictionary<string, Entry>(StringComparer.Ordinal);
        private long _versions;
        private long _requests;

        public MemoryStorage(string name = "memory")
        {
            Location = "memory://" + name;
        }

        public string Location { get; }

        public StorageTraits Traits { get; } = new StorageTraits { HonoursCreateOnly = true, HonoursIfVersion = true, IsLocal = true, Connections = 8 };

        /// <summary>Called before each request with its kind ("read", "write", "list", "delete", "stat") and key (or prefix).</summary>
        public Action<string, string>? BeforeRequest { get; set; }

        /// <summary>The requests served so far.</summary>
        public long Requests => Interlocked.Read(ref _requests);

        /// <summary>The clock of the storage (object times); tests may move it.</summary>
        public Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;

        /// <summary>Every key, sorted.</summary>
        public IReadOnlyList<string> Keys
        {
            get
            {
                lock (_gate)
                {
                    return _objects.Keys.ToList();
                }
            }
        }

        private void Request(string kind, string key)
        {
            Interlocked.Increment(ref _requests);
            BeforeRequest?.Invoke(kind, key);
        }

        public Task<StoredObject?> ReadAsync(string key, CancellationToken cancellationToken)
        {
            StorageKeys.Check(key);
            Request("read", key);
            lock (_gate)
            {
                return Task.FromResult(_objects.TryGetValue(key, out var entry) ? new StoredObject(entry.Data, entry.Data.Length, entry.Version) : null);
            }
        }

        public Task<int> ReadRangeAsync(string key, long position, byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            StorageKeys.Check(key);
            Request("read", key);
            byte[] data;
            lock (_gate)
            {
                if (!_objects.TryGetValue(key, out var entry))
                {
                    return Task.FromResult(-1);
                }

                data = entry.Data;
            }

            if (position >= data.Length)
            {
                return Task.FromResult(0);
            }

            var n = (int)Math.Min(count, data.Length - position);
            Buffer.BlockCopy(data, (int)position, buffer, offset, n);
            return Task.FromResult(n);
        }

        public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
        {
            StorageKeys.Check(key);
            Request("read", key);
            lock (_gate)
            {
                return Task.FromResult(_objects.TryGetValue(key, out var entry) ? (Stream?)new MemoryStream(entry.Data, writable: false) : null);
            }
        }

        public Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken)
        {
            StorageKeys.Check(key);
            Request("stat", key);
            lock (_gate)
            {
                return Task.FromResult(_objects.TryGetValue(key, out var entry) ? Info(key, entry) : null);
            }
        }

        public ObjectWriter CreateWriter(string key, WriteCondition condition) => new Writer(this, StorageKeys.Check(key), condition);

        public Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken)
        {
            StorageKeys.CheckPrefix(prefix);
            Request("list", prefix);
            lock (_gate)
            {
                IReadOnlyList<ObjectInfo> result = _objects
                    .Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal) && (startAfter == null || string.CompareOrdinal(o.Key, startAfter) > 0))
                    .Select(o => Info(o.Key, o.Value))
                    .ToList();
                return Task.FromResult(result);
            }
        }

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
        {
            StorageKeys.Check(key);
            Request("delete", key);
            lock (_gate)
            {
                return Task.FromResult(_objects.Remove(key));
            }
        }

        public Task<LeaseAttempt> TryAcquireLeaseAsync(string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken) =>
            ObjectLease.TryAcquireAsync(this, key, holder, duration, cancellationToken);

        public void Dispose()
        {
        }

        private static ObjectInfo Info(string key, Entry entry) => new ObjectInfo(key, entry.Data.Length, entry.Modified, entry.Version);

        private WriteResult Commit(string key, byte[] data, WriteCondition condition)
        {
            Request("write", key);
            lock (_gate)
            {
                _objects.TryGetValue(key, out var existing);
                switch (condition.Kind)
                {
                    case WriteConditionKind.CreateOnly when existing != null:
                        return new WriteResult(WriteStatus.AlreadyExists, null);
                    case WriteConditionKind.IfVersion when existing == null || existing.Version != condition.Version:
                        return new WriteResult(WriteStatus.VersionMismatch, null);
                }

                var version = (++_versions).ToString(CultureInfo.InvariantCulture);
                _objects[key] = new Entry(data, version, UtcNow());
                return new WriteResult(WriteStatus.Written, version);
            }
        }

        private sealed class Entry
        {
            public Entry(byte[] data, string version, DateTime modified)
            {
                Data = data;
                Version = version;
                Modified = modified;
            }

            public byte[] Data { get; }

            public string Version { get; }

            public DateTime Modified { get; }
        }

        private sealed class Writer : ObjectWriter
        {
            private readonly MemoryStorage _storage;
            private readonly MemoryStream _content = new MemoryStream();
            private int _committed;

            public Writer(MemoryStorage storage, string key, WriteCondition condition)
                : base(key, condition)
            {
                _storage = storage;
            }

            public override Stream Content => _content;

            public override long Length => _content.Length;

            public override Task<WriteResult> CommitAsync(CancellationToken cancellationToken)
            {
                if (Interlocked.Exchange(ref _committed, 1) != 0)
                {
                    throw new InvalidOperationException("The object was committed already.");
                }

                cancellationToken.ThrowIfCancellationRequested();
                return Task.FromResult(_storage.Commit(Key, _content.ToArray(), Condition));
            }

            protected override void Dispose(bool disposing) => _content.Dispose();
        }
    }
}
