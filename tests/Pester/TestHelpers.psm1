# Shared by the Pester suites: where the built module is.
function Get-BuiltModulePath {
    $path = Join-Path $PSScriptRoot '../../out/Daytona.Snapshots/Daytona.Snapshots.psd1'
    if (-not (Test-Path $path)) { throw "The module is not built: run 'dotnet build Module.sln -c Release' (or ./build.ps1)." }
    (Resolve-Path $path).Path
}
Export-ModuleMember -Function Get-BuiltModulePath
