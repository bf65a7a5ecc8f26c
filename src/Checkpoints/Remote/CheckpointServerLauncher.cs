using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Checkpoints.Storage;
using Daytona.Common;
using Daytona.Common.Hosting;

namespace Daytona.Checkpoints.Remote
{
    /// <summary>
    /// Starts the checkpoint server as a child process through <see cref="ChildAppLauncher"/> (the emulator's launcher:
    /// a free port, one ready line, it ends with this process) and keeps what it started per owner (a runspace).
    /// </summary>
    public static class CheckpointServerLauncher
    {
        /// <summary>The environment variable the server reads its repositories from (one per line): storage URLs may hold a SAS.</summary>
        public const string RepositoriesVariable = "DAYTONA_CHECKPOINT_SERVER_REPOSITORIES";

        private static readonly OwnedInstances<CheckpointServerInstance> s_started = new OwnedInstances<CheckpointServerInstance>();

        public static IReadOnlyList<CheckpointServerInstance> Started(object? owner = null) => s_started.Started(owner);

        public static int StopAll(object? owner = null) => s_started.StopAll(owner, i => i.Stop(TimeSpan.FromSeconds(3)));

        public static async Task<CheckpointServerInstance> StartAsync(CheckpointServerStartOptions options, object? owner, CancellationToken cancellationToken)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            var info = new ChildAppStartInfo
            {
                AppPath = options.ServerPath,
                DisplayName = "checkpoint server",
                Errors = ChildAppErrors.CheckpointServer,
                MissingAction = ErrorCatalog.CheckpointServerNotFound.Recommendation,
                ReadyTimeout = options.ReadyTimeout,
                ParentProcessId = options.ParentProcessId,
            };
            info.Arguments.Add("--port");
            info.Arguments.Add(options.Port.ToString(CultureInfo.InvariantCulture));
            info.Arguments.Add("--listen");
            info.Arguments.Add(options.ListenAddress);
            if (!string.IsNullOrEmpty(options.PathBase))
            {
                info.Arguments.Add("--path-base");
                info.Arguments.Add(options.PathBase!);
            }

            if (options.RefreshInterval is TimeSpan refresh)
            {
                info.Arguments.Add("--refresh");
                info.Arguments.Add(refresh.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
            }

            if (options.RequestLog)
            {
                info.Arguments.Add("--log");
            }

            // Secrets (a key, a SAS in a storage URL) go through the environment, never the command line; a caller's own
            // key variable never leaks in.
            info.Environment[RepositoriesVariable] = string.Join("\n", options.Repositories);
            info.Environment[CheckpointProtocol.ApiKeyVariable] = string.IsNullOrEmpty(options.ApiKey) ? null : options.ApiKey;

            CheckpointServerInstance? instance = null;
            info.OutputLine = line => instance?.Logged(line);
            var app = await ChildAppLauncher.StartAsync(info, cancellationToken).ConfigureAwait(false);
            try
            {
                var url = ParseReady(app.ReadyLine);
                SecureString? key = null;
                if (!string.IsNullOrEmpty(options.ApiKey))
                {
                    key = new SecureString();
                    foreach (var c in options.ApiKey!)
                    {
                        key.AppendChar(c);
                    }

                    key.MakeReadOnly();
                }

                instance = new CheckpointServerInstance(app, url, options.Repositories.Select(Display).ToList(), options.ListenAddress, key);
                app.Stopping += (_, _) => s_started.Remove(instance);
                s_started.Add(instance, owner);
                return instance;
            }
            catch
            {
                app.Dispose();
                throw;
            }
        }

        private static string Display(string location) => RepositoryLocation.LooksLikeUrl(location) ? RepositoryLocation.Redact(location) : location;

        private static Uri ParseReady(string line)
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                return new Uri(document.RootElement.GetProperty("url").GetString()!, UriKind.Absolute);
            }
            catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException || e is UriFormatException || e is ArgumentNullException)
            {
                throw ErrorCatalog.CheckpointServerStartFailed.Create("The checkpoint server's ready line is not the JSON it should be: " + e.Message, null, e);
            }
        }
    }
}
