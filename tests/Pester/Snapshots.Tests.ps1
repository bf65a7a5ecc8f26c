# The snapshot cmdlets as a pwsh user drives them: the pipeline, wildcards, CSV, JSON, failures, removal, errors.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    $emulator = Start-DaytonaEmulator -TimeScale 0.05
    $emulator | Connect-Daytona | Out-Null
}

AfterAll {
    $emulator | Stop-DaytonaEmulator
}

Describe 'New-DaytonaSnapshot | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot' {
    It 'ends with an active snapshot' {
        $snapshot = New-DaytonaSnapshot -Name x -Image python:3.12-slim | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot

        @($snapshot).Count | Should -Be 1
        $snapshot.PSTypeNames | Should -Contain 'Daytona.Api.Snapshot'
        $snapshot.Name | Should -Be 'x'
        $snapshot.State | Should -Be 'Active'
        $snapshot.StateText | Should -Be 'active'
        $snapshot.ImageName | Should -Be 'python:3.12-slim'
        $snapshot.Id | Should -Match '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$'
        (Get-DaytonaSnapshot -Name x).State | Should -Be 'Active'
    }

    It 'activates an existing inactive snapshot and passes active ones through' {
        New-DaytonaSnapshot -Name existing-a -Image python:3.12-slim | Out-Null
        New-DaytonaSnapshot -Name existing-b -Image node:22-slim | Wait-DaytonaSnapshot | Out-Null
        # What Daytona's 14-day cron does to an unused snapshot.
        $deactivated = Invoke-EmulatorControl $emulator 'snapshots/existing-b/deactivate-unused'
        $deactivated.state | Should -Be 'inactive'
        (Get-DaytonaSnapshot -Name existing-b).State | Should -Be 'Inactive'

        $result = Get-DaytonaSnapshot | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot

        $result.Name | Sort-Object | Should -Be @('existing-a', 'existing-b', 'x')
        ($result | Where-Object Name -EQ 'existing-a').State | Should -Be 'Active'
        ($result | Where-Object Name -EQ 'x').State | Should -Be 'Active'
        # Activation starts a new pull: the snapshot comes back pending and becomes active on its own.
        ($result | Where-Object Name -EQ 'existing-b').State | Should -BeIn 'Pending', 'Pulling'
        ($result | Where-Object Name -EQ 'existing-b' | Wait-DaytonaSnapshot).State | Should -Be 'Active'
        Get-DaytonaSnapshot | Where-Object State -NE 'Active' | Should -BeNullOrEmpty
    }

    It 'says so when a snapshot is already active' {
        $verbose = Get-DaytonaSnapshot -Name x | Enable-DaytonaSnapshot -Verbose 4>&1
        $passed = $verbose | Where-Object { $_.PSTypeNames -contains 'Daytona.Api.Snapshot' }
        $passed.State | Should -Be 'Active'
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
            Should -Match 'already active'
    }
}

Describe 'Get-DaytonaSnapshot -Name' {
    It 'matches <Pattern> to <Expected>' -ForEach @(
        @{ Pattern = 'existing-*'; Expected = @('existing-a', 'existing-b') }
        @{ Pattern = '*-b'; Expected = @('existing-b') }
        @{ Pattern = 'existing-?'; Expected = @('existing-a', 'existing-b') }
        @{ Pattern = '[x]'; Expected = @('x') }
        @{ Pattern = 'EXISTING-A*'; Expected = @('existing-a') }
    ) {
        Get-DaytonaSnapshot -Name $Pattern | Select-Object -ExpandProperty Name | Sort-Object | Should -Be $Expected
    }

    It 'returns nothing, without an error, for a pattern that matches nothing' {
        $found = Get-DaytonaSnapshot -Name 'nothing-here-*' -ErrorVariable problems
        $found | Should -BeNullOrEmpty
        $problems | Should -BeNullOrEmpty
    }

    It 'takes several names' {
        (Get-DaytonaSnapshot -Name existing-a, x).Name | Sort-Object | Should -Be @('existing-a', 'x')
    }

    It 'stops paging for Select-Object -First' {
        @(Get-DaytonaSnapshot | Select-Object -First 1).Count | Should -Be 1
    }
}

