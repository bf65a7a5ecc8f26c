using System;
using System.Collections.Generic;

namespace Daytona.Checkpoints.Remote
{
    /// <summary>How <see cref="CheckpointServerLauncher"/> starts the checkpoint server process.</summary>
    public sealed class CheckpointServerStartOptions
    {
        /// <summary>The server assembly, e.g. <c>&lt;module&gt;/CheckpointServer/Daytona.Checkpoints.Server.dll</c>.</summary>
        public string ServerPath { get; set; } = string.Empty;

        /// <summary>The repositories to serve: folder paths or storage URLs (passed through the environment, never the command line).</summary>
        public IList<string> Repositories { get; } = new List<string>();

        /// <summary>The port; 0 picks a free one.</summary>
        public int Port { get; set; }

        /// <summary>The address to listen on (default 127.0.0.1).</summary>
        public string ListenAddress { get; set; } = "127.0.0.1";

        /// <summary>The key clients must send; null: none. Passed through the environment, never the command line.</summary>
        public string? ApiKey { get; set; }

        /// <summary>A path prefix, e.g. <c>/checkpoints</c>; null for none.</summary>
        public string? PathBase { get; set; }

        /// <summary>How old the server's listing of the repositories may get; null: the server's default (2 s).</summary>
        public TimeSpan? RefreshInterval { get; set; }

        /// <summary>Log every request (the instance keeps the lines; see <see cref="CheckpointServerInstance.ReadNewLog"/>).</summary>
        public bool RequestLog { get; set; }

        public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>The process the server watches: it exits when that one ends. Default: this process.</summary>
        public int? ParentProcessId { get; set; }
    }
}
