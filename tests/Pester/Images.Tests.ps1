# A declarative image built end to end: defined with the builder cmdlets from files in a folder, uploaded, built
# with its log on the information stream, activated, and reused by content.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    $emulator = Start-DaytonaEmulator -TimeScale 0.05
    $emulator | Connect-Daytona | Out-Null

    $project = Join-Path $TestDrive 'project'
    New-Item -ItemType Directory -Path $project | Out-Null
    Set-Content -Path (Join-Path $project 'app.py') -Value "print('hello from a Daytona sandbox')"
    Push-Location $project

    function Get-RequestCount([string] $Route) {
        $counts = Invoke-EmulatorControl $emulator 'requests' -Method Get
        if ($Route) { [int]$counts.byRoute.$Route } else { [int]$counts.total }
    }
}

AfterAll {
    Pop-Location
    $emulator | Stop-DaytonaEmulator
}

Describe 'A declarative image' {
    It 'describes the Dockerfile and the build context before anything is sent' {
        $image = New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage numpy | Add-DaytonaImageFile ./app.py -Destination /app/app.py

        $image.PSTypeNames | Should -Contain 'Daytona.Images.DaytonaImage'
        $image.BaseImage | Should -Be 'python:3.12.10-slim-bookworm'
        $lines = $image.Dockerfile -split "`n" | Where-Object { $_ }
        $lines[0] | Should -Be 'FROM python:3.12.10-slim-bookworm'
        $lines | Should -Contain 'RUN python -m pip install numpy'
        $lines[-1] | Should -Be 'COPY ./app.py /app/app.py'
        @($image.Context).Count | Should -Be 1
        $image.Context[0].SourcePath | Should -Be './app.py'
        $image.Context[0].FullPath | Should -Be (Join-Path $project 'app.py')
        $image.Context[0].Hash | Should -Match '^[0-9a-f]{32}$'
        $image.ContextHashes | Should -Be @($image.Context[0].Hash)
        $image.Hash | Should -Match '^[0-9a-f]{64}$'
    }

    It 'leaves its input image unchanged (images are immutable)' {
        $base = New-DaytonaImage -DebianSlim 3.12
        $before = $base.Dockerfile
        $withNumpy = $base | Add-DaytonaImagePackage numpy

        $base.Dockerfile | Should -Be $before
        $withNumpy.Dockerfile | Should -Not -Be $before
        $withNumpy.Hash | Should -Not -Be $base.Hash
    }

    It 'builds, shows the build log on the information stream and ends active' {
        $posts = Get-RequestCount 'POST /api/snapshots'
        $all = & {
            New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage numpy | Add-DaytonaImageFile ./app.py -Destination /app/app.py |
                New-DaytonaSnapshot -Name image-app | Wait-DaytonaSnapshot -ShowBuildLog | Enable-DaytonaSnapshot
        } 6>&1

        $log = $all | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }
        $snapshot = $all | Where-Object { $_.PSTypeNames -contains 'Daytona.Api.Snapshot' }
        @($snapshot).Count | Should -Be 1
        $snapshot.Name | Should -Be 'image-app'
        $snapshot.State | Should -Be 'Active'
        $snapshot.BuildInfo.SnapshotRef | Should -Match 'daytona-[0-9a-f]{64}:daytona'
        $definition = New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage numpy | Add-DaytonaImageFile ./app.py -Destination /app/app.py
        $snapshot.BuildInfo.ContextHashes | Should -Be $definition.ContextHashes
        $snapshot.BuildInfo.DockerfileContent | Should -Be $definition.Dockerfile
        $snapshot.BuildInfo.SnapshotRef | Should -Be "daytona-$($definition.Hash):daytona"
        $log.Count | Should -BeGreaterThan 5
        $log[0].Tags | Should -Contain 'BuildLog'
        "$($log[0].MessageData)" | Should -Be '[image-app] Step 1/7 : FROM python:3.12.10-slim-bookworm'
        ($log.MessageData | Out-String) | Should -Match 'Successfully installed numpy'
        "$($log[-1].MessageData)" | Should -Match '^\[image-app\] Successfully tagged registry\.emulator\.daytona\.local/daytona/daytona-[0-9a-f]{64}:daytona$'
        (Get-RequestCount 'POST /api/snapshots') | Should -Be ($posts + 1)
        (Get-RequestCount 'PUT /s3/{bucket}/{**key}') | Should -Be 1
        $objects = Invoke-EmulatorControl $emulator 'objects' -Method Get
        $objects.PSObject.Properties.Name | Should -BeLike '*/context.tar'
    }

    It 'makes no new build the second time (same snapshot id, no upload, no create)' {
        $first = Get-DaytonaSnapshot -Name image-app
        $posts = Get-RequestCount 'POST /api/snapshots'
        $uploads = Get-RequestCount 'PUT /s3/{bucket}/{**key}'

        $again = New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage numpy | Add-DaytonaImageFile ./app.py -Destination /app/app.py |
            New-DaytonaSnapshot -Name image-app | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot

        $again.Id | Should -Be $first.Id
        $again.State | Should -Be 'Active'
        (Get-RequestCount 'POST /api/snapshots') | Should -Be $posts
        (Get-RequestCount 'PUT /s3/{bucket}/{**key}') | Should -Be $uploads
        @(Get-DaytonaSnapshot -Name 'image-app*').Count | Should -Be 1
    }

    It 'changes the Hash when a context file changes, and builds that' {
        $before = New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage numpy | Add-DaytonaImageFile ./app.py -Destination /app/app.py
        $hashBefore = $before.Hash
        $contextHashBefore = $before.Context[0].Hash
        Set-Content -Path ./app.py -Value "print('hello, changed')"
        $after = New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage numpy | Add-DaytonaImageFile ./app.py -Destination /app/app.py

        $after.Dockerfile | Should -Be $before.Dockerfile
        $after.Context[0].Hash | Should -Not -Be $contextHashBefore
        $after.Hash | Should -Not -Be $hashBefore
        $after.Hash | Should -Match '^[0-9a-f]{64}$'

        $uploads = Get-RequestCount 'PUT /s3/{bucket}/{**key}'
        $built = $after | New-DaytonaSnapshot -Name image-app-v2 | Wait-DaytonaSnapshot
        $built.State | Should -Be 'Active'
        $built.Id | Should -Not -Be (Get-DaytonaSnapshot -Name image-app).Id
        $built.BuildInfo.SnapshotRef | Should -Not -Be (Get-DaytonaSnapshot -Name image-app).BuildInfo.SnapshotRef
        (Get-RequestCount 'PUT /s3/{bucket}/{**key}') | Should -Be ($uploads + 1)
    }

    # An image is a value: its Hash is that of the content when it was defined, however late it is first read.
    It 'keeps the hash of the content it was defined with' {
        Set-Content -Path ./lazy.py -Value "print('defined')"
        $defined = New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageFile ./lazy.py -Destination /app/lazy.py
        Set-Content -Path ./lazy.py -Value "print('changed afterwards')"
        $changed = New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageFile ./lazy.py -Destination /app/lazy.py

        $defined.Hash | Should -Not -Be $changed.Hash
    }

    It 'shares one build between two names with the same definition' {
        $image = New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage numpy | Add-DaytonaImageFile ./app.py -Destination /app/app.py
        $copy = $image | New-DaytonaSnapshot -Name image-app-copy
        # The build ref exists already: Daytona makes the copy active at once, without building.
        $copy.State | Should -Be 'Active'
        $copy.BuildInfo.SnapshotRef | Should -Be (Get-DaytonaSnapshot -Name image-app-v2).BuildInfo.SnapshotRef
    }

    It 'resumes a build log stream cut by a proxy without repeating or losing lines (<Mode>)' -ForEach @(
        @{ Mode = 'Wait-DaytonaSnapshot -ShowBuildLog' }
        @{ Mode = 'Get-DaytonaSnapshotBuildLog -Follow' }
    ) {
        $name = if ($Mode -like 'Wait*') { 'image-cut-wait' } else { 'image-cut-follow' }
        Invoke-EmulatorControl $emulator 'builds' -Method Put -Body @{ byName = @{ $name = @{ durationMs = 40000 } } } | Out-Null
        Invoke-EmulatorControl $emulator 'requests/reset' | Out-Null
        $origin = ([uri]$emulator.ApiUrl.ToString()).GetLeftPart([System.UriPartial]::Authority)
        $cutter = [powershell]::Create().AddScript({
                param($Origin, $Key)
                Start-Sleep -Milliseconds 600
                Invoke-RestMethod -Method Post -Uri "$Origin/_emulator/build-logs/cut" -Headers @{ Authorization = "Bearer $Key" } | Out-Null
            }).AddParameters(@{ Origin = $origin; Key = (Get-EmulatorKey $emulator) })
        $cutting = $cutter.BeginInvoke()
        try {
            $image = New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImagePackage numpy | Add-DaytonaImageCommand "echo $name"
            if ($Mode -like 'Wait*') {
                $all = & { $image | New-DaytonaSnapshot -Name $name | Wait-DaytonaSnapshot -ShowBuildLog } 6>&1
                $streamed = $all | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } |
                    ForEach-Object { "$($_.MessageData)" -replace "^\[$name\] ", '' }
            }
            else {
                $streamed = $image | New-DaytonaSnapshot -Name $name | Get-DaytonaSnapshotBuildLog -Follow
            }
        }
        finally {
            $cutter.EndInvoke($cutting)
            $cutter.Dispose()
        }

        (Invoke-EmulatorControl $emulator 'requests' -Method Get).byRoute.'GET /proxy/snapshots/{id}/build-logs' |
            Should -BeGreaterOrEqual 2 -Because 'the stream was cut once and opened again'
        $full = Get-DaytonaSnapshotBuildLog -Name $name
        $full.Count | Should -BeGreaterThan 20
        $streamed | Should -Be $full
    }

    It 'reports a failing build as SnapshotBuildFailed with the end of its log' {
        $image = New-DaytonaImage -Base python:3.12-slim | Add-DaytonaImageCommand 'pip install missing-package' |
            Add-DaytonaImageInstruction '# emulator: fail'
        $out = $image | New-DaytonaSnapshot -Name image-broken | Wait-DaytonaSnapshot -ErrorAction SilentlyContinue -ErrorVariable failed

        $out | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SnapshotBuildFailed,*'
        $failed[0].Exception.Message | Should -Match "returned a non-zero code: 1"
        (Get-DaytonaSnapshot -Name image-broken).State | Should -Be 'BuildFailed'
        (Get-DaytonaSnapshot -Name image-broken).StateText | Should -Be 'build_failed'
    }
}

