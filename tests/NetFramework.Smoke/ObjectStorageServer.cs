using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace NetFramework.Smoke
{
    /// <summary>
    /// s3rver or Azurite from tests/StorageServers/node_modules on a free loopback port, for the object-storage
    /// scenarios. The same servers as tests/StorageServers (whose library is net10.0, so this program starts them
    /// itself, with the same arguments and credentials); stopped on dispose.
    /// </summary>
    internal sealed class ObjectStorageServer : IDisposable
    {
        public const string S3AccessKey = "S3RVER";
        public const string S3SecretKey = "S3RVER";
        public const string S3Bucket = "checkpoints";
        public const string AzuriteAccount = "devstoreaccount1";

        // Azurite's well-known development account key (public, documented by Microsoft).
        public const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

        private readonly Process _process;
        private readonly string? _directory;

        private ObjectStorageServer(Process process, int port, string? directory)
        {
            _process = process;
            Port = port;
            _directory = directory;
        }

        public int Port { get; }

        /// <summary>Null when node and the servers are installed; else why not (the scenario is skipped with it).</summary>
        public static string? WhyNot(string repoRoot)
        {
            if (Node() == null)
            {
                return "node is not on PATH: s3rver and Azurite cannot run here";
            }

            foreach (var package in new[] { "s3rver", "azurite" })
            {
                if (!File.Exists(Path.Combine(repoRoot, "tests", "StorageServers", "node_modules", package, "package.json")))
                {
                    return $"{package} is not installed: run 'npm ci --prefix tests/StorageServers'";
                }
            }

            return null;
        }

        public static Task<ObjectStorageServer> StartS3Async(string repoRoot)
        {
            var directory = Path.Combine(Path.GetTempPath(), "smoke-s3rver-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            var folder = Path.Combine(repoRoot, "tests", "StorageServers");
            return StartAsync(
                new[] { "--openssl-legacy-provider", "--unhandled-rejections=warn", "--require", Path.Combine(folder, "s3rver-keep-folders.js") },
                Path.Combine(folder, "node_modules", "s3rver", "bin", "s3rver.js"),
                port => new[] { "-d", directory, "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--silent", "--no-vhost-buckets", "--configure-bucket", S3Bucket },
                directory);
        }

        public static Task<ObjectStorageServer> StartAzuriteAsync(string repoRoot) =>
            StartAsync(
                Array.Empty<string>(),
                Path.Combine(repoRoot, "tests", "StorageServers", "node_modules", "azurite", "dist", "src", "blob", "main.js"),
                port => new[] { "--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--extentMemoryLimit", "2048", "--disableTelemetry", "--skipApiVersionCheck", "--silent" },
                null);

        /// <summary>What a user of an S3-compatible server sets (read through StorageOptions.Environment).</summary>
        public Func<string, string?> S3Environment => name => name switch
        {
            "AWS_ACCESS_KEY_ID" => S3AccessKey,
            "AWS_SECRET_ACCESS_KEY" => S3SecretKey,
            "AWS_ENDPOINT_URL_S3" => $"http://127.0.0.1:{Port}/",
            "AWS_REGION" => "us-east-1",
            _ => null,
        };

        /// <summary>What a user of Azurite sets.</summary>
        public Func<string, string?> AzureEnvironment => name => name == "AZURE_STORAGE_CONNECTION_STRING"
            ? $"DefaultEndpointsProtocol=http;AccountName={AzuriteAccount};AccountKey={AzuriteKey};BlobEndpoint=http://127.0.0.1:{Port}/{AzuriteAccount};"
            : null;

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
            if (_directory != null)
            {
                try
                {
                    Directory.Delete(_directory, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        private static async Task<ObjectStorageServer> StartAsync(string[] nodeOptions, string script, Func<int, string[]> arguments, string? directory)
        {
            var port = FreePort();
            var start = new ProcessStartInfo(Node()!)
            {
                Arguments = string.Join(" ", nodeOptions.Concat(new[] { script }).Concat(arguments(port)).Select(Quote)),
                WorkingDirectory = Path.GetTempPath(),
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            var log = new StringBuilder();
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                    return new ObjectStorageServer(process, port, directory);
                }
                catch (SocketException)
                {
                    await Task.Delay(50).ConfigureAwait(false);
                }
            }

            var server = new ObjectStorageServer(process, port, directory);
            server.Dispose();
            lock (log)
            {
                throw new SmokeFailure($"{Path.GetFileName(script)} did not listen on 127.0.0.1:{port} within 60 s. It printed:\n{log}");
            }
        }

        private static string? Node()
        {
            var name = Environment.OSVersion.Platform == PlatformID.Win32NT ? "node.exe" : "node";
            return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries)
                .Select(d => Path.Combine(d.Trim('"'), name))
                .FirstOrDefault(File.Exists);
        }

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        private static string Quote(string argument) =>
            argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '"' }) < 0 ? argument : "\"" + argument.Replace("\"", "\\\"") + "\"";
    }
}
