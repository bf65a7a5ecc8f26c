using System.Runtime.InteropServices;

namespace Daytona.Hosting;

/// <summary>
/// Keeps a bundled app run as a child (the emulator, the checkpoint server) out of reach of its parent's terminal.
/// Ctrl+C at a pwsh prompt is sent by the terminal to every process of the foreground process group, which a child
/// joins by default: without this, stopping any long command at the prompt would kill the app too. On Unix the child starts its own session (and so its
/// own process group, with no controlling terminal: no SIGINT, SIGQUIT, SIGTSTP or SIGHUP from the terminal); on
/// Windows it ignores console Ctrl+C and Ctrl+Break, which is what <c>CREATE_NEW_PROCESS_GROUP</c> gives a process
/// (Process.Start cannot pass that flag). The child still ends with its parent: it watches the parent's process id
/// and its standard input.
/// </summary>
internal static class TerminalDetach
{
    /// <summary>Detaches this process from its parent's terminal; false (with the reason) when it could not.</summary>
    public static bool Detach(out string reason)
    {
        reason = string.Empty;
        try
        {
            if (OperatingSystem.IsWindows())
            {
                if (SetConsoleCtrlHandler(IntPtr.Zero, true))
                {
                    return true;
                }

                reason = $"SetConsoleCtrlHandler failed (error {Marshal.GetLastPInvokeError()}).";
                return false;
            }

            // setsid fails (EPERM) only when this process already leads a process group: then it has its own group.
            return Setsid() >= 0 || Marshal.GetLastPInvokeError() == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            reason = e.Message;
            return false;
        }
    }

    private static int Setsid()
    {
        try
        {
            return setsid();
        }
        catch (DllNotFoundException)
        {
            // "libc" resolves through libc.so, which only development packages install on glibc systems.
            return setsid_glibc();
        }
    }

    [DllImport("libc", EntryPoint = "setsid", SetLastError = true)]
    private static extern int setsid();

    [DllImport("libc.so.6", EntryPoint = "setsid", SetLastError = true)]
    private static extern int setsid_glibc();

    [DllImport("kernel32.dll", SetLastError = true)]
    private static extern bool SetConsoleCtrlHandler(IntPtr handler, bool add);
}
