# Record what was done at the prompt as an Arazzo workflow, then replay it all at once, as a pipeline job would.
if (-not $emulator) { $emulator = Start-DaytonaEmulator -TimeScale 0.3 }
$emulator | Connect-Daytona

$folder = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'daytona-demo-recording-' + [guid]::NewGuid().ToString('N').Substring(0, 8))).FullName
$path = [System.IO.Path]::Combine($folder, 'demo-pair.arazzo.yaml')

# From here on, the API calls of the snapshot commands are recorded.
Start-ArazzoRecording -Path $path -WorkflowId build-demo-pair

# The user's job, worked out at the prompt: two snapshots built, waited for and activated in one pipeline.
'demo-rec-web', 'demo-rec-api' | ForEach-Object { New-DaytonaSnapshot -Name $_ -Image python:3.12-slim -Cpu 1 } |
    Wait-DaytonaSnapshot | Enable-DaytonaSnapshot

# The workflow that does the same: a step per operation, one polling step per wait, the typed values as inputs.
$recording = Stop-ArazzoRecording
$recording
$recording.Workflow.Steps
$recording.Workflow.Inputs
Test-ArazzoWorkflow -Path $recording.FullName -Strict -Quiet

# The pipeline run: the key from a secret, the server from the environment, other names; -Strict as CI should.
$secretKey = $emulator.ApiKey
$run = Invoke-ArazzoWorkflow -Path $recording.FullName -Strict -ServerUrl @{ snapshotsApi = $emulator.ApiUrl.ToString() } -Inputs @{
    apiToken = $secretKey
    webName  = 'demo-ci-web'
    apiName  = 'demo-ci-api'
}
$run
$run.Outputs

# Both paths end in the same state.
Get-DaytonaSnapshot -Name 'demo-*-web'
