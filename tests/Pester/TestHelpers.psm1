# Shared by the Pester suites: where the built module is.
function Get-BuiltModulePath {
    $path = Join-Path $PSScriptRoot '../../out/Daytona.Snapshots/Daytona.Snapshots.psd1'
    if (-not (Test-Path $path)) { throw "The module is not built: run 'dotnet build Module.sln -c Release' (or ./build.ps1)." }
    (Resolve-Path $path).Path
}

function Import-PlatyPS {
    # platyPS v2: installed for this pwsh, else beside the pwsh unpacked from ../shared/tools/powershell.
    $installed = Get-Module -ListAvailable -Name Microsoft.PowerShell.PlatyPS | Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) { Import-Module $installed -Force -Global; return }
    $beside = Join-Path (Split-Path $PSHOME) 'platyps/Microsoft.PowerShell.PlatyPS/Microsoft.PowerShell.PlatyPS.psd1'
    if (-not (Test-Path $beside)) { throw "platyPS v2 (Microsoft.PowerShell.PlatyPS) is needed: Install-PSResource Microsoft.PowerShell.PlatyPS." }
    Import-Module $beside -Force -Global
}
Export-ModuleMember -Function Get-BuiltModulePath, Import-PlatyPS