Describe 'An image from every builder cmdlet' {
    BeforeAll {
        New-Item -ItemType Directory -Path ./web/static | Out-Null
        Set-Content -Path ./web/index.html -Value '<h1>hello</h1>'
        Set-Content -Path ./web/static/app.js -Value 'console.log(1)'
        Set-Content -Path ./requirements.txt -Value "numpy==2.0`nrequests"
        @'
[project]
name = "demo"
dependencies = ["pandas>=2", "httpx"]
[project.optional-dependencies]
dev = ["pytest"]
'@ | Set-Content -Path ./pyproject.toml
        $full = New-DaytonaImage -DebianSlim 3.11 |
            Add-DaytonaImageDirectory ./web /srv/web |
            Add-DaytonaImagePackage -RequirementsFile ./requirements.txt |
            Add-DaytonaImagePackage -PyprojectFile ./pyproject.toml -OptionalDependency dev |
            Set-DaytonaImageEnvironment ([ordered]@{ GREETING = 'hello world'; PORT = '8000' }) |
            Set-DaytonaImageWorkingDirectory /srv |
            Set-DaytonaImageEntrypoint python, -m, http.server |
            Set-DaytonaImageDefaultCommand 8000
    }

    It 'writes the Dockerfile in order' {
        $lines = $full.Dockerfile -split "`n" | Where-Object { $_ }
        $lines[0] | Should -Be 'FROM python:3.11.12-slim-bookworm'
        $lines | Select-Object -Skip 5 | Should -Be @(
            'COPY ./web /srv/web'
            'COPY ./requirements.txt /.requirements.txt'
            'RUN python -m pip install -r /.requirements.txt'
            'RUN python -m pip install httpx pandas\>\=2 pytest'
            "ENV GREETING='hello world'"
            'ENV PORT=8000'
            'WORKDIR /srv'
            'ENTRYPOINT ["python", "-m", "http.server"]'
            'CMD ["8000"]'
        )
    }

    It 'has the folder and the requirements file as context entries' {
        $full.Context.SourcePath | Should -Be @('./web', './requirements.txt')
        $full.ContextHashes | Should -Be @($full.Context.Hash)
    }

    It 'uploads both contexts and builds with the entrypoint' {
        $snapshot = $full | New-DaytonaSnapshot -Name image-full | Wait-DaytonaSnapshot
        $snapshot.State | Should -Be 'Active'
        $snapshot.Entrypoint | Should -Be @('python', '-m', 'http.server')
        $objects = (Invoke-EmulatorControl $emulator 'objects' -Method Get).PSObject.Properties.Name
        foreach ($hash in $full.ContextHashes) { $objects | Should -Contain "$($emulator.OrganizationId)/$hash/context.tar" }
    }

    It 'changes the folder hash when a file inside changes' {
        $before = (New-DaytonaImage -DebianSlim 3.11 | Add-DaytonaImageDirectory ./web /srv/web).Context[0].Hash
        Add-Content -Path ./web/static/app.js -Value 'console.log(2)'
        $after = (New-DaytonaImage -DebianSlim 3.11 | Add-DaytonaImageDirectory ./web /srv/web).Context[0].Hash
        $after | Should -Not -Be $before
    }

    It 'takes the COPY sources of an existing Dockerfile as its context' {
        New-Item -ItemType Directory -Path ./docker | Out-Null
        Set-Content -Path ./docker/app.py -Value "print('from a Dockerfile')"
        "FROM python:3.12-slim`nCOPY app.py /app/`nCOPY --from=builder /x /y`n" | Set-Content -Path ./docker/Dockerfile
        $image = New-DaytonaImage -Dockerfile ./docker/Dockerfile

        @($image.Context).Count | Should -Be 1
        $image.Context[0].ArchivePath | Should -Be 'app.py'
        $image.Context[0].FullPath | Should -Be (Join-Path $project 'docker/app.py')
        $image.Dockerfile | Should -Match 'COPY --from=builder /x /y'
        ($image | New-DaytonaSnapshot -Name image-dockerfile | Wait-DaytonaSnapshot).State | Should -Be 'Active'
    }
}

