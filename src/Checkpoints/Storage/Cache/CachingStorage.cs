using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common.Diagnostics;

namespace Daytona.Checkpoints.Storage.Cache
{
    /// <summary>
    /// An object store seen through this machine's cache (<see cref="ObjectCache"/>; restic's cache backend is the model):
    /// objects that never change once written (<see cref="IsImmutable"/>: the format, pack indexes, catalog generations)
    /// are read from the cache when it has them, stored in it when read or written, and dropped from it when deleted.
    /// Everything else goes to the store. The engine also keeps entries keyed by an object's version in
    /// <see cref="Cache"/> (manifests and their summaries).
    /// <para>
    /// It also runs the store's conditional-write probe (<see cref="ConditionalWriteProbe"/>) lazily: before the first
    /// write or lease, not when the store is opened, so a reader never pays for it; its verdict is cached per location
    /// for a week, so a writer on this machine pays for it once.
    /// </para>
    /// </summary>
    public sealed class CachingStorage : IObjectStorage, IUncheckedDelete
    {
        private const string ProbeEntry = "probe";
        private static readonly TimeSpan s_probeLifetime = TimeSpan.FromDays(7);
        private readonly Func<string, bool> _immutable;
        private readonly StorageOptions _options;
        private readonly SemaphoreSlim _probeGate = new SemaphoreSlim(1, 1);
        private volatile bool _probed;

        /// <param name="inner">The store.</param>
        /// <param name="cache">This repository's cache, or null for none (the probe is still lazy).</param>
        /// <param name="immutable">Which keys never change once written (and are deleted only when no longer referenced).</param>
        /// <param name="options">Where the probe's verdict and warning are told.</param>
        /// <param name="probed">True when the store needs no probe (its traits are known).</param>
        public CachingStorage(IObjectStorage inner, ObjectCache? cache, Func<string, bool> immutable, StorageOptions? options = null, bool probed = false)
        {
            Inner = inner;
            Cache = cache;
            _immutable = immutable;
            _options = options ?? new StorageOptions();
            _probed = probed;
        }

        /// <summary>The store behind the cache.</summary>
        public IObjectStorage Inner { get; }

        /// <summary>This repository's cache; null when caching is off.</summary>
        public ObjectCache? Cache { get; }

        public string Location => Inner.Location;

        /// <summary>The store's traits (create-only and compare-and-swap are known once <see cref="EnsureProbedAsync"/> ran).</summary>
        public StorageTraits Traits => Inner.Traits;

        /// <summary>Whether <paramref name="key"/> never changes once written.</summary>
        public bool IsImmutable(string key) => _immutable(key);

        private static string EntryOf(string key) => "objects/" + key;

        /// <summary>
        /// Finds out, once, whether the store honours create-only writes: from this machine's cache when it probed the
        /// location within a week, else by probing it (three requests). Where it does not, the user is told once.
        /// </summary>
        public async Task EnsureProbedAsync(CancellationToken cancellationToken)
        {
            if (_probed)
            {
                return;
            }

            await _probeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_probed)
                {
                    return;
                }

                bool honours;
                string? when = null;
                var cached = Cache?.Get(ProbeEntry, out when);
                if (cached != null && cached.Length == 1 && DateTime.TryParse(when, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var probedAt)
                    && DateTime.UtcNow - probedAt < s_probeLifetime)
                {
                    honours = cached[0] == (byte)'1';
                    _options.Verbose?.Invoke($"{Location}: create-only writes {(honours ? "honoured" : "ignored")} (probed {probedAt:yyyy-MM-dd HH:mm} UTC, remembered in the cache).");
                }
                else
                {
                    Timings.Mark("storage: probing create-only writes");
                    honours = await ConditionalWriteProbe.HonoursCreateOnlyAsync(Inner, cancellationToken).ConfigureAwait(false);
                    Timings.Mark("storage: probed");
                    Cache?.Put(ProbeEntry, new[] { honours ? (byte)'1' : (byte)'0' }, DateTime.UtcNow.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
                }

                Inner.Traits.HonoursCreateOnly = honours;
                Inner.Traits.HonoursIfVersion = honours;
                _options.Verbose?.Invoke($"{Location}: {Inner.Traits}.");
                if (!honours)
                {
                    _options.Warning?.Invoke(
                        $"The storage behind {Location} accepts create-only writes but overwrites anyway: writers of a repository created there claim their checkpoint ids in their own marker objects, and exclusive changes take a lock object (restic-style records: host, process, expiry; one left by a writer that died goes stale once it is no longer renewed).");
                }

                _probed = true;
            }
            finally
            {
                _probeGate.Release();
            }
        }

