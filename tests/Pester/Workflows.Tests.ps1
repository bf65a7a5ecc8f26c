# The seed Arazzo workflow (Daytona's build-and-activate document, run verbatim) against the emulator, and the
# cmdlet pipeline it must agree with.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    $emulator = Start-DaytonaEmulator -TimeScale 0.05
    $emulator | Connect-Daytona | Out-Null
    $key = Get-EmulatorKey $emulator
    $apiUrl = $emulator.ApiUrl.ToString()
    $seed = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/workflows/daytona-io-build-and-activate-snapshot-workflow.yml')).Path

    function Invoke-Seed([hashtable] $Inputs, [hashtable] $More = @{}) {
        $all = @{ apiToken = $key } + $Inputs
        Invoke-ArazzoWorkflow -Path $seed -ServerUrl @{ snapshotsApi = $apiUrl } -Inputs $all -PollInterval 0.1 @More
    }

    # The values both paths must agree on (ids, names and times differ by nature).
    function Get-Definition($Snapshot) {
        $Snapshot | Select-Object StateText, ImageName, Cpu, Gpu, Mem, Disk, Entrypoint, SandboxClass, RegionIds, Size, General, ErrorReason |
            ConvertTo-Json -Compress
    }
}

AfterAll {
    $emulator | Stop-DaytonaEmulator
}

Describe 'The seed workflow document' {
    It 'passes Test-ArazzoWorkflow -Quiet' {
        Test-ArazzoWorkflow -Path $seed -Quiet | Should -BeTrue
    }

    It 'reports only leniencies, with their lines, and fails -Strict for them' {
        $findings = Test-ArazzoWorkflow -Path $seed
        $findings | Where-Object Severity -EQ 'Error' | Should -BeNullOrEmpty
        $findings.Code | Sort-Object -Unique | Should -Be @('BareExpression', 'JsonPathComparison')
        ($findings | Where-Object Code -EQ 'BareExpression').Line | Should -Be @(56, 78, 119)
        $findings.IsLeniency | Should -Not -Contain $false
        Test-ArazzoWorkflow -Path $seed -Quiet -Strict | Should -BeFalse
    }

    It 'lists its workflow, steps and inputs with Get-ArazzoWorkflow' {
        $workflow = Get-ArazzoWorkflow -Path $seed

        @($workflow).Count | Should -Be 1
        $workflow.WorkflowId | Should -Be 'build-and-activate-snapshot'
        $workflow.Title | Should -Be 'Daytona Build and Activate a Snapshot'
        $workflow.Steps.StepId | Should -Be @('createSnapshot', 'pollBuild', 'activateSnapshot')
        ($workflow.Steps | Where-Object StepId -EQ 'pollBuild').Target | Should -Be 'getSnapshot'
        $workflow.Inputs | Where-Object Required | Select-Object -ExpandProperty Name | Should -Be @('apiToken', 'name', 'imageName')
        ($workflow.Inputs | Where-Object Name -EQ 'cpu').Type | Should -Be 'integer'
        $workflow.Outputs | Should -Be @('snapshotId', 'state')
    }

    It 'is found through Get-ChildItem and -WorkflowId wildcards' {
        (Get-ChildItem (Split-Path $seed) -Filter '*.yml' | Get-ArazzoWorkflow -WorkflowId 'build-*').WorkflowId |
            Should -Be 'build-and-activate-snapshot'
    }
}

