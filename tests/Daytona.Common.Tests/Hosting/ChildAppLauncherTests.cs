using Daytona.Common.Hosting;

namespace Daytona.Common.Tests.Hosting;

public sealed class ChildAppLauncherTests
{
    [Fact]
    public void WithoutDotnetAWindowsUserIsToldWhatToInstallWithAndWithoutAdministratorRights()
    {
        var hint = ChildAppLauncher.DotnetInstallHint(windows: true);

        Assert.Contains("winget install Microsoft.DotNet.Runtime.10", hint);
        Assert.Contains("winget install Microsoft.DotNet.AspNetCore.10", hint);
        Assert.Contains("https://dot.net/v1/dotnet-install.ps1", hint);
        Assert.Contains("-Runtime aspnetcore -Channel 10.0", hint);
        Assert.Contains(@"DOTNET_ROOT", hint);
        Assert.Contains(@"$env:LOCALAPPDATA\Microsoft\dotnet", hint);
    }

    [Fact]
    public void ElsewhereTheHintNamesTheRuntimeAndDotnetRoot()
    {
        var hint = ChildAppLauncher.DotnetInstallHint(windows: false);

        Assert.Contains(".NET 10", hint);
        Assert.Contains("DOTNET_ROOT", hint);
        Assert.DoesNotContain("winget", hint);
    }
}
