using System;
using System.Collections.Generic;
using System.Security;
using Daytona.Common.Hosting;

namespace Daytona.Checkpoints.Remote
{
    /// <summary>
    /// A checkpoint server running as a child process (Start-CheckpointServer). It pipes into Get-Checkpoint and
    /// Restore-Checkpoint by property name (Url, ApiKey); its key is a <see cref="SecureString"/> and appears in no text
    /// this object produces.
    /// </summary>
    public sealed class CheckpointServerInstance : IDisposable
    {
        private const int KeptLines = 1000;
        private readonly ChildApp _app;
        private readonly Queue<string> _log = new Queue<string>();
        private readonly List<string> _new = new List<string>();

        internal CheckpointServerInstance(ChildApp app, Uri url, IReadOnlyList<string> repositories, string listenAddress, SecureString? apiKey)
        {
            _app = app;
            Url = url;
            Repositories = repositories;
            ListenAddress = listenAddress;
            ApiKey = apiKey;
            ProcessId = app.ProcessId;
            StartedAt = DateTime.Now;
        }

        /// <summary>The server's root URL, e.g. <c>http://127.0.0.1:5123/</c>; a source is at <c>&lt;Url&gt;&lt;name&gt;/</c>.</summary>
        public Uri Url { get; }

        public int Port => Url.Port;

        public string ListenAddress { get; }

        /// <summary>The repositories served, as given (storage URLs without their secrets).</summary>
        public IReadOnlyList<string> Repositories { get; }

        /// <summary>The key clients must send, or null when the server answers anyone who reaches it.</summary>
        public SecureString? ApiKey { get; }

        public int ProcessId { get; }

        public DateTime StartedAt { get; }

        /// <summary>Running, or Exited.</summary>
        public string State => HasExited ? "Exited" : "Running";

        public bool HasExited => _app.HasExited;

        /// <summary>The last 1,000 request lines (when started with a request log).</summary>
        public IReadOnlyList<string> RequestLog
        {
            get
            {
                lock (_log)
                {
                    return _log.ToArray();
                }
            }
        }

        /// <summary>What the server wrote on its error stream (for diagnostics; it holds no secret).</summary>
        public string ErrorOutput => _app.ErrorOutput;

        /// <summary>The request lines logged since the last call (at most the last 1,000).</summary>
        public IReadOnlyList<string> ReadNewLog()
        {
            lock (_log)
            {
                var lines = _new.ToArray();
                _new.Clear();
                return lines;
            }
        }

        /// <summary>Stops the server (closes its standard input, kills it after <paramref name="grace"/>); true when it has ended.</summary>
        public bool Stop(TimeSpan? grace = null) => _app.Stop(grace);

        public void Dispose() => _app.Dispose();

        public override string ToString() => $"Checkpoint server at {Url} (process {ProcessId}, {State})";

        internal void Logged(string line)
        {
            lock (_log)
            {
                _log.Enqueue(line);
                _new.Add(line);
                while (_log.Count > KeptLines)
                {
                    _log.Dequeue();
                }

                if (_new.Count > KeptLines)
                {
                    _new.RemoveRange(0, _new.Count - KeptLines);
                }
            }
        }
    }
}
