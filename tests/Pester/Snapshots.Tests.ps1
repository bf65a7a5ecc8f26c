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

    It 'writes the settled ones and a WaitTimeout for the one still building after -Timeout' {
        Invoke-EmulatorControl $emulator 'builds' -Method Put -Body @{ byName = @{ 'timeout-slow' = @{ durationMs = 600000 } } } | Out-Null
        $new = @(
            New-DaytonaSnapshot -Name timeout-quick -Image python:3.12-slim
            New-DaytonaSnapshot -Name timeout-slow -Image python:3.12-slim
            New-DaytonaSnapshot -Name timeout-broken -Image registry.example/fail-image:2.0
        )
        $started = Get-Date
        $out = $new | Wait-DaytonaSnapshot -Timeout 1 -ErrorVariable problems -ErrorAction SilentlyContinue

        ((Get-Date) - $started).TotalSeconds | Should -BeLessThan 5
        $out.Name | Should -Be 'timeout-quick'
        $problems.FullyQualifiedErrorId -replace ',.*' | Sort-Object | Should -Be @('SnapshotBuildFailed', 'WaitTimeout')
        ($problems | Where-Object FullyQualifiedErrorId -Like 'WaitTimeout,*').Exception.Message | Should -Match 'timeout-slow'
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

Describe 'Disable-DaytonaSnapshot and Enable-DaytonaSnapshot' {
    BeforeAll {
        New-DaytonaSnapshot -Name toggle -Image python:3.12-slim | Wait-DaytonaSnapshot | Out-Null
    }

    It 'deactivates, and Daytona refuses to activate again right away' {
        $disabled = Disable-DaytonaSnapshot -Name toggle -Confirm:$false
        $disabled.State | Should -Be 'Inactive'
        (Get-DaytonaSnapshot -Name toggle).State | Should -Be 'Inactive'

        Enable-DaytonaSnapshot -Name toggle -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'DaytonaInvalidRequest,*'
        $refused[0].Exception.Message | Should -Match 'deactivation is still in progress'
        (Get-DaytonaSnapshot -Name toggle).State | Should -Be 'Inactive'
    }

    It 'changes nothing with -WhatIf' {
        Invoke-EmulatorControl $emulator 'builds' -Method Put -Body @{ deactivationCooldownMs = 0 } | Out-Null
        try {
            Enable-DaytonaSnapshot -Name toggle -WhatIf | Should -BeNullOrEmpty
            (Get-DaytonaSnapshot -Name toggle).State | Should -Be 'Inactive'
            (Enable-DaytonaSnapshot -Name toggle | Wait-DaytonaSnapshot).State | Should -Be 'Active'
        }
        finally {
            Invoke-EmulatorControl $emulator 'builds' -Method Put -Body @{ deactivationCooldownMs = 600000 } | Out-Null
        }
    }

    # A snapshot read while active and deactivated since (Daytona's 14-day cron) is activated, not passed over.
    It 'activates a snapshot deactivated since it was read' {
        $read = New-DaytonaSnapshot -Name stale-read -Image python:3.12-slim | Wait-DaytonaSnapshot
        Invoke-EmulatorControl $emulator 'snapshots/stale-read/deactivate-unused' | Out-Null

        $read | Enable-DaytonaSnapshot | Out-Null

        (Get-DaytonaSnapshot -Name stale-read).State | Should -BeIn 'Pending', 'Pulling', 'Active'
    }
}

Describe 'What a user sees' {
    It 'names a snapshot by its ToString()' {
        $snapshot = Get-DaytonaSnapshot -Name x
        "$snapshot" | Should -Be 'x'
    }

    It 'shows a table that fits 120 columns, sizes readable' {
        $table = Get-DaytonaSnapshot | Format-Table | Out-String -Width 250
        $lines = $table -split "`r?`n" | Where-Object { $_.Trim() }
        ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 120
        $lines[0] | Should -Match '^Name\s+State\s+ImageName'
        $table | Should -Match '\d+(\.\d+)? GB'
    }

    It 'shows every field with Format-List' {
        $list = Get-DaytonaSnapshot -Name x | Format-List * | Out-String
        foreach ($field in 'Id', 'Name', 'State', 'ImageName', 'Cpu', 'Mem', 'Disk', 'CreatedAt') {
            $list | Should -Match "(?m)^$field\s*:"
        }
    }
}

Describe 'Get-DaytonaSnapshot | Wait-DaytonaSnapshot over many snapshots' {
    BeforeAll {
        1..230 | ForEach-Object { New-DaytonaSnapshot -Name ('page-{0:000}' -f $_) -Image python:3.12-slim } | Wait-DaytonaSnapshot | Out-Null
    }

    It 'reads every page' {
        Invoke-EmulatorControl $emulator 'requests/reset' | Out-Null
        $pages = Get-DaytonaSnapshot -Name 'page-*'
        @($pages).Count | Should -Be 230
        @($pages.Name | Sort-Object -Unique).Count | Should -Be 230
        @(Get-DaytonaSnapshot).Count | Should -BeGreaterThan 230
        (Invoke-EmulatorControl $emulator 'requests' -Method Get).byRoute.'GET /api/snapshots' | Should -BeGreaterOrEqual 3
    }

    It 'stops paging early for Select-Object -First' {
        Invoke-EmulatorControl $emulator 'requests/reset' | Out-Null
        $first = Get-DaytonaSnapshot | Select-Object -First 1
        @($first).Count | Should -Be 1
        (Invoke-EmulatorControl $emulator 'requests' -Method Get).byRoute.'GET /api/snapshots' | Should -BeLessThan 3
    }

    It 'waits on all of them with list requests, not one request per snapshot' {
        Invoke-EmulatorControl $emulator 'requests/reset' | Out-Null
        $settled = Get-DaytonaSnapshot -Name 'page-*' | Wait-DaytonaSnapshot

        @($settled).Count | Should -Be 230
        @($settled.Name | Sort-Object -Unique).Count | Should -Be 230
        $settled.State | Sort-Object -Unique | Should -Be 'Active'
        (Invoke-EmulatorControl $emulator 'requests' -Method Get).total | Should -BeLessThan 20
    }

    # Snapshots that become active while the pages are read must not shift the pages: every snapshot comes out once.
    It 'returns every snapshot once while some of them settle during the listing' {
        1..120 | ForEach-Object { New-DaytonaSnapshot -Name ('drift-early-{0:000}' -f $_) -Image python:3.12-slim } | Wait-DaytonaSnapshot | Out-Null
        $late = 1..30 | ForEach-Object { 'drift-late-{0:00}' -f $_ }
        $slow = @{}
        foreach ($name in $late) { $slow[$name] = @{ durationMs = 30000 } }
        Invoke-EmulatorControl $emulator 'builds' -Method Put -Body @{ byName = $slow } | Out-Null
        $late | ForEach-Object { New-DaytonaSnapshot -Name $_ -Image python:3.12-slim } | Out-Null
        # Each page takes a second: the late snapshots become active (after 1.5 s) between the first page and the second.
        Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{ latencyMs = 1000 } | Out-Null
        try {
            $listed = Get-DaytonaSnapshot -Name 'drift-*'
        }
        finally {
            Invoke-EmulatorControl $emulator 'faults' -Method Put -Body @{} | Out-Null
        }

        @($listed.Name | Sort-Object -Unique).Count | Should -Be 150
        @($listed).Count | Should -Be 150
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

Describe 'Wait-DaytonaSnapshot -ShowBuildLog at a prompt' {
    It 'shows the build lines by default, hides them with 6>$null and hands them over with 6>&1' {
        # A fresh PowerShell whose stdout is what its terminal would show; $InformationPreference is the default.
        $run = Invoke-ChildPowerShell -Environment @{ DAYTONA_API_URL = "$($emulator.ApiUrl)"; DAYTONA_API_KEY = (Get-EmulatorKey $emulator) } -Script @'
function Build([string] $Name) { New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage requests | New-DaytonaSnapshot -Name $Name }
'MARK shown'
Build shown-log | Wait-DaytonaSnapshot -ShowBuildLog | Out-Null
'MARK hidden'
Build hidden-log | Wait-DaytonaSnapshot -ShowBuildLog 6>$null | Out-Null
'MARK captured'
$records = @(Build captured-log | Wait-DaytonaSnapshot -ShowBuildLog 6>&1 | Where-Object { $_ -is [System.Management.Automation.InformationRecord] })
"CAPTURED $($records.Count) $($records[0].Tags -join ',') $($records[0].MessageData)"
'@
        $run.Error | Should -BeNullOrEmpty
        $text = $run.Lines -join "`n"
        $shown = $text.Substring($text.IndexOf('MARK shown'), $text.IndexOf('MARK hidden') - $text.IndexOf('MARK shown'))
        $hidden = $text.Substring($text.IndexOf('MARK hidden'), $text.IndexOf('MARK captured') - $text.IndexOf('MARK hidden'))
        $shown | Should -Match '\[shown-log\] Step 1/'
        $hidden | Should -Not -Match '\[hidden-log\]'
        $captured = @($run.Lines | Where-Object { $_ -like 'CAPTURED *' })[0]
        $captured | Should -Match '^CAPTURED [1-9]\d* PSHOST,BuildLog,captured-log \[captured-log\] '
        $run.Lines | Where-Object { $_ -like '`[captured-log`]*' } | Should -BeNullOrEmpty -Because 'captured lines are not shown'
    }
}
