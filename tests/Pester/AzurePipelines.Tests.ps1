# What an Azure Pipelines script task sees: each case runs in its own pwsh with TF_BUILD=True, as the agent starts
# it, and the test reads the exact logging-command lines the agent would read from standard output.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    function Invoke-InJob {
        # Runs $Script in a fresh PowerShell as an Azure Pipelines task would (TF_BUILD=True, module imported).
        param([string] $Script, [switch] $OutsideJob)
        $job = Invoke-ChildPowerShell -Script $Script -Environment @{ TF_BUILD = $(if ($OutsideJob) { $null } else { 'True' }) }
        $job | Add-Member -NotePropertyName Vso -NotePropertyValue @($job.Lines | Where-Object { $_ -like '##vso`[*' }) -PassThru
    }
}

Describe 'Set-DaytonaPipelineVariable in a job' {
    It 'publishes one object''s properties as Prefix.Property, without flags unless asked' {
        $job = Invoke-InJob "[pscustomobject]@{ Id = 'a1'; Name = 'web' } | Set-DaytonaPipelineVariable -Prefix snap | Out-Null"
        $job.Vso | Should -Be @(
            '##vso[task.setvariable variable=snap.Id]a1'
            '##vso[task.setvariable variable=snap.Name]web'
        )
    }

    It 'gives several objects indexed names and publishes their count' {
        $job = Invoke-InJob "'web', 'api' | ForEach-Object { [pscustomobject]@{ Name = `$_; Cpu = 2 } } | Set-DaytonaPipelineVariable -Prefix snap -IsOutput | Out-Null"
        $job.Vso | Should -Be @(
            '##vso[task.setvariable variable=snap.0.Name;isOutput=true]web'
            '##vso[task.setvariable variable=snap.0.Cpu;isOutput=true]2'
            '##vso[task.setvariable variable=snap.1.Name;isOutput=true]api'
            '##vso[task.setvariable variable=snap.1.Cpu;isOutput=true]2'
            '##vso[task.setvariable variable=snap.Count;isOutput=true]2'
        )
    }

    It 'names each object''s variables by a -Name template' {
        $job = Invoke-InJob "'web', 'api' | ForEach-Object { [pscustomobject]@{ Name = `$_; Id = `"id-`$_`" } } | Set-DaytonaPipelineVariable -Name 'snap_{Name}.{Property}' -Property Id | Out-Null"
        $job.Vso | Should -Be @(
            '##vso[task.setvariable variable=snap_web.Id]id-web'
            '##vso[task.setvariable variable=snap_api.Id]id-api'
        )
    }

    It 'refuses a template that gives two objects the same name, and sets neither' {
        $job = Invoke-InJob @'
'web', 'api' | ForEach-Object { [pscustomobject]@{ Name = $_; Id = "id-$_" } } |
    Set-DaytonaPipelineVariable -Name 'snap.{Property}' -ErrorVariable problems -ErrorAction SilentlyContinue | Out-Null
$problems | ForEach-Object { 'ERR ' + $_.FullyQualifiedErrorId + ' ' + $_.Exception.Message }
'@
        $job.Vso | Should -BeNullOrEmpty
        $errors = @($job.Lines | Where-Object { $_ -like 'ERR *' })
        $errors.Count | Should -Be 2
        $errors[0] | Should -BeLike "ERR PipelineVariableNameCollision,*'snap.Name'*"
        $errors[1] | Should -BeLike "ERR PipelineVariableNameCollision,*'snap.Id'*"
    }

    It 'publishes a dictionary''s entries, not its Count and Keys' {
        $job = Invoke-InJob "[ordered]@{ snapshotId = 'abc'; state = 'active' } | Set-DaytonaPipelineVariable -Prefix workflow | Out-Null"
        $job.Vso | Should -Be @(
            '##vso[task.setvariable variable=workflow.snapshotId]abc'
            '##vso[task.setvariable variable=workflow.state]active'
        )
    }

    It 'refuses a prefix against Azure''s naming rule, saying the rule' {
        $job = Invoke-InJob @'
try { [pscustomobject]@{ Id = 1 } | Set-DaytonaPipelineVariable -Prefix 'my-snap' | Out-Null }
catch { 'ERR ' + $_.FullyQualifiedErrorId + ' | ' + $_.Exception.Message + ' | ' + $_.ErrorDetails.RecommendedAction }
'@
        $job.Vso | Should -BeNullOrEmpty
        $line = @($job.Lines | Where-Object { $_ -like 'ERR *' })[0]
        $line | Should -BeLike "ERR PipelineVariableNameInvalid,*'my-snap' contains '-'*letters, digits, '.' and '_'*"
    }

    It 'refuses names with characters or reserved prefixes, and sets the others' {
        $job = Invoke-InJob @'
@{ 'ok' = 1; 'has space' = 2 } | Set-DaytonaPipelineVariable -Prefix p -ErrorVariable problems -ErrorAction SilentlyContinue | Out-Null
[pscustomobject]@{ Value = 3 } | Set-DaytonaPipelineVariable -Name 'secret_{Property}' -ErrorVariable +problems -ErrorAction SilentlyContinue | Out-Null
$problems | ForEach-Object { 'ERR ' + $_.FullyQualifiedErrorId + ' ' + $_.Exception.Message }
'@
        $job.Vso | Should -Be @('##vso[task.setvariable variable=p.ok]1')
        $errors = @($job.Lines | Where-Object { $_ -like 'ERR *' })
        $errors[0] | Should -BeLike "ERR PipelineVariableNameInvalid,*'p.has space' contains ' '*"
        $errors[1] | Should -BeLike "ERR PipelineVariableNameInvalid,*'secret_Value' starts with 'secret'*"
    }

    It 'refuses names that are one variable for Azure (case, or . against _)' {
        $job = Invoke-InJob "[ordered]@{ 'a.b' = 1; 'A_B' = 2; c = 3 } | Set-DaytonaPipelineVariable -Prefix p -ErrorAction SilentlyContinue -ErrorVariable problems | Out-Null; `$problems | % { 'ERR ' + `$_.FullyQualifiedErrorId }"
        $job.Vso | Should -Be @('##vso[task.setvariable variable=p.c]3')
        $job.Lines | Should -Contain 'ERR PipelineVariableNameCollision,Daytona.Snapshots.AzureDevOps.SetDaytonaPipelineVariableCommand'
    }

    It 'maps -IsOutput, -IsSecret and -IsReadOnly to the command''s flags, and a secret shows nowhere else' {
        $job = Invoke-InJob @'
$key = ConvertTo-SecureString 'dtn_topsecret_value' -AsPlainText -Force
[pscustomobject]@{ Id = 'x'; Key = $key } | Set-DaytonaPipelineVariable -Prefix s -IsOutput -IsSecret -IsReadOnly -Verbose 4>&1 | Out-String
[pscustomobject]@{ Id = 'y'; Key = $key } | Set-DaytonaPipelineVariable -Prefix t -Verbose 4>&1 | Out-String
'@
        $job.Vso | Should -Be @(
            '##vso[task.setvariable variable=s.Id;isOutput=true;issecret=true;isreadonly=true]x'
            '##vso[task.setvariable variable=s.Key;isOutput=true;issecret=true;isreadonly=true]dtn_topsecret_value'
            '##vso[task.setvariable variable=t.Id]y'
        )
        $job.Lines | Where-Object { $_ -notlike '##vso`[*' } | Should -Not -Match 'dtn_topsecret_value'
        $job.Error | Should -Not -Match 'dtn_topsecret_value'
    }

    It 'sets nothing outside a job and passes the objects on' {
        $job = Invoke-InJob -OutsideJob "1, 2 | ForEach-Object { [pscustomobject]@{ N = `$_ } } | Set-DaytonaPipelineVariable -Prefix p | ForEach-Object { 'N=' + `$_.N }"
        $job.Vso | Should -BeNullOrEmpty
        $job.Lines | Should -Be @('N=1', 'N=2')
    }
}

