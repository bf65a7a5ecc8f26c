# Ctrl+C as a user presses it: pwsh runs in a real terminal (tmux), keys are typed into it, and the screen is read
# back. Stopping a wait, a capture, a restore or a workflow returns the prompt promptly (the time is printed), leaves
# the emulator started at that prompt running, leaves no lock or half-written file, and the repository verifies.
BeforeDiscovery {
    $script:skip = $null
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) { $script:skip = 'tmux is a Unix terminal multiplexer; Windows is covered by the emulator ignoring console Ctrl+C' }
    elseif (-not (Get-Command tmux -ErrorAction SilentlyContinue)) { $script:skip = 'tmux is not installed (apt-get install tmux; .ci/run installs it)' }
    if ($script:skip) { Write-Host "CtrlC.Tests.ps1 skipped: $script:skip" }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifest = Get-BuiltModulePath
    $script:pwsh = Join-Path $PSHOME 'pwsh'
    $script:session = "ctrlc-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
    $script:work = Join-Path $TestDrive 'ctrlc'
    New-Item -ItemType Directory -Path $work | Out-Null
    $script:timings = [System.Collections.Generic.List[string]]::new()

    function Get-Screen {
        # The whole pane with its scrollback, wrapped lines joined.
        (& tmux capture-pane -p -J -t $session -S -2000) -join "`n"
    }

    function Get-ScreenAfter([int] $Prompt) {
        # What the command typed at prompt number $Prompt wrote, without the command line itself.
        $screen = Get-Screen
        $at = $screen.LastIndexOf("PS-$Prompt> ")
        if ($at -lt 0) { return '' }
        $lines = $screen.Substring($at) -split "`n"
        ($lines | Select-Object -Skip 1) -join "`n"
    }

    function Get-LastPrompt {
        $numbers = [regex]::Matches((Get-Screen), 'PS-(\d+)> ') | ForEach-Object { [int]$_.Groups[1].Value }
        if ($numbers) { ($numbers | Measure-Object -Maximum).Maximum } else { 0 }
    }

    function Wait-Screen([scriptblock] $Until, [double] $Seconds, [string] $What) {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Until)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $Seconds s waiting for $What. Screen:`n$(Get-Screen)" }
            Start-Sleep -Milliseconds 10
        }
    }

    function Send-Line([string] $Text) {
        & tmux send-keys -t $session -l -- $Text
        & tmux send-keys -t $session Enter
    }

    function Invoke-AtPrompt([string] $Command, [double] $Seconds = 120) {
        # Types a command and waits for the next prompt.
        $prompt = Get-LastPrompt
        Send-Line $Command
        Wait-Screen { (Get-LastPrompt) -gt $prompt } $Seconds "the prompt after '$Command'"
    }

    function Stop-AtPrompt([string] $Command, [string] $RunningWhen, [string] $Name) {
        # Types a command, waits until the screen shows it is at work, presses Ctrl+C, and returns the seconds until
        # the next prompt appears.
        $prompt = Get-LastPrompt
        Send-Line $Command
        Wait-Screen { (Get-ScreenAfter $prompt) -match $RunningWhen -or (Get-LastPrompt) -gt $prompt } 120 "'$Command' to be at work"
        if ((Get-LastPrompt) -gt $prompt) { throw "'$Command' ended before Ctrl+C could stop it. Screen:`n$(Get-Screen)" }
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        & tmux send-keys -t $session C-c
        Wait-Screen { (Get-LastPrompt) -gt $prompt } 30 "the prompt after Ctrl+C on '$Command'"
        $seconds = $clock.Elapsed.TotalSeconds
        $line = 'Ctrl+C on {0}: prompt back in {1:0.000} s' -f $Name, $seconds
        $timings.Add($line)
        Write-Host "    $line"
        $seconds
    }

    function Read-Result([string] $Path) {
        Get-Content -LiteralPath $Path -Raw | ConvertFrom-Json
    }

    if (Get-Command tmux -ErrorAction SilentlyContinue) {
        # A prompt that numbers itself, so the test knows when a command has ended.
        Set-Content -LiteralPath (Join-Path $work 'init.ps1') -Value @"
function global:prompt { `$global:promptNumber++; "PS-`$(`$global:promptNumber)> " }
Import-Module '$manifest'
Set-Location '$work'
"@
        & tmux new-session -d -s $session -x 200 -y 50 "'$pwsh' -NoProfile -NoLogo -NoExit -File '$(Join-Path $work 'init.ps1')'"
        Wait-Screen { (Get-LastPrompt) -ge 1 } 60 'pwsh to start in the terminal'
        Invoke-AtPrompt '$emulator = Start-DaytonaEmulator -BuildDuration 600; $emulator | Connect-Daytona | Out-Null; $emulator.ProcessId | Set-Content emulator.pid'
        $script:emulatorPid = [int](Get-Content (Join-Path $work 'emulator.pid'))
    }

    function Assert-EmulatorAnswers {
        (Get-Process -Id $emulatorPid -ErrorAction SilentlyContinue) | Should -Not -BeNullOrEmpty -Because 'Ctrl+C at the prompt must not reach the emulator'
        Remove-Item (Join-Path $work 'list.json') -ErrorAction SilentlyContinue
        Invoke-AtPrompt '@(Get-DaytonaSnapshot).Count | ConvertTo-Json | Set-Content list.json'
        Join-Path $work 'list.json' | Should -Exist -Because 'Get-DaytonaSnapshot must still reach the emulator'
    }
}

AfterAll {
    if (Get-Command tmux -ErrorAction SilentlyContinue) {
        & tmux kill-session -t $session 2>$null
    }
    if ($timings.Count) { Write-Host ($timings -join "`n") }
}

Describe 'Ctrl+C at a pwsh prompt in a terminal' -Skip:([bool]$skip) {
    It 'stops a wait and the emulator started at the prompt keeps answering' {
        $seconds = Stop-AtPrompt -Name 'Wait-DaytonaSnapshot' -RunningWhen 'Snapshot slow' `
            -Command 'New-DaytonaSnapshot -Name slow -Image python:3.12-slim | Wait-DaytonaSnapshot'
        $seconds | Should -BeLessThan 5
        Assert-EmulatorAnswers
    }

    It 'stops an Arazzo workflow, and the emulator keeps answering' {
        $seed = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/workflows/daytona-io-build-and-activate-snapshot-workflow.yml')).Path
        $command = "Invoke-ArazzoWorkflow -Path '$seed' -ServerUrl @{ snapshotsApi = `"`$(`$emulator.ApiUrl)`" } -Inputs @{ apiToken = [System.Net.NetworkCredential]::new('', `$emulator.ApiKey).Password; name = 'flow'; imageName = 'python:3.12-slim' } -WarningAction SilentlyContinue"
        $seconds = Stop-AtPrompt -Name 'Invoke-ArazzoWorkflow' -RunningWhen 'Arazzo workflow' -Command $command
        $seconds | Should -BeLessThan 5
        Assert-EmulatorAnswers
    }

    Context 'checkpoints' {
        BeforeAll {
            # 512 MiB that does not compress: long enough to be stopped half way on any machine.
            $big = Join-Path $work 'big'
            New-Item -ItemType Directory -Path $big | Out-Null
            $random = [System.Random]::new(21)
            $buffer = [byte[]]::new(1MB)
            foreach ($file in 1..8) {
                $stream = [System.IO.File]::Create((Join-Path $big "part$file.bin"))
                try { foreach ($mb in 1..64) { $random.NextBytes($buffer); $stream.Write($buffer, 0, $buffer.Length) } } finally { $stream.Dispose() }
            }
            New-Item -ItemType Directory -Path (Join-Path $work 'small') | Out-Null
            Set-Content -Path (Join-Path $work 'small/app.py') -Value 'print("v1")'
            Invoke-AtPrompt 'New-Checkpoint -Path ./small -Repository ./repo -Name small | Out-Null'
        }

        It 'stops a capture: no checkpoint, no lock, no temporary file, and the repository verifies' {
            $seconds = Stop-AtPrompt -Name 'New-Checkpoint' -RunningWhen 'Capturing' -Command 'New-Checkpoint -Path ./big -Repository ./repo -Name big'
            $seconds | Should -BeLessThan 5

            Invoke-AtPrompt '@(Get-Checkpoint -Repository ./repo).Name | ConvertTo-Json | Set-Content names.json'
            Read-Result (Join-Path $work 'names.json') | Should -Be @('small')
            Invoke-AtPrompt '@(Test-Checkpoint -Repository ./repo).IsValid | ConvertTo-Json | Set-Content valid.json'
            Read-Result (Join-Path $work 'valid.json') | Should -Be @($true)
            @(Get-ChildItem (Join-Path $work 'repo/tmp') -Recurse -File -ErrorAction SilentlyContinue) | Should -BeNullOrEmpty -Because 'a stopped capture removes its temporary files'
            @(Get-ChildItem (Join-Path $work 'repo/writers') -Recurse -File -ErrorAction SilentlyContinue) | Should -BeNullOrEmpty -Because 'a stopped capture withdraws its writer marker'
            Join-Path $work 'repo/lock' | Should -Not -Exist -Because 'a stopped capture holds no lock'
            $packs = @(Get-ChildItem (Join-Path $work 'repo/packs') -Recurse -File -Filter *.pack | ForEach-Object { [System.IO.Path]::ChangeExtension($_.FullName, '.idx') })
            $packs | Where-Object { -not (Test-Path -LiteralPath $_) } | Should -BeNullOrEmpty -Because 'every pack a stopped capture leaves is complete, with its index'

            # No lock was left behind: the next capture runs at once.
            Invoke-AtPrompt '$full = New-Checkpoint -Path ./big -Repository ./repo -Name big; $full.Name | ConvertTo-Json | Set-Content full.json' 600
            Read-Result (Join-Path $work 'full.json') | Should -Be 'big'
        }

        It 'stops a restore: the destination is not half written and the repository verifies' {
            $seconds = Stop-AtPrompt -Name 'Restore-Checkpoint' -RunningWhen 'Restoring' -Command 'Restore-Checkpoint -Repository ./repo -Id $full.Id -Destination ./restored'
            $seconds | Should -BeLessThan 5

            Join-Path $work 'restored' | Should -Not -Exist
            # Restore writes beside the destination and renames; a stopped one leaves nothing there.
            Wait-Screen { -not (Get-ChildItem $work -Force -Filter '.restored*') } 10 'the stopped restore to remove its staging folder'
            Invoke-AtPrompt '@(Test-Checkpoint -Repository ./repo).IsValid | ConvertTo-Json | Set-Content valid.json' 600
            Read-Result (Join-Path $work 'valid.json') | Should -Be @($true, $true)
            Assert-EmulatorAnswers
        }
    }
}
