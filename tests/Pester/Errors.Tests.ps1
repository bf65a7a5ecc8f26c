# Errors as a script matches them ($err[0].FullyQualifiedErrorId, $err[0].CategoryInfo.Category), in every area,
# and the API key never showing: not in $Error, not in -Verbose -Debug output.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    $secret = 'dtn_pester_' + [guid]::NewGuid().ToString('N')
    $emulator = Start-DaytonaEmulator -TimeScale 0.05 -ApiKey (ConvertTo-SecureString $secret -AsPlainText -Force)
    $emulator | Connect-Daytona | Out-Null
    $apiUrl = $emulator.ApiUrl.ToString()
    $seed = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/workflows/daytona-io-build-and-activate-snapshot-workflow.yml')).Path
    $savedKey = $env:DAYTONA_API_KEY
    $savedUrl = $env:DAYTONA_API_URL

    $workspace = Join-Path $TestDrive 'workspace'
    New-Item -ItemType Directory -Path $workspace | Out-Null
    Set-Content -Path (Join-Path $workspace 'a.txt') -Value 'alpha'
    Set-Content -Path (Join-Path $workspace 'b.txt') -Value 'bravo'
    $repository = Join-Path $TestDrive 'repository'
    $checkpoint = New-Checkpoint -Path $workspace -Repository $repository
}

AfterAll {
    $env:DAYTONA_API_KEY = $savedKey
    $env:DAYTONA_API_URL = $savedUrl
    Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{} -ErrorAction SilentlyContinue | Out-Null
    $emulator | Stop-DaytonaEmulator
}