Describe 'Errors and warnings in a job follow PowerShell''s error semantics' {
    BeforeAll {
        $script:sources = [System.IO.Path]::GetTempPath()

        function Invoke-Scenarios([string] $Script) {
            # Runs the scenarios in one job; returns, per MARK line, the issue lines written after it, and the script's path.
            $job = Invoke-ChildPowerShell -Script ("'SCRIPT ' + `$PSCommandPath`n" + $Script) -Environment @{ TF_BUILD = 'True'; BUILD_SOURCESDIRECTORY = $sources }
            $sections = [ordered]@{}
            $current = '(start)'
            $sections[$current] = [System.Collections.Generic.List[string]]::new()
            foreach ($line in $job.Lines) {
                if ($line -like 'MARK *') { $current = $line.Substring(5); $sections[$current] = [System.Collections.Generic.List[string]]::new(); continue }
                if ($line -like '##vso`[task.logissue*') { $sections[$current].Add($line) }
            }
            $path = @($job.Lines | Where-Object { $_ -like 'SCRIPT *' })[0].Substring(7)
            [pscustomobject]@{ Sections = $sections; Source = [System.IO.Path]::GetFileName($path); Job = $job }
        }

        function LineOf([string] $Script, [string] $Text) {
            # The line of the script file that holds $Text (the file starts with the module's import and the SCRIPT line).
            $index = [array]::FindIndex([string[]]($Script -split "`r?`n"), [Predicate[string]] { param($l) $l.Contains($Text) })
            $index + 3
        }

        $script:setup = @'
$null = New-Item -ItemType Directory -Path (Join-Path $env:TEMP_WORK 'src') -Force
Set-Content -Path (Join-Path $env:TEMP_WORK 'src/a.txt') -Value 'a'
$repo = Join-Path $env:TEMP_WORK 'repo'
$null = New-Checkpoint -Path (Join-Path $env:TEMP_WORK 'src') -Repository $repo
'@
    }

    It 'raises a shown error once, with its id and location; never a silenced or caught one' {
        $work = Join-Path $TestDrive 'scenarios'
        $scenarios = @'
'MARK shown'
Get-Checkpoint -Repository $repo -Id 20200101T000000Z
'MARK silently'
Get-Checkpoint -Repository $repo -Id 20200101T000000Z -ErrorAction SilentlyContinue
'MARK ignore'
Get-Checkpoint -Repository $repo -Id 20200101T000000Z -ErrorAction Ignore
'MARK preference'
& { $ErrorActionPreference = 'SilentlyContinue'; Get-Checkpoint -Repository $repo -Id 20200101T000000Z }
'MARK redirected'
Get-Checkpoint -Repository $repo -Id 20200101T000000Z 2>$null
'MARK caught'
try { Get-Checkpoint -Repository $repo -Id 20200101T000000Z -ErrorAction Stop } catch { }
'MARK caught by the caller'
function Find-Old { Get-Checkpoint -Repository $repo -Id 20200101T000000Z -ErrorAction Stop }
try { Find-Old } catch [System.Management.Automation.RuntimeException] { }
'MARK non-terminating in try'
try { Get-Checkpoint -Repository $repo -Id 20200101T000000Z } catch { }
'MARK end'
'@
        $env:TEMP_WORK = $work
        try { $run = Invoke-Scenarios ($setup + "`n" + $scenarios) } finally { Remove-Item Env:TEMP_WORK }
        $full = $setup + "`n" + $scenarios

        $expected = '##vso`[task.logissue type=error;sourcepath={0};linenumber={1};columnnumber=1;code=CheckpointNotFound]Get-Checkpoint: *' -f $run.Source, ((LineOf $full "'MARK shown'") + 1)
        @($run.Sections['shown']).Count | Should -Be 1
        $run.Sections['shown'][0] | Should -BeLike $expected
        $run.Sections['shown'][0] | Should -BeLike '*20200101T000000Z*'
        foreach ($silent in 'silently', 'ignore', 'preference', 'redirected', 'caught', 'caught by the caller') {
            @($run.Sections[$silent]) | Should -BeNullOrEmpty -Because "an error the user $silent does not reach the user"
        }
        @($run.Sections['non-terminating in try']).Count | Should -Be 1 -Because 'try/catch does not catch a non-terminating error: it is shown'
        $run.Sections['non-terminating in try'][0] | Should -BeLike ('*;linenumber={0};columnnumber=7;code=CheckpointNotFound]*' -f (LineOf $full 'try { Get-Checkpoint -Repository $repo -Id 20200101T000000Z } catch { }'))
    }

    It 'raises an error that -ErrorAction Stop makes terminating, when nothing catches it, once' {
        $work = Join-Path $TestDrive 'stop'
        $scenarios = @'
'MARK stop'
Get-Checkpoint -Repository $repo -Id 20200101T000000Z -ErrorAction Stop
'MARK after'
'@
        $env:TEMP_WORK = $work
        try { $run = Invoke-Scenarios ($setup + "`n" + $scenarios) } finally { Remove-Item Env:TEMP_WORK }
        $full = $setup + "`n" + $scenarios
        $run.Sections.Contains('after') | Should -BeFalse -Because 'the error ended the script'
        $run.Sections['stop'] | Should -BeLike ('##vso`[task.logissue type=error;sourcepath={0};linenumber={1};columnnumber=1;code=CheckpointNotFound]Get-Checkpoint: *' -f $run.Source, ((LineOf $full "'MARK stop'") + 1))
        @($run.Sections['stop']).Count | Should -Be 1
    }

    It 'raises a terminating error nothing catches, as the task''s own $ErrorActionPreference = ''Stop'' leaves it' {
        $scenarios = @'
$ErrorActionPreference = 'Stop'
'MARK no key'
Get-DaytonaSnapshot
'@
        $job = Invoke-ChildPowerShell -Script ("'SCRIPT ' + `$PSCommandPath`n" + $scenarios) -Environment @{ TF_BUILD = 'True'; BUILD_SOURCESDIRECTORY = $sources; DAYTONA_API_KEY = $null }
        $issues = @($job.Lines | Where-Object { $_ -like '##vso`[task.logissue*' })
        $issues.Count | Should -Be 1
        $issues[0] | Should -BeLike '##vso`[task.logissue type=error;sourcepath=daytona-child-*.ps1;linenumber=5;columnnumber=1;code=DaytonaApiKeyMissing]Get-DaytonaSnapshot: *'
        $job.ExitCode | Should -Not -Be 0
    }

    It 'does not raise a terminating error that try/catch handles' {
        $job = Invoke-InJob "try { Get-DaytonaSnapshot } catch { 'handled ' + `$_.FullyQualifiedErrorId }"
        @($job.Lines | Where-Object { $_ -like '##vso`[task.logissue*' }) | Should -BeNullOrEmpty
        $job.Lines | Should -Contain 'handled DaytonaApiKeyMissing,Daytona.Snapshots.Snapshots.GetDaytonaSnapshotCommand'
    }

    It 'raises a shown warning as type=warning, and not a silenced one' {
        $seed = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/workflows/daytona-io-build-and-activate-snapshot-workflow.yml')).Path
        $scenarios = @"
'MARK shown'
Invoke-ArazzoWorkflow -Path '$seed' -ServerUrl @{ nosuch = 'http://127.0.0.1:9/' } -Inputs @{} -ErrorAction SilentlyContinue | Out-Null
'MARK silenced'
Invoke-ArazzoWorkflow -Path '$seed' -ServerUrl @{ nosuch = 'http://127.0.0.1:9/' } -Inputs @{} -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
'MARK end'
"@
        $run = Invoke-Scenarios $scenarios
        $warning = @($run.Sections['shown'] | Where-Object { $_ -like '*-ServerUrl names*' })
        $warning.Count | Should -Be 1
        $warning[0] | Should -BeLike ('##vso`[task.logissue type=warning;sourcepath={0};linenumber={1};columnnumber=1]Invoke-ArazzoWorkflow: -ServerUrl names ''nosuch''*' -f $run.Source, ((LineOf $scenarios "'MARK shown'") + 1))
        @($run.Sections['shown'] | Where-Object { $_ -like '*type=error*' }) | Should -BeNullOrEmpty -Because 'the error was silenced'
        @($run.Sections['silenced']) | Should -BeNullOrEmpty
    }
}