Describe 'Invoke-ArazzoWorkflow with the seed workflow' {
    It 'builds a new image until it is active (EndedBy alreadyActive)' {
        $result = Invoke-ArazzoWorkflow -Path $seed -ServerUrl @{ snapshotsApi = $apiUrl } -PollInterval 0.1 -Inputs @{
            apiToken  = $key
            name      = 'wf-new'
            imageName = 'python:3.12-slim'
        } -WarningVariable warnings -WarningAction SilentlyContinue

        $result.PSTypeNames | Should -Contain 'Daytona.Arazzo.WorkflowResult'
        $result.Status | Should -Be 'Succeeded'
        $result.EndedBy | Should -Be 'alreadyActive'
        $result.Steps[0].StepId | Should -Be 'createSnapshot'
        $result.Steps[0].StatusCode | Should -Be 200
        $result.Steps[-1].StepId | Should -Be 'pollBuild'
        $result.Steps[-1].Action | Should -Match 'end'
        $result.Steps.StepId | Should -Not -Contain 'activateSnapshot'
        $result.StepOutputsJson['pollBuild']['state'].ToString() | Should -Be 'active'
        $snapshot = Get-DaytonaSnapshot -Name wf-new
        $result.Outputs.snapshotId | Should -Be $snapshot.Id
        $snapshot.State | Should -Be 'Active'
        # The document's output 'state' reads activateSnapshot, which does not run on this path: null, with a warning.
        $result.Outputs.state | Should -BeNullOrEmpty
        ($warnings | Out-String) | Should -Match "step 'activateSnapshot' did not run"
    }

    It 'activates a snapshot that lands inactive' {
        # The build takes two seconds here; meanwhile the snapshot is deactivated (POST /snapshots/{id}/deactivate).
        Invoke-EmulatorControl $emulator 'builds' -Method Put -Body @{ byName = @{ 'wf-inactive' = @{ durationMs = 40000 } }; deactivationCooldownMs = 0 } | Out-Null
        $deactivator = [powershell]::Create().AddScript({
                param($ApiUrl, $Key)
                $headers = @{ Authorization = "Bearer $Key" }
                $deadline = [datetime]::UtcNow.AddSeconds(10)
                while ([datetime]::UtcNow -lt $deadline) {
                    try { $found = Invoke-RestMethod -Uri "$ApiUrl/snapshots/wf-inactive" -Headers $headers } catch { Start-Sleep -Milliseconds 20; continue }
                    Invoke-RestMethod -Method Post -Uri "$ApiUrl/snapshots/$($found.id)/deactivate" -Headers $headers | Out-Null
                    return $found.state
                }
            }).AddParameters(@{ ApiUrl = $apiUrl; Key = $key })
        $pending = $deactivator.BeginInvoke()
        try {
            $result = Invoke-Seed @{ name = 'wf-inactive'; imageName = 'python:3.12-slim' } @{ WarningAction = 'SilentlyContinue' }
            $stateWhenDeactivated = $deactivator.EndInvoke($pending)
        }
        finally { $deactivator.Dispose() }

        $stateWhenDeactivated | Should -BeIn 'pending', 'pulling'
        $result.Status | Should -Be 'Succeeded'
        $result.Steps.StepId | Should -Contain 'activateSnapshot'
        ($result.Steps | Where-Object StepId -EQ 'pollBuild' | Select-Object -Last 1).Action | Should -Match 'activateSnapshot'
        ($result.Steps | Where-Object StepId -EQ 'activateSnapshot').StatusCode | Should -Be 200
        $result.Outputs.state | Should -Be 'pending'
        $result.Outputs.snapshotId | Should -Be (Get-DaytonaSnapshot -Name wf-inactive).Id
        (Get-DaytonaSnapshot -Name wf-inactive | Wait-DaytonaSnapshot).State | Should -Be 'Active'
    }

    It 'ends by buildFailed for an image that cannot be pulled' {
        $result = Invoke-Seed @{ name = 'wf-broken'; imageName = 'registry.example/fail-image:1.0' } @{ WarningAction = 'SilentlyContinue' }

        $result.EndedBy | Should -Be 'buildFailed'
        $result.StepOutputsJson['pollBuild']['state'].ToString() | Should -Be 'error'
        $result.Steps.StepId | Should -Not -Contain 'activateSnapshot'
        $snapshot = Get-DaytonaSnapshot -Name wf-broken
        $snapshot.State | Should -Be 'Error'
        $snapshot.ErrorReason | Should -Match 'manifest unknown'
    }

    It 'fails the create step for a name that exists (ArazzoStepFailed, ResourceExists)' {
        $result = Invoke-ArazzoWorkflow -Path $seed -ServerUrl @{ snapshotsApi = $apiUrl } -PollInterval 0.1 -Inputs @{
            apiToken  = $key
            name      = 'wf-new'
            imageName = 'python:3.12-slim'
        } -WarningAction SilentlyContinue -ErrorAction SilentlyContinue -ErrorVariable problems

        $result.Status | Should -Be 'Failed'
        $result.FailedStep | Should -Be 'createSnapshot'
        $result.ErrorId | Should -Be 'ArazzoStepFailed'
        $result.Steps[0].StatusCode | Should -Be 409
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ArazzoStepFailed,*'
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $problems[0].Exception.Message | Should -Match 'already exists'
    }

    It 'takes the token as a SecureString and inputs from piped objects' {
        $requests = @(
            [pscustomobject]@{ name = 'wf-piped-a'; imageName = 'python:3.12-slim' }
            [pscustomobject]@{ name = 'wf-piped-b'; imageName = 'node:22-slim'; cpu = '2' }
        )
        $results = $requests | Invoke-ArazzoWorkflow -Path $seed -ServerUrl @{ snapshotsApi = $apiUrl } -Inputs @{ apiToken = $emulator.ApiKey } -PollInterval 0.1 -WarningAction SilentlyContinue

        @($results).Count | Should -Be 2
        $results.EndedBy | Should -Be @('alreadyActive', 'alreadyActive')
        (Get-DaytonaSnapshot -Name 'wf-piped-*').Name | Sort-Object | Should -Be @('wf-piped-a', 'wf-piped-b')
        (Get-DaytonaSnapshot -Name wf-piped-b).Cpu | Should -Be 2
        (Get-DaytonaSnapshot -Name wf-piped-b).ImageName | Should -Be 'node:22-slim'
    }

    It 'never shows the token, not even with -Verbose -Debug' {
        # -Debug turns warnings into prompts (PowerShell's rule for compiled cmdlets): -WarningAction keeps them plain.
        $all = Invoke-Seed @{ name = 'wf-verbose'; imageName = 'python:3.12-slim' } @{ Verbose = $true; Debug = $true; WarningAction = 'Continue' } *>&1 | Out-String

        $all | Should -Match 'POST'
        $all | Should -Match 'Authorization: \*\*\*'
        $all | Should -Not -Match ([regex]::Escape($key))
    }
}

