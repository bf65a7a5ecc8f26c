# The same job all at once: the Arazzo workflow from Daytona's own description, run verbatim.
if (-not $emulator) { $emulator = Start-DaytonaEmulator -TimeScale 0.3 }
$emulator | Connect-Daytona

$workflow = [System.IO.Path]::Combine($PSScriptRoot, 'workflows', 'daytona-io-build-and-activate-snapshot-workflow.yml')

# What the document holds.
Get-ArazzoWorkflow -Path $workflow
Test-ArazzoWorkflow -Path $workflow

# Run it: create, poll (paced: one request per poll interval), activate when it lands inactive.
$apiToken = [System.Net.NetworkCredential]::new('', $emulator.ApiKey).Password
$run = Invoke-ArazzoWorkflow -Path $workflow -ServerUrl @{ snapshotsApi = $emulator.ApiUrl.ToString() } -Inputs @{
    apiToken  = $apiToken
    name      = 'demo-arazzo'
    imageName = 'python:3.12-slim'
    cpu       = 1
    memory    = 2
    disk      = 5
} -WarningAction SilentlyContinue
$run
$run.Steps

# Both paths end in the same state.
Get-DaytonaSnapshot -Name demo-arazzo
