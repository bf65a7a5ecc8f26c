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

# Pester's NUnit XML records no reason for a skipped test: add the one Set-ItResult -Because gave, so the CI summary
# can print why each test was skipped.
$skips = @($result.Skipped | Where-Object { $_.ErrorRecord.Count -gt 0 })
if ($skips.Count -gt 0) {
    [xml] $xml = Get-Content -LiteralPath $configuration.TestResult.OutputPath.Value -Raw
    foreach ($test in $skips) {
        $case = $xml.SelectNodes('//test-case') | Where-Object { $_.name -eq $test.ExpandedPath } | Select-Object -First 1
        if (-not $case -or $case.SelectSingleNode('reason')) { continue }
        $reason = $xml.CreateElement('reason')
        $message = $xml.CreateElement('message')
        $message.InnerText = ($test.ErrorRecord[0].Exception.Message -replace '^is skipped,? ?(because )?', '')
        [void] $reason.AppendChild($message)
        [void] $case.AppendChild($reason)
    }
    $xml.Save($configuration.TestResult.OutputPath.Value)
}
if ($result.FailedCount -gt 0 -or $result.PassedCount -eq 0) { exit 1 }
exit 0
