using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;

namespace Daytona.Api.Emulator
{
    /// <summary>
    /// Starts the emulator as a child process (<c>dotnet Daytona.Emulator.dll --port N --parent-pid P --ready-json</c>),
    /// waits for its one ready line, and keeps a list of what it started so a host can stop them (a PowerShell
    /// runspace on Remove-Module). The child also exits by itself when this process dies or its stdin closes.
    /// </summary>
    public static class EmulatorLauncher
    {
        /// <summary>The environment variable the emulator reads its key from (kept off the command line).</summary>
        public const string ApiKeyVariable = "DAYTONA_EMULATOR_API_KEY";

        private static readonly object s_gate = new object();
        private static readonly List<(EmulatorInstance Instance, object? Owner)> s_started = new List<(EmulatorInstance, object?)>();

        /// <summary>Instances started and not stopped; with an owner, only that owner's.</summary>
        public static IReadOnlyList<EmulatorInstance> Started(object? owner = null)
        {
            lock (s_gate)
            {
                return s_started.Where(s => owner == null || ReferenceEquals(s.Owner, owner)).Select(s => s.Instance).ToList();
            }
        }

        /// <summary>Stops every instance the owner started (all of them when owner is null).</summary>
        public static int StopAll(object? owner = null)
        {
            var instances = Started(owner);
            Parallel.ForEach(instances, i => i.Stop(TimeSpan.FromSeconds(3)));
            return instances.Count;
        }

        internal static void Forget(EmulatorInstance instance)
        {
            lock (s_gate)
            {
                s_started.RemoveAll(s => ReferenceEquals(s.Instance, instance));
            }
        }

        /// <summary>
        /// The dotnet host: on PATH, else DOTNET_HOST_PATH, else in DOTNET_ROOT. Null when none is found;
        /// <paramref name="searched"/> then says where it looked.
        /// </summary>
        public static string? FindDotnet(out string searched)
        {
            var exe = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
            var looked = new List<string>();
            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = SafeCombine(directory.Trim('"'), exe);
                if (candidate != null && File.Exists(candidate))
                {
                    searched = string.Empty;
                    return candidate;
                }
            }

            looked.Add("PATH");
            var hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
            {
                searched = string.Empty;
                return hostPath;
            }

            looked.Add(string.IsNullOrEmpty(hostPath) ? "DOTNET_HOST_PATH (not set)" : $"DOTNET_HOST_PATH ({hostPath}: no such file)");
            var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
            var inRoot = string.IsNullOrEmpty(root) ? null : SafeCombine(root!, exe);
            if (inRoot != null && File.Exists(inRoot))
            {
                searched = string.Empty;
                return inRoot;
            }

            looked.Add(string.IsNullOrEmpty(root) ? "DOTNET_ROOT (not set)" : $"DOTNET_ROOT ({root}: no {exe} there)");
            searched = string.Join(", ", looked);
            return null;
        }

        private static string? SafeCombine(string directory, string file)
        {
            try
            {
                return Path.Combine(directory, file);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        /// <summary>Starts an emulator and returns it once it listens. <paramref name="owner"/> tags it for <see cref="StopAll"/>.</summary>
        public static async Task<EmulatorInstance> StartAsync(EmulatorStartOptions options, object? owner, CancellationToken cancellationToken)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            if (!File.Exists(options.EmulatorPath))
            {
                throw new DaytonaException("EmulatorNotFound", ErrorKind.ObjectNotFound,
                    $"The emulator is not where the module keeps it: {options.EmulatorPath} does not exist.", options.EmulatorPath)
                {
                    RecommendedAction = "Reinstall the module, or build it with 'dotnet build Module.sln' (the build copies the emulator into out/Daytona.Snapshots/Emulator/).",
                };
            }

            var dotnet = FindDotnet(out var searched)
                ?? throw new DaytonaException("DotnetNotFound", ErrorKind.ObjectNotFound,
                    $"The emulator runs on .NET 10, but no 'dotnet' host was found (looked in {searched}).", null)
                {
                    RecommendedAction = "Install the .NET 10 runtime (ASP.NET Core) from https://dot.net and put dotnet on PATH, or set DOTNET_ROOT to the folder that holds it.",
                };

            var start = new ProcessStartInfo(dotnet)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
                WorkingDirectory = Path.GetDirectoryName(options.EmulatorPath) ?? Environment.CurrentDirectory,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            var parent = options.ParentProcessId ?? CurrentProcessId();
            var arguments = new List<string>
            {
                options.EmulatorPath,
                "--port", options.Port.ToString(CultureInfo.InvariantCulture),
                "--parent-pid", parent.ToString(CultureInfo.InvariantCulture),
                "--ready-json",
                "--time-scale", options.TimeScale.ToString("R", CultureInfo.InvariantCulture),
            };
            if (options.BuildDuration is TimeSpan duration)
            {
                arguments.Add("--build-duration");
                arguments.Add(duration.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
            }

            if (!string.IsNullOrEmpty(options.OrganizationId))
            {
                arguments.Add("--organization-id");
                arguments.Add(options.OrganizationId!);
            }

            start.Arguments = string.Join(" ", arguments.Select(Quote));
            start.Environment.Remove(ApiKeyVariable);
            if (!string.IsNullOrEmpty(options.ApiKey))
            {
                start.Environment[ApiKeyVariable] = options.ApiKey;
            }

            // The emulator is an ASP.NET Core app: keep the caller's ASP.NET settings from reconfiguring it.
            start.Environment.Remove("ASPNETCORE_URLS");
            start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
            start.Environment.Remove("ASPNETCORE_HTTPS_PORTS");
            start.Environment.Remove("DOTNET_URLS");

            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null.");
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                throw new DaytonaException("EmulatorStartFailed", ErrorKind.ResourceUnavailable, $"'{dotnet}' could not be started: {e.Message}", dotnet, e);
            }

            var errors = new StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data != null)
                {
                    lock (errors)
                    {
                        if (errors.Length < 16_000)
                        {
                            errors.AppendLine(e.Data);
                        }
                    }
                }
            };
            process.BeginErrorReadLine();
            string ErrorText()
            {
                lock (errors)
                {
                    return errors.ToString().Trim();
                }
            }

