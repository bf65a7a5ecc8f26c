using System;
using System.Security;
using Daytona.Common.Hosting;

namespace Daytona.Api.Emulator
{
    /// <summary>
    /// A local Daytona emulator running as a child process. Its API key is kept as a <see cref="SecureString"/> and
    /// appears in no text this object produces; <see cref="Connection"/> is ready to pass to any API cmdlet, and
    /// the object pipes into Connect-Daytona by property name (ApiUrl, ApiKey, OrganizationId).
    /// </summary>
    public sealed class EmulatorInstance : IDisposable
    {
        private readonly ChildApp _app;

        internal EmulatorInstance(ChildApp app, Uri apiUrl, SecureString apiKey, string plainKey, string organizationId)
        {
            _app = app;
            ApiUrl = apiUrl;
            ApiKey = apiKey;
            OrganizationId = organizationId;
            ProcessId = app.ProcessId;
            EmulatorPath = app.AppPath;
            StartedAt = DateTime.Now;
            Connection = new DaytonaConnection(apiUrl, plainKey, organizationId, "Start-DaytonaEmulator");
        }

        /// <summary>The API base URL, <c>http://127.0.0.1:&lt;port&gt;/api</c>.</summary>
        public Uri ApiUrl { get; }

        /// <summary>The same as <see cref="ApiUrl"/> (Connect-Daytona's alias).</summary>
        public Uri Url => ApiUrl;

        /// <summary>The emulator's bearer key.</summary>
        public SecureString ApiKey { get; }

        public string OrganizationId { get; }

        /// <summary>The emulator process.</summary>
        public int ProcessId { get; }

        /// <summary>A connection to the emulator, for any cmdlet's -Connection.</summary>
        public DaytonaConnection Connection { get; }

        /// <summary>The emulator assembly that runs (…/Emulator/Daytona.Emulator.dll).</summary>
        public string EmulatorPath { get; }

        public DateTime StartedAt { get; }

        /// <summary>Running, or Exited.</summary>
        public string State => HasExited ? "Exited" : "Running";

        public bool HasExited => _app.HasExited;

        /// <summary>
        /// Stops the emulator: closes its standard input (it exits by itself), then kills it if it is still running
        /// after <paramref name="grace"/>. Returns true when the process has ended.
        /// </summary>
        public bool Stop(TimeSpan? grace = null) => _app.Stop(grace);

        /// <summary>What the emulator wrote on its error stream (for diagnostics; it holds no secret).</summary>
        public string ErrorOutput => _app.ErrorOutput;

        public void Dispose() => _app.Dispose();

        public override string ToString() => $"Daytona emulator at {ApiUrl} (process {ProcessId}, {State})";
    }
}
