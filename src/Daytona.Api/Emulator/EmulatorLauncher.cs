using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;
using Daytona.Common.Hosting;

namespace Daytona.Api.Emulator
{
    /// <summary>
    /// Starts the emulator as a child process (<c>dotnet Daytona.Emulator.dll --port N --parent-pid P --ready-json</c>)
    /// through <see cref="ChildAppLauncher"/>, and keeps a list of what it started so a host can stop them (a PowerShell
    /// runspace on Remove-Module). The child also exits by itself when this process dies or its stdin closes.
    /// </summary>
    public static class EmulatorLauncher
    {
        /// <summary>The environment variable the emulator reads its key from (kept off the command line).</summary>
        public const string ApiKeyVariable = "DAYTONA_EMULATOR_API_KEY";

        private static readonly OwnedInstances<EmulatorInstance> s_started = new OwnedInstances<EmulatorInstance>();

        /// <summary>Instances started and not stopped; with an owner, only that owner's.</summary>
        public static IReadOnlyList<EmulatorInstance> Started(object? owner = null) => s_started.Started(owner);

        /// <summary>Stops every instance the owner started (all of them when owner is null).</summary>
        public static int StopAll(object? owner = null) => s_started.StopAll(owner, i => i.Stop(TimeSpan.FromSeconds(3)));

        /// <summary>The dotnet host (see <see cref="ChildAppLauncher.FindDotnet"/>).</summary>
        public static string? FindDotnet(out string searched) => ChildAppLauncher.FindDotnet(out searched);

        /// <summary>Starts an emulator and returns it once it listens. <paramref name="owner"/> tags it for <see cref="StopAll"/>.</summary>
        public static async Task<EmulatorInstance> StartAsync(EmulatorStartOptions options, object? owner, CancellationToken cancellationToken)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            var info = new ChildAppStartInfo
            {
                AppPath = options.EmulatorPath,
                DisplayName = "emulator",
                Errors = ChildAppErrors.Emulator,
                MissingAction = "Reinstall the module, or build it with 'dotnet build Module.sln' (the build copies the emulator into out/Daytona.Snapshots/Emulator/).",
                ReadyTimeout = options.ReadyTimeout,
                ParentProcessId = options.ParentProcessId,
            };
            info.Arguments.Add("--port");
            info.Arguments.Add(options.Port.ToString(CultureInfo.InvariantCulture));
            info.Arguments.Add("--time-scale");
            info.Arguments.Add(options.TimeScale.ToString("R", CultureInfo.InvariantCulture));
            if (options.BuildDuration is TimeSpan duration)
            {
                info.Arguments.Add("--build-duration");
                info.Arguments.Add(duration.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
            }

            if (!string.IsNullOrEmpty(options.OrganizationId))
            {
                info.Arguments.Add("--organization-id");
                info.Arguments.Add(options.OrganizationId!);
            }

            // Passed through the environment, so the key never shows in a process list; a caller's own value never leaks in.
            info.Environment[ApiKeyVariable] = string.IsNullOrEmpty(options.ApiKey) ? null : options.ApiKey;

            var app = await ChildAppLauncher.StartAsync(info, cancellationToken).ConfigureAwait(false);
            try
            {
                var (url, key, organization) = ParseReady(app.ReadyLine);
                var secure = new SecureString();
                foreach (var c in key)
                {
                    secure.AppendChar(c);
                }

                secure.MakeReadOnly();
                var instance = new EmulatorInstance(app, url, secure, key, organization);
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

        private static (Uri Url, string Key, string Organization) ParseReady(string line)
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                var url = new Uri(root.GetProperty("url").GetString()!, UriKind.Absolute);
                return (url, root.GetProperty("apiKey").GetString()!, root.GetProperty("organizationId").GetString()!);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or UriFormatException or ArgumentNullException)
            {
                // The line is the emulator's own output; it is not echoed (it would hold the key).
                throw ErrorCatalog.EmulatorStartFailed.Create("The emulator's ready line is not the JSON it should be: " + e.Message, null, e, kind: ErrorKind.InvalidData);
            }
        }
    }
}
