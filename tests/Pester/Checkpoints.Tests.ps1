# Checkpoints as a pwsh user keeps them: a folder captured twice, looked up by time, compared, restored and checked
# with Get-FileHash, renamed, verified, moved to another repository, removed; and snapshot definitions captured,
# their snapshots removed, and re-created from the checkpoint.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    $emulator = Start-DaytonaEmulator -TimeScale 0.05
    $emulator | Connect-Daytona | Out-Null

    function Get-FolderHash([string] $Path) {
        # Relative path and SHA-256 of every file, as a user would compare two folders.
        $root = (Resolve-Path $Path).Path
        Get-ChildItem -Path $root -Recurse -File | Sort-Object FullName | ForEach-Object {
            [pscustomobject]@{
                Path = $_.FullName.Substring($root.Length).TrimStart('\', '/').Replace('\', '/')
                Hash = (Get-FileHash -Path $_.FullName -Algorithm SHA256).Hash
            }
        }
    }

    function ConvertTo-Stamp([datetime] $Time) { $Time.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'") }
}

AfterAll {
    $emulator | Stop-DaytonaEmulator
}

Describe 'A folder checkpointed twice' {
    BeforeAll {
        $workspace = Join-Path $TestDrive 'workspace'
        $repository = Join-Path $TestDrive 'checkpoints'
        New-Item -ItemType Directory -Path (Join-Path $workspace 'src'), (Join-Path $workspace 'empty') | Out-Null
        Set-Content -Path (Join-Path $workspace 'src/app.py') -Value 'print("v1")'
        Set-Content -Path (Join-Path $workspace 'readme.md') -Value 'hello'
        [System.IO.File]::WriteAllBytes((Join-Path $workspace 'data.bin'), [byte[]](0..255 * 64))

        $first = New-Checkpoint -Path $workspace -Repository $repository -Name 'first'
        $firstHashes = Get-FolderHash $workspace

        # Leave a whole second between the two, so that an instant lies strictly between them.
        while ([datetime]::UtcNow -lt $first.Time.AddSeconds(2)) { Start-Sleep -Milliseconds 50 }
        Set-Content -Path (Join-Path $workspace 'src/app.py') -Value 'print("v2, longer")'
        Remove-Item -Path (Join-Path $workspace 'readme.md')
        Set-Content -Path (Join-Path $workspace 'src/new.py') -Value 'x = 1'
        $second = New-Checkpoint -Path $workspace -Repository $repository
        $secondHashes = Get-FolderHash $workspace
    }

    It 'writes checkpoints named by their UTC second' {
        $first.PSTypeNames | Should -Contain 'Daytona.Checkpoints.Checkpoint'
        $first.Id | Should -Match '^\d{8}T\d{6}Z$'
        $first.Id | Should -Be (ConvertTo-Stamp $first.Time)
        $first.Kind | Should -Be 'folder'
        $first.Name | Should -Be 'first'
        $first.Files | Should -Be 3
        $first.Size | Should -Be (12 + 6 + 16384)
        $first.Source | Should -Be (Resolve-Path $workspace).Path
        Test-Path (Join-Path $repository "checkpoints/$($first.Id).json") | Should -BeTrue
        $second.Time | Should -BeGreaterThan $first.Time
    }

    It 'stores unchanged content once' {
        $second.NewData | Should -BeLessThan $first.NewData -Because 'data.bin did not change'
        $second.NewData | Should -BeGreaterThan 0
    }

    It 'lists the checkpoints oldest first' {
        $list = Get-Checkpoint -Repository $repository
        $list.Id | Should -Be @($first.Id, $second.Id)
        (Get-Checkpoint -Repository $repository -Name 'fir*').Id | Should -Be $first.Id
        (Get-Checkpoint -Repository $repository -Source $workspace).Count | Should -Be 2
    }

    It 'finds a checkpoint at its exact time' {
        $found = Get-Checkpoint -Repository $repository -At $first.Id
        $found.Id | Should -Be $first.Id
        $found.ExactMatch | Should -BeTrue
        (Get-Checkpoint -Repository $repository -At $second.Time).Id | Should -Be $second.Id
    }

    It 'finds the newest checkpoint before a time between two' {
        $between = ConvertTo-Stamp $first.Time.AddSeconds(1)
        $found = Get-Checkpoint -Repository $repository -At $between
        $found.Id | Should -Be $first.Id
        $found.ExactMatch | Should -BeFalse
        (Get-Checkpoint -Repository $repository -At ([datetime]::UtcNow)).Id | Should -Be $second.Id
        (Get-Checkpoint -Repository $repository -At ([DateTimeOffset]::Now)).Id | Should -Be $second.Id
    }

    It 'says CheckpointNotFound before the first checkpoint' {
        $before = ConvertTo-Stamp $first.Time.AddDays(-1)
        { Get-Checkpoint -Repository $repository -At $before -ErrorAction Stop } | Should -Throw -ErrorId 'CheckpointNotFound,*'
        Get-Checkpoint -Repository $repository -At $before -ErrorAction SilentlyContinue -ErrorVariable problems
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].Exception.Message | Should -Match $first.Id
    }

    It 'answers a date before the first checkpoint typed as text with CheckpointNotFound, naming the UTC instant' {
        Get-Checkpoint -Repository $repository -At '2001-01-01' -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'CheckpointNotFound,*'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $utc = [datetime]::SpecifyKind([datetime]'2001-01-01', 'Local').ToUniversalTime()
        $problems[0].Exception.Message | Should -BeLike "*at or before $($utc.ToString("yyyyMMdd'T'HHmmss'Z'"))*"
        $problems[0].Exception.Message | Should -BeLike "*-At '2001-01-01' was read as local time (UTC*): $($utc.ToString('yyyy-MM-dd HH:mm:ss')) UTC*"
    }

    It 'reads every date form a user types, as local time unless it says otherwise: <Form>' -ForEach @(
        @{ Form = 'date and time'; Text = { $second.Time.ToLocalTime().AddSeconds(1).ToString('yyyy-MM-dd HH:mm:ss') } }
        @{ Form = 'ISO 8601 with Z'; Text = { $second.Time.AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") } }
        @{ Form = 'ISO 8601 with an offset'; Text = { $second.Time.AddHours(2).AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:ss'+02:00'") } }
        @{ Form = 'invariant culture'; Text = { $second.Time.ToLocalTime().AddSeconds(1).ToString('MM/dd/yyyy HH:mm:ss', [cultureinfo]::InvariantCulture) } }
        @{ Form = 'a [datetime]'; Text = { $second.Time.ToLocalTime().AddSeconds(1) } }
        @{ Form = 'the Pulp stamp'; Text = { $second.Id } }
    ) {
        # The instant looked up is a second after the checkpoint, which a fast run may not have reached yet.
        while ([datetime]::UtcNow -lt $second.Time.ToUniversalTime().AddSeconds(2)) { Start-Sleep -Milliseconds 100 }
        $at = & $Text
        $output = Get-Checkpoint -Repository $repository -At $at -Verbose 4>&1
        $checkpoint = @($output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $checkpoint.Id | Should -Be $second.Id
        $checkpoint.ExactMatch | Should -Be ($Form -eq 'the Pulp stamp')
        $looked = $second.Time.AddSeconds($(if ($Form -eq 'the Pulp stamp') { 0 } else { 1 }))
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -BeLike "*looking up $($looked.ToString('yyyy-MM-dd HH:mm:ss')) UTC ($($looked.ToString("yyyyMMdd'T'HHmmss'Z'")))*"
    }

    It 'answers (Get-Date).AddDays(-1) before the first checkpoint with CheckpointNotFound' {
        { Get-Checkpoint -Repository $repository -At (Get-Date).AddDays(-1) -ErrorAction Stop } | Should -Throw -ErrorId 'CheckpointNotFound,*'
    }

    It 'refuses a time in the future' {
        { Get-Checkpoint -Repository $repository -At ([datetime]::UtcNow.AddHours(1)) -ErrorAction Stop } |
            Should -Throw -ErrorId 'CheckpointTimeInFuture,*'
    }

    It 'refuses <Stamp> as CheckpointTimeInvalid' -ForEach @(
        @{ Stamp = '20259928T092752Z' }
        @{ Stamp = '20250318t140338z' }
        @{ Stamp = 'yesterday' }
    ) {
        { Get-Checkpoint -Repository $repository -At $Stamp -ErrorAction Stop } | Should -Throw -ErrorId 'CheckpointTimeInvalid,*'
        Get-Checkpoint -Repository $repository -At $Stamp -ErrorAction SilentlyContinue -ErrorVariable problems
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'compares the two checkpoints' {
        $differences = Compare-Checkpoint -Repository $repository -Id $first.Id -DifferenceId $second.Id

        $differences | ForEach-Object { $_.PSTypeNames | Should -Contain 'Daytona.Checkpoints.CheckpointDifference' }
        $differences | Sort-Object Path | ForEach-Object { '{0} {1}' -f $_.Change, $_.Path } |
            Should -Be @('Removed readme.md', 'Changed src/app.py', 'Added src/new.py')
        $changed = $differences | Where-Object Path -EQ 'src/app.py'
        $changed.OldSize | Should -Be 12
        $changed.NewSize | Should -Be 20
        $changed.Detail | Should -Be 'content'
    }

    It 'compares a checkpoint with the folder as it is now' {
        $second | Compare-Checkpoint -Path $workspace | Should -BeNullOrEmpty
        Set-Content -Path (Join-Path $workspace 'later.txt') -Value 'after the checkpoint'
        try {
            $now = $second | Compare-Checkpoint -Path $workspace
            $now.Path | Should -Be 'later.txt'
            $now.Change | Should -Be 'Added'
        }
        finally { Remove-Item (Join-Path $workspace 'later.txt') }
    }

    It 'restores the first checkpoint into a new folder byte for byte' {
        $destination = Join-Path $TestDrive 'restored-first'
        $restored = $first | Restore-Checkpoint -Destination $destination

        $restored | Should -BeOfType [System.IO.DirectoryInfo]
        $restored.FullName | Should -Be $destination
        Compare-Object (Get-FolderHash $destination) $firstHashes -Property Path, Hash | Should -BeNullOrEmpty
        (Get-FolderHash $destination).Count | Should -Be 3
        Test-Path (Join-Path $destination 'empty') -PathType Container | Should -BeTrue
        Test-Path (Join-Path $destination 'src/new.py') | Should -BeFalse
    }

    It 'refuses to restore into a folder that is not empty' {
        { Restore-Checkpoint -Repository $repository -Id $second.Id -Destination $workspace -ErrorAction Stop } |
            Should -Throw -ErrorId 'CheckpointDestinationNotEmpty,*'
    }

    It 'renames a checkpoint and keeps its id and content' {
        $renamed = Rename-Checkpoint -Repository $repository -Id $second.Id -NewName 'after the change'

        $renamed.Id | Should -Be $second.Id
        $renamed.Name | Should -Be 'after the change'
        (Get-Checkpoint -Repository $repository -Id $second.Id).Name | Should -Be 'after the change'
        (Get-Checkpoint -Repository $repository -Name 'after*').Id | Should -Be $second.Id
    }

    It 'verifies every checkpoint' {
        $results = Test-Checkpoint -Repository $repository

        $results.Id | Should -Be @($first.Id, $second.Id)
        $results.IsValid | Should -Be @($true, $true)
        ($results | Where-Object Id -EQ $first.Id).Files | Should -Be 3
        ($results | Where-Object Id -EQ $first.Id).Bytes | Should -Be $first.Size
    }

    It 'moves a checkpoint to a second repository through an archive' {
        $archive = Export-Checkpoint -Repository $repository -Id $second.Id -Path (Join-Path $TestDrive 'second.dyckpt')
        $archive | Should -BeOfType [System.IO.FileInfo]
        $archive.Length | Should -BeGreaterThan 0

        $otherRepository = Join-Path $TestDrive 'other-machine'
        $imported = Import-Checkpoint -Path $archive.FullName -Repository $otherRepository

        $imported.Id | Should -Be $second.Id
        $imported.Name | Should -Be 'after the change'
        (Get-Checkpoint -Repository $otherRepository).Id | Should -Be $second.Id
        (Get-Checkpoint -Repository $otherRepository -At $second.Id).ExactMatch | Should -BeTrue
        (Test-Checkpoint -Repository $otherRepository -Id $second.Id).IsValid | Should -BeTrue
        $destination = Join-Path $TestDrive 'restored-from-other'
        Restore-Checkpoint -Repository $otherRepository -Id $second.Id -Destination $destination | Out-Null
        Compare-Object (Get-FolderHash $destination) $secondHashes -Property Path, Hash | Should -BeNullOrEmpty
        # Importing it again changes nothing.
        (Import-Checkpoint -Path $archive.FullName -Repository $otherRepository).Id | Should -Be $second.Id
        @(Get-Checkpoint -Repository $otherRepository).Count | Should -Be 1
    }

    It 'refuses a tampered archive with CheckpointArchiveInvalid and imports nothing' {
        $archive = Export-Checkpoint -Repository $repository -Id $first.Id -Path (Join-Path $TestDrive 'first.dyckpt')
        $bytes = [System.IO.File]::ReadAllBytes($archive.FullName)
        $bytes[$bytes.Length - 40] = $bytes[$bytes.Length - 40] -bxor 0xFF
        $tampered = Join-Path $TestDrive 'tampered.dyckpt'
        [System.IO.File]::WriteAllBytes($tampered, $bytes)
        $target = Join-Path $TestDrive 'tamper-target'

        { Import-Checkpoint -Path $tampered -Repository $target -ErrorAction Stop } | Should -Throw -ErrorId 'CheckpointArchiveInvalid,*'
        Get-Checkpoint -Repository $target -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'removes nothing with -WhatIf' {
        Remove-Checkpoint -Repository $repository -Id $first.Id -WhatIf
        (Get-Checkpoint -Repository $repository).Id | Should -Contain $first.Id
    }

    It 'removes a checkpoint with -Confirm:$false and drops only its own content' {
        $storedBefore = (Get-ChildItem -Path $repository -Recurse -File | Measure-Object -Property Length -Sum).Sum
        $removed = Remove-Checkpoint -Repository $repository -Id $first.Id -Confirm:$false -PassThru

        $removed.Id | Should -Be $first.Id
        (Get-Checkpoint -Repository $repository).Id | Should -Be @($second.Id)
        { Get-Checkpoint -Repository $repository -Id $first.Id -ErrorAction Stop } | Should -Throw -ErrorId 'CheckpointNotFound,*'
        Test-Path (Join-Path $repository "checkpoints/$($first.Id).json") | Should -BeFalse
        (Get-ChildItem -Path $repository -Recurse -File | Measure-Object -Property Length -Sum).Sum | Should -BeLessThan $storedBefore
        (Test-Checkpoint -Repository $repository).IsValid | Should -BeTrue
        # The lookup by time now starts at the second checkpoint.
        { Get-Checkpoint -Repository $repository -At $first.Id -ErrorAction Stop } | Should -Throw -ErrorId 'CheckpointNotFound,*'
    }
}

Describe 'Checkpoints down the pipeline' {
    BeforeAll {
        Push-Location $TestDrive
        New-Item -ItemType Directory -Path ./piped | Out-Null
        Set-Content -Path ./piped/a.txt -Value 'one'
        $one = New-Checkpoint -Path ./piped -Repository ./piped-repository -Name 'one'
        Set-Content -Path ./piped/a.txt -Value 'two'
        $two = New-Checkpoint -Path ./piped -Repository ./piped-repository
    }

    AfterAll {
        Pop-Location
    }

    It 'looks up by a [DateTimeOffset] in another offset, as the same instant' {
        $sameInstant = [DateTimeOffset]::new([datetime]::SpecifyKind($one.Time, 'Unspecified').AddHours(2), [TimeSpan]::FromHours(2))
        $found = Get-Checkpoint -Repository ./piped-repository -At $sameInstant
        $found.Id | Should -Be $one.Id
        $found.ExactMatch | Should -BeTrue
    }

    It 'filters by a relative -Source' {
        (Get-Checkpoint -Repository ./piped-repository -Source ./piped).Id | Should -Be @($one.Id, $two.Id)
        Get-Checkpoint -Repository ./piped-repository -Source ./elsewhere | Should -BeNullOrEmpty
    }

    It 'binds Id and Repository from a piped checkpoint' {
        ($one | Compare-Checkpoint -DifferenceId $two.Id).Path | Should -Be 'a.txt'
        ($one | Test-Checkpoint).IsValid | Should -BeTrue
        ($two | Rename-Checkpoint -NewName 'two').Name | Should -Be 'two'
        ($one | Export-Checkpoint -Path ./one.dyckpt).Name | Should -Be 'one.dyckpt'
        (Get-Checkpoint -Repository ./piped-repository -Name 'one' | Restore-Checkpoint -Destination ./piped-one).Name | Should -Be 'piped-one'
        Get-Content -Path ./piped-one/a.txt | Should -Be 'one'
    }

    It 'removes a label with an empty -NewName' {
        (Rename-Checkpoint -Repository ./piped-repository -Id $one.Id -NewName '').Name | Should -BeNullOrEmpty
        (Get-Checkpoint -Repository ./piped-repository -Id $one.Id).Name | Should -BeNullOrEmpty
    }
}

Describe 'Retention: the newest N checkpoints of each source' {
    BeforeAll {
        $repo = Join-Path $TestDrive 'retention-repo'
        $api = Join-Path $TestDrive 'api'
        $web = Join-Path $TestDrive 'web'
        New-Item -ItemType Directory -Path $api, $web | Out-Null
        $apiIds = foreach ($i in 1..4) { Set-Content (Join-Path $api 'v.txt') "api $i"; (New-Checkpoint -Path $api -Repository $repo).Id }
        $webIds = foreach ($i in 1..2) { Set-Content (Join-Path $web 'v.txt') "web $i"; (New-Checkpoint -Path $web -Repository $repo).Id }
    }

    It 'lists with -WhatIf what -KeepLast would remove, and removes nothing' {
        Remove-Checkpoint -Repository $repo -KeepLast 2 -WhatIf
        @(Get-Checkpoint -Repository $repo).Count | Should -Be 6
        $whatIf = (Invoke-ChildPowerShell "Remove-Checkpoint -Repository '$repo' -KeepLast 2 -WhatIf").Lines
        @($whatIf | Where-Object { $_ -match '^What if' }).Count | Should -Be 2
        ($whatIf -join "`n") | Should -Match ([regex]::Escape($apiIds[0]))
        ($whatIf -join "`n") | Should -Match ([regex]::Escape($apiIds[1]))
        ($whatIf -join "`n") | Should -Not -Match ([regex]::Escape($apiIds[2]))
        @(Get-Checkpoint -Repository $repo).Count | Should -Be 6
    }

    It 'removes only the older checkpoints of -Source and emits them with -PassThru' {
        $removed = @(Remove-Checkpoint -Repository $repo -KeepLast 3 -Source $api -Force -PassThru)
        $removed.Id | Should -Be @($apiIds[0])
        (Get-Checkpoint -Repository $repo -Source $api).Id | Should -Be $apiIds[1..3]
        (Get-Checkpoint -Repository $repo -Source $web).Id | Should -Be $webIds
        Test-Checkpoint -Repository $repo | ForEach-Object { $_.IsValid | Should -BeTrue }
    }

    It 'keeps the newest -KeepLast of every source after each capture once the repository says so' {
        Set-CheckpointRepository -Repository $repo -KeepLast 1 -Confirm:$false
        $info = Get-CheckpointRepository -Repository $repo
        $info.KeepLast | Should -Be 1
        $info.Checkpoints | Should -Be 5
        Set-Content (Join-Path $api 'v.txt') 'api 5'
        $last = New-Checkpoint -Path $api -Repository $repo -WarningVariable warnings
        $warnings | Should -BeNullOrEmpty
        (Get-Checkpoint -Repository $repo -Source $api).Id | Should -Be @($last.Id)
        (Get-Checkpoint -Repository $repo -Source $web).Id | Should -Be $webIds
        (Get-CheckpointRepository -Repository $repo).Sources[$api] | Should -Be 1
    }

    It 'turns retention off with -KeepLast 0' {
        $info = Set-CheckpointRepository -Repository $repo -KeepLast 0 -PassThru
        $info.KeepLast | Should -BeNullOrEmpty
        Set-Content (Join-Path $api 'v.txt') 'api 6'
        New-Checkpoint -Path $api -Repository $repo | Out-Null
        @(Get-Checkpoint -Repository $repo -Source $api).Count | Should -Be 2
    }

    It 'refuses -KeepLast 0 for a removal' {
        { Remove-Checkpoint -Repository $repo -KeepLast 0 -Force } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Daytona.Snapshots.Checkpoints.RemoveCheckpointCommand'
    }
}

Describe 'What a folder checkpoint keeps' -Skip:([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
    BeforeAll {
        $source = Join-Path $TestDrive 'kinds'
        New-Item -ItemType Directory -Path (Join-Path $source 'sub'), (Join-Path $source 'with space'), (Join-Path $source 'ünï') | Out-Null
        Set-Content -Path (Join-Path $source 'with space/a b.txt') -Value 'spaces'
        Set-Content -Path (Join-Path $source 'ünï/ça.txt') -Value 'unicode'
        New-Item -ItemType File -Path (Join-Path $source 'empty.txt') | Out-Null
        $bigBytes = [byte[]]::new(5MB)
        [System.Random]::new(42).NextBytes($bigBytes)
        [System.IO.File]::WriteAllBytes((Join-Path $source 'big.bin'), $bigBytes)
        Set-Content -Path (Join-Path $source 'run.sh') -Value '#!/bin/sh'
        & chmod 755 (Join-Path $source 'run.sh')
        (Get-Item (Join-Path $source 'run.sh')).LastWriteTimeUtc = [datetime]::new(2020, 1, 2, 3, 4, 5, [DateTimeKind]::Utc)
        New-Item -ItemType SymbolicLink -Path (Join-Path $source 'link') -Target 'sub' | Out-Null
        $kindsRepository = Join-Path $TestDrive 'kinds-repository'
    }

    It 'creates nothing with -WhatIf' {
        New-Checkpoint -Path $source -Repository $kindsRepository -WhatIf | Should -BeNullOrEmpty
        Test-Path $kindsRepository | Should -BeFalse
    }

    It 'restores names, empty and large files, modes, times and links' {
        $checkpoint = New-Checkpoint -Path $source -Repository $kindsRepository
        $checkpoint.Files | Should -Be 5
        $destination = Join-Path $TestDrive 'kinds-restored'
        $checkpoint | Restore-Checkpoint -Destination $destination | Out-Null

        Compare-Object (Get-FolderHash $destination) (Get-FolderHash $source) -Property Path, Hash | Should -BeNullOrEmpty
        Get-Content -Path (Join-Path $destination 'ünï/ça.txt') | Should -Be 'unicode'
        (Get-Item (Join-Path $destination 'empty.txt')).Length | Should -Be 0
        (Get-Item (Join-Path $destination 'big.bin')).Length | Should -Be 5MB
        (Get-Item (Join-Path $destination 'run.sh')).UnixMode | Should -Be '-rwxr-xr-x'
        (Get-Item (Join-Path $destination 'run.sh')).LastWriteTimeUtc | Should -Be ([datetime]::new(2020, 1, 2, 3, 4, 5, [DateTimeKind]::Utc))
        $link = Get-Item (Join-Path $destination 'link')
        $link.LinkType | Should -Be 'SymbolicLink'
        $link.LinkTarget | Should -Be 'sub'
    }

    It 'says on -Verbose which zstd compressed the new data: the system libzstd on 64-bit Linux, else ZstdSharp' {
        $output = New-Checkpoint -Path $source -Repository (Join-Path $TestDrive 'verbose-repository') -Verbose 4>&1
        $line = @(@($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -match 'new data \(compressed with ')
        $line | Should -HaveCount 1
        $system = '/lib/x86_64-linux-gnu/libzstd.so.1', '/usr/lib/x86_64-linux-gnu/libzstd.so.1', '/lib/aarch64-linux-gnu/libzstd.so.1', '/usr/lib/aarch64-linux-gnu/libzstd.so.1', '/usr/lib64/libzstd.so.1' |
            Where-Object { Test-Path $_ }
        if ($IsLinux -and [Environment]::Is64BitProcess -and $system) {
            $line[0] | Should -Match 'compressed with libzstd 1\.\d+\.\d+\)\.$'
        } else {
            $line[0] | Should -Match 'compressed with ZstdSharp\)\.$'
        }
    }

    It 'records a mode or a folder time changed alone between two captures in one session' {
        # The second capture keeps what the first listed of every folder still as it was: what changed must show anyway.
        $tree = Join-Path $TestDrive 'session'
        New-Item -ItemType Directory -Path (Join-Path $tree 'app/lib') | Out-Null
        Set-Content -Path (Join-Path $tree 'app/run.sh') -Value '#!/bin/sh'
        Set-Content -Path (Join-Path $tree 'app/lib/x.txt') -Value 'x'
        $sessionRepository = Join-Path $TestDrive 'session-repository'
        $before = New-Checkpoint -Path $tree -Repository $sessionRepository

        & chmod 700 (Join-Path $tree 'app/run.sh')
        $folderTime = [datetime]::new(2021, 6, 7, 8, 9, 10, [DateTimeKind]::Utc)
        (Get-Item (Join-Path $tree 'app/lib')).LastWriteTimeUtc = $folderTime
        $after = New-Checkpoint -Path $tree -Repository $sessionRepository

        $after.Id | Should -Not -Be $before.Id
        $after.NewData | Should -Be 0
        $before | Compare-Checkpoint -Path $tree | Where-Object Path -eq 'app/run.sh' | Should -Not -BeNullOrEmpty
        $after | Compare-Checkpoint -Path $tree | Should -BeNullOrEmpty
        $destination = Join-Path $TestDrive 'session-restored'
        $after | Restore-Checkpoint -Destination $destination | Out-Null
        (Get-Item (Join-Path $destination 'app/run.sh')).UnixMode | Should -Be '-rwx------'
        (Get-Item (Join-Path $destination 'app/lib')).LastWriteTimeUtc | Should -Be $folderTime
    }

    It 'sees a mode change, and stores only the changed part of a large file' {
        & chmod 700 (Join-Path $source 'run.sh')
        $checkpoint = Get-Checkpoint -Repository $kindsRepository -At ([datetime]::UtcNow)
        $mode = $checkpoint | Compare-Checkpoint -Path $source
        $mode.Path | Should -Be 'run.sh'
        $mode.Detail | Should -Be 'mode'

        $bigBytes[2MB] = $bigBytes[2MB] -bxor 1
        [System.IO.File]::WriteAllBytes((Join-Path $source 'big.bin'), $bigBytes)
        $next = New-Checkpoint -Path $source -Repository $kindsRepository
        $next.Id | Should -Not -Be $checkpoint.Id
        $next.NewData | Should -BeLessThan 2MB -Because 'one changed byte changes one chunk, not the whole 5 MB file'
        $next.NewData | Should -BeGreaterThan 0
    }
}

Describe 'A checkpoint of snapshot definitions' {
    BeforeAll {
        $repository = Join-Path $TestDrive 'snapshot-checkpoints'
        $snapshots = @(
            New-DaytonaSnapshot -Name ck-python -Image python:3.12-slim -Cpu 2 -Memory 4 -Disk 6
            New-DaytonaImage -Base python:3.12-slim | Add-DaytonaImageCommand 'echo checkpointed' | New-DaytonaSnapshot -Name ck-built
        ) | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot
        $recorded = Get-DaytonaSnapshot -Name 'ck-*' | Select-Object Name, ImageName, Cpu, Mem, Disk, @{ n = 'Dockerfile'; e = { $_.BuildInfo.DockerfileContent } }
        $checkpoint = $snapshots | New-Checkpoint -Repository $repository -Name 'snapshots'
    }

    It 'records the piped snapshots as a document' {
        @($snapshots).Count | Should -Be 2
        $checkpoint.Kind | Should -Be 'document'
        $checkpoint.Source | Should -Be "daytona:$($emulator.ApiUrl)"
        $checkpoint.Name | Should -Be 'snapshots'
        (Get-Checkpoint -Repository $repository -Source "daytona:$($emulator.ApiUrl)").Id | Should -Be $checkpoint.Id
    }

    It 're-creates removed snapshots from the checkpoint' {
        Get-DaytonaSnapshot -Name 'ck-*' | Remove-DaytonaSnapshot -Confirm:$false
        Wait-SnapshotGone -Name ck-python
        Wait-SnapshotGone -Name ck-built
        Get-DaytonaSnapshot -Name 'ck-*' | Should -BeNullOrEmpty

        $recreated = $checkpoint | Restore-Checkpoint | Wait-DaytonaSnapshot

        $recreated.Name | Sort-Object | Should -Be @('ck-built', 'ck-python')
        $recreated.State | Should -Be @('Active', 'Active')
        $now = Get-DaytonaSnapshot -Name 'ck-*' | Select-Object Name, ImageName, Cpu, Mem, Disk, @{ n = 'Dockerfile'; e = { $_.BuildInfo.DockerfileContent } }
        Compare-Object $recorded $now -Property Name, ImageName, Cpu, Mem, Disk, Dockerfile | Should -BeNullOrEmpty
    }

    It 'leaves snapshots that exist alone' {
        $ids = (Get-DaytonaSnapshot -Name 'ck-*' | Sort-Object Name).Id
        Restore-Checkpoint -Repository $repository -Id $checkpoint.Id | Should -BeNullOrEmpty
        (Get-DaytonaSnapshot -Name 'ck-*' | Sort-Object Name).Id | Should -Be $ids
    }

    It 're-creates only what is missing' {
        Remove-DaytonaSnapshot -Name ck-python -Confirm:$false
        Wait-SnapshotGone -Name ck-python
        $builtId = (Get-DaytonaSnapshot -Name ck-built).Id

        $recreated = Restore-Checkpoint -Repository $repository -Id $checkpoint.Id -WhatIf
        $recreated | Should -BeNullOrEmpty
        { Get-DaytonaSnapshot -Name ck-python -ErrorAction Stop } | Should -Throw -ErrorId 'SnapshotNotFound,*'

        $recreated = Restore-Checkpoint -Repository $repository -Id $checkpoint.Id
        $recreated.Name | Should -Be 'ck-python'
        ($recreated | Wait-DaytonaSnapshot).Cpu | Should -Be 2
        (Get-DaytonaSnapshot -Name ck-built).Id | Should -Be $builtId
    }
}
