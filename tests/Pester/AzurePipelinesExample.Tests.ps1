# examples/azure-pipelines.yml is a real pipeline: the YAML parses, every script file it names exists and parses,
# and every inline script parses.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:pipeline = Join-Path $root 'examples/azure-pipelines.yml'
    $script:document = ConvertFrom-YamlFile $pipeline
    $script:tasks = @(Find-YamlMapping $script:document | Where-Object { $_.Keys -contains 'task' -and $_['task'] -like 'PowerShell@*' })
}

Describe 'examples/azure-pipelines.yml' {
    It 'parses as YAML and has PowerShell tasks' {
        $document | Should -Not -BeNullOrEmpty
        $tasks.Count | Should -BeGreaterOrEqual 3
    }

    It 'runs every PowerShell task with pwsh' {
        foreach ($task in $tasks) { $task['inputs']['pwsh'] | Should -Be 'true' }
    }

    It 'names script files that exist and parse' {
        $files = @($tasks | ForEach-Object { $_['inputs']['filePath'] } | Where-Object { $_ })
        $files.Count | Should -BeGreaterOrEqual 2
        foreach ($file in $files) {
            $path = Join-Path $root $file
            $path | Should -Exist
            $errors = $null
            [System.Management.Automation.Language.Parser]::ParseFile($path, [ref]$null, [ref]$errors) | Out-Null
            $errors | Should -BeNullOrEmpty -Because "$file must parse"
        }
    }

    It 'has inline scripts that parse' {
        $inline = @($tasks | ForEach-Object { $_['inputs']['script'] } | Where-Object { $_ })
        $inline.Count | Should -BeGreaterOrEqual 1
        foreach ($script in $inline) {
            # Pipeline macros $(name) are replaced by the agent before PowerShell sees the script.
            $text = $script -replace '\$\((?<name>[A-Za-z_][A-Za-z0-9_.]*)\)', 'MACRO'
            $errors = $null
            [System.Management.Automation.Language.Parser]::ParseInput($text, [ref]$null, [ref]$errors) | Out-Null
            $errors | Should -BeNullOrEmpty
        }
    }

    It 'maps the API key from a secret variable and never writes it inline' {
        $text = Get-Content $pipeline -Raw
        $text | Should -Match 'DAYTONA_API_KEY: \$\(DAYTONA_API_KEY\)'
        $text | Should -Not -Match 'dtn_[0-9a-f]{8,}'
    }
}

