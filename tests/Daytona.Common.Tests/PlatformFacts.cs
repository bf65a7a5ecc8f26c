namespace Daytona.Common.Tests;

/// <summary>A fact about Windows itself (junctions, sharing violations): skipped elsewhere, with the reason in the output.</summary>
public sealed class WindowsFactAttribute : FactAttribute
{
    public WindowsFactAttribute(string what)
    {
        if (!OperatingSystem.IsWindows())
        {
            Skip = $"Windows only ({what}); runs in the windows-latest workflow (.github/workflows/windows.yml).";
        }
    }
}

/// <summary>A fact that needs Linux's TCP stack (a listener whose full backlog drops new connections): skipped elsewhere, with the reason.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute(string what)
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = $"Linux only ({what}).";
        }
    }
}
