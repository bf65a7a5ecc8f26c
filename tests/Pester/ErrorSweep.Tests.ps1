# The error sweep: every cmdlet's parameters, from the module's own parameter metadata (a new cmdlet or parameter is
# swept without editing this file), with a wrong type, a missing file, an unreadable folder, an empty string and $null
# from the pipeline. Each case must end in an ErrorRecord with a category and a stable ErrorId; the module's own errors
# must also name the offending value and recommend what to do, and never be UnexpectedError (a .NET message leaking).
# The engine's parameter binding errors (ParameterArgumentTransformationError, ParameterArgumentValidationError…) are
# PowerShell's own contract and are accepted as they are; the summary counts them apart.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force

    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters + 'WhatIf', 'Confirm'
    # Parameters that name something the command creates, or a path inside an image: a missing one is not an error.
    $creates = 'Export-Checkpoint.Path', 'Start-ArazzoRecording.Path', 'Restore-Checkpoint.Destination', 'New-Checkpoint.Repository',
        'Import-Checkpoint.Repository', 'Set-CheckpointRepository.Repository', 'Add-DaytonaImageFile.Destination', 'Add-DaytonaImageDirectory.Destination',
        'Set-DaytonaImageWorkingDirectory.Path', 'Start-CheckpointServer.PathBase', 'Compare-Checkpoint.Path'
    $pathLike = '^(Path|LiteralPath|Repository|Dockerfile|RequirementsFile|PyprojectFile|ContextPath|Destination)$'
    # Types a plain string cannot stand for: a string given for them is a wrong type.
    $typed = 'Int32', 'Double', 'TimeSpan', 'Hashtable', 'IDictionary', 'DaytonaImage', 'Snapshot', 'SecureString', 'DaytonaConnection',
        'EmulatorInstance[]', 'CheckpointServerInstance[]'

    $sweepCases = foreach ($command in Get-Command -Module Daytona.Snapshots -CommandType Cmdlet | Sort-Object Name) {
        $seen = @{}
        foreach ($set in $command.ParameterSets) {
            foreach ($parameter in $set.Parameters) {
                if ($parameter.Name -in $common -or $seen.ContainsKey($parameter.Name)) { continue }
                $seen[$parameter.Name] = $true
                $type = $parameter.ParameterType
                # A parameter that declares [AllowEmptyString] or [AllowNull] takes those on purpose (its help says what they mean).
                $allowsEmpty = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.AllowEmptyStringAttribute] })
                $allowsNull = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.AllowNullAttribute] })
                $case = @{ Command = $command.Name; Parameter = $parameter.Name; Set = $set.Name; Type = $type.Name }
                if (($type -eq [string] -or $type -eq [string[]]) -and -not $allowsEmpty) {
                    @{ Kind = 'empty string'; Value = '' } + $case
                }
                if ($type.Name -in $typed) {
                    @{ Kind = 'wrong type'; Value = 'not-a-' + $type.Name.TrimEnd('[]') } + $case
                }
                if ($parameter.Name -match $pathLike -and "$($command.Name).$($parameter.Name)" -notin $creates -and $type -eq [string]) {
                    @{ Kind = 'missing file'; Value = 'no-such-' + $parameter.Name.ToLowerInvariant() } + $case
                    @{ Kind = 'unreadable folder'; Value = 'unreadable' } + $case
                }
                if ($parameter.ValueFromPipeline -and -not $allowsNull) {
                    @{ Kind = '$null from the pipeline'; Value = $null } + $case
                }
            }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    $secret = 'dtn_sweep_' + [guid]::NewGuid().ToString('N')
    $emulator = Start-DaytonaEmulator -TimeScale 0.05 -ApiKey (ConvertTo-SecureString $secret -AsPlainText -Force)
    $connection = $emulator | Connect-Daytona
    $savedKey = $env:DAYTONA_API_KEY; $savedUrl = $env:DAYTONA_API_URL
    $savedRepository = $env:DAYTONA_CHECKPOINT_REPOSITORY
    $env:DAYTONA_API_KEY = $secret; $env:DAYTONA_API_URL = $emulator.ApiUrl.ToString()

    $workspace = Join-Path $TestDrive 'workspace'
    New-Item -ItemType Directory -Path $workspace | Out-Null
    Set-Content -Path (Join-Path $workspace 'a.txt') -Value 'alpha'
    Set-Content -Path (Join-Path $workspace 'requirements.txt') -Value 'requests'
    Set-Content -Path (Join-Path $workspace 'pyproject.toml') -Value "[project]`nname = 'x'`ndependencies = ['requests']"
    Set-Content -Path (Join-Path $workspace 'Dockerfile') -Value "FROM python:3.12-slim`nRUN echo hi"
    $repository = Join-Path $TestDrive 'repository'
    $checkpoint = New-Checkpoint -Path $workspace -Repository $repository
    $env:DAYTONA_CHECKPOINT_REPOSITORY = $repository
    $archive = Join-Path $TestDrive 'checkpoint.tar'
    Export-Checkpoint -Repository $repository -Id $checkpoint.Id -Path $archive
    $unreadable = Join-Path $TestDrive 'unreadable'
    New-Item -ItemType Directory -Path $unreadable | Out-Null
    Set-Content -Path (Join-Path $unreadable 'inside.txt') -Value 'x'
    $isRoot = ([Environment]::OSVersion.Platform -eq 'Unix') -and ((& id -u) -eq '0')
    if ([Environment]::OSVersion.Platform -eq 'Unix') { & chmod 000 $unreadable }
    $workflow = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/workflows/daytona-io-build-and-activate-snapshot-workflow.yml')).Path

    # A valid value for each parameter a case needs beside the one it sweeps (by Command.Parameter, else by name).
    $valid = @{
        'Image' = { New-DaytonaImage -DebianSlim '3.12' }
        'Path' = { $workspace }
        'Repository' = { $repository }
        'Id' = { $checkpoint.Id }
        'DifferenceId' = { $checkpoint.Id }
        'NewName' = { 'renamed-by-sweep' }
        'Name' = { 'sweep-' + [guid]::NewGuid().ToString('N').Substring(0, 8) }
        'Command' = { 'echo', 'hi' }
        'Exec' = { 'echo', 'hi' }
        'Instruction' = { 'RUN echo hi' }
        'Destination' = { '/app/a.txt' }
        'Variable' = { @{ SWEEP = '1' } }
        'Prefix' = { 'Sweep' }
        'InputObject' = { [pscustomobject]@{ A = 1 } }
        'At' = { Get-Date }
        'KeepLast' = { 50 }
        'Base' = { 'python:3.12-slim' }
        'DebianSlim' = { '3.12' }
        'Dockerfile' = { Join-Path $workspace 'Dockerfile' }
        'RequirementsFile' = { Join-Path $workspace 'requirements.txt' }
        'PyprojectFile' = { Join-Path $workspace 'pyproject.toml' }
        'Uri' = { 'http://127.0.0.1:9/nothing/' }
        'Get-ArazzoWorkflow.Path' = { $workflow }
        'Test-ArazzoWorkflow.Path' = { $workflow }
        'Invoke-ArazzoWorkflow.Path' = { $workflow }
        'Set-DaytonaImageWorkingDirectory.Path' = { '/app' }
        'Add-DaytonaImageFile.Path' = { Join-Path $workspace 'a.txt' }
        'Import-Checkpoint.Path' = { $archive }
        'Export-Checkpoint.Path' = { Join-Path $TestDrive ('export-' + [guid]::NewGuid().ToString('N') + '.tar') }
        'Compare-Checkpoint.Path' = { $workspace }
        'Stop-DaytonaEmulator.InputObject' = { $emulator }
    }
    # Optional parameters a command needs to get as far as the one swept (the others come from the environment).
    $alsoPass = @{
        'Restore-Checkpoint' = { @{ Id = $checkpoint.Id; Destination = (Join-Path $TestDrive ('restore-' + [guid]::NewGuid().ToString('N'))) } }
    }
    $script:tally = @{}

    function Invoke-SweepCase($Case) {
        $command = Get-Command $Case.Command
        $set = $command.ParameterSets | Where-Object Name -eq $Case.Set
        $arguments = @{}
        foreach ($other in $set.Parameters | Where-Object { $_.IsMandatory -and $_.Name -ne $Case.Parameter }) {
            if ($other.ParameterType -eq [switch]) { $arguments[$other.Name] = $true; continue }
            $value = $valid["$($Case.Command).$($other.Name)"]
            if (-not $value) { $value = $valid[$other.Name] }
            if (-not $value) { throw "The sweep has no valid value for -$($other.Name) of $($Case.Command): add one to `$valid." }
            $arguments[$other.Name] = & $value
        }
        if ($alsoPass.ContainsKey($Case.Command)) {
            $extra = & $alsoPass[$Case.Command]
            foreach ($name in $extra.Keys) { if ($name -ne $Case.Parameter) { $arguments[$name] = $extra[$name] } }
        }
        if ($command.Parameters.ContainsKey('Confirm')) { $arguments['Confirm'] = $false }
        if ($command.Parameters.ContainsKey('Connection') -and $Case.Parameter -ne 'Connection') { $arguments['Connection'] = $connection }
        $value = switch ($Case.Kind) {
            'missing file' { Join-Path $TestDrive $Case.Value }
            'unreadable folder' { $unreadable }
            default { $Case.Value }
        }
        $errors = @()
        $output = @()
        try {
            if ($Case.Kind -eq '$null from the pipeline') {
                $output = @($null | & $Case.Command @arguments -ErrorAction Stop)
            }
            else {
                $arguments[$Case.Parameter] = $value
                $output = @(& $Case.Command @arguments -ErrorAction Stop)
            }
        }
        catch {
            # -ErrorAction Stop: the first error, terminating or not, lands here as the ErrorRecord the user would get.
            $errors += $_
        }
        foreach ($started in $output | Where-Object { $_.GetType().Name -eq 'EmulatorInstance' -and $_.ProcessId -ne $emulator.ProcessId }) { $started | Stop-DaytonaEmulator }
        foreach ($started in $output | Where-Object { $_.GetType().Name -eq 'CheckpointServerInstance' }) { $started | Stop-CheckpointServer }
        [pscustomobject]@{ Value = $value; Errors = @($errors | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }); Others = @($errors | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }) }
    }
}

