using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Api;
using Daytona.Api.Emulator;

namespace NetFramework.Smoke
{
    /// <summary>
    /// What the scenarios share: a scratch folder and one emulator, started from the module's Emulator/ folder by the
    /// module's own launcher on first use (as Start-DaytonaEmulator does) and stopped at the end.
    /// </summary>
    internal sealed class Harness : IDisposable
    {
        private readonly SuiteContext _context;
        private EmulatorInstance? _emulator;

        public Harness(SuiteContext context)
        {
            _context = context;
            Scratch = Path.Combine(Path.GetTempPath(), "daytona-netfx-smoke-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(Scratch);
        }

        public string Scratch { get; }

        /// <summary>The emulator's key, chosen here so the seed workflow can take it as its apiToken input.</summary>
        public string ApiKey { get; } = "smoke-" + Guid.NewGuid().ToString("N");

        public EmulatorInstance? Emulator => _emulator;

        public string Folder(string name)
        {
            var path = Path.Combine(Scratch, name);
            Directory.CreateDirectory(path);
            return path;
        }

        public async Task<EmulatorInstance> EmulatorAsync()
        {
            if (_emulator == null)
            {
                var options = new EmulatorStartOptions
                {
                    EmulatorPath = Path.Combine(_context.Module, "Emulator", "Daytona.Emulator.dll"),
                    ApiKey = ApiKey,
                    TimeScale = 0.05,
                    ReadyTimeout = TimeSpan.FromSeconds(120),
                };
                _emulator = await EmulatorLauncher.StartAsync(options, this, CancellationToken.None).ConfigureAwait(false);
            }

            return _emulator;
        }

        public async Task<DaytonaClient> ClientAsync() => DaytonaClient.For((await EmulatorAsync().ConfigureAwait(false)).Connection);

        public void Dispose()
        {
            EmulatorLauncher.StopAll(this);
            try
            {
                Directory.Delete(Scratch, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