Describe 'Running the seed workflow under limits' {
    It 'refuses the seed under -Strict before any request' {
        $before = (Invoke-EmulatorControl $emulator 'requests' -Method Get).total
        $err = $null
        try { Invoke-Seed @{ name = 'wf-strict'; imageName = 'python:3.12-slim' } @{ Strict = $true; ErrorAction = 'Stop' } } catch { $err = $_ }

        $err.FullyQualifiedErrorId | Should -BeLike 'ArazzoWorkflowInvalid,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.Exception.Message | Should -Match '56:7 .*Bearer \{\$inputs\.apiToken\}'
        (Invoke-EmulatorControl $emulator 'requests' -Method Get).total | Should -Be $before
        { Get-DaytonaSnapshot -Name wf-strict -ErrorAction Stop } | Should -Throw -ErrorId 'SnapshotNotFound,*'
    }

    It 'runs a corrected copy of the seed under -Strict, to the same end' {
        $openApi = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/openapi/daytona-snapshots-api-openapi.yml')).Path
        $fixed = (Get-Content -Path $seed -Raw).
            Replace('url: ../openapi/daytona-snapshots-api-openapi.yml', "url: '$openApi'").
            Replace('"Bearer $inputs.apiToken"', '"Bearer {$inputs.apiToken}"') -replace '(?m)^(\s+)condition: (\$\.state .+)$', '$1condition: ''$[?$2]'''
        $fixedPath = Join-Path $TestDrive 'build-and-activate.strict.arazzo.yaml'
        Set-Content -Path $fixedPath -Value $fixed

        Test-ArazzoWorkflow -Path $fixedPath | Where-Object Severity -EQ 'Error' | ForEach-Object { "$($_.Line):$($_.Column) $($_.Message)" } | Should -BeNullOrEmpty
        Test-ArazzoWorkflow -Path $fixedPath -Quiet -Strict | Should -BeTrue
        $result = Invoke-ArazzoWorkflow -Path $fixedPath -Strict -ServerUrl @{ snapshotsApi = $apiUrl } -Inputs @{ apiToken = $key; name = 'wf-strict-fixed'; imageName = 'python:3.12-slim' } -PollInterval 0.1 -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction SilentlyContinue

        $result.EndedBy | Should -Be 'alreadyActive'
        (Get-DaytonaSnapshot -Name wf-strict-fixed).State | Should -Be 'Active'
    }

    It 'stops after -MaxSteps with ArazzoMaxStepsExceeded' {
        $result = Invoke-Seed @{ name = 'wf-capped'; imageName = 'python:3.12-slim' } @{ MaxSteps = 2; WarningAction = 'SilentlyContinue'; ErrorAction = 'SilentlyContinue'; ErrorVariable = '+script:cappedErrors' }

        $result.Status | Should -Be 'Failed'
        @($result.Steps).Count | Should -Be 2
        $script:cappedErrors[-1].FullyQualifiedErrorId | Should -BeLike 'ArazzoMaxStepsExceeded,*'
        $script:cappedErrors[-1].Exception.Message | Should -Match "'pollBuild' was next"
    }

    It 'polls no faster than -PollInterval' {
        Invoke-EmulatorControl $emulator 'builds' -Method Put -Body @{ byName = @{ 'wf-paced' = @{ durationMs = 30000 } } } | Out-Null
        Invoke-EmulatorControl $emulator 'requests/reset' | Out-Null
        $result = Invoke-ArazzoWorkflow -Path $seed -ServerUrl @{ snapshotsApi = $apiUrl } -Inputs @{ apiToken = $key; name = 'wf-paced'; imageName = 'python:3.12-slim' } -PollInterval 0.5 -WarningAction SilentlyContinue

        $result.EndedBy | Should -Be 'alreadyActive'
        $result.Duration.TotalSeconds | Should -BeGreaterOrEqual 1.4
        $polls = @($result.Steps | Where-Object StepId -EQ 'pollBuild').Count
        $polls | Should -BeGreaterOrEqual 3
        $polls | Should -BeLessOrEqual ([math]::Ceiling($result.Duration.TotalSeconds / 0.5) + 1)
        (Invoke-EmulatorControl $emulator 'requests' -Method Get).byRoute.'GET /api/snapshots/{id}' | Should -Be $polls
    }
}