AfterAll {
    if ($unreadable -and [Environment]::OSVersion.Platform -eq 'Unix') { & chmod 755 $unreadable }
    $env:DAYTONA_API_KEY = $savedKey; $env:DAYTONA_API_URL = $savedUrl; $env:DAYTONA_CHECKPOINT_REPOSITORY = $savedRepository
    $emulator | Stop-DaytonaEmulator -ErrorAction SilentlyContinue
    $total = ($script:tally.Values | Measure-Object -Sum).Sum
    Write-Host ("error sweep: {0} cases over {1} cmdlets: {2}" -f $total, (Get-Command -Module Daytona.Snapshots -CommandType Cmdlet).Count,
        (($script:tally.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Value) $($_.Name)" }) -join ', '))
}

Describe 'The error sweep' {
    It '<Command> -<Parameter> (<Type>): <Kind>' -ForEach $sweepCases {
        if ($Kind -eq 'unreadable folder' -and ($isRoot -or [Environment]::OSVersion.Platform -ne 'Unix')) {
            $script:tally['skipped (unreadable folder: running as root or not on Unix, permission bits do not apply)']++
            Set-ItResult -Skipped -Because 'permission bits do not stop root (or this is not Unix): a folder cannot be made unreadable here'
            return
        }
        $result = Invoke-SweepCase $_
        $result.Others | Should -BeNullOrEmpty -Because 'every failure reaches the user as an ErrorRecord'
        $result.Errors.Count | Should -BeGreaterThan 0 -Because "$Command accepted $Kind '$($result.Value)' for -$Parameter without an error"
        $record = $result.Errors[0]
        $id = $record.FullyQualifiedErrorId
        $id | Should -Not -BeNullOrEmpty
        $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified' -Because "$id has no category ($($record.Exception.Message))"
        $id | Should -Not -BeLike 'UnexpectedError*' -Because "a .NET error leaked through: $($record.Exception.GetType().FullName): $($record.Exception.Message)"
        $id | Should -Not -Match '^System\.' -Because "a .NET exception reached the user unmapped: $($record.Exception.Message)"
        if ($record.Exception -is [System.Management.Automation.ParameterBindingException] -or $id -like 'ParameterArgument*' -or $id -like 'InputObjectNotBound*' -or $id -like 'ParameterBindingFailed*') {
            $script:tally["refused by PowerShell's parameter binding"]++
            return
        }
        $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty -Because "$id says what is wrong but not what to do: $($record.Exception.Message)"
        $shown = "$($record.Exception.Message) $($record.TargetObject)"
        if ($Kind -eq 'empty string') {
            $shown | Should -Match ([regex]::Escape($Parameter)) -Because "$id must name the parameter that was empty: $($record.Exception.Message)"
        }
        elseif ($Kind -eq '$null from the pipeline') {
            $shown | Should -Match "$([regex]::Escape($Parameter))|pipe|input" -Because "$id must say what was missing from the pipeline: $($record.Exception.Message)"
        }
        else {
            $shown | Should -Match ([regex]::Escape([string] $result.Value)) -Because "$id must name the offending value: $($record.Exception.Message)"
        }
        $script:tally['refused by the cmdlet with a catalog ErrorId and a recommendation']++
    }
}
