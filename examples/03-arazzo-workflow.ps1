# The same job all at once, as an Arazzo workflow: the -Strict-clean form of Daytona's own document
# (workflows/daytona-io-build-and-activate-snapshot-workflow.yml is that document verbatim: it runs too, with 8 warnings
# about its leniencies — Test-ArazzoWorkflow -Path <it> lists them).
if (-not $emulator) { $emulator = Start-DaytonaEmulator -TimeScale 0.3 }
$emulator | Connect-Daytona

$workflow = [System.IO.Path]::Combine($PSScriptRoot, 'workflows', 'build-and-activate-snapshot.arazzo.yaml')

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
}
$run
$run.Steps

# Both paths end in the same state.
Get-DaytonaSnapshot -Name demo-arazzo