# The pipeline run on this machine, job by job, as an agent would: TF_BUILD=True, a fresh pwsh per step in the
# repository (the checkout), $(macros) replaced, secret variables mapped only through a step's env:, the artifact store a
# folder (publish copies into it, download copies out of it), output variables read from the ##vso lines a step prints
# and handed to later jobs and stages through their $[ dependencies… ] / $[ stageDependencies… ] variables. Daytona is
# the emulator. The Build stage's build.ps1 -Task Package is what made out/packages before this suite ran (CI runs it);
# its publish step is run. Where PSResourceGet is missing, its four commands are stood in for by a small module that
# unpacks the .nupkg as Install-PSResource does (said in the output).
Describe 'examples/azure-pipelines.yml run job by job on this machine' {
    BeforeAll {
        $script:source = Import-PowerShellDataFile (Join-Path $root 'Daytona.Snapshots.psd1')
        $script:packages = Join-Path $root 'out/packages'
        $script:haveP = Test-Path (Join-Path $packages "Daytona.Snapshots.$($source.ModuleVersion).nupkg")
        $script:agent = Join-Path $TestDrive 'agent'
        $script:artifacts = Join-Path $TestDrive 'artifacts'
        $script:agentHome = Join-Path $TestDrive 'home'
        New-Item -ItemType Directory -Path $agent, $artifacts, $agentHome | Out-Null
        Import-Module (Get-BuiltModulePath) -Force
        $script:emulator = Start-DaytonaEmulator -TimeScale 0.05
        $script:key = Get-EmulatorKey $emulator
        $script:buildId = Get-Random -Minimum 1000 -Maximum 9999
        $script:outputs = @{}
        $script:log = [System.Collections.Generic.List[string]]::new()

        $script:modulePath = Join-Path $agentHome '.local/share/powershell/Modules'
        $script:shims = $null
        if (-not (Get-Module -ListAvailable -Name Microsoft.PowerShell.PSResourceGet)) {
            $script:shims = Join-Path $TestDrive 'shims'
            $shim = Join-Path $shims 'PSResourceGetStandIn'
            New-Item -ItemType Directory -Path $shim -Force | Out-Null
            Set-Content -Path (Join-Path $shim 'PSResourceGetStandIn.psm1') -Value @'
# Stands in for PSResourceGet where it is not installed: a local repository is a folder of .nupkg files, and
# installing unpacks one into the CurrentUser modules folder (<name>/<version>), as Install-PSResource does.
$script:repositories = @{}
$store = Join-Path $HOME '.psresourceget-standin.json'
if (Test-Path $store) { (Get-Content $store -Raw | ConvertFrom-Json).psobject.Properties | ForEach-Object { $script:repositories[$_.Name] = $_.Value } }
function Save { $script:repositories | ConvertTo-Json | Set-Content $store }
function Get-PSResourceRepository { [CmdletBinding()] param([string] $Name)
    if ($script:repositories.ContainsKey($Name)) { [pscustomobject]@{ Name = $Name; Uri = $script:repositories[$Name] } } else { Write-Error "No repository $Name" } }
function Register-PSResourceRepository { [CmdletBinding()] param([string] $Name, [string] $Uri, [switch] $Trusted)
    $script:repositories[$Name] = $Uri; Save }
function Set-PSResourceRepository { [CmdletBinding()] param([string] $Name, [string] $Uri, [switch] $Trusted)
    $script:repositories[$Name] = $Uri; Save }
function Install-PSResource {
    [CmdletBinding()] param([string] $Name, [string] $Repository, [string] $Scope, [switch] $TrustRepository, [switch] $Reinstall)
    $package = Get-ChildItem -LiteralPath $script:repositories[$Repository] -Filter "$Name.*.nupkg" | Sort-Object Name | Select-Object -Last 1
    if (-not $package) { throw "No package $Name in repository $Repository" }
    $version = $package.BaseName.Substring($Name.Length + 1)
    $target = Join-Path $HOME ".local/share/powershell/Modules/$Name/$version"
    Remove-Item -Recurse -Force $target -ErrorAction SilentlyContinue
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    [System.IO.Compression.ZipFile]::ExtractToDirectory($package.FullName, $target)
    Remove-Item -Recurse -Force (Join-Path $target '_rels'), (Join-Path $target 'package'), (Join-Path $target '[Content_Types].xml') -ErrorAction SilentlyContinue
}
'@
            Write-Host "PSResourceGet is not installed for this pwsh: Register-/Set-/Get-PSResourceRepository and Install-PSResource are stood in for by $shim"
        }

        $script:document = ConvertFrom-YamlFile $pipeline
        $script:variables = @{ 'Build.BuildId' = "$buildId"; 'Pipeline.Workspace' = $agent; 'DAYTONA_API_KEY' = $key }
        foreach ($entry in $document['variables']) { if ($entry['name']) { $variables[$entry['name']] = $entry['value'] } }

        function Expand-Macros([string] $Text, [hashtable] $Values) {
            for ($i = 0; $i -lt 3; $i++) {
                $Text = [regex]::Replace($Text, '\$\((?<name>[A-Za-z_][A-Za-z0-9_.]*)\)', {
                        param($m)
                        $name = $m.Groups['name'].Value
                        if ($Values.ContainsKey($name)) { $Values[$name] } else { throw "The pipeline uses `$($name), which nothing defines." }
                    })
            }
            $Text
        }

        function Resolve-RuntimeVariables($Mapping, [string] $Stage, [hashtable] $Into) {
            # $[ dependencies.<job>.outputs['<step>.<name>'] ] and $[ stageDependencies.<stage>.<job>.outputs['<step>.<name>'] ]
            foreach ($name in @($Mapping.Keys)) {
                $value = [string] $Mapping[$name]
                if ($value -match "^\`$\[\s*dependencies\.(?<job>\w+)\.outputs\['(?<output>[^']+)'\]\s*\]$") { $from = "$Stage.$($Matches.job)" }
                elseif ($value -match "^\`$\[\s*stageDependencies\.(?<stage>\w+)\.(?<job>\w+)\.outputs\['(?<output>[^']+)'\]\s*\]$") { $from = "$($Matches.stage).$($Matches.job)" }
                else { $Into[$name] = $value; continue }
                $output = $Matches.output
                $outputs.ContainsKey($from) | Should -BeTrue -Because "$name reads job $from, which has not run before it"
                $outputs[$from].ContainsKey($output) | Should -BeTrue -Because "$name reads output '$output' of $from, which no step of it set with isOutput=true (it set: $($outputs[$from].Keys -join ', '))"
                $Into[$name] = $outputs[$from][$output]
            }
        }

        function Invoke-PipelineJob([string] $Stage, [string] $JobName) {
            $stageNode = $document['stages'] | Where-Object { $_['stage'] -eq $Stage }
            $job = $stageNode['jobs'] | Where-Object { $_['job'] -eq $JobName }
            $values = $variables.Clone()
            if ($stageNode['variables']) { Resolve-RuntimeVariables $stageNode['variables'] $Stage $values }
            if ($job['variables']) { Resolve-RuntimeVariables $job['variables'] $Stage $values }
            $jobOutputs = @{}
            $outputs["$Stage.$JobName"] = $jobOutputs
            foreach ($step in $job['steps']) {
                if ($step['download']) {
                    $from = Join-Path $artifacts $step['artifact']
                    $from | Should -Exist -Because "artifact '$($step['artifact'])' is downloaded, so an earlier stage must publish it"
                    Copy-Item -Recurse $from (Join-Path $agent $step['artifact']) -Force
                    continue
                }
                if ($step['publish']) {
                    $path = Expand-Macros $step['publish'] $values
                    if (-not [System.IO.Path]::IsPathRooted($path)) { $path = Join-Path $root $path }
                    $path | Should -Exist -Because "the step publishes $($step['publish'])"
                    Copy-Item -Recurse $path (Join-Path $artifacts $step['artifact']) -Force
                    continue
                }
                $inputs = $step['inputs']
                if ($step['task'] -notlike 'PowerShell@*' -or $inputs['filePath'] -eq 'build.ps1') { continue } # UseDotNet; the package build ran before this suite
                $environment = @{ TF_BUILD = 'True'; HOME = $agentHome; DAYTONA_API_URL = $emulator.ApiUrl.ToString(); DAYTONA_API_KEY = $null
                    BUILD_SOURCESDIRECTORY = $root; SYSTEM_DEFAULTWORKINGDIRECTORY = $root; DAYTONA_EMULATOR_RESPONSE_LOG = $env:DAYTONA_EMULATOR_RESPONSE_LOG
                    PSModulePath = (@($shims, $modulePath) | Where-Object { $_ }) -join [System.IO.Path]::PathSeparator }
                foreach ($name in @($step['env'].Keys)) { if ($name) { $environment[$name] = Expand-Macros $step['env'][$name] $values } }
                if ($inputs['targetType'] -eq 'inline') {
                    $file = Join-Path $TestDrive ("inline-" + [guid]::NewGuid().ToString('N') + '.ps1')
                    Set-Content -Path $file -Value (Expand-Macros $inputs['script'] $values)
                    $arguments = @('-File', $file)
                }
                else {
                    $arguments = @('-File', (Join-Path $root $inputs['filePath'])) + @((Expand-Macros ([string] $inputs['arguments']) $values) -split '\s+' | Where-Object { $_ })
                }
                $start = [System.Diagnostics.ProcessStartInfo]::new((Get-Process -Id $PID).Path)
                # One quoted string (ProcessStartInfo.ArgumentList is missing on .NET Framework, where 5.1 runs this suite).
                $start.Arguments = (@('-NoProfile', '-NonInteractive') + $arguments | ForEach-Object { '"' + ($_ -replace '"', '\"') + '"' }) -join ' '
                $start.WorkingDirectory = $root
                $start.RedirectStandardOutput = $true; $start.RedirectStandardError = $true; $start.UseShellExecute = $false
                foreach ($name in $environment.Keys) { if ($null -eq $environment[$name]) { $start.Environment.Remove($name) | Out-Null } else { $start.Environment[$name] = [string] $environment[$name] } }
                $process = [System.Diagnostics.Process]::Start($start)
                $stderr = $process.StandardError.ReadToEndAsync()
                $stdout = $process.StandardOutput.ReadToEnd()
                $process.WaitForExit()
                $log.Add("[$Stage/$JobName/$($step['displayName'])] exit $($process.ExitCode)")
                $process.ExitCode | Should -Be 0 -Because "step '$($step['displayName'])' of $Stage/$JobName failed:`n$stdout`n$($stderr.Result)"
                # The key is handed to the agent once to be masked (##vso[task.setsecret]); no other line carries it.
                ($stdout -split "`r?`n" | Where-Object { $_ -notlike '##vso`[task.setsecret`]*' }) -join "`n" | Should -Not -Match ([regex]::Escape($key)) -Because 'the API key never reaches the log'
                foreach ($match in [regex]::Matches($stdout, '##vso\[task\.setvariable variable=(?<name>[^;\]]+);(?<flags>[^\]]*)\](?<value>[^\r\n]*)')) {
                    if ($match.Groups['flags'].Value -match 'isOutput=true' -and $step['name']) {
                        $jobOutputs["$($step['name']).$($match.Groups['name'].Value)"] = $match.Groups['value'].Value
                    }
                }
                $stdout
            }
        }
    }

    AfterAll {
        if ($emulator) { $emulator | Stop-DaytonaEmulator }
        Write-Host ("azure-pipelines.yml on this machine: " + ($log -join '; '))
    }

    It 'Build: publishes out/packages (the module package) as the artifact packages' {
        if (-not $haveP) { Set-ItResult -Skipped -Because "out/packages has no Daytona.Snapshots.$($source.ModuleVersion).nupkg: run build.ps1 -Task Package first (.ci/run does)"; return }
        Invoke-PipelineJob 'Build' 'Package' | Out-Null
        Join-Path $artifacts "packages/Daytona.Snapshots.$($source.ModuleVersion).nupkg" | Should -Exist
    }

    It 'Snapshot: installs the module from the artifact, builds and checkpoints a snapshot, runs the workflow, publishes output variables' {
        if (-not $haveP) { Set-ItResult -Skipped -Because 'no module package (see Build)'; return }
        $text = (Invoke-PipelineJob 'Snapshot' 'Snapshot') -join "`n"
        $text | Should -Match "Daytona.Snapshots $([regex]::Escape($source.ModuleVersion)) from .*Daytona.Snapshots.$([regex]::Escape($source.ModuleVersion))" -Because 'the module is imported from where the package was installed, not from the build output'
        $text | Should -Not -Match ([regex]::Escape((Split-Path (Get-BuiltModulePath))))
        $made = $outputs['Snapshot.Snapshot']
        $made['snapshot.snap.Name'] | Should -Be "ci-$buildId"
        $made['snapshot.snap.State'] | Should -Be 'Active'
        $made['snapshot.checkpoint.Id'] | Should -Not -BeNullOrEmpty
        $made['workflow.workflow.state'] | Should -Be 'active'
        (Get-DaytonaSnapshot -Name "ci-$buildId-arazzo" -Connection ($emulator | Connect-Daytona)).Id | Should -Be $made['workflow.workflow.snapshotId']
        Join-Path $artifacts 'checkpoints' | Should -Exist
    }

    It 'Snapshot/Check: a second job reads them through dependencies.Snapshot.outputs' {
        if (-not $haveP) { Set-ItResult -Skipped -Because 'no module package (see Build)'; return }
        $text = (Invoke-PipelineJob 'Snapshot' 'Check') -join "`n"
        $text | Should -Match "Snapshot ci-$buildId \($([regex]::Escape($outputs['Snapshot.Snapshot']['snapshot.snap.Id']))\): Active"
        $text | Should -Match "Snapshot ci-$buildId-arazzo .*: Active"
    }

    It 'Use: a later stage reads them through stageDependencies.Snapshot.Snapshot.outputs' {
        if (-not $haveP) { Set-ItResult -Skipped -Because 'no module package (see Build)'; return }
        $text = (Invoke-PipelineJob 'Use' 'Report') -join "`n"
        $text | Should -Match "Checkpoint of the snapshot's definition: $([regex]::Escape($outputs['Snapshot.Snapshot']['snapshot.checkpoint.Id']))"
        $text | Should -Match "Snapshot ci-$buildId \(.*\): Active"
    }
}
