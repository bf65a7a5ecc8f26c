using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Daytona.Images
{
    /// <summary>One operation of an image definition, for display: the SDK method name and its argument in short.</summary>
    public sealed class ImageStep
    {
        public ImageStep(string operation, string detail)
        {
            Operation = operation;
            Detail = detail;
        }

        public string Operation { get; }

        public string Detail { get; }

        public override string ToString() => Detail.Length == 0 ? Operation : Operation + " " + Detail;
    }

    /// <summary>
    /// A declarative image: a Dockerfile plus the local files and folders it copies in (its build context).
    /// Built with the operations of Daytona's SDKs (<c>Image.base</c>, <c>debianSlim</c>, <c>fromDockerfile</c>,
    /// <c>pipInstall</c>, <c>addLocalFile</c>, <c>runCommands</c>…) and producing the same Dockerfile text, the same
    /// context entries and the same context hashes as the TypeScript SDK 0.218.0, so a build made from here and one
    /// made with the SDK are one build for Daytona. Immutable: every operation returns a new image.
    /// Relative local paths resolve against the <c>workingDirectory</c> an operation is given (default: the process
    /// working directory), and keep their spelling in the Dockerfile, as with the SDK run from that folder.
    /// </summary>
    public sealed class DaytonaImage
    {
        /// <summary>The Python series <see cref="DebianSlim"/> supports, oldest first.</summary>
        public static readonly IReadOnlyList<string> SupportedPythonSeries = new[] { "3.9", "3.10", "3.11", "3.12", "3.13" };

        /// <summary>The micro version each series maps to, as in the SDK.</summary>
        public static readonly IReadOnlyList<string> LatestPythonMicroVersions = new[] { "3.9.22", "3.10.17", "3.11.12", "3.12.10", "3.13.3" };

        private readonly ImageContext[] _context;
        private readonly ImageStep[] _steps;

        private DaytonaImage(string dockerfile, ImageContext[] context, ImageStep[] steps, string? baseImage)
        {
            Dockerfile = dockerfile;
            _context = context;
            _steps = steps;
            BaseImage = baseImage;
        }

        /// <summary>The Dockerfile text, exactly as Daytona's SDK writes it.</summary>
        public string Dockerfile { get; }

        /// <summary>The image it starts from (the first FROM), when known.</summary>
        public string? BaseImage { get; }

        public IReadOnlyList<ImageContext> Context => _context;

        public IReadOnlyList<ImageStep> Steps => _steps;

        /// <summary>The context hashes in context order: what the snapshot's <c>buildInfo.contextHashes</c> carries.</summary>
        public IReadOnlyList<string> ContextHashes => _context.Select(c => c.Hash).ToArray();

        /// <summary>
        /// The identity Daytona gives this build: SHA-256 (hex) of the Dockerfile followed by the sorted context hashes
        /// (the API's <c>generateBuildInfoHash</c>; the snapshot reference is <c>daytona-&lt;hash&gt;:daytona</c>).
        /// </summary>
        public string Hash => ComputeBuildHash(Dockerfile, ContextHashes);

        public static string ComputeBuildHash(string dockerfileContent, IEnumerable<string> contextHashes)
        {
            var sorted = contextHashes.ToList();
            sorted.Sort(JsText.CompareCodeUnits);
            using (var sha = SHA256.Create())
            {
                return ContextHasher.ToHex(sha.ComputeHash(Encoding.UTF8.GetBytes(dockerfileContent + string.Concat(sorted))));
            }
        }

        public override string ToString() => BaseImage ?? "(image)";

        // ---------------------------------------------------------------- factories

        /// <summary><c>Image.base(image)</c>: <c>FROM image</c>.</summary>
        public static DaytonaImage Base(string image)
        {
            if (image == null)
            {
                throw ImageErrors.Invalid("The base image name must not be null.");
            }

            return new DaytonaImage("FROM " + image + "\n", Array.Empty<ImageContext>(), new[] { new ImageStep("base", image) }, image);
        }

        /// <summary>
        /// <c>Image.debianSlim(pythonVersion)</c>: the official Python image on Debian bookworm (slim) with build tools.
        /// A series (<c>3.12</c>) maps to the SDK's micro version; null or empty means the newest series. As an extension
        /// of the SDK (which accepts series only), a micro version of a supported series (<c>3.12.4</c>) is used as given.
        /// </summary>
        public static DaytonaImage DebianSlim(string? pythonVersion = null)
        {
            var version = ProcessPythonVersion(pythonVersion);
            var dockerfile = string.Join("\n", new[]
            {
                "FROM python:" + version + "-slim-bookworm",
                "RUN apt-get update",
                "RUN apt-get install -y gcc gfortran build-essential",
                "RUN pip install --upgrade pip",
                "RUN echo 'debconf debconf/frontend select Noninteractive' | debconf-set-selections",
            }) + "\n";
            return new DaytonaImage(dockerfile, Array.Empty<ImageContext>(), new[] { new ImageStep("debianSlim", version) }, "python:" + version + "-slim-bookworm");
        }

        /// <summary>
        /// <c>Image.fromDockerfile(path)</c>: the Dockerfile's text as is; the sources of its COPY instructions (other than
        /// <c>--from=</c> and heredocs) become context entries relative to the Dockerfile's folder.
        /// </summary>
        public static DaytonaImage FromDockerfile(string path, string? workingDirectory = null, bool strictContext = false)
        {
            var cwd = Cwd(workingDirectory);
            var expanded = Pathe.Resolve(cwd, Pathe.ExpandTilde(path, cwd));
            var native = Pathe.ToNative(expanded);
            if (!File.Exists(native) && !Directory.Exists(native))
            {
                throw ImageErrors.NotFound("Dockerfile " + path + " does not exist", path);
            }

            if (!File.Exists(native))
            {
                throw ImageErrors.Invalid("Dockerfile path " + path + " exists but is not a file", path);
            }

            var content = Encoding.UTF8.GetString(File.ReadAllBytes(native));
            var pathPrefix = Pathe.Dirname(expanded) + "/";
            var contexts = new List<ImageContext>();
            foreach (var (contextPath, originalPath) in DockerfileCopySources.Extract(content, pathPrefix, strictContext, cwd))
            {
                var archiveBasePath = contextPath;
                if (!originalPath.StartsWith(pathPrefix, StringComparison.Ordinal))
                {
                    archiveBasePath = TrimLeadingSeparators(SafeSubstring(contextPath, pathPrefix.Length));
                }

                contexts.Add(new ImageContext(contextPath, archiveBasePath, FullPathOf(cwd, contextPath)));
            }

            return new DaytonaImage(content, contexts.ToArray(), new[] { new ImageStep("fromDockerfile", path) }, DockerfileCopySources.FirstFrom(content));
        }

        // ---------------------------------------------------------------- builder operations

        /// <summary><c>pipInstall(packages, options)</c>: one <c>RUN python -m pip install</c> with the packages sorted; no packages, no change.</summary>
        public DaytonaImage PipInstall(IEnumerable<string> packages, PipInstallOptions? options = null)
        {
            var pkgs = FlattenStrings("pipInstall", "packages", packages);
            if (pkgs.Count == 0)
            {
                return this;
            }

            var extraArgs = FormatPipInstallArgs(options);
            pkgs.Sort(JsText.CompareCodeUnits);
            return Append("RUN python -m pip install " + ShellQuote.Quote(pkgs) + extraArgs + "\n", null, new ImageStep("pipInstall", string.Join(" ", pkgs)));
        }

        /// <summary><c>pipInstallFromRequirements(path, options)</c>: copies the file to <c>/.requirements.txt</c> and installs from it.</summary>
        public DaytonaImage PipInstallFromRequirements(string requirementsTxt, PipInstallOptions? options = null, string? workingDirectory = null)
        {
            var cwd = Cwd(workingDirectory);
            var expanded = Pathe.ExpandTilde(requirementsTxt, cwd);
            var full = FullPathOf(cwd, expanded);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                throw ImageErrors.NotFound("Requirements file " + requirementsTxt + " does not exist", requirementsTxt);
            }

            if (!File.Exists(full))
            {
                throw ImageErrors.Invalid("Requirements path " + requirementsTxt + " exists but is not a file", requirementsTxt);
            }

            var extraArgs = FormatPipInstallArgs(options);
            var text = "COPY " + expanded + " /.requirements.txt\n" + "RUN python -m pip install -r /.requirements.txt" + extraArgs + "\n";
            return Append(text, new ImageContext(expanded, expanded, full), new ImageStep("pipInstallFromRequirements", requirementsTxt));
        }

        /// <summary>
        /// <c>pipInstallFromPyproject(path, options)</c>: reads <c>[project].dependencies</c> (and the optional dependency
        /// groups asked for) and installs them like <see cref="PipInstall"/>. The file itself is not copied.
        /// </summary>
        public DaytonaImage PipInstallFromPyproject(string pyprojectToml, PyprojectOptions? options = null, string? workingDirectory = null)
        {
            var cwd = Cwd(workingDirectory);
            var expanded = Pathe.ExpandTilde(pyprojectToml, cwd);
            var full = FullPathOf(cwd, expanded);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                throw ImageErrors.NotFound("pyproject.toml file " + pyprojectToml + " does not exist", pyprojectToml);
            }

            if (!File.Exists(full))
            {
                throw ImageErrors.Invalid("pyproject.toml path " + pyprojectToml + " exists but is not a file", pyprojectToml);
            }

            Dictionary<string, object> toml;
            try
            {
                toml = TomlReader.Parse(Encoding.UTF8.GetString(File.ReadAllBytes(full)));
            }
            catch (Exception ex) when (ex is FormatException || ex is OverflowException || ex is ArgumentException)
            {
                throw ImageErrors.Invalid("Invalid pyproject.toml file " + pyprojectToml + ": " + ex.Message, pyprojectToml);
            }

            if (!(toml.TryGetValue("project", out var projectValue) && projectValue is Dictionary<string, object> project &&
                  project.TryGetValue("dependencies", out var depsValue) && depsValue is List<object> deps))
            {
                throw ImageErrors.Invalid(
                    "No [project.dependencies] section in pyproject.toml file. " +
                    "See https://packaging.python.org/en/latest/guides/writing-pyproject-toml " +
                    "for further file format guidelines.",
                    pyprojectToml);
            }

            var dependencies = new List<object>(deps);
            if (options?.OptionalDependencies != null && project.TryGetValue("optional-dependencies", out var groupsValue) && groupsValue != null)
            {
                if (!(groupsValue is Dictionary<string, object> groups))
                {
                    throw ImageErrors.Invalid("optional-dependencies must be a mapping in pyproject.toml", pyprojectToml);
                }

                foreach (var group in options.OptionalDependencies)
                {
                    if (group != null && groups.TryGetValue(group, out var groupDeps) && groupDeps is List<object> list)
                    {
                        dependencies.AddRange(list);
                    }
                }
            }

            var packages = new List<string>();
            foreach (var dependency in dependencies)
            {
                if (!(dependency is string s))
                {
                    throw ImageErrors.Invalid("pipInstall: packages must only contain strings", pyprojectToml);
                }

                packages.Add(s);
            }

            return PipInstall(packages, options);
        }

        /// <summary><c>addLocalFile(localPath, remotePath)</c>: <c>COPY localPath remotePath</c>; a remote path ending in <c>/</c> gets the file name.</summary>
        public DaytonaImage AddLocalFile(string localPath, string remotePath, string? workingDirectory = null)
        {
            var cwd = Cwd(workingDirectory);
            if (remotePath.EndsWith("/", StringComparison.Ordinal))
            {
                remotePath += Pathe.Basename(localPath);
            }

            var expanded = Pathe.ExpandTilde(localPath, cwd);
            var full = FullPathOf(cwd, expanded);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                throw ImageErrors.NotFound("Local file " + localPath + " does not exist", localPath);
            }

            if (!File.Exists(full))
            {
                throw ImageErrors.Invalid("Local path " + localPath + " exists but is not a file", localPath);
            }

            return Append("COPY " + expanded + " " + remotePath + "\n", new ImageContext(expanded, expanded, full), new ImageStep("addLocalFile", localPath + " -> " + remotePath));
        }

        /// <summary><c>addLocalDir(localPath, remotePath)</c>: <c>COPY localPath remotePath</c> for a folder.</summary>
        public DaytonaImage AddLocalDir(string localPath, string remotePath, string? workingDirectory = null)
        {
            var cwd = Cwd(workingDirectory);
            var expanded = Pathe.ExpandTilde(localPath, cwd);
            var full = FullPathOf(cwd, expanded);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                throw ImageErrors.NotFound("Local directory " + localPath + " does not exist", localPath);
            }

            if (!Directory.Exists(full))
            {
                throw ImageErrors.Invalid("Local path " + localPath + " exists but is not a directory", localPath);
            }

            return Append("COPY " + expanded + " " + remotePath + "\n", new ImageContext(expanded, expanded, full), new ImageStep("addLocalDir", localPath + " -> " + remotePath));
        }

        /// <summary><c>runCommands(...commands)</c> with shell-form commands: <c>RUN command</c> each.</summary>
        public DaytonaImage RunCommands(params string[] commands) => RunCommands(commands.Cast<object>());

        /// <summary>
        /// <c>runCommands(...commands)</c>: a string is a shell-form <c>RUN command</c>; a list of strings is an exec-form
        /// command, each argument double-quoted with the SDK's escaping.
        /// </summary>
        public DaytonaImage RunCommands(IEnumerable<object> commands)
        {
            var sb = new StringBuilder();
            var details = new List<string>();
            foreach (var command in commands)
            {
                if (command is string shell)
                {
                    sb.Append("RUN ").Append(shell).Append('\n');
                    details.Add(shell);
                }
                else if (command is IEnumerable exec)
                {
                    var args = new List<string>();
                    foreach (var arg in exec)
                    {
                        if (!(arg is string a))
                        {
                            throw ImageErrors.Invalid("runCommands: an exec-form command must only contain strings");
                        }

                        args.Add("\"" + a.Replace("\"", "\\\\\\\"").Replace("'", "\\'") + "\"");
                    }

                    sb.Append("RUN ").Append(string.Join(" ", args)).Append('\n');
                    details.Add("[" + string.Join(", ", exec.Cast<string>()) + "]");
                }
                else
                {
                    throw ImageErrors.Invalid("runCommands: each command must be a string or a list of strings");
                }
            }

            return Append(sb.ToString(), null, new ImageStep("runCommands", string.Join("; ", details)));
        }

        /// <summary>
        /// <c>env(envVars)</c>: <c>ENV KEY=value</c> for each variable, the value shell-quoted. Values must be strings.
        /// Keys come in JavaScript object order: integer-like keys ascending first, then the others in the order given.
        /// </summary>
        public DaytonaImage Env(IEnumerable<KeyValuePair<string, object?>> envVars)
        {
            var entries = JsObjectOrder(envVars);
            var invalid = entries.Where(e => !(e.Value is string)).Select(e => e.Key).ToList();
            if (invalid.Count > 0)
            {
                throw ImageErrors.Invalid("Image ENV variables must be strings. Invalid keys: " + string.Join(",", invalid), invalid);
            }

            var sb = new StringBuilder();
            foreach (var entry in entries)
            {
                sb.Append("ENV ").Append(entry.Key).Append('=').Append(ShellQuote.Quote((string)entry.Value!)).Append('\n');
            }

            return Append(sb.ToString(), null, new ImageStep("env", string.Join(" ", entries.Select(e => e.Key))));
        }

        public DaytonaImage Env(IEnumerable<KeyValuePair<string, string>> envVars) =>
            Env(envVars.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)));

        /// <summary><c>workdir(path)</c>: <c>WORKDIR path</c>, shell-quoted.</summary>
        public DaytonaImage Workdir(string dirPath) =>
            Append("WORKDIR " + ShellQuote.Quote(dirPath ?? throw ImageErrors.Invalid("The working directory must not be null.")) + "\n", null, new ImageStep("workdir", dirPath));

        /// <summary><c>entrypoint(commands)</c>: <c>ENTRYPOINT ["a", "b"]</c> (arguments are not escaped, as in the SDK).</summary>
        public DaytonaImage Entrypoint(IEnumerable<string> entrypointCommands)
        {
            var args = entrypointCommands?.ToList();
            if (args == null || args.Any(a => a == null))
            {
                throw ImageErrors.Invalid("entrypoint_commands must be a list of strings");
            }

            return Append("ENTRYPOINT [" + string.Join(", ", args.Select(a => "\"" + a + "\"")) + "]\n", null, new ImageStep("entrypoint", string.Join(" ", args)));
        }

        /// <summary><c>cmd(commands)</c>: <c>CMD ["a", "b"]</c>.</summary>
        public DaytonaImage Cmd(IEnumerable<string> cmd)
        {
            var args = cmd?.ToList();
            if (args == null || args.Any(a => a == null))
            {
                throw ImageErrors.Invalid("Image CMD must be a list of strings");
            }

            return Append("CMD [" + string.Join(", ", args.Select(a => "\"" + a + "\"")) + "]\n", null, new ImageStep("cmd", string.Join(" ", args)));
        }

        /// <summary>
        /// <c>dockerfileCommands(commands, contextDir, { strictContext })</c>: raw Dockerfile lines. The sources of their
        /// COPY instructions become context entries, relative to <paramref name="contextDir"/> when one is given.
        /// </summary>
        public DaytonaImage DockerfileCommands(IEnumerable<string> dockerfileCommands, string? contextDir = null, bool strictContext = false, string? workingDirectory = null)
        {
            var cwd = Cwd(workingDirectory);
            var commands = dockerfileCommands?.ToList() ?? throw ImageErrors.Invalid("The Dockerfile commands must not be null.");
            if (string.IsNullOrEmpty(contextDir) && strictContext)
            {
                throw ImageErrors.Invalid("strictContext requires contextDir so that the build context boundary is explicit");
            }

            if (!string.IsNullOrEmpty(contextDir))
            {
                var expanded = Pathe.ExpandTilde(contextDir!, cwd);
                var full = FullPathOf(cwd, expanded);
                if (!File.Exists(full) && !Directory.Exists(full))
                {
                    throw ImageErrors.NotFound("Context directory " + contextDir + " does not exist", contextDir);
                }

                if (!Directory.Exists(full))
                {
                    throw ImageErrors.Invalid("Context path " + contextDir + " exists but is not a directory", contextDir);
                }

                if (strictContext)
                {
                    contextDir = expanded;
                }
            }

            var contexts = new List<ImageContext>();
            foreach (var (contextPath, originalPath) in DockerfileCopySources.Extract(string.Join("\n", commands), contextDir ?? string.Empty, strictContext, cwd))
            {
                var archiveBasePath = contextPath;
                if (!string.IsNullOrEmpty(contextDir) && !originalPath.StartsWith(contextDir!, StringComparison.Ordinal))
                {
                    archiveBasePath = TrimLeadingSeparators(SafeSubstring(contextPath, contextDir!.Length));
                }

                contexts.Add(new ImageContext(contextPath, archiveBasePath, FullPathOf(cwd, contextPath)));
            }

            var detail = commands.Count == 1 ? commands[0] : commands.Count.ToString(CultureInfo.InvariantCulture) + " lines";
            return new DaytonaImage(Dockerfile + string.Join("\n", commands) + "\n", FreshContexts().Concat(contexts).ToArray(), _steps.Concat(new[] { new ImageStep("dockerfileCommands", detail) }).ToArray(), BaseImage);
        }

        // ---------------------------------------------------------------- helpers

        public static string ProcessPythonVersion(string? pythonVersion)
        {
            if (string.IsNullOrEmpty(pythonVersion))
            {
                pythonVersion = SupportedPythonSeries[SupportedPythonSeries.Count - 1];
            }

            var index = IndexOf(SupportedPythonSeries, pythonVersion!);
            if (index >= 0)
            {
                var micro = LatestPythonMicroVersions[index];
                return pythonVersion + "." + micro.Split('.')[2];
            }

            var parts = pythonVersion!.Split('.');
            if (parts.Length == 3 && IndexOf(SupportedPythonSeries, parts[0] + "." + parts[1]) >= 0 && parts[2].Length > 0 && parts[2].All(c => c >= '0' && c <= '9'))
            {
                return pythonVersion;
            }

            throw ImageErrors.UnsupportedPython(
                "Unsupported Python version: " + pythonVersion + ". Daytona supports the following series: " + string.Join(", ", SupportedPythonSeries),
                pythonVersion);
        }

        private static int IndexOf(IReadOnlyList<string> list, string value)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (string.Equals(list[i], value, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }

        private static string FormatPipInstallArgs(PipInstallOptions? options)
        {
            if (options == null)
            {
                return string.Empty;
            }

            var sb = new StringBuilder();
            if (options.FindLinks != null)
            {
                foreach (var link in options.FindLinks)
                {
                    sb.Append(" --find-links ").Append(ShellQuote.Quote(link ?? string.Empty));
                }
            }

            if (!string.IsNullOrEmpty(options.IndexUrl))
            {
                sb.Append(" --index-url ").Append(ShellQuote.Quote(options.IndexUrl!));
            }

            if (options.ExtraIndexUrls != null)
            {
                foreach (var url in options.ExtraIndexUrls)
                {
                    sb.Append(" --extra-index-url ").Append(ShellQuote.Quote(url ?? string.Empty));
                }
            }

            if (options.Pre)
            {
                sb.Append(" --pre");
            }

            if (!string.IsNullOrEmpty(options.ExtraOptions))
            {
                sb.Append(' ').Append(JsText.Trim(options.ExtraOptions!));
            }

            return sb.ToString();
        }

        private static List<string> FlattenStrings(string functionName, string argName, IEnumerable<string>? values)
        {
            var result = new List<string>();
            if (values == null)
            {
                throw ImageErrors.Invalid(functionName + ": " + argName + " must only contain strings");
            }

            foreach (var value in values)
            {
                if (value == null)
                {
                    throw ImageErrors.Invalid(functionName + ": " + argName + " must only contain strings");
                }

                result.Add(value);
            }

            return result;
        }

        private static List<KeyValuePair<string, object?>> JsObjectOrder(IEnumerable<KeyValuePair<string, object?>> entries)
        {
            var list = new List<KeyValuePair<string, object?>>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                if (entry.Key == null)
                {
                    throw ImageErrors.Invalid("Image ENV variable names must not be null.");
                }

                if (seen.TryGetValue(entry.Key, out var at))
                {
                    list[at] = entry;
                }
                else
                {
                    seen[entry.Key] = list.Count;
                    list.Add(entry);
                }
            }

            var indices = list.Where(e => IsArrayIndex(e.Key)).OrderBy(e => uint.Parse(e.Key, CultureInfo.InvariantCulture)).ToList();
            return indices.Concat(list.Where(e => !IsArrayIndex(e.Key))).ToList();
        }

        private static bool IsArrayIndex(string key)
        {
            if (key.Length == 0 || key.Length > 10 || !key.All(c => c >= '0' && c <= '9') || (key.Length > 1 && key[0] == '0'))
            {
                return false;
            }

            return ulong.Parse(key, CultureInfo.InvariantCulture) < uint.MaxValue;
        }

        private DaytonaImage Append(string text, ImageContext? context, ImageStep step)
        {
            var contexts = context == null ? FreshContexts().ToArray() : FreshContexts().Concat(new[] { context }).ToArray();
            return new DaytonaImage(Dockerfile + text, contexts, _steps.Concat(new[] { step }).ToArray(), BaseImage);
        }

        // Entries are immutable values hashed when defined: a derived image shares its parent's entries.
        private IEnumerable<ImageContext> FreshContexts() => _context;

        internal static string Cwd(string? workingDirectory) =>
            Path.GetFullPath(string.IsNullOrEmpty(workingDirectory) ? Directory.GetCurrentDirectory() : workingDirectory!);

        internal static string FullPathOf(string cwd, string path) => Path.GetFullPath(Pathe.ToNative(Pathe.Resolve(cwd, path)));

        private static string SafeSubstring(string s, int start) => start >= s.Length ? string.Empty : s.Substring(start);

        private static string TrimLeadingSeparators(string s)
        {
            var i = 0;
            while (i < s.Length && (s[i] == '/' || s[i] == '\\'))
            {
                i++;
            }

            return s.Substring(i);
        }
    }
}
