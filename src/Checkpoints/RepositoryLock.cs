using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using Daytona.Common;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// The writer lock of a repository: the file <c>lock</c>, created exclusively, holding the host, process id, process
    /// start time and the time the lock was taken. A lock whose process no longer runs on this host is stale and is
    /// taken over; a lock held elsewhere is reported as <c>CheckpointRepositoryLocked</c> with its holder.
    /// </summary>
    public sealed class RepositoryLock : IDisposable
    {
        private readonly string _path;
        private int _released;

        private RepositoryLock(string path)
        {
            _path = path;
        }

        /// <summary>True when the lock replaced a stale one (a writer that died): leftovers may exist.</summary>
        public bool TookOverStale { get; private set; }

        public static RepositoryLock Acquire(string repository, TimeSpan wait, CancellationToken cancellationToken)
        {
            var path = Path.Combine(repository, "lock");
            var deadline = DateTime.UtcNow + wait;
            var tookOver = false;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The lock appears complete or not at all: its content is written to a temporary file first, then
                // moved to 'lock' without replacing (an atomic create-if-absent on every platform).
                var pid = Platform.CurrentProcessId;
                var info = new LockInfo
                {
                    Host = Environment.MachineName,
                    Pid = pid,
                    ProcessStart = Platform.ProcessStartUtc(pid),
                    Since = DateTime.UtcNow,
                };
                var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
                try
                {
                    using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                    {
                        var bytes = info.ToJson();
                        stream.Write(bytes, 0, bytes.Length);
                    }

                    File.Move(temp, path);
                    CleanTemporaryLocks(repository);
                    return new RepositoryLock(path) { TookOverStale = tookOver };
                }
                catch (IOException) when (!File.Exists(path))
                {
                    // The holder released it meanwhile (or the disk failed): try again until the deadline.
                    TryDelete(temp);
                    if (DateTime.UtcNow >= deadline)
                    {
                        throw;
                    }

                    Thread.Sleep(10);
                    continue;
                }
                catch (IOException) when (File.Exists(path))
                {
                    TryDelete(temp);
                    var holder = LockInfo.TryRead(path);
                    if (holder != null && holder.IsStaleHere())
                    {
                        // The holder died on this host: take over its lock (rename first so two takers cannot both win).
                        var aside = path + "." + Guid.NewGuid().ToString("N") + ".stale";
                        try
                        {
                            File.Move(path, aside);
                            File.Delete(aside);
                            tookOver = true;
                        }
                        catch (IOException)
                        {
                        }

                        continue;
                    }

                    if (holder == null && File.Exists(path) && DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > TimeSpan.FromSeconds(10))
                    {
                        // An empty or unreadable lock left by a writer killed while creating it.
                        try
                        {
                            File.Delete(path);
                            tookOver = true;
                        }
                        catch (IOException)
                        {
                        }

                        continue;
                    }

                    if (DateTime.UtcNow >= deadline)
                    {
                        var who = holder == null
                            ? "another writer"
                            : $"process {holder.Pid} on {holder.Host} since {holder.Since.ToString("u", CultureInfo.InvariantCulture)}";
                        throw CheckpointErrors.Create(CheckpointErrors.RepositoryLocked, ErrorKind.ResourceBusy,
                            $"The checkpoint repository {repository} is being written by {who}.", repository,
                            $"Wait for that writer to finish. If it is gone for good, delete {path}.");
                    }

                    Thread.Sleep(50);
                }
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                TryDelete(_path);
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        /// <summary>Temporary lock files of writers killed before they could take the lock.</summary>
        private static void CleanTemporaryLocks(string repository)
        {
            foreach (var file in Directory.EnumerateFiles(repository, "lock.*.tmp"))
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > TimeSpan.FromMinutes(1))
                {
                    TryDelete(file);
                }
            }
        }

        internal sealed class LockInfo
        {
            public string Host { get; set; } = string.Empty;

            public int Pid { get; set; }

            public DateTime? ProcessStart { get; set; }

            public DateTime Since { get; set; }

            public bool IsStaleHere() =>
                string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase) && !Platform.IsProcessAlive(Pid, ProcessStart);

            public byte[] ToJson()
            {
                using var stream = new MemoryStream();
                using (var writer = new Utf8JsonWriter(stream))
                {
                    writer.WriteStartObject();
                    writer.WriteString("host", Host);
                    writer.WriteNumber("pid", Pid);
                    if (ProcessStart != null)
                    {
                        writer.WriteString("processStart", ProcessStart.Value.ToString("o", CultureInfo.InvariantCulture));
                    }

                    writer.WriteString("since", Since.ToString("o", CultureInfo.InvariantCulture));
                    writer.WriteEndObject();
                }

                return stream.ToArray();
            }

            public static LockInfo? TryRead(string path)
            {
                try
                {
                    byte[] bytes;
                    using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                    using (var memory = new MemoryStream())
                    {
                        stream.CopyTo(memory);
                        bytes = memory.ToArray();
                    }

                    using var document = JsonDocument.Parse(bytes);
                    var root = document.RootElement;
                    var info = new LockInfo
                    {
                        Host = root.GetProperty("host").GetString() ?? string.Empty,
                        Pid = root.GetProperty("pid").GetInt32(),
                        Since = DateTime.Parse(root.GetProperty("since").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).ToUniversalTime(),
                    };
                    if (root.TryGetProperty("processStart", out var start))
                    {
                        info.ProcessStart = DateTime.Parse(start.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).ToUniversalTime();
                    }

                    return info;
                }
                catch (Exception e) when (e is IOException || e is JsonException || e is InvalidOperationException || e is FormatException || e is UnauthorizedAccessException || e is System.Collections.Generic.KeyNotFoundException)
                {
                    return null;
                }
            }
        }
    }
}