Describe 'Image errors come before any request' {
    BeforeEach {
        $requestsBefore = Get-RequestCount
    }

    It 'refuses a missing file with ImageFileNotFound' {
        {
            New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageFile ./missing.py -Destination /app/missing.py -ErrorAction Stop |
                New-DaytonaSnapshot -Name image-missing-file
        } | Should -Throw -ErrorId 'ImageFileNotFound,*'

        Get-RequestCount | Should -Be $requestsBefore
        Get-DaytonaSnapshot -Name image-missing-file -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'names the missing file and says ObjectNotFound' {
        New-DaytonaImage -DebianSlim 3.12 | Add-DaytonaImageFile ./missing.py -Destination /app/ -ErrorAction SilentlyContinue -ErrorVariable problems
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].Exception.Message | Should -Match 'missing\.py'
        Get-RequestCount | Should -Be $requestsBefore
    }

    It 'refuses Python <Version> with ImagePythonVersionUnsupported' -ForEach @(
        @{ Version = '3.8' }
        @{ Version = '3.14' }
        @{ Version = '2.7.18' }
    ) {
        { New-DaytonaImage -DebianSlim $Version -ErrorAction Stop | New-DaytonaSnapshot -Name image-old-python } |
            Should -Throw -ErrorId 'ImagePythonVersionUnsupported,*'
        Get-RequestCount | Should -Be $requestsBefore
    }

    It 'lists the supported series in the message' {
        New-DaytonaImage -DebianSlim 3.8 -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problems[0].Exception.Message | Should -Match '3\.9, 3\.10, 3\.11, 3\.12, 3\.13'
    }

    It 'accepts a micro version of a supported series as given' {
        (New-DaytonaImage -DebianSlim 3.12.4).BaseImage | Should -Be 'python:3.12.4-slim-bookworm'
    }

    It 'refuses a non-string environment value with ImageDefinitionInvalid' {
        { New-DaytonaImage -DebianSlim 3.12 | Set-DaytonaImageEnvironment @{ PORT = 8000 } -ErrorAction Stop } |
            Should -Throw -ErrorId 'ImageDefinitionInvalid,*'
        Get-RequestCount | Should -Be $requestsBefore
    }
}