Describe 'The workflow and the cmdlet pipeline' {
    It 'end in the same state with the same fields' {
        $workflow = Invoke-Seed @{ name = 'agree-workflow'; imageName = 'python:3.12-slim'; cpu = 2; memory = 4; disk = 8 } @{ WarningAction = 'SilentlyContinue' }
        $pipeline = New-DaytonaSnapshot -Name agree-pipeline -Image python:3.12-slim -Cpu 2 -Memory 4 -Disk 8 |
            Wait-DaytonaSnapshot | Enable-DaytonaSnapshot

        $workflow.Status | Should -Be 'Succeeded'
        $fromWorkflow = Get-DaytonaSnapshot -Name agree-workflow
        $fromPipeline = Get-DaytonaSnapshot -Name agree-pipeline
        $fromWorkflow.State | Should -Be 'Active'
        $fromPipeline.State | Should -Be $fromWorkflow.State
        $pipeline.State | Should -Be $fromWorkflow.State
        $fromWorkflow.Cpu | Should -Be 2
        $fromWorkflow.Mem | Should -Be 4
        $fromWorkflow.Disk | Should -Be 8
        Get-Definition $fromPipeline | Should -Be (Get-Definition $fromWorkflow)
        $fromWorkflow.PSObject.Properties.Name | Should -Be $fromPipeline.PSObject.Properties.Name
    }

    It 'report an unpullable image the same way' {
        Invoke-Seed @{ name = 'agree-broken-workflow'; imageName = 'registry.example/fail-image:1.0' } @{ WarningAction = 'SilentlyContinue' } |
            Select-Object -ExpandProperty EndedBy | Should -Be 'buildFailed'
        New-DaytonaSnapshot -Name agree-broken-pipeline -Image registry.example/fail-image:1.0 |
            Wait-DaytonaSnapshot -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty

        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SnapshotBuildFailed,*'
        $a = Get-DaytonaSnapshot -Name agree-broken-workflow
        $b = Get-DaytonaSnapshot -Name agree-broken-pipeline
        $b.State | Should -Be 'Error'
        Get-Definition $b | Should -Be (Get-Definition $a)
    }
}