            try
            {
                var readLine = process.StandardOutput.ReadLineAsync();
                var finished = await Task.WhenAny(readLine, Task.Delay(options.ReadyTimeout, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (finished != readLine)
                {
                    throw new DaytonaException("EmulatorStartTimeout", ErrorKind.OperationTimeout,
                        $"The emulator did not report that it listens within {options.ReadyTimeout.TotalSeconds:0} s." + Describe(ErrorText()), options.EmulatorPath);
                }

                var line = await readLine.ConfigureAwait(false);
                if (string.IsNullOrEmpty(line))
                {
                    process.WaitForExit(5000);
                    var text = ErrorText();
                    var runtimeMissing = text.IndexOf("install", StringComparison.OrdinalIgnoreCase) >= 0
                        && (text.IndexOf("framework", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf(".NET", StringComparison.Ordinal) >= 0);
                    throw new DaytonaException(runtimeMissing ? "EmulatorRuntimeMissing" : "EmulatorStartFailed", ErrorKind.ResourceUnavailable,
                        $"The emulator exited before it listened{(process.HasExited ? $" (exit code {process.ExitCode})" : string.Empty)}." + Describe(text), options.EmulatorPath)
                    {
                        RecommendedAction = runtimeMissing
                            ? $"The emulator needs the .NET 10 runtime and ASP.NET Core 10 for '{dotnet}': install them from https://dot.net."
                            : null,
                    };
                }

                var (url, key, organization) = ParseReady(line!);
                DrainRest(process);
                var secure = new SecureString();
                foreach (var c in key)
                {
                    secure.AppendChar(c);
                }

                secure.MakeReadOnly();
                var instance = new EmulatorInstance(process, url, secure, key, organization, options.EmulatorPath, ErrorText);
                lock (s_gate)
                {
                    s_started.Add((instance, owner));
                }

                return instance;
            }
            catch
            {
                try
                {
                    if (!process.HasExited)
                    {
                        process.Kill();
                    }
                }
                catch (InvalidOperationException)
                {
                }

                process.Dispose();
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
                throw new DaytonaException("EmulatorStartFailed", ErrorKind.InvalidData, "The emulator's ready line is not the JSON it should be: " + e.Message, null, e);
            }
        }

        private static void DrainRest(Process process)
        {
            // Nothing more is expected on stdout; keep reading so the pipe never fills.
            _ = Task.Run(async () =>
            {
                try
                {
                    while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) != null)
                    {
                    }
                }
                catch (Exception)
                {
                }
            });
        }

        private static string Describe(string errors) => errors.Length == 0 ? string.Empty : " It wrote: " + (errors.Length > 2000 ? errors.Substring(errors.Length - 2000) : errors);

        private static int CurrentProcessId()
        {
            using var current = Process.GetCurrentProcess();
            return current.Id;
        }

        private static string Quote(string argument)
        {
            if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '"' }) < 0)
            {
                return argument;
            }

            var quoted = new StringBuilder("\"");
            var backslashes = 0;
            foreach (var c in argument)
            {
                if (c == '\\')
                {
                    backslashes++;
                    continue;
                }

                if (c == '"')
                {
                    quoted.Append('\\', backslashes * 2 + 1).Append('"');
                }
                else
                {
                    quoted.Append('\\', backslashes).Append(c);
                }

                backslashes = 0;
            }

            quoted.Append('\\', backslashes * 2).Append('"');
            return quoted.ToString();
        }
    }
}
