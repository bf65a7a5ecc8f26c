<#
.SYNOPSIS
    Runs the Pester 5 suite in tests/Pester against the built module and writes NUnit XML results.
.DESCRIPTION
    Pester is taken from the loaded session if present, else from the modules installed for this pwsh,
    else from the pwsh unpacked by ../shared/tools/powershell/install.sh (it sits beside that pwsh).
#>
param(
    [string] $OutputFile = (Join-Path $PSScriptRoot '../../TestResults/pester.nunit.xml')
)
$ErrorActionPreference = 'Stop'

$pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version.Major -ge 5 } | Sort-Object Version -Descending | Select-Object -First 1
if (-not $pester) {
    $beside = Join-Path (Split-Path $PSHOME) 'pester/Pester/Pester.psd1'
    if (-not (Test-Path $beside)) { throw "Pester 5 is not installed and not found at $beside. Install it (Install-PSResource Pester) or use ../shared/tools/powershell/install.sh." }
    $pester = $beside
}
Import-Module $pester -MinimumVersion 5.0 -Force

$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.Exit = $false
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = [System.IO.Path]::GetFullPath($OutputFile)
New-Item -ItemType Directory -Force -Path (Split-Path $configuration.TestResult.OutputPath.Value) | Out-Null

$result = Invoke-Pester -Configuration $configuration
if ($result.FailedCount -gt 0 -or $result.PassedCount -eq 0) { exit 1 }
exit 0