Describe 'Connection errors' {
    AfterEach {
        Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{} | Out-Null
        $emulator | Connect-Daytona | Out-Null
    }

    It 'DaytonaApiKeyMissing (AuthenticationError) without any key' {
        Remove-Item Env:DAYTONA_API_KEY -ErrorAction SilentlyContinue
        $err = $null
        try { Connect-Daytona -ApiUrl $apiUrl -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'DaytonaApiKeyMissing,*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -Match 'DAYTONA_API_KEY'
    }

    It 'DaytonaApiUrlInvalid (InvalidArgument) for <Url>' -ForEach @(
        @{ Url = 'ftp://example.com/api' }
        @{ Url = 'not a url' }
    ) {
        { Connect-Daytona -ApiUrl $Url -ApiKey $emulator.ApiKey -ErrorAction Stop } | Should -Throw -ErrorId 'DaytonaApiUrlInvalid,*'
        try { Connect-Daytona -ApiUrl $Url -ApiKey $emulator.ApiKey -ErrorAction Stop } catch { $err = $_ }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'DaytonaAuthenticationFailed (AuthenticationError) for a wrong key, saying where the key came from' {
        $env:DAYTONA_API_KEY = 'dtn_wrong_' + [guid]::NewGuid().ToString('N')
        $env:DAYTONA_API_URL = $apiUrl
        try {
            $fromEnvironment = Connect-Daytona
            $err = $null
            try { Get-DaytonaSnapshot -Connection $fromEnvironment -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'DaytonaAuthenticationFailed,*'
            $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $err.Exception.Message | Should -Match 'DAYTONA_API_KEY'
            ($err | Out-String) | Should -Not -Match ([regex]::Escape($env:DAYTONA_API_KEY))
        }
        finally {
            $env:DAYTONA_API_KEY = $savedKey
            $env:DAYTONA_API_URL = $savedUrl
        }
    }

    It 'DaytonaPermissionDenied (PermissionDenied) for another organization' {
        $other = Connect-Daytona -ApiUrl $apiUrl -ApiKey $emulator.ApiKey -OrganizationId '11111111-1111-4111-8111-111111111111'
        { Get-DaytonaSnapshot -Connection $other -ErrorAction Stop } | Should -Throw -ErrorId 'DaytonaPermissionDenied,*'
        try { Get-DaytonaSnapshot -Connection $other -ErrorAction Stop } catch { $err = $_ }
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
    }

    It 'DaytonaUnreachable (ConnectionError) when nothing listens' {
        $nowhere = Connect-Daytona -ApiUrl 'http://127.0.0.1:9/api' -ApiKey $emulator.ApiKey
        try { Get-DaytonaSnapshot -Connection $nowhere -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'DaytonaUnreachable,*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        $err.Exception.Message | Should -Match '127\.0\.0\.1:9'
    }

    It 'DaytonaUnreachable for a stopped emulator; stopping it again is only a verbose note' {
        $other = Start-DaytonaEmulator -TimeScale 0.05
        $processId = $other.ProcessId
        Get-Process -Id $processId | Should -Not -BeNullOrEmpty
        $stopped = $other | Stop-DaytonaEmulator -PassThru
        $stopped.State | Should -Be 'Exited'
        Get-Process -Id $processId -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        try { Get-DaytonaSnapshot -Connection $other.Connection -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'DaytonaUnreachable,*'
        $again = $other | Stop-DaytonaEmulator -Verbose -ErrorVariable stopErrors 4>&1 | Out-String
        $stopErrors | Should -BeNullOrEmpty
        $again | Should -Match 'already stopped'
    }

    It 'DaytonaRateLimited (LimitsExceeded) once the retries are used up, and a recovery before that' {
        Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{ tooManyRequests = @{ count = 1; retryAfterSeconds = 0 } } | Out-Null
        (Get-DaytonaSnapshot -ErrorVariable recovered) | Should -BeNullOrEmpty
        $recovered | Should -BeNullOrEmpty

        Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{ tooManyRequests = @{ count = 50; retryAfterSeconds = 0 } } | Out-Null
        try { Get-DaytonaSnapshot -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'DaytonaRateLimited,*'
        $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err.Exception.Message | Should -Match '429'
    }

    It 'DaytonaServiceUnavailable (ResourceUnavailable) for a server error' {
        Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{ serverErrors = @{ count = 50; status = 500 } } | Out-Null
        try { Get-DaytonaSnapshot -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'DaytonaServiceUnavailable,*'
        $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $err.Exception.Message | Should -Match '500'
    }
}

Describe 'Failures that are retried, never twice in effect' {
    AfterEach {
        Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{} | Out-Null
    }

    It 'creates a snapshot once when the create request is <Fault>' -ForEach @(
        @{ Fault = 'dropped'; Body = @{ dropConnections = 1 }; Name = 'retry-dropped' }
        @{ Fault = 'answered by a 502'; Body = @{ serverErrors = @{ count = 1; status = 502 } }; Name = 'retry-502' }
    ) {
        Invoke-EmulatorControl $emulator 'requests/reset' | Out-Null
        Invoke-EmulatorControl $emulator 'faults' -Method Put -Body $Body | Out-Null

        $created = New-DaytonaSnapshot -Name $Name -Image python:3.12-slim -ErrorVariable err

        $err | Should -BeNullOrEmpty
        $created.Name | Should -Be $Name
        @(Get-DaytonaSnapshot -Name "$Name*").Count | Should -Be 1
        $routes = (Invoke-EmulatorControl $emulator 'requests' -Method Get).byRoute
        $routes.'POST /api/snapshots' | Should -Be 2
        $routes.'GET /api/snapshots/{id}' | Should -BeGreaterOrEqual 1 -Because 'the name is looked up before the create is sent again'
    }

    It 'lists after a dropped connection' {
        Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{ dropConnections = 1 } | Out-Null
        (Get-DaytonaSnapshot -Name 'retry-*' -ErrorVariable err).Name | Sort-Object | Should -Be @('retry-502', 'retry-dropped')
        $err | Should -BeNullOrEmpty
    }

    It 'removes after a dropped connection' {
        Get-DaytonaSnapshot -Name retry-dropped | Wait-DaytonaSnapshot | Out-Null
        Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{ dropConnections = 1 } | Out-Null
        (Remove-DaytonaSnapshot -Name retry-dropped -Confirm:$false -PassThru -ErrorVariable err).Name | Should -Be 'retry-dropped'
        $err | Should -BeNullOrEmpty
        Wait-SnapshotGone -Name retry-dropped
    }
}

Describe 'Snapshot errors' {
    BeforeAll {
        Invoke-EmulatorControl $emulator 'builds' -Method Put -Body @{ byName = @{ 'errors-slow' = @{ durationMs = 600000 } } } | Out-Null
        New-DaytonaSnapshot -Name errors-slow -Image python:3.12-slim | Out-Null
        New-DaytonaSnapshot -Name errors-ok -Image python:3.12-slim | Wait-DaytonaSnapshot | Out-Null
    }

    It 'SnapshotNotFound (ObjectNotFound) from <Command>' -ForEach @(
        @{ Command = 'Get-DaytonaSnapshot'; More = @{} }
        @{ Command = 'Wait-DaytonaSnapshot'; More = @{} }
        @{ Command = 'Enable-DaytonaSnapshot'; More = @{ Confirm = $false } }
        @{ Command = 'Disable-DaytonaSnapshot'; More = @{ Confirm = $false } }
        @{ Command = 'Remove-DaytonaSnapshot'; More = @{ Confirm = $false } }
        @{ Command = 'Get-DaytonaSnapshotBuildLog'; More = @{} }
    ) {
        & $Command -Name errors-missing @More -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SnapshotNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -Match 'errors-missing'
    }

    It 'SnapshotAlreadyExists (ResourceExists)' {
        New-DaytonaSnapshot -Name errors-ok -Image python:3.12-slim -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SnapshotAlreadyExists,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
    }

    It 'SnapshotBuildFailed (InvalidData) with the reason' {
        New-DaytonaSnapshot -Name errors-broken -Image registry.example/fail-image:1.0 |
            Wait-DaytonaSnapshot -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SnapshotBuildFailed,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].Exception.Message | Should -Match 'manifest unknown'
    }

    It 'WaitTimeout (OperationTimeout) naming the last state' {
        $started = Get-Date
        Wait-DaytonaSnapshot -Name errors-slow -Timeout 0.3 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        ((Get-Date) - $started).TotalSeconds | Should -BeLessThan 5
        $err[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimeout,*'
        $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err[0].Exception.Message | Should -Match 'errors-slow'
        $err[0].Exception.Message | Should -Match 'pending|pulling'
    }

    It 'DaytonaInvalidRequest (InvalidArgument) with Daytona''s message for <Image>' -ForEach @(
        @{ Image = 'python:latest'; Message = ':latest' }
        @{ Image = 'python'; Message = 'must include a tag' }
    ) {
        New-DaytonaSnapshot -Name errors-invalid -Image $Image -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DaytonaInvalidRequest,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match $Message
    }

    It 'DaytonaInvalidRequest when activating a snapshot that is still building' {
        Enable-DaytonaSnapshot -Name errors-slow -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DaytonaInvalidRequest,*'
        $err[0].Exception.Message | Should -Match 'cannot be activated'
    }

    It 'SnapshotHasNoBuildLog (ObjectNotFound) for an image-name snapshot' {
        Get-DaytonaSnapshotBuildLog -Name errors-ok -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SnapshotHasNoBuildLog,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'keeps the pipeline going after one failed item' {
        $out = 'errors-ok', 'errors-missing', 'errors-ok' | ForEach-Object { [pscustomobject]@{ Name = $_ } } |
            Get-DaytonaSnapshot -ErrorVariable err -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 2
        @($err).Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SnapshotNotFound,*'
    }
}

Describe 'Image errors' {
    It '<Id> (<Category>)' -ForEach @(
        @{ Id = 'ImageFileNotFound'; Category = 'ObjectNotFound'; Run = { New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageFile (Join-Path $TestDrive 'missing.py') -Destination /app/ -ErrorAction Stop } }
        @{ Id = 'ImagePythonVersionUnsupported'; Category = 'InvalidArgument'; Run = { New-DaytonaImage -DebianSlim 3.8 -ErrorAction Stop } }
        @{ Id = 'ImageDefinitionInvalid'; Category = 'InvalidArgument'; Run = { New-DaytonaImage -DebianSlim 3.12 | Set-DaytonaImageEnvironment @{ PORT = 8000 } -ErrorAction Stop } }
    ) {
        $err = $null
        try { & $Run } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.CategoryInfo.Category | Should -Be $Category
    }
}

Describe 'Arazzo errors' {
    BeforeAll {
        $broken = Join-Path $TestDrive 'broken.arazzo.yaml'
        @'
arazzo: 1.0.1
info: {title: Broken, version: '1.0'}
workflows: []
'@ | Set-Content -Path $broken
    }

    It 'ArazzoDocumentNotFound (ObjectNotFound)' {
        try { Invoke-ArazzoWorkflow -Path (Join-Path $TestDrive 'nope.arazzo.yaml') -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ArazzoDocumentNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'ArazzoDocumentInvalid (InvalidData) listing line and column' {
        try { Invoke-ArazzoWorkflow -Path $broken -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ArazzoDocumentInvalid,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.Exception.Message | Should -Match '\d+:\d+ .*sourceDescriptions'
        Test-ArazzoWorkflow -Path $broken -Quiet | Should -BeFalse
    }

    It 'ArazzoInputsInvalid (InvalidArgument) before any request' {
        $before = (Invoke-EmulatorControl $emulator 'requests' -Method Get).total
        try { Invoke-ArazzoWorkflow -Path $seed -ServerUrl @{ snapshotsApi = $apiUrl } -Inputs @{ name = 'errors-wf' } -WarningAction SilentlyContinue -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ArazzoInputsInvalid,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match "'apiToken'"
        $err.Exception.Message | Should -Match "'imageName'"
        (Invoke-EmulatorControl $emulator 'requests' -Method Get).total | Should -Be $before
    }

    It 'ArazzoWorkflowNotFound (ObjectNotFound) naming the workflows there are' {
        try { Invoke-ArazzoWorkflow -Path $seed -WorkflowId nope -Inputs @{} -WarningAction SilentlyContinue -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ArazzoWorkflowNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -Match 'build-and-activate-snapshot'
    }

    It 'ArazzoStepFailed (AuthenticationError) for a rejected token, the result still written' {
        $wrong = 'dtn_wrong_' + [guid]::NewGuid().ToString('N')
        $result = Invoke-ArazzoWorkflow -Path $seed -ServerUrl @{ snapshotsApi = $apiUrl } -Inputs @{ apiToken = $wrong; name = 'errors-wf'; imageName = 'python:3.12-slim' } -WarningAction SilentlyContinue -ErrorVariable err -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Failed'
        $result.FailedStep | Should -Be 'createSnapshot'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ArazzoStepFailed,*'
        $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        ($err | Out-String) + ($result | Format-List * | Out-String) + ($result.Steps | Format-List * | Out-String) |
            Should -Not -Match ([regex]::Escape($wrong))
    }

    It 'ArazzoTimeout (OperationTimeout) with -Timeout' {
        Invoke-EmulatorControl $emulator 'builds' -Method Put -Body @{ byName = @{ 'errors-wf-slow' = @{ durationMs = 600000 } } } | Out-Null
        $result = Invoke-ArazzoWorkflow -Path $seed -ServerUrl @{ snapshotsApi = $apiUrl } -Inputs @{ apiToken = $emulator.ApiKey; name = 'errors-wf-slow'; imageName = 'python:3.12-slim' } -Timeout 0.5 -PollInterval 0.1 -WarningAction SilentlyContinue -ErrorVariable err -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'TimedOut'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ArazzoTimeout,*'
        $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
    }
}

Describe 'Checkpoint errors' {
    It 'CheckpointNotFound (ObjectNotFound) for an unknown id' {
        Get-Checkpoint -Repository $repository -Id 20000101T000000Z -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CheckpointNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'CheckpointTimeInvalid and CheckpointTimeInFuture (InvalidArgument)' {
        Get-Checkpoint -Repository $repository -At '20259928T092752Z' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CheckpointTimeInvalid,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-Checkpoint -Repository $repository -At ([datetime]::UtcNow.AddMinutes(5)) -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CheckpointTimeInFuture,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'CheckpointSourceNotFound and CheckpointRepositoryInvalid' {
        $err = $null
        try { New-Checkpoint -Path (Join-Path $TestDrive 'no-such-folder') -Repository $repository -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'CheckpointSourceNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        { Get-Checkpoint -Repository $workspace -ErrorAction Stop } | Should -Throw -ErrorId 'CheckpointRepositoryInvalid,*'
    }

    It 'CheckpointSourceChanged (InvalidOperation) while something writes to the folder, and nothing written' {
        $busy = Join-Path $TestDrive 'busy'
        New-Item -ItemType Directory -Path $busy | Out-Null
        $bytes = [byte[]]::new(10MB)
        [System.Random]::new(7).NextBytes($bytes)
        [System.IO.File]::WriteAllBytes((Join-Path $busy 'data.bin'), $bytes)
        Set-Content -Path (Join-Path $busy 'app.log') -Value 'start'
        $busyRepository = Join-Path $TestDrive 'busy-repository'
        $control = [hashtable]::Synchronized(@{ Stop = $false })
        $writer = [powershell]::Create().AddScript({
                param($Path, $Control)
                $deadline = [datetime]::UtcNow.AddSeconds(20)
                while (-not $Control.Stop -and [datetime]::UtcNow -lt $deadline) {
                    [System.IO.File]::AppendAllText($Path, "line`n")
                    Start-Sleep -Milliseconds 2
                }
            }).AddParameters(@{ Path = (Join-Path $busy 'app.log'); Control = $control })
        $running = $writer.BeginInvoke()
        try {
            Start-Sleep -Milliseconds 100
            $err = $null
            try { New-Checkpoint -Path $busy -Repository $busyRepository -ErrorAction Stop } catch { $err = $_ }
        }
        finally {
            $control.Stop = $true
            $writer.EndInvoke($running) | Out-Null
            $writer.Dispose()
        }

        $err.FullyQualifiedErrorId | Should -BeLike 'CheckpointSourceChanged,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -Match 'app\.log'
        Get-Checkpoint -Repository $busyRepository -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        # Once the writer has stopped, the same folder is captured.
        (New-Checkpoint -Path $busy -Repository $busyRepository).Files | Should -Be 2
    }

    It 'CheckpointRepositoryLocked (ResourceBusy) while another writer holds the lock' {
        $lock = Join-Path $repository 'lock'
        @{ host = 'build-agent-7'; pid = 4242; since = [datetime]::UtcNow.ToString('o') } | ConvertTo-Json | Set-Content -Path $lock
        try {
            $err = $null
            try { Rename-Checkpoint -Repository $repository -Id $checkpoint.Id -NewName locked -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'CheckpointRepositoryLocked,*'
            $err.CategoryInfo.Category | Should -Be 'ResourceBusy'
            $err.Exception.Message | Should -Match 'build-agent-7'
            (Get-Checkpoint -Repository $repository -Id $checkpoint.Id).Name | Should -BeNullOrEmpty
        }
        finally { Remove-Item $lock }
    }

    It 'CheckpointDestinationNotEmpty when restoring over files' {
        { Restore-Checkpoint -Repository $repository -Id $checkpoint.Id -Destination $workspace -ErrorAction Stop } |
            Should -Throw -ErrorId 'CheckpointDestinationNotEmpty,*'
        (Get-ChildItem $workspace).Name | Should -Be @('a.txt', 'b.txt')
    }

    It 'CheckpointPathUnsafe (SecurityError) for an archive whose entry leaves its destination' {
        $archive = Export-Checkpoint -Repository $repository -Id $checkpoint.Id -Path (Join-Path $TestDrive 'good.dyckpt')
        $bytes = [System.IO.File]::ReadAllBytes($archive.FullName)
        # Rewrite the manifest record so that b.txt becomes ../xy (same length), and the end checksum to match.
        $text = [System.Text.Encoding]::Latin1.GetString($bytes)
        $text.Contains('"path":"b.txt"') | Should -BeTrue
        $text = $text.Replace('"path":"b.txt"', '"path":"../xy"')
        $bytes = [System.Text.Encoding]::Latin1.GetBytes($text)
        $endAt = $bytes.Length - 37
        [char]$bytes[$endAt] | Should -Be 'E'
        $sum = [System.Security.Cryptography.SHA256]::HashData([byte[]]$bytes[0..($endAt - 1)])
        [Array]::Copy($sum, 0, $bytes, $endAt + 5, 32)
        $unsafe = Join-Path $TestDrive 'unsafe.dyckpt'
        [System.IO.File]::WriteAllBytes($unsafe, $bytes)
        $target = Join-Path $TestDrive 'unsafe-target'

        Import-Checkpoint -Path $unsafe -Repository $target -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $err[0].FullyQualifiedErrorId | Should -BeLike 'CheckpointPathUnsafe,*'
        $err[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $err[0].Exception.Message | Should -Match '\.\./xy'
        Get-Checkpoint -Repository $target -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'CheckpointCorrupt (non-terminating, per damaged piece) from Test-Checkpoint, and a restore that writes nothing' {
        $damaged = Join-Path $TestDrive 'damaged'
        Copy-Item -Path $repository -Destination $damaged -Recurse
        $pack = Get-ChildItem -Path $damaged -Recurse -File -Filter '*.pack' | Select-Object -First 1
        $pack | Should -Not -BeNullOrEmpty
        $bytes = [System.IO.File]::ReadAllBytes($pack.FullName)
        $bytes[$bytes.Length - 3] = $bytes[$bytes.Length - 3] -bxor 0xFF
        [System.IO.File]::WriteAllBytes($pack.FullName, $bytes)

        $result = Test-Checkpoint -Repository $damaged -ErrorVariable err -ErrorAction SilentlyContinue
        $result.IsValid | Should -BeFalse
        @($result.Problems).Count | Should -BeGreaterThan 0
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CheckpointCorrupt,*'

        $destination = Join-Path $TestDrive 'from-damaged'
        { Restore-Checkpoint -Repository $damaged -Id $checkpoint.Id -Destination $destination -ErrorAction Stop } |
            Should -Throw -ErrorId 'CheckpointCorrupt,*'
        Test-Path $destination | Should -BeFalse
    }
}

Describe 'The API key never shows' {
    It 'is in no stream of a whole session run with -Verbose -Debug' {
        $all = & {
            $emulator | Connect-Daytona -Verbose
            New-DaytonaSnapshot -Name secret-one -Image python:3.12-slim -Verbose -Debug | Wait-DaytonaSnapshot -Verbose -Debug | Enable-DaytonaSnapshot -Verbose -Debug
            Get-DaytonaSnapshot -Verbose -Debug
            New-DaytonaImage -Base python:3.12-slim | Add-DaytonaImageCommand 'echo secret-test' |
                New-DaytonaSnapshot -Name secret-built -Verbose -Debug | Wait-DaytonaSnapshot -ShowBuildLog -Verbose -Debug
            Get-DaytonaSnapshotBuildLog -Name secret-built -Verbose -Debug
            Invoke-ArazzoWorkflow -Path $seed -ServerUrl @{ snapshotsApi = $apiUrl } -Inputs @{ apiToken = $secret; name = 'secret-wf'; imageName = 'python:3.12-slim' } -PollInterval 0.1 -Verbose -Debug -WarningAction Continue
            Get-DaytonaSnapshot -Name secret-one | New-Checkpoint -Repository (Join-Path $TestDrive 'secret-checkpoints') -Verbose -Debug
            Remove-DaytonaSnapshot -Name secret-one -Confirm:$false -Verbose -Debug
            $emulator | Format-List * | Out-String
            Get-DaytonaSnapshot -Name secret-* | Format-List * | Out-String
        } *>&1 | Out-String

        $all | Should -Match 'secret-built'
        $all | Should -Match 'createSnapshot'
        $all | Should -Not -Match ([regex]::Escape($secret))
    }

    It 'is not in $Error after failures' {
        $Error.Clear()
        Get-DaytonaSnapshot -Name secret-missing -ErrorAction SilentlyContinue
        Invoke-ArazzoWorkflow -Path $seed -ServerUrl @{ snapshotsApi = $apiUrl } -Inputs @{ apiToken = $emulator.ApiKey; name = 'secret-built'; imageName = 'python:3.12-slim' } -WarningAction SilentlyContinue -ErrorAction SilentlyContinue | Out-Null
        Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{ serverErrors = @{ count = 50; status = 500 } } | Out-Null
        try { Get-DaytonaSnapshot -ErrorAction SilentlyContinue } catch { }
        Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{} | Out-Null

        $Error.Count | Should -BeGreaterOrEqual 3
        ($Error | Out-String) | Should -Not -Match ([regex]::Escape($secret))
        ($Error | Format-List * -Force | Out-String) | Should -Not -Match ([regex]::Escape($secret))
        ($Error | ForEach-Object { $_.Exception | Format-List * -Force | Out-String }) -join '' | Should -Not -Match ([regex]::Escape($secret))
    }
}
