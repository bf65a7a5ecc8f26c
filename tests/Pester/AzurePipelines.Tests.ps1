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