Describe 'The -Strict-clean form beside the seed (examples/workflows/build-and-activate-snapshot.arazzo.yaml)' {
    BeforeAll {
        $clean = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/workflows/build-and-activate-snapshot.arazzo.yaml')).Path
        function Invoke-Clean([hashtable] $Inputs) {
            Invoke-ArazzoWorkflow -Path $clean -ServerUrl @{ snapshotsApi = $apiUrl } -Inputs (@{ apiToken = $key } + $Inputs) -PollInterval 0.1 -WarningVariable script:cleanWarnings
        }
    }

    It 'has no finding at all, even under -Strict' {
        @(Test-ArazzoWorkflow -Path $clean -Strict) | Should -HaveCount 0
        Test-ArazzoWorkflow -Path $clean -Quiet -Strict | Should -BeTrue
        @(Test-ArazzoWorkflow -Path $seed -Strict).Count + 1 | Should -Be 8 -Because 'the seed, run as documented, prints its 7 leniencies and the null output as 8 warnings'
    }

    It 'builds a new image until it is active without a warning, and outputs its final state' {
        $result = Invoke-Clean @{ name = 'wf-clean-new'; imageName = 'python:3.12-slim' }
        $cleanWarnings | Should -HaveCount 0
        $result.Status | Should -Be 'Succeeded'
        $result.EndedBy | Should -Be 'alreadyActive'
        $result.Outputs.state | Should -Be 'active'
        $result.Outputs.snapshotId | Should -Be (Get-DaytonaSnapshot -Name wf-clean-new).Id
    }

    It 'activates a snapshot that lands inactive and polls until it is active, without a warning' {
        Invoke-EmulatorControl $emulator 'builds' -Method Put -Body @{ byName = @{ 'wf-clean-inactive' = @{ durationMs = 40000 } }; deactivationCooldownMs = 0 } | Out-Null
        $deactivator = [powershell]::Create().AddScript({
                param($ApiUrl, $Key)
                $headers = @{ Authorization = "Bearer $Key" }
                $deadline = [datetime]::UtcNow.AddSeconds(10)
                while ([datetime]::UtcNow -lt $deadline) {
                    try { $found = Invoke-RestMethod -Uri "$ApiUrl/snapshots/wf-clean-inactive" -Headers $headers } catch { Start-Sleep -Milliseconds 20; continue }
                    Invoke-RestMethod -Method Post -Uri "$ApiUrl/snapshots/$($found.id)/deactivate" -Headers $headers | Out-Null
                    return $found.state
                }
            }).AddParameters(@{ ApiUrl = $apiUrl; Key = $key })
        $pending = $deactivator.BeginInvoke()
        try {
            $result = Invoke-Clean @{ name = 'wf-clean-inactive'; imageName = 'python:3.12-slim' }
            $deactivator.EndInvoke($pending) | Should -BeIn 'pending', 'pulling'
        }
        finally { $deactivator.Dispose() }

        $cleanWarnings | Should -HaveCount 0
        $result.Status | Should -Be 'Succeeded'
        $result.Steps.StepId | Should -Contain 'activateSnapshot'
        $result.Steps[-1].StepId | Should -Be 'pollBuild'
        $result.EndedBy | Should -Be 'alreadyActive'
        $result.Outputs.state | Should -Be 'active'
        (Get-DaytonaSnapshot -Name wf-clean-inactive).State | Should -Be 'Active'
    }
}