Describe 'Snapshots in CSV and JSON' {
    It 'round-trips through Export-Csv and Import-Csv into Wait-DaytonaSnapshot (by property name)' {
        $csv = Join-Path $TestDrive 'snapshots.csv'
        Get-DaytonaSnapshot -Name 'existing-*' | Select-Object Name, ImageName, StateText | Export-Csv -Path $csv
        Test-Path $csv | Should -BeTrue
        (Import-Csv $csv).Name | Sort-Object | Should -Be @('existing-a', 'existing-b')

        $waited = Import-Csv $csv | Wait-DaytonaSnapshot

        $waited.Name | Sort-Object | Should -Be @('existing-a', 'existing-b')
        $waited | ForEach-Object { $_.PSTypeNames | Should -Contain 'Daytona.Api.Snapshot' }
        $waited.State | Should -Be @('Active', 'Active')
    }

    It 'binds an Id column too' {
        $csv = Join-Path $TestDrive 'ids.csv'
        Get-DaytonaSnapshot -Name x | Select-Object Id | Export-Csv -Path $csv
        (Import-Csv $csv | Get-DaytonaSnapshot).Name | Should -Be 'x'
    }

    It 'creates one snapshot per CSV row with its resources' {
        $csv = Join-Path $TestDrive 'new.csv'
        @'
Name,Image,Cpu,Memory,Disk
csv-api,python:3.12-slim,2,4,8
csv-worker,node:22-slim,1,2,5
'@ | Set-Content -Path $csv

        $created = Import-Csv $csv | New-DaytonaSnapshot | Wait-DaytonaSnapshot

        $created.Name | Sort-Object | Should -Be @('csv-api', 'csv-worker')
        $api = Get-DaytonaSnapshot -Name csv-api
        $api.State | Should -Be 'Active'
        $api.Cpu | Should -Be 2
        $api.Mem | Should -Be 4
        $api.Disk | Should -Be 8
        (Get-DaytonaSnapshot -Name csv-worker).ImageName | Should -Be 'node:22-slim'
    }

    It 'selects and converts to JSON with the API values' {
        $json = Get-DaytonaSnapshot -Name x | Select-Object Name, Id, StateText, ImageName, Cpu, Mem, Disk | ConvertTo-Json
        $back = $json | ConvertFrom-Json

        $back.Name | Should -Be 'x'
        $back.StateText | Should -Be 'active'
        $back.ImageName | Should -Be 'python:3.12-slim'
        $back.Cpu | Should -Be 1
        $back.Mem | Should -Be 1
        $back.Disk | Should -Be 3
        $back.Id | Should -Be (Get-DaytonaSnapshot -Name x).Id
    }

    It 'converts a whole snapshot to JSON, the state readable with -EnumsAsStrings' {
        $snapshot = Get-DaytonaSnapshot -Name x
        $back = $snapshot | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json

        $back.State | Should -Be 'Active'
        $back.Id | Should -Be $snapshot.Id
        $back.RegionIds | Should -Contain 'us'
        $back.Size | Should -BeGreaterThan 0
        $back.PSObject.Properties.Name | Should -Contain 'CreatedAt'
    }
}

Describe 'A snapshot whose image cannot be pulled' {
    It 'is a SnapshotBuildFailed error while the others still come out' {
        $new = @(
            New-DaytonaSnapshot -Name mixed-ok -Image python:3.12-slim
            New-DaytonaSnapshot -Name mixed-broken -Image registry.example/fail-image:1.0
            New-DaytonaSnapshot -Name mixed-ok-2 -Image node:22-slim
        )
        $out = $new | Wait-DaytonaSnapshot -ErrorVariable failed -ErrorAction SilentlyContinue

        $out.Name | Sort-Object | Should -Be @('mixed-ok', 'mixed-ok-2')
        $out.State | Should -Be @('Active', 'Active')
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SnapshotBuildFailed,*'
        $failed[0].Exception.Message | Should -Match 'mixed-broken'
        $failed[0].Exception.Message | Should -Match 'manifest unknown'
        $failed[0].TargetObject.Name | Should -Be 'mixed-broken'

        $broken = Get-DaytonaSnapshot -Name mixed-broken
        $broken.State | Should -Be 'Error'
        $broken.ErrorReason | Should -Match 'registry.example/fail-image:1.0'
    }

    It 'stops a pipeline with -ErrorAction Stop' {
        { Get-DaytonaSnapshot -Name mixed-broken | Wait-DaytonaSnapshot -ErrorAction Stop } |
            Should -Throw -ErrorId 'SnapshotBuildFailed,*'
    }
}

