<#
.SYNOPSIS
    CI step: install Daytona.Snapshots from the package the build stage published (a folder of .nupkg files, downloaded
    as a pipeline artifact), the way a team installs its own modules: a local PSResourceGet repository.
.EXAMPLE
    ./install-module.ps1 -Source $(Pipeline.Workspace)/packages
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Source,
    [string] $Repository = 'pipeline-packages'
)
$ErrorActionPreference = 'Stop'

$Source = (Resolve-Path -LiteralPath $Source).Path
if (-not (Get-ChildItem -LiteralPath $Source -Filter 'Daytona.Snapshots.*.nupkg')) {
    throw "No Daytona.Snapshots package in ${Source}: did the build stage publish out/packages as the 'packages' artifact?"
}
if (Get-PSResourceRepository -Name $Repository -ErrorAction SilentlyContinue) {
    Set-PSResourceRepository -Name $Repository -Uri $Source -Trusted
}
else {
    Register-PSResourceRepository -Name $Repository -Uri $Source -Trusted
}
Install-PSResource -Name Daytona.Snapshots -Repository $Repository -Scope CurrentUser -TrustRepository -Reinstall

Import-Module Daytona.Snapshots
$module = Get-Module Daytona.Snapshots
Write-Host "Daytona.Snapshots $($module.Version) from $($module.ModuleBase): $((Get-Command -Module Daytona.Snapshots).Count) commands"