        public async Task<StoredObject?> ReadAsync(string key, CancellationToken cancellationToken)
        {
            var cacheable = Cache != null && _immutable(key);
            if (cacheable)
            {
                var content = Cache!.Get(EntryOf(key), out var version);
                if (content != null)
                {
                    return new StoredObject(content, content.Length, version);
                }
            }

            var stored = await Inner.ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (cacheable && stored != null)
            {
                Cache!.Put(EntryOf(key), stored.Buffer, 0, stored.Length, stored.Version);
            }

            return stored;
        }

        public Task<int> ReadRangeAsync(string key, long position, byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (Cache != null && _immutable(key))
            {
                var content = Cache.Get(EntryOf(key), out _);
                if (content != null)
                {
                    var available = (int)Math.Max(0, Math.Min(count, content.Length - position));
                    if (available > 0)
                    {
                        Buffer.BlockCopy(content, (int)position, buffer, offset, available);
                    }

                    return Task.FromResult(available);
                }
            }

            return Inner.ReadRangeAsync(key, position, buffer, offset, count, cancellationToken);
        }

        public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
        {
            if (Cache != null && _immutable(key))
            {
                var stored = await ReadAsync(key, cancellationToken).ConfigureAwait(false);
                return stored == null ? null : new MemoryStream(stored.Buffer, 0, stored.Length, writable: false);
            }

            return await Inner.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        }

        public async Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken)
        {
            var info = await Inner.StatAsync(key, cancellationToken).ConfigureAwait(false);
            if (info == null && Cache != null && _immutable(key))
            {
                Cache.Remove(EntryOf(key));
            }

            return info;
        }

        public ObjectWriter CreateWriter(string key, WriteCondition condition) =>
            new Writer(this, Inner.CreateWriter(key, condition), Cache != null && _immutable(key));

        public Task<IReadOnlyList<ObjectInfo>> ListAsync(string prefix, string? startAfter, CancellationToken cancellationToken) =>
            Inner.ListAsync(prefix, startAfter, cancellationToken);

        public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
        {
            var deleted = await Inner.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            if (Cache != null && _immutable(key))
            {
                Cache.Remove(EntryOf(key));
            }

            return deleted;
        }

        public async Task DeleteUncheckedAsync(string key, CancellationToken cancellationToken)
        {
            await Inner.DeleteUncheckedAsync(key, cancellationToken).ConfigureAwait(false);
            if (Cache != null && _immutable(key))
            {
                Cache.Remove(EntryOf(key));
            }
        }

        public async Task<LeaseAttempt> TryAcquireLeaseAsync(string key, LeaseHolder holder, TimeSpan duration, CancellationToken cancellationToken)
        {
            await EnsureProbedAsync(cancellationToken).ConfigureAwait(false);
            return await Inner.TryAcquireLeaseAsync(key, holder, duration, cancellationToken).ConfigureAwait(false);
        }

        public void Dispose()
        {
            Inner.Dispose();
            _probeGate.Dispose();
        }

        /// <summary>A write through the cache: the probe runs before the first commit, and an immutable object's content is kept.</summary>
        private sealed class Writer : ObjectWriter
        {
            private readonly CachingStorage _storage;
            private readonly ObjectWriter _inner;
            private readonly MemoryStream? _copy;
            private readonly Stream _content;

            public Writer(CachingStorage storage, ObjectWriter inner, bool keep)
                : base(inner.Key, inner.Condition)
            {
                _storage = storage;
                _inner = inner;
                if (keep)
                {
                    _copy = ObjectBuffers.Rent(inner.Key);
                    _content = new TeeStream(inner.Content, _copy);
                }
                else
                {
                    _content = inner.Content;
                }
            }

            public override Stream Content => _content;

            public override long Length => _inner.Length;

            public override void Complete() => _inner.Complete();

            public override async Task<WriteResult> CommitAsync(CancellationToken cancellationToken)
            {
                await _storage.EnsureProbedAsync(cancellationToken).ConfigureAwait(false);
                _inner.Durable = Durable;
                var result = await _inner.CommitAsync(cancellationToken).ConfigureAwait(false);
                if (_copy != null && result.Written)
                {
                    _copy.Position = 0;
                    _storage.Cache!.Put(EntryOf(Key), _copy, result.Version);
                }

                return result;
            }

            protected override void Dispose(bool disposing)
            {
                _inner.Dispose();
                _copy?.Dispose();
            }
        }

        /// <summary>Writes go to two streams.</summary>
        private sealed class TeeStream : Stream
        {
            private readonly Stream _first;
            private readonly Stream _second;

            public TeeStream(Stream first, Stream second)
            {
                _first = first;
                _second = second;
            }

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => _second.Length;

            public override long Position
            {
                get => _second.Position;
                set => throw new NotSupportedException();
            }

            public override void Flush() => _first.Flush();

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count)
            {
                _first.Write(buffer, offset, count);
                _second.Write(buffer, offset, count);
            }
        }
    }
}