# What Daytona's SDK refuses (tests/Daytona.Images.Tests/Data/sdk-rejection-cases.json, generated from the SDK's own
# argument checks), the cmdlets refuse with the SDK's reason: each case's SDK calls as cmdlets, in the case's fixture.
Describe 'Image definitions the SDK refuses, through the cmdlets' {
    BeforeDiscovery {
        $rejections = Get-Content (Join-Path $PSScriptRoot '../Daytona.Images.Tests/Data/sdk-rejection-cases.json') -Raw | ConvertFrom-Json
        $rejectionCases = foreach ($case in $rejections.cases) { @{ Id = $case.id; Case = $case } }
    }

    BeforeAll {
        $data = Join-Path $PSScriptRoot '../Daytona.Images.Tests/Data'
        $shared = Get-Content (Join-Path $PSScriptRoot '../../../shared/conformance/images/cases.json') -Raw | ConvertFrom-Json
        $extra = Get-Content (Join-Path $data 'sdk-extra-cases.json') -Raw | ConvertFrom-Json
        $rejections = Get-Content (Join-Path $data 'sdk-rejection-cases.json') -Raw | ConvertFrom-Json
        $fixture = Join-Path $TestDrive 'sdk-fixture'
        function Write-FixtureFile([string] $Name, [byte[]] $Bytes) {
            $path = Join-Path $fixture $Name
            New-Item -ItemType Directory -Force -Path (Split-Path $path) | Out-Null
            [System.IO.File]::WriteAllBytes($path, $Bytes)
        }
        foreach ($file in $shared.fixture.psobject.Properties) { Write-FixtureFile $file.Name ([Convert]::FromBase64String($file.Value)) }
        foreach ($dir in $shared.emptyDirs + $extra.emptyDirs) { New-Item -ItemType Directory -Force -Path (Join-Path $fixture $dir) | Out-Null }
        foreach ($file in $extra.fixture.psobject.Properties + $rejections.fixture.psobject.Properties) { Write-FixtureFile $file.Name ([System.Text.Encoding]::UTF8.GetBytes($file.Value)) }
        foreach ($link in $extra.symlinks.psobject.Properties + $rejections.symlinks.psobject.Properties) {
            New-Item -ItemType SymbolicLink -Path (Join-Path $fixture $link.Name) -Target $link.Value | Out-Null
        }

        # The SDK's calls as the cmdlets a user types.
        function Invoke-AsCmdlets($Ops) {
            $image = $null
            foreach ($op in $Ops) {
                $method = $op[0]
                $arguments = @()
                if ($op.Count -gt 1) { $arguments = $op[1..($op.Count - 1)] } # a slice stays an array (no pipeline unrolling)
                $options = if ($arguments.Count -gt 1 -and $arguments[-1] -is [pscustomobject]) { $arguments[-1] } else { $null }
                $image = switch ($method) {
                    'base' { New-DaytonaImage -Base $arguments[0] }
                    'debianSlim' { New-DaytonaImage -DebianSlim $arguments[0] }
                    'fromDockerfile' { New-DaytonaImage -Dockerfile $arguments[0] }
                    'pipInstall' { $image | Add-DaytonaImagePackage -Name @($arguments[0]) }
                    'pipInstallFromRequirements' { $image | Add-DaytonaImagePackage -RequirementsFile $arguments[0] }
                    'pipInstallFromPyproject' {
                        $more = @{}
                        if ($options.optionalDependencies) { $more.OptionalDependency = @($options.optionalDependencies) }
                        $image | Add-DaytonaImagePackage -PyprojectFile $arguments[0] @more
                    }
                    'addLocalFile' { $image | Add-DaytonaImageFile -Path $arguments[0] -Destination $arguments[1] }
                    'addLocalDir' { $image | Add-DaytonaImageDirectory -Path $arguments[0] -Destination $arguments[1] }
                    'env' { $variables = [ordered]@{}; foreach ($p in $arguments[0].psobject.Properties) { $variables[$p.Name] = $p.Value }; $image | Set-DaytonaImageEnvironment -Variable $variables }
                    'entrypoint' { $image | Set-DaytonaImageEntrypoint -Command @($arguments[0]) }
                    'cmd' { $image | Set-DaytonaImageDefaultCommand -Command @($arguments[0]) }
                    'dockerfileCommands' {
                        $more = @{}
                        if ($arguments.Count -gt 1 -and $arguments[1] -is [string]) { $more.ContextPath = $arguments[1] }
                        if ($arguments.Count -gt 2 -and $arguments[2].strictContext) { $more.StrictContext = $true }
                        $image | Add-DaytonaImageInstruction -Instruction @($arguments[0]) @more
                    }
                    default { throw "unmapped SDK method $method" }
                }
            }
            $image
        }
    }

    It '<Id>' -ForEach $rejectionCases {
        if ($Case.id -in 'pip-packages-not-strings', 'entrypoint-not-strings') {
            Set-ItResult -Skipped -Because 'a number given for a [string[]] parameter is converted to text by PowerShell before the cmdlet sees it (the engine refuses a number: SdkRejectionTests)'
            return
        }
        Push-Location $fixture
        try {
            $err = $null
            $ErrorActionPreference = 'Stop'
            try { Invoke-AsCmdlets $Case.ops | Out-Null } catch { $err = $_ }
        }
        finally { Pop-Location }
        $err | Should -Not -BeNullOrEmpty -Because "the SDK refuses it: $($Case.error.message)"
        if ($Case.id -eq 'cmd-not-strings') {
            # A $null in -Command is refused by PowerShell's binding before the cmdlet runs (a mandatory [string[]]).
            $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationErrorNullNotAllowed,*'
            return
        }
        $err.CategoryInfo.Category | Should -Be $(if ($Case.error.type -eq 'DaytonaNotFoundError') { 'ObjectNotFound' } else { 'InvalidArgument' })
        $expected = $Case.error.message.Replace('<fixture>', (Get-Item $fixture).FullName)
        if ($expected.StartsWith('Invalid pyproject.toml file ')) {
            $err.Exception.Message | Should -BeLike ($expected.Substring(0, $expected.IndexOf(': ') + 2) + '*')
        }
        else {
            $err.Exception.Message | Should -Be $expected
        }
    }
}