Describe 'Remove-DaytonaSnapshot' {
    BeforeAll {
        New-DaytonaSnapshot -Name remove-me -Image python:3.12-slim | Wait-DaytonaSnapshot | Out-Null
    }

    It 'removes nothing with -WhatIf' {
        $out = Get-DaytonaSnapshot -Name remove-me | Remove-DaytonaSnapshot -WhatIf -PassThru

        $out | Should -BeNullOrEmpty
        $still = Get-DaytonaSnapshot -Name remove-me
        $still.State | Should -Be 'Active'
    }

    It 'removes with -Confirm:$false' {
        $removed = Get-DaytonaSnapshot -Name remove-me | Remove-DaytonaSnapshot -Confirm:$false -PassThru

        $removed.Name | Should -Be 'remove-me'
        Wait-SnapshotGone -Name remove-me
        { Get-DaytonaSnapshot -Name remove-me -ErrorAction Stop } | Should -Throw -ErrorId 'SnapshotNotFound,*'
        (Get-DaytonaSnapshot).Name | Should -Not -Contain 'remove-me'
    }
}

Describe 'Errors of the snapshot cmdlets' {
    It 'reports an unknown name as SnapshotNotFound (ObjectNotFound)' {
        { Get-DaytonaSnapshot -Name no-such-snapshot -ErrorAction Stop } | Should -Throw -ErrorId 'SnapshotNotFound,*'
        Get-DaytonaSnapshot -Name no-such-snapshot -ErrorAction SilentlyContinue -ErrorVariable problems
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].Exception.Message | Should -Match 'no-such-snapshot'
    }

    It 'reports a duplicate name as SnapshotAlreadyExists' {
        { New-DaytonaSnapshot -Name x -Image python:3.12-slim -ErrorAction Stop } | Should -Throw -ErrorId 'SnapshotAlreadyExists,*'
    }

    It 'reports a bad key as DaytonaAuthenticationFailed without showing the key' {
        $badKey = 'dtn_bad_key_5f3e8a1c2b9d4e7f'
        $bad = Connect-Daytona -ApiUrl $emulator.ApiUrl -ApiKey (ConvertTo-SecureString $badKey -AsPlainText -Force)
        try {
            { Get-DaytonaSnapshot -Connection $bad -ErrorAction Stop } | Should -Throw -ErrorId 'DaytonaAuthenticationFailed,*'
            $problems = @(try { Get-DaytonaSnapshot -Connection $bad -ErrorAction Stop } catch { $_ })
            $problems[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
            $problems[0].Exception.Message | Should -Not -BeNullOrEmpty
            $problems[0].Exception.Message | Should -Not -Match $badKey
            $problems[0].Exception.Message | Should -Match '-ApiKey'
            ($problems | Out-String) | Should -Not -Match $badKey
        }
        finally {
            $emulator | Connect-Daytona | Out-Null
        }
    }
}

Describe 'Get-DaytonaSnapshotBuildLog' {
    It 'reads the build log of a snapshot built from a Dockerfile' {
        $snapshot = New-DaytonaImage -Base python:3.12-slim | Add-DaytonaImageCommand 'echo built-for-log' |
            New-DaytonaSnapshot -Name log-built | Wait-DaytonaSnapshot
        $snapshot.State | Should -Be 'Active'

        $log = Get-DaytonaSnapshotBuildLog -Name log-built

        $log | Should -Not -BeNullOrEmpty
        $log[0] | Should -BeOfType [string]
        $log | Should -Contain 'Step 1/2 : FROM python:3.12-slim'
        ($log -join "`n") | Should -Match 'echo built-for-log'
        ($log | Select-Object -Last 1) | Should -Match '^Successfully tagged '
        ($snapshot | Get-DaytonaSnapshotBuildLog) | Should -Be $log
    }

    It 'says a snapshot made from an image name has no build log' {
        Get-DaytonaSnapshotBuildLog -Name x -ErrorAction SilentlyContinue -ErrorVariable logError | Should -BeNullOrEmpty
        $logError[0].FullyQualifiedErrorId | Should -BeLike 'SnapshotHasNoBuildLog,*'
    }
}
