using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Common.Hosting
{
    /// <summary>
    /// Starts a bundled ASP.NET Core app (the emulator, the checkpoint server) as a child process:
    /// <c>dotnet &lt;app&gt;.dll … --parent-pid P --ready-json</c>, and returns once the app printed its one ready line.
    /// The app exits by itself when this process dies or its standard input closes (see Daytona.Hosting's ChildLifetime).
    /// </summary>
    public static class ChildAppLauncher
    {
        /// <summary>
        /// The dotnet host: on PATH, else DOTNET_HOST_PATH, else in DOTNET_ROOT. Null when none is found;
        /// <paramref name="searched"/> then says where it looked.
        /// </summary>
        public static string? FindDotnet(out string searched)
        {
            var exe = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
            var looked = new List<string>();
            foreach (var directory in (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = SafeCombine(directory.Trim('"'), exe);
                if (candidate != null && File.Exists(candidate))
                {
                    searched = string.Empty;
                    return candidate;
                }
            }

            looked.Add("PATH");
            var hostPath = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
            {
                searched = string.Empty;
                return hostPath;
            }

            looked.Add(string.IsNullOrEmpty(hostPath) ? "DOTNET_HOST_PATH (not set)" : $"DOTNET_HOST_PATH ({hostPath}: no such file)");
            var root = System.Environment.GetEnvironmentVariable("DOTNET_ROOT");
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

        /// <summary>
        /// What to install when no dotnet host is found. Windows PowerShell 5.1 users (Azure DevOps agents, desktops)
        /// often have .NET Framework only: they get the commands, with and without administrator rights.
        /// </summary>
        public static string DotnetInstallHint(bool windows) => windows
            ? "Install the .NET 10 runtime and the ASP.NET Core 10 runtime: 'winget install Microsoft.DotNet.Runtime.10' and 'winget install Microsoft.DotNet.AspNetCore.10' "
              + "(they put dotnet on PATH for new sessions); without administrator rights, download https://dot.net/v1/dotnet-install.ps1 and run it with "
              + "-Runtime aspnetcore -Channel 10.0, then set DOTNET_ROOT to the folder it installed into ($env:LOCALAPPDATA\\Microsoft\\dotnet). Then open a new PowerShell session."
            : "Install the .NET 10 runtime (ASP.NET Core) from https://dot.net and put dotnet on PATH, or set DOTNET_ROOT to the folder that holds it.";

        /// <summary>Starts the app and returns it once it printed its ready line; every failure is a <see cref="DaytonaException"/>.</summary>
        public static async Task<ChildApp> StartAsync(ChildAppStartInfo info, CancellationToken cancellationToken)
        {
            if (info == null)
            {
                throw new ArgumentNullException(nameof(info));
            }

            var name = info.DisplayName;
            var failures = info.Errors;
            if (!File.Exists(info.AppPath))
            {
                throw failures.NotFound.Create($"The {name} is not where the module keeps it: {info.AppPath} does not exist.", info.AppPath, recommendation: info.MissingAction);
            }

            var dotnet = FindDotnet(out var searched)
                ?? throw ErrorCatalog.DotnetNotFound.Create(
                    $"The {name} runs on .NET 10, but no 'dotnet' host was found (looked in {searched}).",
                    recommendation: DotnetInstallHint(RuntimeInformation.IsOSPlatform(OSPlatform.Windows)));

            var start = new ProcessStartInfo(dotnet)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
                WorkingDirectory = Path.GetDirectoryName(info.AppPath) ?? System.Environment.CurrentDirectory,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            var parent = info.ParentProcessId ?? CurrentProcessId();
            var arguments = new List<string> { info.AppPath };
            arguments.AddRange(info.Arguments);
            arguments.Add("--parent-pid");
            arguments.Add(parent.ToString(CultureInfo.InvariantCulture));
            arguments.Add("--ready-json");
            start.Arguments = string.Join(" ", arguments.Select(Quote));

            // The app is an ASP.NET Core app: keep the caller's ASP.NET settings from reconfiguring it.
            start.Environment.Remove("ASPNETCORE_URLS");
            start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
            start.Environment.Remove("ASPNETCORE_HTTPS_PORTS");
            start.Environment.Remove("DOTNET_URLS");
            foreach (var change in info.Environment)
            {
                if (change.Value == null)
                {
                    start.Environment.Remove(change.Key);
                }
                else
                {
                    start.Environment[change.Key] = change.Value;
                }
            }

            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null.");
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
            {
                throw failures.StartFailed.Create($"'{dotnet}' could not be started: {e.Message}", dotnet, e);
            }

            var errors = new StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data != null)
                {
                    lock (errors)
                    {
                        errors.AppendLine(e.Data);
                        if (errors.Length > 16_000)
                        {
                            errors.Remove(0, errors.Length - 16_000);
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
                var finished = await Task.WhenAny(readLine, Task.Delay(info.ReadyTimeout, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (finished != readLine)
                {
                    throw failures.StartTimeout.Create($"The {name} did not report that it listens within {info.ReadyTimeout.TotalSeconds:0} s." + Describe(ErrorText()), info.AppPath);
                }

                var line = await readLine.ConfigureAwait(false);
                if (string.IsNullOrEmpty(line))
                {
                    process.WaitForExit(5000);
                    var text = ErrorText();
                    var runtimeMissing = text.IndexOf("install", StringComparison.OrdinalIgnoreCase) >= 0
                        && (text.IndexOf("framework", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf(".NET", StringComparison.Ordinal) >= 0);
                    var message = $"The {name} exited before it listened{(process.HasExited ? $" (exit code {process.ExitCode})" : string.Empty)}." + Describe(text);
                    throw runtimeMissing
                        ? failures.RuntimeMissing.Create(message, info.AppPath, recommendation: $"The {name} needs the .NET 10 runtime and ASP.NET Core 10 for '{dotnet}': install them from https://dot.net.")
                        : failures.StartFailed.Create(message, info.AppPath);
                }

                var outputRead = ForwardRest(process, info.OutputLine);
                return new ChildApp(process, line!, info.AppPath, ErrorText, outputRead);
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

        private static Task ForwardRest(Process process, Action<string>? outputLine)
        {
            // Keep reading so the pipe never fills; hand each line to the caller when it wants them.
            return Task.Run(async () =>
            {
                try
                {
                    string? line;
                    while ((line = await process.StandardOutput.ReadLineAsync().ConfigureAwait(false)) != null)
                    {
                        outputLine?.Invoke(line);
                    }
                }
                catch (Exception)
                {
                }
            });
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

        private static string Describe(string errors) => errors.Length == 0 ? string.Empty : " It wrote: " + (errors.Length > 2000 ? errors.Substring(errors.Length - 2000) : errors);

        private static int CurrentProcessId()
        {
            using var current = Process.GetCurrentProcess();
            return current.Id;
        }

        /// <summary>One argument quoted for the Windows command-line rules .NET also applies on Unix.</summary>
        public static string Quote(string argument)
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
