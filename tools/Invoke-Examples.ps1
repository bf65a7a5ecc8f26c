<#
.SYNOPSIS
    Runs examples/*.ps1 in order in this PowerShell session, against the bundled emulator, as a user pasting them would:
    one session, so the emulator the first example starts serves the others. Exits 1 when an example stops with an error.
.DESCRIPTION
    Written for Windows PowerShell 5.1 as well as PowerShell 7: the windows-latest workflow runs it with
    powershell.exe -NoProfile. An example that shows an error on purpose says so itself (-ErrorAction Continue).
#>
param(
    [string] $Module = (Join-Path $PSScriptRoot '../out/Daytona.Snapshots/Daytona.Snapshots.psd1')
)
$ErrorActionPreference = 'Stop'
Import-Module $Module -Force
Write-Host ("PowerShell {0} ({1}) on {2}" -f $PSVersionTable.PSVersion, $PSVersionTable.PSEdition, [System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription)

$examples = Get-ChildItem -Path (Join-Path $PSScriptRoot '../examples') -Filter '*.ps1' | Sort-Object Name
$failed = @()
foreach ($example in $examples) {
    Write-Host "=== $($example.Name)"
    try {
        . $example.FullName | Out-Host
    }
    catch {
        $failed += $example.Name
        Write-Host "FAILED $($example.Name): $($_.Exception.Message)"
        Write-Host $_.ScriptStackTrace
    }
}

if ($emulator) { $emulator | Stop-DaytonaEmulator }
Write-Host ("{0} examples, {1} failed{2}" -f $examples.Count, $failed.Count, $(if ($failed) { ': ' + ($failed -join ', ') } else { '' }))
if ($failed) { exit 1 }
exit 0
