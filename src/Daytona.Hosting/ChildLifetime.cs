using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Daytona.Hosting;

/// <summary>
/// When a bundled app stops: on SIGTERM, when the process given by <c>--parent-pid</c> ends (a pid reused by another
/// process counts as ended), in child mode when its standard input closes (the parent's Stop), and on Ctrl+C only
/// when it runs standalone: a child watching its parent leaves the parent's terminal (see <see cref="TerminalDetach"/>),
/// so Ctrl+C at the parent's prompt stops the command there, not the app.
/// </summary>
public sealed class ChildLifetime : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _sigterm;
    private readonly ConsoleCancelEventHandler _cancelKey;
    private volatile bool _child;

    public ChildLifetime()
    {
        _cancelKey = (_, e) =>
        {
            e.Cancel = true;
            if (!_child)
            {
                Stop();
            }
        };
        Console.CancelKeyPress += _cancelKey;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            Stop();
        });
    }

    /// <summary>Cancelled when the app should stop.</summary>
    public CancellationToken Stopping => _stop.Token;

    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Stops the app when <paramref name="pid"/> ends; false (and nothing watched) when it is not running now. The app is
    /// then its parent's child: it leaves the parent's terminal and ignores Ctrl+C.
    /// </summary>
    public bool TryWatchParent(int pid)
    {
        var started = StartTimeOf(pid);
        if (started == null)
        {
            return false;
        }

        _child = true;
        if (!TerminalDetach.Detach(out var why))
        {
            Console.Error.WriteLine("Could not leave the parent's terminal, so Ctrl+C there stops this process too: " + why);
        }

        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(500).ConfigureAwait(false);
                if (StartTimeOf(pid) != started)
                {
                    Stop();
                }
            }
        });
        return true;
    }

    /// <summary>Stops the app when its standard input closes (only when the input is redirected: a parent holds it).</summary>
    public void WatchStandardInput()
    {
        if (!Console.IsInputRedirected)
        {
            return;
        }

        _ = Task.Run(() =>
        {
            try
            {
                using var input = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (input.Read(buffer, 0, buffer.Length) > 0)
                {
                }
            }
            catch (IOException)
            {
            }

            Stop();
        });
    }

    /// <summary>Prints the one JSON line a parent waits for (<c>--ready-json</c>), nothing else on it.</summary>
    public static void WriteReadyLine(IReadOnlyDictionary<string, string> fields)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(fields));
        Console.Out.Flush();
    }

    /// <summary>Waits until the app should stop or <paramref name="completion"/> (the host's own end) finishes.</summary>
    public async Task WaitAsync(Task completion)
    {
        try
        {
            await Task.WhenAny(Task.Delay(Timeout.Infinite, _stop.Token), completion).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= _cancelKey;
        _sigterm.Dispose();
        _stop.Dispose();
    }

    /// <summary>The start time of a running process (pid reuse guard), or null when it is not running.</summary>
    public static DateTime? StartTimeOf(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return null;
            }

            try
            {
                return process.StartTime;
            }
            catch (Exception)
            {
                return DateTime.MinValue; // running, start time not readable
            }
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
